/**
 * The search bench at one or more corpus sizes against a running Milvus (Lite): each size is ingested
 * through the production path (ingestKnowledgeBase → MilvusVectorStore, a version per knowledge base,
 * activated by an alias swap), then searched one question at a time as a worker does: dense, BM25
 * (jieba) and hybrid (both lists, fused with RRF by KnowledgeSearcher). run.ts adds the embedder and
 * the engine profile; the CI smoke test runs this at 1,000 rows.
 */
import { performance } from 'node:perf_hooks';
import { profileFingerprint, type SearchHit } from '@answerbridge/core';
import {
  KnowledgeSearcher,
  ResidentSearchStore,
  SEARCH_DEPTH,
  ingestKnowledgeBase,
  type Candidate,
} from '@answerbridge/knowledge';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import { generateCorpus, generateQueries, type BenchQuery, type Seeds } from './corpus';
import { processMemory, summarize, timeEach, waitUntilIdle, type LatencySummary, type ProcessMemory } from './measure';
import { StandInEmbedder } from './stand-in-embedder';
import { compareDenseIndexes, type IndexComparison } from './index-comparison';

export type Mode = 'dense' | 'bm25' | 'hybrid';
export const modes: Mode[] = ['dense', 'bm25', 'hybrid'];
/** Rows asked of each list, as the worker asks (defaultSearchOptions.depth). */
export const DEPTH = 40;

export interface Found {
  /** Queries whose expected entry came first / in the first ten. */
  top1: number;
  top10: number;
  /** Each planted entry was found first. */
  plantedTop1: boolean;
}

export interface SizeResult {
  rows: number;
  entries: number;
  knowledgeBase: string;
  collection: string;
  ingest: {
    /** createVersion → last insert acknowledged (vectors from the stand-in: Milvus's own rate). */
    insertSeconds: number;
    rowsPerSecond: number;
    /** The alias swap, which flushes the MemTable into a segment. */
    activateSeconds: number;
    /** After the flush, until Milvus Lite's background compaction and index builds went quiet. */
    backgroundIndexSeconds: number;
  };
  memory: { afterIngest: ProcessMemory | null; afterSearch: ProcessMemory | null };
  latency: Record<Mode, LatencySummary>;
  /** A gRPC round trip that does no search (DescribeAlias): the floor of every call. */
  rpcFloor: LatencySummary;
  found: Record<Mode, Found>;
  /** The same dense questions searched in a worker's memory copy of the version (ResidentSearchStore). */
  resident?: ResidentResult;
}

export interface ResidentResult {
  /** Reading the version from Milvus page by page, plus partitioning it (k-means) above 20,000 rows. */
  loadSeconds: number;
  partitioned: boolean;
  /** At the bench's depth, as the Milvus figures, and at the worker's (SEARCH_DEPTH). */
  latency: LatencySummary;
  latencyAtWorkerDepth: LatencySummary;
  workerDepth: number;
  found: Found;
  /** Queries whose first entry is Milvus's first entry (Milvus's HNSW is itself approximate). */
  sameFirstAsMilvus: number;
  /** Of Milvus's first ten entries, the share the memory copy also returns in its first ten. */
  milvusTopTenFound: number;
  /** What the copy adds to this Node process: the vectors (typed arrays) and the heap (text, answers, meta). */
  memoryMiB: { arrayBuffers: number; heap: number };
}

export interface SearchBenchOptions {
  address: string;
  /** Milvus Lite's process, for memory and the idle wait; null against a shared or remote server. */
  milvusPid: number | null;
  seeds: Seeds;
  sizes: number[];
  queries: number;
  warmup: number;
  /** At the largest size: dense search again over FLAT, IVF_FLAT and a timed HNSW rebuild. */
  compareIndexes: boolean;
  log?: (line: string) => void;
  /** Called after each size is measured (run.ts writes partial results, so a cut-short run still reports). */
  onSize?: (sizes: SizeResult[]) => void;
}

export interface SearchBenchResult {
  sizes: SizeResult[];
  indexComparison: IndexComparison | null;
  /** The largest size's query vectors (for the engine profile). */
  lastQueries: { text: string; vector: number[] }[];
  lastCollection: string;
}

function found(queries: BenchQuery[], results: (Candidate[] | SearchHit[])[]): Found {
  let top1 = 0;
  let top10 = 0;
  let plantedTop1 = true;
  for (const [i, q] of queries.entries()) {
    const ids = (results[i] ?? []).map((h) => h.entryId);
    const rank = ids.indexOf(q.expectedId);
    if (rank === 0) top1++;
    if (rank >= 0 && rank < 10) top10++;
    if (q.planted && rank !== 0) plantedTop1 = false;
  }
  return { top1: top1 / queries.length, top10: top10 / queries.length, plantedTop1 };
}

/** Hits of one entry collapsed to its best question, in order: what "found first" means for an FAQ. */
function byEntry(hits: SearchHit[]): SearchHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => !seen.has(h.entryId) && seen.add(h.entryId));
}

export async function runSearchBench(options: SearchBenchOptions): Promise<SearchBenchResult> {
  const log = options.log ?? (() => undefined);
  const store = new MilvusVectorStore({ address: options.address, timeoutMs: 120_000 });
  const embedder = new StandInEmbedder();
  const fingerprint = profileFingerprint(embedder.profile);
  const searcher = new KnowledgeSearcher(store, embedder, {
    mode: 'hybrid',
    fusion: { method: 'rrf', k: 60 },
    depth: DEPTH,
  });
  const memory = () => (options.milvusPid ? processMemory(options.milvusPid) : null);
  const sizes: SizeResult[] = [];
  let lastQueries: { text: string; vector: number[] }[] = [];
  let lastCollection = '';
  let indexComparison: IndexComparison | null = null;
  await store.ready();
  try {
    for (const rows of options.sizes) {
      const knowledgeBase = `bench_search_${rows}_${Date.now().toString(36)}`;
      const entries = generateCorpus(options.seeds, rows);
      log(`${rows} rows: ingesting ${entries.length} entries`);
      const t0 = performance.now();
      let insertedAt = t0;
      const ingested = await ingestKnowledgeBase(store, embedder, knowledgeBase, entries, {
        keepVersions: 1,
        onProgress: (p) => {
          if (p.embedded === p.total) insertedAt = performance.now();
        },
      });
      const activatedAt = performance.now();
      const backgroundIndexSeconds = options.milvusPid ? await waitUntilIdle(options.milvusPid, 300_000) : 0;
      const insertSeconds = (insertedAt - t0) / 1000;
      const afterIngest = memory();
      log(`${rows} rows: ${(rows / insertSeconds).toFixed(0)} rows/s; index quiet after ${backgroundIndexSeconds} s`);

      const queries = generateQueries(entries, options.queries + options.warmup);
      const vectors = await embedder.embed(
        queries.map((q) => q.text),
        'query',
      );
      const asked = queries.map((q, i) => ({ ...q, vector: vectors[i] ?? [] }));
      // Every planted query is measured; the warm-up takes other questions, so `queries` are measured in all.
      const others = asked.filter((q) => !q.planted);
      const warmSet = others.slice(0, options.warmup);
      const measuredSet = [...asked.filter((q) => q.planted), ...others.slice(options.warmup)];
      const calls: Record<Mode, (q: (typeof asked)[number]) => Promise<Candidate[] | SearchHit[]>> = {
        dense: async (q) => byEntry(await store.searchDense(knowledgeBase, fingerprint, q.vector, DEPTH)),
        bm25: async (q) => byEntry(await store.searchKeywords(knowledgeBase, q.text, DEPTH)),
        hybrid: (q) => searcher.searchWithVector(knowledgeBase, q.text, q.vector, 'hybrid'),
      };
      const latency = {} as Record<Mode, LatencySummary>;
      const hits = {} as Record<Mode, Found>;
      for (const mode of modes) {
        await timeEach(warmSet, calls[mode]);
        const results: (Candidate[] | SearchHit[])[] = [];
        const samples = await timeEach(measuredSet, calls[mode], (_q, r) => results.push(r));
        latency[mode] = summarize(samples);
        hits[mode] = found(measuredSet, results);
        log(`${rows} rows: ${mode} p50 ${latency[mode].p50Ms} ms, p99 ${latency[mode].p99Ms} ms`);
      }
      const rpcFloor = summarize(await timeEach(measuredSet, () => store.activeCollection(knowledgeBase)));
      const resident = await measureResident(store, knowledgeBase, fingerprint, warmSet, measuredSet, log);
      sizes.push({
        rows,
        entries: entries.length,
        knowledgeBase,
        collection: ingested.version.collection,
        ingest: {
          insertSeconds: round(insertSeconds),
          rowsPerSecond: Math.round(rows / insertSeconds),
          activateSeconds: round((activatedAt - insertedAt) / 1000),
          backgroundIndexSeconds: round(backgroundIndexSeconds),
        },
        memory: { afterIngest, afterSearch: memory() },
        latency,
        rpcFloor,
        found: hits,
        resident,
      });
      options.onSize?.(sizes);
      lastQueries = measuredSet.map((q) => ({ text: q.text, vector: q.vector }));
      lastCollection = ingested.version.collection;
      if (options.compareIndexes && rows === Math.max(...options.sizes))
        indexComparison = await compareDenseIndexes({
          address: options.address,
          milvusPid: options.milvusPid,
          collection: lastCollection,
          rows,
          dense: (q) => calls.dense(q),
          queries: measuredSet,
          log,
        });
      // A smaller size's collection is dropped once measured: the next size's memory is its own, as far as
      // Python hands memory back.
      if (rows !== Math.max(...options.sizes)) await store.dropVersion(ingested.version.collection);
    }
  } finally {
    await store.close();
  }
  return { sizes, indexComparison, lastQueries, lastCollection };
}

export const round = (x: number, places = 2) => Math.round(x * 10 ** places) / 10 ** places;

/** Dense search as a worker runs it: the version read into this process's memory, then searched there. */
async function measureResident(
  store: MilvusVectorStore,
  knowledgeBase: string,
  fingerprint: string,
  warmSet: (BenchQuery & { vector: number[] })[],
  measuredSet: (BenchQuery & { vector: number[] })[],
  log: (line: string) => void,
): Promise<ResidentResult> {
  const mib = (bytes: number) => round(bytes / 2 ** 20, 1);
  global.gc?.();
  const before = process.memoryUsage();
  const resident = new ResidentSearchStore(store, { maxRows: 10_000_000, checkEveryMs: 3_600_000 });
  const t0 = performance.now();
  await resident.warm(knowledgeBase);
  const loadSeconds = round((performance.now() - t0) / 1000);
  global.gc?.();
  const after = process.memoryUsage();
  const held = resident.residents()[0];
  if (!held) throw new Error(`the memory copy of ${knowledgeBase} did not load`);
  const search = (depth: number) => async (q: { vector: number[] }) =>
    byEntry(await resident.searchDense(knowledgeBase, fingerprint, q.vector, depth));
  await timeEach(warmSet, search(DEPTH));
  const results: SearchHit[][] = [];
  const latency = summarize(await timeEach(measuredSet, search(DEPTH), (_q, r) => results.push(r)));
  const latencyAtWorkerDepth = summarize(await timeEach(measuredSet, search(SEARCH_DEPTH)));
  let sameFirst = 0;
  let topTenFound = 0;
  for (const [i, q] of measuredSet.entries()) {
    const milvus = byEntry(await store.searchDense(knowledgeBase, fingerprint, q.vector, DEPTH)).slice(0, 10);
    const mine = (results[i] ?? []).slice(0, 10);
    if (mine[0]?.entryId === milvus[0]?.entryId) sameFirst++;
    const wanted = new Set(milvus.map((h) => h.entryId));
    topTenFound += milvus.length ? mine.filter((h) => wanted.has(h.entryId)).length / milvus.length : 1;
  }
  log(
    `${held.rows} rows in memory: loaded in ${loadSeconds} s${held.partitioned ? ' (partitioned)' : ''}; ` +
      `p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms`,
  );
  return {
    loadSeconds,
    partitioned: held.partitioned,
    latency,
    latencyAtWorkerDepth,
    workerDepth: SEARCH_DEPTH,
    found: found(measuredSet, results),
    sameFirstAsMilvus: round(sameFirst / measuredSet.length, 3),
    milvusTopTenFound: round(topTenFound / measuredSet.length, 3),
    memoryMiB: {
      arrayBuffers: mib(after.arrayBuffers - before.arrayBuffers),
      heap: mib(after.heapUsed - before.heapUsed),
    },
  };
}
