/**
 * The apps as production runs them (the esbuild bundles from scripts/build.mjs, NODE_ENV=production):
 * one gateway and N worker processes on a shared Redis and Milvus, with the WeCom simulator in this
 * process (it receives the replies, so the benchmark sees the moment each arrives).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@answerbridge/config';
import { bootstrap as startSimulator, type RunningSimulator } from '@answerbridge/simulator';
import { freePort, officialVectorBot, startProcess, workspaceRoot, type ManagedProcess } from '@answerbridge/testing';
import type { WecomBotConfig } from '@answerbridge/channel-wecom';
import { createLogger } from '@answerbridge/observability';

export interface Services {
  redisUrl: string;
  milvusAddress: string;
  /** A database of the bench's own: the worker and the gateway's apps keep the system of record there. */
  databaseUrl: string;
}

export interface WorkerSettings {
  embeddingBaseUrl: string;
  workers: number;
  concurrency: number;
  /** EMBEDDING_MICRO_BATCH_MS: 0 turns micro-batching off. */
  microBatchMs: number;
  /** EMBEDDING_MAX_IN_FLIGHT: embeddings requests a worker keeps open at once. */
  maxInFlight: number;
}

export interface BenchSystem {
  bot: WecomBotConfig;
  prefix: string;
  simulator: RunningSimulator;
  gateway: ManagedProcess;
  gatewayUrl: string;
  workers: { process: ManagedProcess; metricsUrl: string }[];
  /** Stops the workers and starts N new ones with these settings (the gateway and the queues stay). */
  startWorkers(settings: WorkerSettings): Promise<void>;
  /** The /metrics text of the gateway and of each worker. */
  scrape(): Promise<string[]>;
  stop(): Promise<void>;
}

const httpOk = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;

export async function startBenchSystem(services: Services, botId: string): Promise<BenchSystem> {
  const prefix = `abbench-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ab-pipeline-bench-'));
  const botsFile = path.join(dir, 'bots.json');
  const bot = officialVectorBot(botId, { knowledgeBase: botId });
  writeFileSync(botsFile, JSON.stringify({ bots: [bot] }));
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    REDIS_URL: services.redisUrl,
    QUEUE_PREFIX: prefix,
    MILVUS_ADDRESS: services.milvusAddress,
    DATABASE_URL: services.databaseUrl,
    EMBEDDING_PROFILE: 'e5-small',
    BOTS_FILE: botsFile,
    ESCALATION_NOTIFY_AFTER_SECONDS: '0',
  };
  const simulator = await startSimulator(
    loadConfig({ ...base, SIMULATOR_PORT: '0', SIMULATOR_GATEWAY_URL: gatewayUrl }, {}),
    createLogger({ name: 'bench-simulator', level: 'error' }),
  );
  base.WECOM_API_BASE_URL = simulator.url;
  const built = (app: string) => path.join(workspaceRoot, 'dist/apps', app, 'main.mjs');
  const gateway = await startProcess('gateway', process.execPath, [built('gateway')], httpOk(`${gatewayUrl}/healthz`), {
    cwd: workspaceRoot,
    env: { ...base, GATEWAY_PORT: String(gatewayPort) },
  });
  let workers: BenchSystem['workers'] = [];
  const system: BenchSystem = {
    bot,
    prefix,
    simulator,
    gateway,
    gatewayUrl,
    get workers() {
      return workers;
    },
    async startWorkers(settings) {
      await Promise.all(workers.map((w) => w.process.stop()));
      workers = [];
      for (let i = 0; i < settings.workers; i++) {
        const port = await freePort();
        const env = {
          ...base,
          METRICS_PORT: String(port),
          EMBEDDING_BASE_URL: settings.embeddingBaseUrl,
          // Every message is embedded: no two askers share a question's vector through the cache.
          EMBEDDING_CACHE_SIZE: '0',
          EMBEDDING_MICRO_BATCH_MS: String(settings.microBatchMs),
          EMBEDDING_MAX_IN_FLIGHT: String(settings.maxInFlight),
          WORKER_CONCURRENCY: String(settings.concurrency),
        };
        const metricsUrl = `http://127.0.0.1:${port}/metrics`;
        const proc = await startProcess(
          `worker-${i}`,
          process.execPath,
          [built('worker')],
          httpOk(`http://127.0.0.1:${port}/readyz`),
          {
            cwd: workspaceRoot,
            env,
            timeoutMs: 90_000,
          },
        );
        workers.push({ process: proc, metricsUrl });
      }
    },
    async scrape() {
      const urls = [`${gatewayUrl}/metrics`, ...workers.map((w) => w.metricsUrl)];
      return Promise.all(urls.map(async (u) => (await fetch(u)).text()));
    },
    async stop() {
      await Promise.all(workers.map((w) => w.process.stop()));
      await gateway.stop();
      await simulator.close();
    },
  };
  return system;
}
