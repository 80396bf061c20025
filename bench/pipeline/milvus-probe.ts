/**
 * Milvus Lite alone, as the workers use it: dense searches of one small FAQ collection at rising
 * concurrency, to tell whether the vector store caps the pipeline (bench/pipeline/REPORT.md).
 *
 *   npx tsx bench/pipeline/milvus-probe.ts [--seconds 4] [--concurrency 1,4,16,64]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HttpEmbedder, profileFingerprint, resolveProfile } from '@answerbridge/embedding';
import { ingestKnowledgeBase, loadFaqFile } from '@answerbridge/knowledge';
import { startGpuLikeEmbedder, startMilvusLite, workspaceRoot, hashedUnitVector } from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import { percentile } from './load';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '4' }, concurrency: { type: 'string', default: '1,4,16,64' } },
});
const milvus = await startMilvusLite();
const embedderServer = await startGpuLikeEmbedder({ fixedMs: 0, perItemMs: 0 });
try {
  const store = new MilvusVectorStore({ address: milvus.address });
  await store.ready();
  const profile = resolveProfile('e5-small');
  const embedder = new HttpEmbedder(profile, { baseUrl: embedderServer.address, apiKey: 'none', timeoutMs: 30_000 });
  await ingestKnowledgeBase(store, embedder, 'probe', loadFaqFile(path.join(workspaceRoot, 'data/sample-faq.txt')));
  await store.loadActive(['probe']);
  const fingerprint = profileFingerprint(profile);
  const vectors = Array.from({ length: 200 }, (_, i) => hashedUnitVector(`q${i}`, profile.dimension));
  for (const concurrency of values.concurrency.split(',').map(Number)) {
    const latencies: number[] = [];
    const until = Date.now() + Number(values.seconds) * 1000;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, c) => {
        for (let i = c; Date.now() < until; i += concurrency) {
          const t = performance.now();
          await store.searchDense('probe', fingerprint, vectors[i % vectors.length] ?? [], 40);
          latencies.push(performance.now() - t);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const rate = (latencies.length * 1000) / (Date.now() - started);
    console.log(
      JSON.stringify({
        concurrency,
        searchesPerSecond: Math.round(rate),
        p50Ms: +percentile(latencies, 0.5).toFixed(1),
        p99Ms: +percentile(latencies, 0.99).toFixed(1),
      }),
    );
  }
  await store.close();
} finally {
  await embedderServer.stop();
  await milvus.stop();
}
