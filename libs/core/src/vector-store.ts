import { AnswerbridgeError } from './errors';

/** One indexed FAQ question with its vector, as written into a knowledge-base version. */
export interface IndexedQuestion {
  /** Unique within a version: entry id plus the question's position. */
  pk: string;
  entryId: string;
  text: string;
  answer: string;
  meta: Record<string, unknown>;
  vector: number[];
}

export interface SearchHit {
  entryId: string;
  text: string;
  answer: string;
  meta: Record<string, unknown>;
  score: number;
}

/** Which rows `readIndexedRows` returns: the next page after a key, or the rows with these keys. */
export type IndexedRowsPage = { afterPk?: string; limit: number } | { pks: string[] };

export interface CollectionVersion {
  knowledgeBase: string;
  collection: string;
  version: number;
  profile: string;
  createdAt: string;
  active: boolean;
  rows?: number;
  /** A confidence model was fitted for this version (`kb calibrate`). */
  calibrated?: boolean;
}

/**
 * What ingest, search, review and evaluation need of the vector database (Milvus in production, an
 * in-memory fake in unit tests): versioned collections per knowledge base, one of them active, searched
 * densely (with the embedding profile's fingerprint checked) or by keywords.
 */
export interface VectorStore {
  ready(): Promise<void>;
  /** Creates an empty, loaded collection for the next version of a knowledge base. */
  createVersion(knowledgeBase: string, profile: string, dimension: number): Promise<CollectionVersion>;
  insert(collection: string, knowledgeBase: string, rows: IndexedQuestion[]): Promise<void>;
  /** Makes `collection` the one queries read; the switch is atomic. */
  activate(knowledgeBase: string, collection: string): Promise<void>;
  activeCollection(knowledgeBase: string): Promise<string | null>;
  /** Forgets what it cached about the active version (another process activated one): the next read asks. */
  forgetActive(knowledgeBase: string): void;
  /** Oldest first. */
  listVersions(knowledgeBase: string): Promise<CollectionVersion[]>;
  /** Records a confidence model (JSON, opaque here) with one version; it lives and dies with it. */
  recordConfidence(collection: string, json: string): Promise<void>;
  /** The confidence model recorded for the active version, if any. */
  activeConfidence(knowledgeBase: string): Promise<string | null>;
  /** Every row of one version (diffs, exports). */
  readVersion(collection: string, knowledgeBase: string): Promise<Omit<SearchHit, 'score'>[]>;
  /** The rows of one entry in one version (its questions). */
  readEntry(collection: string, knowledgeBase: string, entryId: string): Promise<Omit<SearchHit, 'score'>[]>;
  /**
   * Rows of one version with their vectors, in primary-key order: a page after `afterPk` (a cursor over
   * versions of any size), or the rows with the given keys. For search indexes held elsewhere (the worker's).
   */
  readIndexedRows(collection: string, knowledgeBase: string, page: IndexedRowsPage): Promise<IndexedQuestion[]>;
  /** How many rows a version holds now (a cheap count: a change of it says rows were added). */
  countRows(collection: string): Promise<number>;
  dropVersion(collection: string): Promise<void>;
  /** Makes the active versions searchable (Milvus Lite starts them released). */
  loadActive(knowledgeBases: string[]): Promise<void>;
  /**
   * Dense search in the active version. Throws KnowledgeBaseNotFoundError without one, and
   * ProfileMismatchError when `profile` (a fingerprint) is not the one the version was built with.
   */
  searchDense(knowledgeBase: string, profile: string, vector: number[], limit: number): Promise<SearchHit[]>;
  /** BM25 keyword search in the active version; needs no embedding. */
  searchKeywords(knowledgeBase: string, text: string, limit: number): Promise<SearchHit[]>;
  close(): Promise<void>;
}

/** The vector database failed (unreachable, refused, inconsistent): usually worth another attempt. */
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

/**
 * A change to the rows a knowledge base is searched by, told to every process that keeps them in memory
 * (the workers' resident indexes): rows added to a version (an approved phrasing, an added entry), or
 * another version made active (publish, rollback, `kb ingest`).
 */
export type KnowledgeChange =
  | { kind: 'rows-added'; knowledgeBase: string; collection: string; pks: string[] }
  | { kind: 'activated'; knowledgeBase: string; collection: string };

/** Where knowledge changes are announced and heard (Redis pub/sub across processes). */
export interface KnowledgeChanges {
  announce(change: KnowledgeChange): Promise<void>;
  /**
   * Calls `onChange` for every change announced from now on, and `onGap` after a disconnection during which
   * announcements may have been missed; returns a function that stops listening.
   */
  listen(onChange: (change: KnowledgeChange) => void, onGap?: () => void): Promise<() => Promise<void>>;
  /** Releases what an announcer holds for itself (a command line's own connection). */
  close?(): Promise<void>;
}
