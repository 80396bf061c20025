import {
  ProfileMismatchError,
  type CollectionVersion,
  type IndexedQuestion,
  type IndexedRowsPage,
  type KnowledgeChange,
  type KnowledgeChanges,
  type SearchHit,
  type VectorStore,
} from '@answerbridge/core';
import { ResidentDenseIndex, type ResidentIndexOptions } from './resident-dense-index';

export interface ResidentSearchSettings {
  /** Knowledge bases of up to this many rows are searched in memory; 0 turns memory search off. */
  maxRows: number;
  /**
   * How often a knowledge base that is being searched is checked against the store (its active version
   * and row count): the bound on staleness when an announcement was missed (a worker disconnected from
   * Redis, a writer without announcements).
   */
  checkEveryMs: number;
  /** Rows read per request while loading. */
  pageSize?: number;
  index?: Partial<ResidentIndexOptions>;
  /** Where writers announce changes and readers hear them; without it only the periodic check notices. */
  changes?: KnowledgeChanges;
  /** What happened, for logs and metrics. */
  onEvent?: (event: ResidentSearchEvent) => void;
}

export type ResidentSearchEvent =
  | { kind: 'loaded'; knowledgeBase: string; collection: string; rows: number; ms: number; partitioned: boolean }
  | { kind: 'too-large'; knowledgeBase: string; collection: string; rows: number; maxRows: number }
  | { kind: 'rows-added'; knowledgeBase: string; collection: string; rows: number }
  | { kind: 'dropped'; knowledgeBase: string; collection: string; reason: string }
  | { kind: 'failed'; knowledgeBase: string; error: unknown }
  | { kind: 'searched'; knowledgeBase: string; from: 'memory' | 'store' };

/** One version held in memory. */
interface Resident {
  collection: string;
  profile: string;
  index: ResidentDenseIndex;
  /** Announced rows being fetched: until they are in, searches ask the store, which has them. */
  fetching: number;
}

interface KnowledgeBaseState {
  resident: Resident | null;
  /** The load under way, if any. */
  loading: Promise<void> | null;
  checking: boolean;
  /** When the store was last asked about this knowledge base (a load, a check, a failure). */
  lastLookAt: number;
  /** Rows announced for a version while it was loading, fetched when the load ends. */
  heardWhileLoading: { collection: string; pks: string[] }[];
}

/** Rows a load reads per request: ~13 MB at 384 dimensions, inside Milvus's 16,384-row query window. */
const DEFAULT_PAGE_SIZE = 8_192;

/**
 * The vector store with each knowledge base's active version also held in the worker's memory, so a
 * dense search is arithmetic on this process's core instead of a round trip to Milvus (Milvus Lite serves
 * one search at a time and spends O(rows) Python on each). Milvus stays the system of record: it builds
 * and keeps every version, answers BM25, and answers dense searches whenever the memory copy is not known
 * to be current — before a version is loaded, while announced rows are fetched, after a check found the
 * store changed, or when a version is larger than `maxRows`.
 *
 * Freshness: writes through this store (ingest, activation, approvals) are announced on `changes` and
 * applied by every process that listens, before its next search; anything else is noticed by the check
 * every `checkEveryMs` (the active version and its row count).
 */
export class ResidentSearchStore implements VectorStore {
  private readonly states = new Map<string, KnowledgeBaseState>();
  private stopListening: (() => Promise<void>) | null = null;
  private closed = false;

  constructor(
    private readonly inner: VectorStore,
    private readonly settings: ResidentSearchSettings,
  ) {}

  /** Starts hearing announced changes (the workers call this once, before the first question). */
  async listen(): Promise<void> {
    if (!this.settings.changes || this.stopListening) return;
    this.stopListening = await this.settings.changes.listen((change) => this.heard(change));
  }

  get enabled(): boolean {
    return this.settings.maxRows > 0;
  }

  /** What is in memory now, per knowledge base (for the readiness view and tests). */
  residents(): { knowledgeBase: string; collection: string; rows: number; partitioned: boolean }[] {
    return [...this.states.entries()].flatMap(([knowledgeBase, s]) =>
      s.resident
        ? [
            {
              knowledgeBase,
              collection: s.resident.collection,
              rows: s.resident.index.size,
              partitioned: s.resident.index.partitioned,
            },
          ]
        : [],
    );
  }

  /** Resolves when the knowledge base's active version is in memory (or known not to fit); for start-up and tests. */
  async warm(knowledgeBase: string): Promise<void> {
    if (!this.enabled) return;
    await this.load(knowledgeBase, this.stateOf(knowledgeBase));
  }

  // --- searches ---------------------------------------------------------------------------------

  async searchDense(knowledgeBase: string, profile: string, vector: number[], limit: number): Promise<SearchHit[]> {
    if (!this.enabled) return this.inner.searchDense(knowledgeBase, profile, vector, limit);
    const state = this.stateOf(knowledgeBase);
    this.lookAgainIfDue(knowledgeBase, state);
    const resident = state.resident;
    if (resident && resident.fetching === 0) {
      if (resident.profile !== profile) throw new ProfileMismatchError(knowledgeBase, resident.profile, profile);
      this.settings.onEvent?.({ kind: 'searched', knowledgeBase, from: 'memory' });
      return resident.index.search(vector, limit);
    }
    this.settings.onEvent?.({ kind: 'searched', knowledgeBase, from: 'store' });
    return this.inner.searchDense(knowledgeBase, profile, vector, limit);
  }

  searchKeywords(knowledgeBase: string, text: string, limit: number): Promise<SearchHit[]> {
    return this.inner.searchKeywords(knowledgeBase, text, limit);
  }

  // --- writes: through to the store, then applied here and announced ---------------------------------

  async insert(collection: string, knowledgeBase: string, rows: IndexedQuestion[]): Promise<void> {
    await this.inner.insert(collection, knowledgeBase, rows);
    if (rows.length === 0) return;
    // Read back rather than taken from `rows`: the memory copy is what the store holds (it truncates long text).
    this.heard({ kind: 'rows-added', knowledgeBase, collection, pks: rows.map((r) => r.pk) });
    await this.announce({ kind: 'rows-added', knowledgeBase, collection, pks: rows.map((r) => r.pk) });
  }

  async activate(knowledgeBase: string, collection: string): Promise<void> {
    await this.inner.activate(knowledgeBase, collection);
    this.heard({ kind: 'activated', knowledgeBase, collection });
    await this.announce({ kind: 'activated', knowledgeBase, collection });
  }

  private async announce(change: KnowledgeChange): Promise<void> {
    // The write happened: a lost announcement costs staleness until the next check, not the write.
    await this.settings.changes
      ?.announce(change)
      .catch((error: unknown) =>
        this.settings.onEvent?.({ kind: 'failed', knowledgeBase: change.knowledgeBase, error }),
      );
  }

  // --- changes heard ------------------------------------------------------------------------------

  private heard(change: KnowledgeChange): void {
    // The store's own cache of the alias would otherwise send searches to the old version for a while.
    if (change.kind === 'activated') this.inner.forgetActive(change.knowledgeBase);
    if (!this.enabled) return;
    const state = this.states.get(change.knowledgeBase);
    // Nobody searched this knowledge base here: nothing to keep current.
    if (!state) return;
    if (change.kind === 'activated') {
      if (state.resident && state.resident.collection !== change.collection)
        this.drop(change.knowledgeBase, state, 'another version was activated');
      if (!state.resident) void this.load(change.knowledgeBase, state);
      return;
    }
    if (state.loading) {
      state.heardWhileLoading.push({ collection: change.collection, pks: change.pks });
      return;
    }
    const resident = state.resident;
    if (!resident || resident.collection !== change.collection) return;
    const missing = change.pks.filter((pk) => !resident.index.has(pk));
    if (missing.length > 0) void this.fetchRows(change.knowledgeBase, state, resident, missing);
  }

  private async fetchRows(
    knowledgeBase: string,
    state: KnowledgeBaseState,
    resident: Resident,
    pks: string[],
  ): Promise<void> {
    resident.fetching++;
    try {
      const rows = await this.inner.readIndexedRows(resident.collection, knowledgeBase, { pks });
      this.addRows(knowledgeBase, resident, rows);
      // Announced but not found (not visible yet, or lost): the memory copy may be behind; the store is not.
      if (rows.length < pks.length && state.resident === resident)
        this.drop(knowledgeBase, state, `${pks.length - rows.length} announced rows were not found`);
    } catch (error) {
      this.settings.onEvent?.({ kind: 'failed', knowledgeBase, error });
      if (state.resident === resident) this.drop(knowledgeBase, state, 'announced rows could not be read');
    } finally {
      resident.fetching--;
    }
  }

  private addRows(knowledgeBase: string, resident: Resident, rows: IndexedQuestion[]): void {
    const added = resident.index.add(rows.filter((r) => r.vector.length === resident.index.dimension));
    if (added > 0)
      this.settings.onEvent?.({ kind: 'rows-added', knowledgeBase, collection: resident.collection, rows: added });
  }

  private drop(knowledgeBase: string, state: KnowledgeBaseState, reason: string): void {
    if (!state.resident) return;
    this.settings.onEvent?.({ kind: 'dropped', knowledgeBase, collection: state.resident.collection, reason });
    state.resident = null;
    state.lastLookAt = 0;
  }

  // --- loading and checking -----------------------------------------------------------------------

  private stateOf(knowledgeBase: string): KnowledgeBaseState {
    let state = this.states.get(knowledgeBase);
    if (!state) {
      state = { resident: null, loading: null, checking: false, lastLookAt: 0, heardWhileLoading: [] };
      this.states.set(knowledgeBase, state);
    }
    return state;
  }

  /** Starts a load or a check in the background when one is due; a search never waits for it. */
  private lookAgainIfDue(knowledgeBase: string, state: KnowledgeBaseState): void {
    if (state.loading || state.checking || this.closed) return;
    if (Date.now() - state.lastLookAt < this.settings.checkEveryMs) return;
    if (state.resident) void this.check(knowledgeBase, state, state.resident);
    else void this.load(knowledgeBase, state);
  }

  /** Is the memory copy still the active version with every row? If not, it goes, and a load starts. */
  private async check(knowledgeBase: string, state: KnowledgeBaseState, resident: Resident): Promise<void> {
    state.checking = true;
    try {
      const active = await this.inner.activeCollection(knowledgeBase);
      let reason: string | null = null;
      if (active !== resident.collection) reason = 'another version is active';
      else {
        const rows = await this.inner.countRows(active);
        if (rows !== resident.index.size && resident.fetching === 0)
          reason = `the version holds ${rows} rows, memory ${resident.index.size}`;
      }
      state.lastLookAt = Date.now();
      if (reason && state.resident === resident) {
        this.drop(knowledgeBase, state, reason);
        void this.load(knowledgeBase, state);
      }
    } catch (error) {
      state.lastLookAt = Date.now();
      this.settings.onEvent?.({ kind: 'failed', knowledgeBase, error });
    } finally {
      state.checking = false;
    }
  }

  /**
   * Reads the active version page by page, builds its index, then takes in the rows announced meanwhile
   * and makes sure nothing is missing (the row count) before searches use it.
   */
  private load(knowledgeBase: string, state: KnowledgeBaseState): Promise<void> {
    if (!state.loading) {
      state.heardWhileLoading = [];
      state.loading = this.readIntoMemory(knowledgeBase, state).then((again) => {
        state.loading = null;
        state.heardWhileLoading = [];
        // A load overtaken by a change is tried again at the next search, not a check period later.
        state.lastLookAt = again ? 0 : Date.now();
      });
    }
    return state.loading;
  }

  /** Returns whether to try again soon (the store changed while it read). */
  private async readIntoMemory(knowledgeBase: string, state: KnowledgeBaseState): Promise<boolean> {
    const started = Date.now();
    try {
      const collection = await this.inner.activeCollection(knowledgeBase);
      if (!collection) return false;
      const rows = await this.inner.countRows(collection);
      if (rows > this.settings.maxRows) {
        this.settings.onEvent?.({ kind: 'too-large', knowledgeBase, collection, rows, maxRows: this.settings.maxRows });
        return false;
      }
      const version = (await this.inner.listVersions(knowledgeBase)).find((v) => v.collection === collection);
      const pageSize = this.settings.pageSize ?? DEFAULT_PAGE_SIZE;
      let index: ResidentDenseIndex | null = null;
      let afterPk: string | undefined;
      for (;;) {
        const page = await this.inner.readIndexedRows(collection, knowledgeBase, {
          ...(afterPk === undefined ? {} : { afterPk }),
          limit: pageSize,
        });
        const first = page[0];
        if (!index && first) index = new ResidentDenseIndex(first.vector.length, this.settings.index, rows);
        index?.add(page);
        if (page.length < pageSize || index === null || index.size > this.settings.maxRows) break;
        afterPk = page[page.length - 1]?.pk;
      }
      // An empty version: the store answers (with nothing) until rows arrive.
      if (!index) return false;
      await index.partition();
      const heard = state.heardWhileLoading.filter((h) => h.collection === collection).flatMap((h) => h.pks);
      const missing = heard.filter((pk) => !index.has(pk));
      if (missing.length > 0) index.add(await this.inner.readIndexedRows(collection, knowledgeBase, { pks: missing }));
      const [active, count] = await Promise.all([
        this.inner.activeCollection(knowledgeBase),
        this.inner.countRows(collection),
      ]);
      if (active !== collection || count !== index.size) {
        this.settings.onEvent?.({
          kind: 'dropped',
          knowledgeBase,
          collection,
          reason:
            active !== collection
              ? 'another version was activated while loading'
              : `loaded ${index.size} rows, the version holds ${count}`,
        });
        return true;
      }
      state.resident = { collection, profile: version?.profile ?? 'unknown', index, fetching: 0 };
      this.settings.onEvent?.({
        kind: 'loaded',
        knowledgeBase,
        collection,
        rows: index.size,
        ms: Date.now() - started,
        partitioned: index.partitioned,
      });
      return false;
    } catch (error) {
      this.settings.onEvent?.({ kind: 'failed', knowledgeBase, error });
      return false;
    }
  }

  // --- everything else is the store's ----------------------------------------------------------------

  ready(): Promise<void> {
    return this.inner.ready();
  }

  createVersion(knowledgeBase: string, profile: string, dimension: number): Promise<CollectionVersion> {
    return this.inner.createVersion(knowledgeBase, profile, dimension);
  }

  activeCollection(knowledgeBase: string): Promise<string | null> {
    return this.inner.activeCollection(knowledgeBase);
  }

  forgetActive(knowledgeBase: string): void {
    this.inner.forgetActive(knowledgeBase);
    const state = this.states.get(knowledgeBase);
    if (state) state.lastLookAt = 0;
  }

  listVersions(knowledgeBase: string): Promise<CollectionVersion[]> {
    return this.inner.listVersions(knowledgeBase);
  }

  recordConfidence(collection: string, json: string): Promise<void> {
    return this.inner.recordConfidence(collection, json);
  }

  activeConfidence(knowledgeBase: string): Promise<string | null> {
    return this.inner.activeConfidence(knowledgeBase);
  }

  readVersion(collection: string, knowledgeBase: string): Promise<Omit<SearchHit, 'score'>[]> {
    return this.inner.readVersion(collection, knowledgeBase);
  }

  readEntry(collection: string, knowledgeBase: string, entryId: string): Promise<Omit<SearchHit, 'score'>[]> {
    return this.inner.readEntry(collection, knowledgeBase, entryId);
  }

  readIndexedRows(collection: string, knowledgeBase: string, page: IndexedRowsPage): Promise<IndexedQuestion[]> {
    return this.inner.readIndexedRows(collection, knowledgeBase, page);
  }

  countRows(collection: string): Promise<number> {
    return this.inner.countRows(collection);
  }

  dropVersion(collection: string): Promise<void> {
    return this.inner.dropVersion(collection);
  }

  /** Loads the active versions in the store, then into memory in the background. */
  async loadActive(knowledgeBases: string[]): Promise<void> {
    await this.inner.loadActive(knowledgeBases);
    if (this.enabled) for (const kb of knowledgeBases) void this.warm(kb);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stopListening?.();
    this.stopListening = null;
    await this.settings.changes?.close?.();
    await this.inner.close();
  }
}
