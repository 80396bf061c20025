// A decorator of the Embedder port with no I/O of its own: it lives in libs/core, where features can use it.
export { CachingEmbedder } from '@answerbridge/core';
