/**
 * Dense search over the same rows with each index type Milvus Lite builds: does the index decide the
 * latency, or does something around it? Each index is built through the public API (release, drop,
 * create, load), so the build time is the server's, measured from outside. Ends on the production index
 * (HNSW M=16, efConstruction=200), rebuilt and timed.
 */
import { performance } from 'node:perf_hooks';
import { MilvusClient, type ResStatus } from '@zilliz/milvus2-sdk-node';
import { processMemory, summarize, timeEach, waitUntilIdle, type LatencySummary } from './measure';

export interface IndexRun {
  index: string;
  params: Record<string, unknown>;
  /** release → drop → create → load, as the server reports it done. */
  buildSeconds: number;
  latency: LatencySummary;
  /** Share of queries whose top entry equals the one FLAT (exact search) returned. */
  agreesWithFlat: number;
  rssMiB: number | null;
}

export interface IndexComparison {
  rows: number;
  runs: IndexRun[];
}

interface Options<Q> {
  address: string;
  milvusPid: number | null;
  collection: string;
  rows: number;
  dense: (q: Q) => Promise<{ entryId: string }[]>;
  queries: Q[];
  log: (line: string) => void;
}

function check(status: ResStatus | undefined, what: string): void {
  if (status && status.error_code !== 'Success' && status.code !== 0)
    throw new Error(`${what}: ${status.reason || status.error_code}`);
}

export async function compareDenseIndexes<Q>(options: Options<Q>): Promise<IndexComparison> {
  const client = new MilvusClient({
    address: options.address,
    timeout: 600_000,
    logLevel: 'error',
    telemetry: { enabled: false },
  } as ConstructorParameters<typeof MilvusClient>[0]);
  // The dense index every version is created with (libs/vector-store faq-collection-schema.ts).
  const production = { field_name: 'dense', index_type: 'HNSW', params: { M: 16, efConstruction: 200 } };
  const nlist = Math.max(16, Math.round(4 * Math.sqrt(options.rows)));
  const plan: { index: string; params: Record<string, unknown> }[] = [
    { index: 'FLAT', params: {} },
    { index: 'IVF_FLAT', params: { nlist } },
    { index: production.index_type, params: production.params },
  ];
  const runs: IndexRun[] = [];
  let flatTop: string[] = [];
  const collection_name = options.collection;
  try {
    await client.connectPromise;
    for (const step of plan) {
      const t0 = performance.now();
      check(await client.releaseCollection({ collection_name }), 'release');
      check(await client.dropIndex({ collection_name, field_name: production.field_name }), 'drop index');
      check(
        await client.createIndex({
          collection_name,
          field_name: production.field_name,
          index_type: step.index,
          metric_type: 'COSINE',
          params: step.params,
        } as Parameters<MilvusClient['createIndex']>[0]),
        `create ${step.index}`,
      );
      check(await client.loadCollection({ collection_name }), 'load');
      const buildSeconds = (performance.now() - t0) / 1000;
      // A load builds the index synchronously; anything the server still does afterwards would skew the timing.
      if (options.milvusPid) await waitUntilIdle(options.milvusPid);
      const tops: string[] = [];
      const samples = await timeEach(options.queries, options.dense, (_q, r) => tops.push(r[0]?.entryId ?? ''));
      if (step.index === 'FLAT') flatTop = tops;
      const agreesWithFlat = tops.filter((t, i) => t === flatTop[i]).length / (tops.length || 1);
      const run: IndexRun = {
        index: step.index,
        params: step.params,
        buildSeconds: Math.round(buildSeconds * 100) / 100,
        latency: summarize(samples),
        agreesWithFlat,
        rssMiB: options.milvusPid ? processMemory(options.milvusPid).rssMiB : null,
      };
      runs.push(run);
      options.log(
        `${options.rows} rows, ${step.index}: built in ${run.buildSeconds} s, p50 ${run.latency.p50Ms} ms, p99 ${run.latency.p99Ms} ms`,
      );
    }
  } finally {
    await client.closeConnection();
  }
  return { rows: options.rows, runs };
}
