import { ConsistencyLevelEnum, MilvusClient, type ResStatus } from '@zilliz/milvus2-sdk-node';
import { FIELDS, MAX_ANSWER_CHARS, MAX_TEXT_CHARS, bm25Function, faqFields, faqIndexes } from './faq-collection-schema';
import {
  KnowledgeBaseNotFoundError,
  ProfileMismatchError,
  VectorStoreError,
  type CollectionVersion,
  type IndexedQuestion,
  type IndexedRowsPage,
  type SearchHit,
  type VectorStore,
} from '@answerbridge/core';

export type { CollectionVersion, IndexedQuestion, SearchHit } from '@answerbridge/core';

export interface MilvusVectorStoreOptions {
  address: string;
  token?: string;
  timeoutMs?: number;
}

interface Description {
  answerbridge: 1;
  knowledgeBase: string;
  profile: string;
  createdAt: string;
}

const PROFILE_PROPERTY = 'answerbridge.version';
/** A confidence model fitted on this version's own search (libs/knowledge), as JSON. */
const CONFIDENCE_PROPERTY = 'answerbridge.confidence';

/** gRPC status codes of the failures people can do something about, said in words. */
function explain(error: unknown, address: string): string {
  const code = (error as { code?: unknown }).code;
  if (code === 14 || code === 4)
    return `cannot reach Milvus at ${address}: is it running, and is MILVUS_ADDRESS right?`;
  if (code === 16 || code === 7) return `Milvus at ${address} refused the credentials: check MILVUS_TOKEN`;
  return `Milvus at ${address} failed`;
}

const ok = (status: ResStatus | undefined) => !status || status.error_code === 'Success' || status.code === 0;

/** Milvus (or Milvus Lite) holding one collection per knowledge-base version, read through an alias. */
export class MilvusVectorStore implements VectorStore {
  private readonly client: MilvusClient;
  /** alias → (collection, profile), briefly cached so a query costs one RPC, not three. */
  private readonly activeCache = new Map<
    string,
    { collection: string; profile: string; confidence: string | null; until: number }
  >();

  private readonly address: string;

  constructor(options: MilvusVectorStoreOptions) {
    this.address = options.address;
    this.client = new MilvusClient({
      address: options.address,
      ...(options.token ? { token: options.token } : {}),
      timeout: options.timeoutMs ?? 15_000,
      logLevel: 'error',
      telemetry: { enabled: false },
      // The SDK pings every 10 s; Milvus Lite's gRPC server calls that excessive and logs it on every
      // connection. A ping every 5 minutes keeps idle connections alive without the noise.
      channelOptions: { 'grpc.keepalive_time_ms': 300_000, 'grpc.keepalive_timeout_ms': 20_000 },
    } as ConstructorParameters<typeof MilvusClient>[0]);
  }

  static aliasFor(knowledgeBase: string): string {
    return `kb_${knowledgeBase}`;
  }

  private check(status: ResStatus | undefined, what: string): void {
    if (!ok(status)) throw new VectorStoreError(`${what}: ${status?.reason ?? 'unknown error'}`, true);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (
        error instanceof VectorStoreError ||
        error instanceof ProfileMismatchError ||
        error instanceof KnowledgeBaseNotFoundError
      )
        throw error;
      throw new VectorStoreError(`${explain(error, this.address)} (${what}: ${(error as Error).message})`, true, {
        cause: error,
      });
    }
  }

  async ready(): Promise<void> {
    await this.call('connect', async () => {
      await this.client.connectPromise;
      const res = await this.client.checkHealth();
      if (!res.isHealthy) throw new VectorStoreError('Milvus reports unhealthy', true);
    });
  }

  /** Creates an empty, loaded collection for the next version of a knowledge base. */
  async createVersion(knowledgeBase: string, profile: string, dimension: number): Promise<CollectionVersion> {
    const versions = await this.listVersions(knowledgeBase);
    const version = Math.max(0, ...versions.map((v) => v.version)) + 1;
    const collection = `${MilvusVectorStore.aliasFor(knowledgeBase)}_v${version}`;
    const description: Description = { answerbridge: 1, knowledgeBase, profile, createdAt: new Date().toISOString() };
    await this.call('createCollection', async () => {
      const status = await this.client.createCollection({
        collection_name: collection,
        fields: faqFields(dimension),
        functions: [bm25Function],
        index_params: faqIndexes,
      } as Parameters<MilvusClient['createCollection']>[0]);
      this.check(status, `createCollection ${collection}`);
      // Recorded as a collection property: Milvus Lite drops the description, but keeps properties.
      const recorded = await this.client.alterCollectionProperties({
        collection_name: collection,
        properties: { [PROFILE_PROPERTY]: JSON.stringify(description) },
      } as Parameters<MilvusClient['alterCollectionProperties']>[0]);
      this.check(recorded, `record profile on ${collection}`);
      this.check(await this.client.loadCollection({ collection_name: collection }), `load ${collection}`);
    });
    return { knowledgeBase, collection, version, profile, createdAt: description.createdAt, active: false };
  }

  async insert(collection: string, knowledgeBase: string, rows: IndexedQuestion[]): Promise<void> {
    if (rows.length === 0) return;
    await this.call('insert', async () => {
      const res = await this.client.insert({
        collection_name: collection,
        data: rows.map((r) => ({
          [FIELDS.pk]: r.pk,
          [FIELDS.kb]: knowledgeBase,
          [FIELDS.entryId]: r.entryId,
          [FIELDS.text]: r.text.slice(0, MAX_TEXT_CHARS),
          [FIELDS.answer]: r.answer.slice(0, MAX_ANSWER_CHARS),
          [FIELDS.meta]: r.meta,
          [FIELDS.dense]: r.vector,
        })),
      });
      this.check(res.status, `insert into ${collection}`);
      if (Number(res.insert_cnt) !== rows.length)
        throw new VectorStoreError(`inserted ${res.insert_cnt} of ${rows.length} rows`, true);
    });
  }

  /** Points the knowledge base's alias at `collection`: queries switch from one version to the next atomically. */
  async activate(knowledgeBase: string, collection: string): Promise<void> {
    const alias = MilvusVectorStore.aliasFor(knowledgeBase);
    await this.call('activate', async () => {
      await this.client.flush({ collection_names: [collection] });
      const current = await this.activeCollection(knowledgeBase);
      const status = current
        ? await this.client.alterAlias({ alias, collection_name: collection })
        : await this.client.createAlias({ alias, collection_name: collection });
      this.check(status, `point ${alias} at ${collection}`);
    });
    this.activeCache.delete(alias);
  }

  async activeCollection(knowledgeBase: string): Promise<string | null> {
    const alias = MilvusVectorStore.aliasFor(knowledgeBase);
    return this.call('describeAlias', async () => {
      // The SDK insists on collection_name, which DescribeAlias ignores; an unknown alias is an error status.
      const desc = await this.client.describeAlias({ alias, collection_name: alias });
      return ok(desc.status) && desc.collection ? desc.collection : null;
    });
  }

  forgetActive(knowledgeBase: string): void {
    this.activeCache.delete(MilvusVectorStore.aliasFor(knowledgeBase));
  }

  async listVersions(knowledgeBase: string): Promise<CollectionVersion[]> {
    const alias = MilvusVectorStore.aliasFor(knowledgeBase);
    const pattern = new RegExp(`^${alias}_v(\\d+)$`);
    return this.call('listVersions', async () => {
      const shown = await this.client.showCollections();
      this.check(shown.status, 'showCollections');
      const active = await this.activeCollection(knowledgeBase);
      const versions: CollectionVersion[] = [];
      for (const c of shown.data) {
        const m = pattern.exec(c.name);
        if (!m) continue;
        const info = await this.describe(c.name);
        versions.push({
          knowledgeBase,
          collection: c.name,
          version: Number(m[1]),
          profile: info?.profile ?? 'unknown',
          createdAt: info?.createdAt ?? '',
          active: c.name === active,
          calibrated: Boolean(info?.confidence),
        });
      }
      return versions.sort((a, b) => a.version - b.version);
    });
  }

  private async describe(collection: string): Promise<(Description & { confidence: string | null }) | null> {
    const res = await this.client.describeCollection({ collection_name: collection });
    this.check(res.status, `describe ${collection}`);
    const property = (res.properties ?? []).find((p) => p.key === PROFILE_PROPERTY);
    if (!property) return null;
    const confidence = (res.properties ?? []).find((p) => p.key === CONFIDENCE_PROPERTY);
    try {
      const parsed = JSON.parse(String(property.value)) as Description;
      return parsed.answerbridge === 1 ? { ...parsed, confidence: confidence ? String(confidence.value) : null } : null;
    } catch {
      return null;
    }
  }

  /**
   * Records a confidence model fitted for one version (JSON, opaque here). It lives and dies with that
   * collection: a new ingest is a new version, searched differently, and starts without one.
   */
  async recordConfidence(collection: string, json: string): Promise<void> {
    await this.call('alterCollectionProperties', async () => {
      const res = await this.client.alterCollectionProperties({
        collection_name: collection,
        properties: { [CONFIDENCE_PROPERTY]: json },
      } as Parameters<MilvusClient['alterCollectionProperties']>[0]);
      this.check(res, `record confidence on ${collection}`);
    });
    this.activeCache.clear();
  }

  /** The confidence model recorded for the active version of a knowledge base (JSON), if any; cached briefly. */
  async activeConfidence(knowledgeBase: string): Promise<string | null> {
    return (await this.resolveActive(knowledgeBase)).confidence;
  }

  /** Every row of one version (for diffs and exports); small FAQ collections fit in one query. */
  async readVersion(collection: string, knowledgeBase: string): Promise<Omit<SearchHit, 'score'>[]> {
    return this.queryRows(collection, `${FIELDS.kb} == ${JSON.stringify(knowledgeBase)}`);
  }

  /** The rows of one entry in one version (its questions), to add a phrasing that matches them. */
  async readEntry(collection: string, knowledgeBase: string, entryId: string): Promise<Omit<SearchHit, 'score'>[]> {
    return this.queryRows(
      collection,
      `${FIELDS.kb} == ${JSON.stringify(knowledgeBase)} and ${FIELDS.entryId} == ${JSON.stringify(entryId)}`,
    );
  }

  private async queryRows(collection: string, filter: string): Promise<Omit<SearchHit, 'score'>[]> {
    const data = await this.queryLoaded('query', {
      collection_name: collection,
      filter,
      output_fields: [FIELDS.entryId, FIELDS.text, FIELDS.answer, FIELDS.meta],
      limit: 16_384,
    });
    return data.map((h) => ({
      entryId: String(h[FIELDS.entryId]),
      text: String(h[FIELDS.text]),
      answer: String(h[FIELDS.answer]),
      meta: (h[FIELDS.meta] as Record<string, unknown> | undefined) ?? {},
    }));
  }

  /** A query, loading the collection once if Milvus Lite released it (after a restart). */
  private async queryLoaded(
    what: string,
    request: { collection_name: string } & Record<string, unknown>,
  ): Promise<Record<string, unknown>[]> {
    const collection = request.collection_name;
    return this.call(what, async () => {
      let res = await this.client.query(request as Parameters<MilvusClient['query']>[0]);
      if (!ok(res.status) && /load/i.test(res.status.reason)) {
        this.check(await this.client.loadCollection({ collection_name: collection }), `load ${collection}`);
        res = await this.client.query(request as Parameters<MilvusClient['query']>[0]);
      }
      this.check(res.status, `${what} ${collection}`);
      return res.data;
    });
  }

  /**
   * Rows with their vectors in primary-key order. Pages use Milvus's iterator ordering (`iterator` in the
   * query parameters: Milvus and Milvus Lite then return live rows sorted by primary key), so `pk > last`
   * is a cursor that neither skips nor repeats rows, past the 16,384-row window a plain query allows.
   */
  async readIndexedRows(collection: string, knowledgeBase: string, page: IndexedRowsPage): Promise<IndexedQuestion[]> {
    const kb = `${FIELDS.kb} == ${JSON.stringify(knowledgeBase)}`;
    const byKeys = 'pks' in page;
    if (byKeys && page.pks.length === 0) return [];
    const filter = byKeys
      ? `${kb} and ${FIELDS.pk} in ${JSON.stringify(page.pks)}`
      : page.afterPk === undefined
        ? kb
        : `${kb} and ${FIELDS.pk} > ${JSON.stringify(page.afterPk)}`;
    const data = await this.queryLoaded('query', {
      collection_name: collection,
      filter,
      output_fields: [FIELDS.pk, FIELDS.entryId, FIELDS.text, FIELDS.answer, FIELDS.meta, FIELDS.dense],
      limit: byKeys ? page.pks.length : page.limit,
      params: { iterator: true, reduce_stop_for_best: true },
      // Rows just inserted are announced and read back at once: they must be visible to this read.
      consistency_level: ConsistencyLevelEnum.Strong,
    });
    // In the order Milvus returned them (its primary-key order), so the caller's cursor is Milvus's own.
    return data.map((h) => ({
      pk: String(h[FIELDS.pk]),
      entryId: String(h[FIELDS.entryId]),
      text: String(h[FIELDS.text]),
      answer: String(h[FIELDS.answer]),
      meta: (h[FIELDS.meta] as Record<string, unknown> | undefined) ?? {},
      vector: (h[FIELDS.dense] as number[] | undefined) ?? [],
    }));
  }

  /** count(*), strongly consistent: compared with what a reader holds, so it must include the latest inserts. */
  async countRows(collection: string): Promise<number> {
    const data = await this.queryLoaded('count', {
      collection_name: collection,
      output_fields: ['count(*)'],
      consistency_level: ConsistencyLevelEnum.Strong,
    });
    return Number(data[0]?.['count(*)'] ?? 0);
  }

  async dropVersion(collection: string): Promise<void> {
    await this.call('drop', async () =>
      this.check(await this.client.dropCollection({ collection_name: collection }), `drop ${collection}`),
    );
  }

  /** Loads every active collection; Milvus Lite starts collections released after each restart. */
  async loadActive(knowledgeBases: string[]): Promise<void> {
    for (const kb of knowledgeBases) {
      const collection = await this.activeCollection(kb);
      if (collection)
        await this.call('load', async () =>
          this.check(await this.client.loadCollection({ collection_name: collection }), `load ${collection}`),
        );
    }
  }

  private async resolveActive(
    knowledgeBase: string,
  ): Promise<{ collection: string; profile: string; confidence: string | null }> {
    const alias = MilvusVectorStore.aliasFor(knowledgeBase);
    const cached = this.activeCache.get(alias);
    if (cached && cached.until > Date.now()) return cached;
    const collection = await this.activeCollection(knowledgeBase);
    if (!collection) throw new KnowledgeBaseNotFoundError(knowledgeBase);
    const info = await this.describe(collection);
    const entry = {
      collection,
      profile: info?.profile ?? 'unknown',
      confidence: info?.confidence ?? null,
      until: Date.now() + 5_000,
    };
    this.activeCache.set(alias, entry);
    return entry;
  }

  /**
   * Dense search in one knowledge base. The `kb` filter keeps tenants apart even if two knowledge bases
   * ever shared a collection; a query whose profile differs from the collection's is refused.
   */
  async searchDense(knowledgeBase: string, profile: string, vector: number[], limit: number): Promise<SearchHit[]> {
    const active = await this.resolveActive(knowledgeBase);
    if (active.profile !== profile) throw new ProfileMismatchError(knowledgeBase, active.profile, profile);
    return this.searchField(active.collection, knowledgeBase, vector, FIELDS.dense, 'COSINE', limit, {
      ef: Math.max(64, limit),
    });
  }

  /**
   * BM25 full-text search (jieba tokenizes Chinese). Needs no embedding, so it keeps working, with its
   * own scores, when the embedder is down.
   */
  async searchKeywords(knowledgeBase: string, text: string, limit: number): Promise<SearchHit[]> {
    const active = await this.resolveActive(knowledgeBase);
    return this.searchField(active.collection, knowledgeBase, text, FIELDS.sparse, 'BM25', limit, {});
  }

  private async searchField(
    collection: string,
    knowledgeBase: string,
    data: number[] | string,
    field: string,
    metric: 'COSINE' | 'BM25',
    limit: number,
    params: Record<string, unknown>,
  ): Promise<SearchHit[]> {
    return this.call('search', async () => {
      // Milvus Lite needs metric_type and anns_field spelled out (docs/protocols/stack.md).
      const request = {
        collection_name: collection,
        data: [data],
        anns_field: field,
        metric_type: metric,
        limit,
        filter: `${FIELDS.kb} == "${knowledgeBase}"`,
        output_fields: [FIELDS.entryId, FIELDS.text, FIELDS.answer, FIELDS.meta],
        params,
      };
      let res = await this.client.search(request as Parameters<MilvusClient['search']>[0]);
      if (!ok(res.status) && /load/i.test(res.status.reason)) {
        // Released after a Milvus Lite restart: load once and retry.
        this.check(await this.client.loadCollection({ collection_name: collection }), `load ${collection}`);
        res = await this.client.search(request as Parameters<MilvusClient['search']>[0]);
      }
      this.check(res.status, `search ${collection}`);
      const hits = (Array.isArray(res.results[0]) ? res.results[0] : res.results) as Record<string, unknown>[];
      return hits.map((h) => ({
        entryId: String(h[FIELDS.entryId]),
        text: String(h[FIELDS.text]),
        answer: String(h[FIELDS.answer]),
        meta: (h[FIELDS.meta] as Record<string, unknown> | undefined) ?? {},
        // Milvus Lite reports BM25 as a negative distance, Milvus as a positive score: larger |score| is better either way.
        score: metric === 'BM25' ? Math.abs(Number(h.score)) : Number(h.score),
      }));
    });
  }

  async close(): Promise<void> {
    await this.client.closeConnection();
  }
}
