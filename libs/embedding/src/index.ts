export {
  builtInProfiles,
  resolveProfile,
  profileFingerprint,
  UnknownProfileError,
  type ModelProfile,
  type ProfileOverrides,
} from './model-profile';
export { HttpEmbedder, EmbeddingError, type Embedder, type EmbedInputKind, type HttpEmbedderOptions } from './embedder';
export { MicroBatchingEmbedder } from './micro-batcher';
export { CachingEmbedder } from './caching-embedder';
export { HttpReranker, RerankError, type Reranker, type HttpRerankerOptions } from './reranker';
export { CircuitBreakerEmbedder, EmbedderUnavailableError, type CircuitBreakerOptions } from './circuit-breaker';
