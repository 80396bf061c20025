import { ConflictError } from './errors';

/**
 * An entry as the system of record keeps it. libs/knowledge's FaqEntry has this shape; it is restated here so
 * the port (and its PostgreSQL adapter) depends on no feature.
 */
export interface KnowledgeEntryRecord {
  id: string;
  kind?: 'faq' | 'doc';
  question: string;
  similar: string[];
  answer: string;
  category?: string;
  tags: string[];
  provenance?: { savedBy: string; savedAt: number; approvedBy: string; approvedAt: number };
}

/** How a publication came about: an import mode of `kb ingest`, a change made in the console, or a rollback. */
export type PublicationMode = 'upsert' | 'append' | 'replace' | 'console' | 'rollback';

/** One publication of a knowledge base: the entries as they will be, what changed, and who did it. */
export interface KnowledgePublication {
  knowledgeBase: string;
  /** Every entry of the knowledge base after it, in order. */
  entries: KnowledgeEntryRecord[];
  added: KnowledgeEntryRecord[];
  changed: { before: KnowledgeEntryRecord; after: KnowledgeEntryRecord }[];
  removed: KnowledgeEntryRecord[];
  /** A console username, or the OS user (or --by) of `kb ingest`. */
  by: string;
  /** What it came from, for people: "kb ingest faq.xlsx". */
  source: string;
  mode: PublicationMode;
  /** The revision the changes were planned on (KnowledgeRecord.revision); another publication since is refused. */
  basedOn: number | null;
}

/** The entries of a knowledge base as recorded, and the publication they are as of. */
export interface KnowledgeRecord {
  entries: KnowledgeEntryRecord[];
  /** The last publication's id: what a new one must be based on. */
  revision: number;
}

/** A publication's row: what was published, by whom, and the search-index version built from it. */
export interface KnowledgeVersionRecord {
  id: number;
  knowledgeBase: string;
  status: 'building' | 'published' | 'failed';
  /** The search index's version number and collection, once built. */
  number: number | null;
  collection: string | null;
  source: string;
  mode: PublicationMode;
  publishedBy: string;
  createdAt: number;
  publishedAt: number | null;
  entryCount: number;
  added: number;
  changed: number;
  removed: number;
  failure: string | null;
}

/**
 * The knowledge entries' system of record (PostgreSQL in production). The search index (Milvus) is built from
 * what it holds: a publication is written here first, in one transaction, then the index version is built
 * and recorded against it.
 */
export interface KnowledgeRepository {
  /** The entries of a knowledge base; null when none was ever published here (the index is then all there is). */
  current(knowledgeBase: string): Promise<KnowledgeRecord | null>;
  /**
   * Writes the entries as they will be, what changed and a version row (status building), all or nothing.
   * Refused with KnowledgeChangedError when another publication came in since `basedOn`.
   */
  publish(publication: KnowledgePublication): Promise<KnowledgeVersionRecord>;
  /** The search-index version built for a publication: it is now published. */
  markBuilt(versionId: number, index: { number: number; collection: string }): Promise<void>;
  /** The index could not be built: the entries stay recorded; the next publication builds from them. */
  markFailed(versionId: number, reason: string): Promise<void>;
  /** The publications of a knowledge base, newest first. */
  versions(knowledgeBase: string, limit?: number): Promise<KnowledgeVersionRecord[]>;
}

/** Someone else published the knowledge base after these changes were planned: plan them again. */
export class KnowledgeChangedError extends ConflictError {
  constructor(
    readonly knowledgeBase: string,
    readonly expected: number | null,
    readonly found: number | null,
  ) {
    super(
      'KNOWLEDGE.CHANGED',
      `knowledge base ${knowledgeBase} was published by someone else meanwhile (revision ${found ?? 'none'}, planned on ${expected ?? 'none'}): run it again`,
    );
  }
}
