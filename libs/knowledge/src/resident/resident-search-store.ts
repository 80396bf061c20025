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
  /**
   * Rows this process holds in memory, all knowledge bases together: one is held while it fits beside the
   * others (the first come keep their place); the rest are searched in the store. 0 turns memory search off.
   */
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
  /** How long a write waits for its announcement to go out before it returns anyway (ms). */
  announceTimeoutMs?: number;
  /** What happened, for logs and metrics. */
  onEvent?: (event: ResidentSearchEvent) => void;
}

export type ResidentSearchEvent =
  | { kind: 'loaded'; knowledgeBase: string; collection: string; rows: number; ms: number; partitioned: boolean }
  | {
      kind: 'too-large';
      knowledgeBase: string;
      collection: string;
      rows: number;
      /** Rows the other knowledge bases hold in this process. */
      heldElsewhere: number;
      maxRows: number;
    }
  | { kind: 'rows-added'; knowledgeBase: string; collection: string; rows: number }
  | { kind: 'dropped'; knowledgeBase: string; collection: string; reason: string }
  | { kind: 'failed'; knowledgeBase: string; error: unknown }
  /** A write went through but its announcement did not go out: readers see it at their next check. */
  | { kind: 'not-announced'; knowledgeBase: string; reason: string }
  | { kind: 'searched'; knowledgeBase: string; from: 'memory' | 'store' };

/** One version held in memory. */
interface Resident {
  collection: string;
  profile: string;
  index: ResidentDenseIndex;
  /**
   * The version's row count as the store counts it (count(*)), kept current with the rows announced since
   * the load. It is what the check compares with, not the index's size: the store counts a key inserted
   * twice twice, and returns it once.
   */
  storeRows: number;
  /** Announced rows being fetched: until they are in, searches ask the store, which has them. */
  fetching: number;
}

interface KnowledgeBaseState {
  resident: Resident | null;
  /** The load under way, if any. */
  loading: Promise<void> | null;
  checking: boolean;
  /** When the store was last asked about this knowledge base (a load, a check). */
  lastLookAt: number;
  /** Loads that failed or were overtaken in a row, and when the next may start (backoff). */
  failures: number;
  retryAt: number;
  /** The row count last found too large (logged once per count). */
  tooLargeRows: number | null;
  /** Changes announced while a load ran: rows to fetch after it, or an activation that makes it stale. */
  heardWhileLoading: { collection: string; pks: string[] }[];
  activatedWhileLoading: boolean;
}

/** Rows a load reads per request: ~13 MB at 384 dimensions, inside Milvus's 16,384-row query window. */
const PAGE_SIZE = 8_192;
/** More announced keys than this are not fetched one by one: the copy is reloaded. */
const MAX_FETCH_KEYS = 4_096;
/** Backoff after a failed or overtaken load: 250 ms, doubling, at most a minute. */
const retryDelayMs = (failures: number) => Math.min(60_000, 250 * 2 ** Math.max(0, failures - 1));

/**
 * The vector store with each knowledge base's active version also held in the worker's memory, so a
 * dense search is arithmetic on this process's core instead of a round trip to Milvus (Milvus Lite serves
 * one search at a time and spends O(rows) Python on each). Milvus stays the system of record: it builds
 * and keeps every version, answers BM25, and answers dense searches whenever the memory copy is not known
 * to be current — before a version is loaded, while announced rows are fetched, while a due check runs,
 * after a check found the store changed, or when a version is larger than `maxRows`.
 *
 * Freshness: writes through this store (ingest, activation, approvals) are announced on `changes` and
 * applied by every process that listens, before its next search; anything else is noticed by the check
 * every `checkEveryMs` (the active version and its row count), during which searches ask the store.
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
    this.stopListening = await this.settings.changes.listen(
      (change) => this.heard(change),
      // Announcements may have been missed while disconnected: every copy is checked at its next search.
      () => {
        for (const state of this.states.values()) state.lastLookAt = 0;
      },
    );
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
    // While a check is out, the copy is not known to be current: the store answers.
    if (resident && resident.fetching === 0 && !state.checking) {
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
    await this.applyAndAnnounce({ kind: 'rows-added', knowledgeBase, collection, pks: rows.map((r) => r.pk) });
  }

  async activate(knowledgeBase: string, collection: string): Promise<void> {
    await this.inner.activate(knowledgeBase, collection);
    await this.applyAndAnnounce({ kind: 'activated', knowledgeBase, collection });
  }

  /** A process that listens hears its own announcement like anyone's; one that does not applies it here. */
  private async applyAndAnnounce(change: KnowledgeChange): Promise<void> {
    if (!this.stopListening) this.heard(change);
    await this.announce(change);
  }

  /**
   * The write happened: a lost or late announcement costs staleness until the readers' next check, never
   * the write, and a Redis that does not answer holds the writer up for at most `announceTimeoutMs`.
   */
  private async announce(change: KnowledgeChange): Promise<void> {
    const changes = this.settings.changes;
    if (!changes) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.settings.announceTimeoutMs ?? 2_000);
    });
    try {
      const outcome = await Promise.race([changes.announce(change).then(() => 'sent' as const), timedOut]);
      if (outcome === 'timeout')
        this.settings.onEvent?.({ kind: 'not-announced', knowledgeBase: change.knowledgeBase, reason: 'timed out' });
    } catch (error) {
      this.settings.onEvent?.({
        kind: 'not-announced',
        knowledgeBase: change.knowledgeBase,
        reason: (error as Error).message ?? String(error),
      });
    } finally {
      clearTimeout(timer);
    }
  }

  // --- changes heard ------------------------------------------------------------------------------

  private heard(change: KnowledgeChange): void {
    // The store's own cache of the alias would otherwise send searches to the old version for a while.
    if (change.kind === 'activated') this.inner.forgetActive(change.knowledgeBase);
    if (!this.enabled) return;
    const state = this.states.get(change.knowledgeBase);
    // Nobody searched this knowledge base here: nothing to keep current.
    if (!state) return;
    if (state.loading) {
      if (change.kind === 'activated') state.activatedWhileLoading = true;
      else state.heardWhileLoading.push({ collection: change.collection, pks: change.pks });
      return;
    }
    if (change.kind === 'activated') {
      if (state.resident && state.resident.collection !== change.collection)
        this.drop(change.knowledgeBase, state, 'another version was activated');
      if (!state.resident) {
        // An announced activation is worth a load now, whatever earlier loads did.
        state.failures = 0;
        state.retryAt = 0;
        void this.load(change.knowledgeBase, state);
      }
      return;
    }
    const resident = state.resident;
    if (!resident || resident.collection !== change.collection) return;
    this.takeIn(change.knowledgeBase, state, resident, change.pks);
  }

  /** Counts announced rows as the store does, and fetches those the copy lacks (or reloads, for many). */
  private takeIn(knowledgeBase: string, state: KnowledgeBaseState, resident: Resident, pks: string[]): void {
    resident.storeRows += pks.length;
    const missing = [...new Set(pks)].filter((pk) => !resident.index.has(pk));
    if (missing.length === 0) return;
    if (missing.length > MAX_FETCH_KEYS) {
      this.drop(knowledgeBase, state, `${missing.length} rows were added at once`);
      void this.load(knowledgeBase, state);
      return;
    }
    void this.fetchRows(knowledgeBase, state, resident, missing);
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
      state = {
        resident: null,
        loading: null,
        checking: false,
        lastLookAt: 0,
        failures: 0,
        retryAt: 0,
        tooLargeRows: null,
        heardWhileLoading: [],
        activatedWhileLoading: false,
      };
      this.states.set(knowledgeBase, state);
    }
    return state;
  }

  /** Starts a load or a check in the background when one is due; a search never waits for it. */
  private lookAgainIfDue(knowledgeBase: string, state: KnowledgeBaseState): void {
    if (state.loading || state.checking || this.closed) return;
    const now = Date.now();
    if (now - state.lastLookAt < this.settings.checkEveryMs) return;
    if (state.resident) void this.check(knowledgeBase, state, state.resident);
    else if (now >= state.retryAt) void this.load(knowledgeBase, state);
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
        if (rows !== resident.storeRows && resident.fetching === 0)
          reason = `the version holds ${rows} rows, ${resident.storeRows} were known`;
      }
      state.lastLookAt = Date.now();
      if (reason && state.resident === resident) {
        this.drop(knowledgeBase, state, reason);
        state.checking = false;
        void this.load(knowledgeBase, state);
      }
    } catch (error) {
      state.lastLookAt = Date.now();
      this.settings.onEvent?.({ kind: 'failed', knowledgeBase, error });
    } finally {
      state.checking = false;
    }
  }

  private load(knowledgeBase: string, state: KnowledgeBaseState): Promise<void> {
    if (!state.loading) {
      state.heardWhileLoading = [];
      state.activatedWhileLoading = false;
      state.loading = this.readIntoMemory(knowledgeBase, state)
        .catch(() => 'failed' as const)
        .then((outcome) => {
          state.loading = null;
          state.heardWhileLoading = [];
          state.activatedWhileLoading = false;
          state.lastLookAt = Date.now();
          if (outcome === 'loaded') {
            state.failures = 0;
            state.retryAt = 0;
          } else if (outcome !== 'skipped') {
            state.failures++;
            state.retryAt = Date.now() + retryDelayMs(state.failures);
            // Not a check period later: the next search after the backoff tries again.
            state.lastLookAt = 0;
          }
        });
    }
    return state.loading;
  }

  /**
   * Reads the active version page by page, builds its index, takes in the rows announced meanwhile, and
   * makes sure nothing else changed (the row count, the active version) before searches use it.
   * 'skipped': nothing to hold (no version, empty, too large); 'again': overtaken or failed, to retry.
   */
  private async readIntoMemory(
    knowledgeBase: string,
    state: KnowledgeBaseState,
  ): Promise<'loaded' | 'skipped' | 'again' | 'failed'> {
    const started = Date.now();
    try {
      const collection = await this.inner.activeCollection(knowledgeBase);
      if (!collection) return 'skipped';
      const rows = await this.inner.countRows(collection);
      // The budget is for the whole process: what the other knowledge bases hold counts against it.
      const others = [...this.states.values()]
        .filter((other) => other !== state && other.resident)
        .reduce((sum, other) => sum + (other.resident?.index.size ?? 0), 0);
      if (rows + others > this.settings.maxRows) {
        if (state.tooLargeRows !== rows)
          this.settings.onEvent?.({
            kind: 'too-large',
            knowledgeBase,
            collection,
            rows,
            heldElsewhere: others,
            maxRows: this.settings.maxRows,
          });
        state.tooLargeRows = rows;
        return 'skipped';
      }
      state.tooLargeRows = null;
      const version = (await this.inner.listVersions(knowledgeBase)).find((v) => v.collection === collection);
      const pageSize = this.settings.pageSize ?? PAGE_SIZE;
      let index: ResidentDenseIndex | null = null;
      let afterPk: string | undefined;
      for (;;) {
        if (this.closed) return 'skipped';
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
      if (!index) return 'skipped';
      await index.partition();
      const heardBeforeCount = state.heardWhileLoading.filter((h) => h.collection === collection).flatMap((h) => h.pks);
      const [active, count] = await Promise.all([
        this.inner.activeCollection(knowledgeBase),
        this.inner.countRows(collection),
      ]);
      const overtaken =
        state.activatedWhileLoading || active !== collection
          ? 'another version was activated while loading'
          : count !== rows + heardBeforeCount.length
            ? `the version went from ${rows} to ${count} rows while loading, ${heardBeforeCount.length} of them announced`
            : null;
      if (overtaken) {
        this.settings.onEvent?.({ kind: 'dropped', knowledgeBase, collection, reason: overtaken });
        return 'again';
      }
      const resident: Resident = {
        collection,
        profile: version?.profile ?? 'unknown',
        index,
        // Announced rows are counted by takeIn below, as they are once the copy is live.
        storeRows: count - heardBeforeCount.length,
        fetching: 0,
      };
      state.resident = resident;
      // Everything announced during the load (up to this moment) is fetched now; searches ask the store until it is in.
      const heard = state.heardWhileLoading.filter((h) => h.collection === collection).flatMap((h) => h.pks);
      state.heardWhileLoading = [];
      if (heard.length > 0) this.takeIn(knowledgeBase, state, resident, heard);
      this.settings.onEvent?.({
        kind: 'loaded',
        knowledgeBase,
        collection,
        rows: index.size,
        ms: Date.now() - started,
        partitioned: index.partitioned,
      });
      return 'loaded';
    } catch (error) {
      this.settings.onEvent?.({ kind: 'failed', knowledgeBase, error });
      return 'failed';
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
