import {
  KnowledgeBaseNotFoundError,
  ProfileMismatchError,
  type CollectionVersion,
  type IndexedQuestion,
  type IndexedRowsPage,
  type SearchHit,
  type VectorStore,
} from '@answerbridge/core';

interface Version extends CollectionVersion {
  rows: number;
  confidence: string | null;
  questions: (IndexedQuestion & { knowledgeBase: string })[];
}

const cosine = (a: number[], b: number[]): number => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += (a[i] ?? 0) * (b[i] ?? 0);
    na += (a[i] ?? 0) ** 2;
    nb += (b[i] ?? 0) ** 2;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
};

/** Words, and each Chinese character on its own: enough of BM25's tokenizing for a keyword score in tests. */
const tokens = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[\s\p{P}]+|(?=\p{Script=Han})|(?<=\p{Script=Han})/u)
    .filter(Boolean);

/**
 * The VectorStore port in memory, for unit tests of ingest, search and answering: versions behind an
 * active pointer, the profile check on dense search, cosine similarity, and a keyword score (how many of
 * the question's tokens a row contains) standing in for BM25. `failWith` makes every call reject, as
 * Milvus does when it is down.
 */
export class InMemoryVectorStore implements VectorStore {
  private readonly versions = new Map<string, Version>();
  private readonly active = new Map<string, string>();
  private failure: Error | null = null;
  closed = false;

  failWith(error: Error | null): void {
    this.failure = error;
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  async ready(): Promise<void> {
    this.check();
  }

  async createVersion(knowledgeBase: string, profile: string, _dimension: number): Promise<CollectionVersion> {
    this.check();
    const existing = await this.listVersions(knowledgeBase);
    const version = Math.max(0, ...existing.map((v) => v.version)) + 1;
    const collection = `kb_${knowledgeBase}_v${version}`;
    const created: Version = {
      knowledgeBase,
      collection,
      version,
      profile,
      createdAt: new Date().toISOString(),
      active: false,
      rows: 0,
      confidence: null,
      questions: [],
    };
    this.versions.set(collection, created);
    return this.describe(created);
  }

  async insert(collection: string, knowledgeBase: string, rows: IndexedQuestion[]): Promise<void> {
    this.check();
    const version = this.mustGet(collection);
    version.questions.push(...rows.map((r) => ({ ...r, knowledgeBase })));
    version.rows = version.questions.length;
  }

  async activate(knowledgeBase: string, collection: string): Promise<void> {
    this.check();
    this.mustGet(collection);
    this.active.set(knowledgeBase, collection);
  }

  async activeCollection(knowledgeBase: string): Promise<string | null> {
    this.check();
    return this.active.get(knowledgeBase) ?? null;
  }

  /** Caches nothing: every read sees the active version. */
  forgetActive(_knowledgeBase: string): void {}

  async listVersions(knowledgeBase: string): Promise<CollectionVersion[]> {
    this.check();
    return [...this.versions.values()]
      .filter((v) => v.knowledgeBase === knowledgeBase)
      .sort((a, b) => a.version - b.version)
      .map((v) => this.describe(v));
  }

  async recordConfidence(collection: string, json: string): Promise<void> {
    this.check();
    this.mustGet(collection).confidence = json;
  }

  async activeConfidence(knowledgeBase: string): Promise<string | null> {
    return this.activeVersion(knowledgeBase).confidence;
  }

  async readVersion(collection: string, knowledgeBase: string): Promise<Omit<SearchHit, 'score'>[]> {
    this.check();
    return this.mustGet(collection)
      .questions.filter((q) => q.knowledgeBase === knowledgeBase)
      .map(({ entryId, text, answer, meta }) => ({ entryId, text, answer, meta }));
  }

  async readEntry(collection: string, knowledgeBase: string, entryId: string): Promise<Omit<SearchHit, 'score'>[]> {
    return (await this.readVersion(collection, knowledgeBase)).filter((row) => row.entryId === entryId);
  }

  async readIndexedRows(collection: string, knowledgeBase: string, page: IndexedRowsPage): Promise<IndexedQuestion[]> {
    this.check();
    const rows = this.mustGet(collection)
      .questions.filter((q) => q.knowledgeBase === knowledgeBase)
      .sort((a, b) => (a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : 0))
      .map(({ knowledgeBase: _kb, ...row }) => row);
    if ('pks' in page) {
      const wanted = new Set(page.pks);
      return rows.filter((row) => wanted.has(row.pk));
    }
    const after = page.afterPk;
    return rows.filter((row) => after === undefined || row.pk > after).slice(0, page.limit);
  }

  async countRows(collection: string): Promise<number> {
    this.check();
    return this.mustGet(collection).questions.length;
  }

  async dropVersion(collection: string): Promise<void> {
    this.check();
    this.versions.delete(collection);
  }

  async loadActive(_knowledgeBases: string[]): Promise<void> {
    this.check();
  }

  async searchDense(knowledgeBase: string, profile: string, vector: number[], limit: number): Promise<SearchHit[]> {
    const version = this.activeVersion(knowledgeBase);
    if (version.profile !== profile) throw new ProfileMismatchError(knowledgeBase, version.profile, profile);
    return this.ranked(version, knowledgeBase, (q) => cosine(q.vector, vector), limit);
  }

  async searchKeywords(knowledgeBase: string, text: string, limit: number): Promise<SearchHit[]> {
    const version = this.activeVersion(knowledgeBase);
    const wanted = new Set(tokens(text));
    return this.ranked(version, knowledgeBase, (q) => tokens(q.text).filter((t) => wanted.has(t)).length, limit).filter(
      (h) => h.score > 0,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private activeVersion(knowledgeBase: string): Version {
    this.check();
    const collection = this.active.get(knowledgeBase);
    const version = collection ? this.versions.get(collection) : undefined;
    if (!version) throw new KnowledgeBaseNotFoundError(knowledgeBase);
    return version;
  }

  private ranked(
    version: Version,
    knowledgeBase: string,
    score: (q: IndexedQuestion) => number,
    limit: number,
  ): SearchHit[] {
    return version.questions
      .filter((q) => q.knowledgeBase === knowledgeBase)
      .map((q) => ({ entryId: q.entryId, text: q.text, answer: q.answer, meta: q.meta, score: score(q) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  }

  private mustGet(collection: string): Version {
    const version = this.versions.get(collection);
    if (!version) throw new Error(`no collection ${collection}`);
    return version;
  }

  private describe(v: Version): CollectionVersion {
    return {
      knowledgeBase: v.knowledgeBase,
      collection: v.collection,
      version: v.version,
      profile: v.profile,
      createdAt: v.createdAt,
      active: this.active.get(v.knowledgeBase) === v.collection,
      rows: v.rows,
      calibrated: v.confidence !== null,
    };
  }
}
