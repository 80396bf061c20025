import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { encrypt, getSignature } from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  ensurePostgres,
  ensureRedis,
  freePort,
  startMilvusLite,
  startProcess,
  type ManagedProcess,
  type RunningService,
  type TestDatabase,
} from '@answerbridge/testing';

const run = promisify(execFile);

/**
 * The image runs on Node 24 LTS while development runs on 20.19+ and 22: this runs the production bundle
 * (deploy/docker/assemble-runtime.sh: `npm run build`'s bundles with production dependencies only, what the
 * image ships) on the Node release the Dockerfile names, taken from the npm package `node` (which ships Node
 * binaries by version) into .tools/node-<version>, installed once and kept. The apps must start, answer their
 * health and readiness probes, and the gateway must pass WeCom's URL check (its AES and SHA-1 on Node 24's
 * crypto).
 */
const root = path.resolve(import.meta.dirname, '../..');

/** The version in the Dockerfile's NODE_IMAGE (node:<version>-<distro>-slim): one place says which Node ships. */
function imageNodeVersion(): string {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const version = /^ARG NODE_IMAGE=node:(\d+\.\d+\.\d+)-[\w.-]+$/m.exec(dockerfile)?.[1];
  if (!version) throw new Error('the Dockerfile has no ARG NODE_IMAGE=node:<x.y.z>-<distro>-slim');
  return version;
}

/**
 * Node <version> from the npm registry's `node` package, kept in .tools/node-<version>/ (git-ignored).
 * Installed into a temporary folder and moved into place, so two runs at once never see half of it.
 * Resolves with the binary, or with why it could not be had.
 */
async function nodeBinary(version: string): Promise<{ binary: string } | { unavailable: string }> {
  const dir = path.join(root, '.tools', `node-${version}`);
  const binary = path.join(dir, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(binary)) {
    mkdirSync(path.dirname(dir), { recursive: true });
    const staging = mkdtempSync(`${dir}.installing-`);
    // A package.json of its own, so npm installs here and never touches the workspace's.
    writeFileSync(path.join(staging, 'package.json'), JSON.stringify({ name: 'node-runtime', private: true }));
    try {
      await run(
        'npm',
        ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', `node@${version}`],
        { cwd: staging, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      );
      if (!existsSync(binary.replace(dir, staging))) throw new Error('the package installed no bin/node');
      if (!existsSync(binary)) renameSync(staging, dir);
    } catch (error) {
      return {
        unavailable: `cannot install Node ${version} from the npm package "node" (${(error as Error).message.split('\n')[0]}); check the npm registry is reachable`,
      };
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return { binary };
}

const version = imageNodeVersion();
let node24: { binary: string } | { unavailable: string };
let runtime: string;
let redis: RunningService;
let milvus: RunningService;
let postgres: RunningService | undefined;
let database: TestDatabase | undefined;
const apps: ManagedProcess[] = [];
const ports = { gateway: 0, console: 0, metrics: 0 };
const bot = {
  id: 'node24',
  channel: 'wecom',
  corpId: 'wwnode24check00001',
  agentId: 1000002,
  token: 'node24token',
  encodingAesKey: randomBytes(32).toString('base64').slice(0, 43),
  secret: 'only-for-this-test',
  knowledgeBase: 'node24',
};

beforeAll(async () => {
  node24 = await nodeBinary(version);
  if ('unavailable' in node24) return;
  runtime = mkdtempSync(path.join(tmpdir(), 'ab-node24-runtime-'));
  // npm run build (scripts/build.mjs) and the production dependencies, as the image's build stage does.
  await run('bash', [path.join(root, 'deploy/docker/assemble-runtime.sh'), runtime], {
    cwd: root,
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const botsFile = path.join(runtime, 'bots.json');
  writeFileSync(botsFile, JSON.stringify({ bots: [bot] }));
  [redis, milvus, postgres] = await Promise.all([ensureRedis(), startMilvusLite(), ensurePostgres()]);
  // The console keeps its accounts in PostgreSQL: a database of this test's own.
  database = await createTestDatabase(postgres.address);
  [ports.gateway, ports.console, ports.metrics] = [await freePort(), await freePort(), await freePort()];
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    REDIS_URL: redis.address,
    DATABASE_URL: database.url,
    QUEUE_PREFIX: `ab-node24-${process.pid}`,
    BOTS_FILE: botsFile,
    CONSOLE_USERS_FILE: path.join(root, 'config/console-users.local.json'),
    MILVUS_ADDRESS: milvus.address,
    // Nothing listens there: the apps must start and stay alive without the embedder.
    EMBEDDING_BASE_URL: `http://127.0.0.1:${await freePort()}/v1`,
    GATEWAY_PORT: String(ports.gateway),
    CONSOLE_PORT: String(ports.console),
    METRICS_PORT: String(ports.metrics),
  };
  const up = (url: string) => async () => (await fetch(url)).ok;
  const start = (app: string, probe: string) =>
    startProcess(
      `node24-${app}`,
      (node24 as { binary: string }).binary,
      ['--enable-source-maps', path.join(runtime, 'run-app.mjs'), app],
      up(probe),
      { cwd: runtime, env, timeoutMs: 60_000 },
    );
  apps.push(await start('gateway', `http://127.0.0.1:${ports.gateway}/healthz`));
  apps.push(await start('worker', `http://127.0.0.1:${ports.metrics}/healthz`));
  apps.push(await start('console', `http://127.0.0.1:${ports.console}/healthz`));
}, 600_000);

afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await database?.drop();
  await Promise.all([redis?.stop(), milvus?.stop(), postgres?.stop()]);
  if (runtime) rmSync(runtime, { recursive: true, force: true });
  // Stopping three apps and three services takes longer than the 10 s default on a loaded CI machine.
}, 120_000);

describe(`the production bundle on Node ${version} (the image's Node)`, () => {
  it('runs the bundled gateway, worker and console on that Node, each answering its probes', async (ctx) => {
    if ('unavailable' in node24) {
      console.warn(`SKIPPED: ${node24.unavailable}`);
      ctx.skip();
      return;
    }
    expect((await run(node24.binary, ['-v'])).stdout.trim()).toBe(`v${version}`);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.gateway}/metrics`)).text();
    expect(metrics).toContain(`nodejs_version_info{version="v${version}"`);
    for (const url of [
      `http://127.0.0.1:${ports.gateway}/readyz`,
      `http://127.0.0.1:${ports.metrics}/healthz`,
      `http://127.0.0.1:${ports.console}/healthz`,
    ])
      expect((await fetch(url)).status, url).toBe(200);
    for (const app of apps) expect(app.child.exitCode, app.name).toBeNull();
  });

  it("passes WeCom's URL check (AES-CBC and SHA-1 signature on Node 24's crypto) and refuses a wrong signature", async (ctx) => {
    if ('unavailable' in node24) return ctx.skip();
    const plaintext = `node24-${randomBytes(4).toString('hex')}`;
    const echostr = encrypt(bot.encodingAesKey, plaintext, bot.corpId);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = 'n24';
    const signature = getSignature(bot.token, timestamp, nonce, echostr);
    const url = (sig: string) =>
      `http://127.0.0.1:${ports.gateway}/wecom/${bot.id}/callback?${new URLSearchParams({ msg_signature: sig, timestamp, nonce, echostr })}`;
    const ok = await fetch(url(signature));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(plaintext);
    const forged = await fetch(url(signature.replace(/^./, (c) => (c === '0' ? '1' : '0'))));
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(await forged.text()).not.toContain(plaintext);
  });
});
