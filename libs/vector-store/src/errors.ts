import { AnswerbridgeError } from '@answerbridge/core';

export class VectorStoreError extends AnswerbridgeError {
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super('VECTOR_STORE.FAILED', message, retryable, options);
  }
}

/** The collection was built with another embedding model profile; its vectors cannot be compared. */
export class ProfileMismatchError extends AnswerbridgeError {
  constructor(
    readonly knowledgeBase: string,
    readonly collectionProfile: string,
    readonly queryProfile: string,
  ) {
    super(
      'VECTOR_STORE.PROFILE_MISMATCH',
      `knowledge base "${knowledgeBase}" was indexed with embedding profile [${collectionProfile}] but queried with [${queryProfile}]; reindex it with the current profile (kb ingest) or configure the profile it was built with`,
      false,
    );
  }
}

export class KnowledgeBaseNotFoundError extends AnswerbridgeError {
  constructor(readonly knowledgeBase: string) {
    super(
      'VECTOR_STORE.NO_KNOWLEDGE_BASE',
      `knowledge base "${knowledgeBase}" has no active version; run kb ingest first`,
      false,
    );
  }
}
