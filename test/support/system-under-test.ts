import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { loadConfig, type AppConfig } from '@answerbridge/config';
import type { WecomBotConfig } from '@answerbridge/channel-wecom';
import { HttpEmbedder, resolveProfile } from '@answerbridge/embedding';
import { bootstrap as startGateway, type RunningGateway } from '@answerbridge/gateway';
import { ingestKnowledgeBase, loadFaqFile } from '@answerbridge/knowledge';
import { createLogger } from '@answerbridge/observability';
import { QueueInspector, createRedis, scanKeys, waitForQueuesIdle, type Redis } from '@answerbridge/redis';
import { bootstrap as startSimulator, type RunningSimulator } from '@answerbridge/simulator';
import { createTestDatabase, freePort, officialVectorBot, workspaceRoot } from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import { bootstrap as startWorker, type RunningWorker } from '@answerbridge/worker';
import { bootstrap as startConsole, type RunningConsole } from '@answerbridge/console';

export const sampleFaqPath = path.join(workspaceRoot, 'data/sample-faq.txt');

export interface SystemUnderTest {
  config: AppConfig;
  bot: WecomBotConfig;
  gateway: RunningGateway;
  simulator: RunningSimulator;
  worker: RunningWorker;
  /** The agent console (inbox and admin API). */
  console: RunningConsole;
  redis: Redis;
  inspector: QueueInspector;
  /** The settings every app got, as environment variables (for apps started as processes). */
  env: Record<string, string>;
  /** Resolves when every queue is idle (events, not sleeps). */
  idle(): Promise<void>;
  /** Stops gateway, worker and console and starts them again on the same Redis and Milvus. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole message path in this process on the real services: gateway, worker and the WeCom
 * simulator, with a queue prefix and knowledge base of its own so test files never see each other.
 */
export async function startSystem(
  overrides: Record<string, string> = {},
  // Bots as the bots file holds them: each is checked against its channel's schema when the apps start.
  extraBots: (botId: string) => Record<string, unknown>[] = () => [],
  /** Receives every log line of gateway, worker, console and simulator (JSON). */
  logSink?: (line: string) => void,
  options: { inProcessWorker?: boolean } = {},
): Promise<SystemUnderTest> {
  const shared = inject('services');
  // A fault suite brings its own Redis and Milvus (to crash them); everything then uses those.
  const services = {
    ...shared,
    redisUrl: overrides.REDIS_URL ?? shared.redisUrl,
    milvusAddress: overrides.MILVUS_ADDRESS ?? shared.milvusAddress,
  };
  const suffix = randomUUID().slice(0, 8);
  const botId = `t${suffix}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'ab-e2e-'));
  const botsFile = path.join(dir, 'bots.json');
  const bot: WecomBotConfig = officialVectorBot(botId, { knowledgeBase: botId });

  writeFileSync(botsFile, JSON.stringify({ bots: [bot, ...extraBots(botId)] }));
  // A database of its own (accounts, entries), dropped at stop(), unless the test brings one.
  const database = overrides.DATABASE_URL ? null : await createTestDatabase(shared.postgresUrl);
  const base: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    REDIS_URL: services.redisUrl,
    QUEUE_PREFIX: `abtest-${suffix}`,
    MILVUS_ADDRESS: services.milvusAddress,
    EMBEDDING_BASE_URL: services.embeddingBaseUrl,
    EMBEDDING_PROFILE: 'e5-minilm',
    BOTS_FILE: botsFile,
    ...(database ? { DATABASE_URL: database.url } : {}),
    GATEWAY_PORT: '0',
    SIMULATOR_PORT: '0',
    METRICS_PORT: '0',
    CONSOLE_PORT: '0',
    // No delayed "still unclaimed" jobs unless a test asks for them: idle() waits for delayed jobs too.
    ESCALATION_NOTIFY_AFTER_SECONDS: '0',
    ...overrides,
  };
  const logger = createLogger({
    name: 'e2e',
    level: base.LOG_LEVEL ?? 'error',
    ...(logSink ? { destination: { write: logSink } } : {}),
  });

  // The knowledge base first, as an operator would with `kb ingest`.
  const profile = resolveProfile('e5-minilm');
  const store = new MilvusVectorStore({ address: services.milvusAddress });
  await store.ready();
  await ingestKnowledgeBase(
    store,
    new HttpEmbedder(profile, { baseUrl: services.embeddingBaseUrl, apiKey: 'none', timeoutMs: 30_000 }),
    botId,
    loadFaqFile(sampleFaqPath),
  );
  await store.close();

  // The simulator first (the gateway's DingTalk Stream connects to it), told where the gateway will listen.
  const gatewayPort = String(await freePort());
  const simulator = await startSimulator(
    loadConfig({ ...base, SIMULATOR_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}` }, {}),
    logger,
  );
  Object.assign(base, {
    GATEWAY_PORT: gatewayPort,
    WECOM_API_BASE_URL: simulator.url,
    DINGTALK_API_BASE_URL: simulator.url,
    // The simulator's sessionWebhooks are http://127.0.0.1:<its port>/robot/sendBySession…: that origin only.
    DINGTALK_WEBHOOK_ORIGINS: overrides.DINGTALK_WEBHOOK_ORIGINS ?? new URL(simulator.url).origin,
  });
  let gateway = await startGateway(loadConfig(base, {}), logger);
  const config = loadConfig(base, {});
  // Fault tests run workers as separate processes they can kill; then there is no in-process one.
  const worker: RunningWorker =
    options.inProcessWorker === false
      ? { metricsUrl: '', close: async () => undefined }
      : await startWorker(config, logger);
  const consoleApp = await startConsole(config, logger);
  // The Redis the system runs on (a test may give it its own): idle() must watch those queues, not the shared ones.
  const redis = createRedis(base.REDIS_URL ?? services.redisUrl, 'worker', overrides);
  redis.on('error', () => undefined); // fault suites restart Redis under it; it reconnects
  const inspector = new QueueInspector(redis, config.QUEUE_PREFIX);
  const sut: SystemUnderTest = {
    config,
    bot,
    gateway,
    simulator,
    worker,
    console: consoleApp,
    redis,
    inspector,
    env: base,
    idle: () => waitForQueuesIdle(redis, config.QUEUE_PREFIX),
    async restart() {
      await Promise.all([sut.gateway.close(), sut.worker.close(), sut.console.close()]);
      // The gateway comes back on the port the simulator delivers to.
      sut.gateway = gateway = await startGateway(loadConfig(base, {}), logger);
      if (options.inProcessWorker !== false) sut.worker = await startWorker(config, logger);
      sut.console = await startConsole(
        loadConfig({ ...base, CONSOLE_PORT: new URL(sut.console.url).port }, {}),
        logger,
      );
    },
    async stop() {
      await sut.gateway.close();
      await sut.worker.close();
      await sut.console.close();
      await simulator.close();
      await inspector.close();
      // SCAN, so that on a Redis Cluster every master is asked (KEYS asks one node).
      for await (const keys of scanKeys(redis, `${config.QUEUE_PREFIX}:*`)) if (keys.length) await redis.del(...keys);
      await redis.quit();
      await database?.drop();
    },
  };
  return sut;
}
