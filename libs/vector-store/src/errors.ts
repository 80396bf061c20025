// The errors are part of the VectorStore port (libs/core): fakes and callers share them.
export { KnowledgeBaseNotFoundError, ProfileMismatchError, VectorStoreError } from '@answerbridge/core';
