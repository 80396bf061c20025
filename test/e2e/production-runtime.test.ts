import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFaqFile } from '@answerbridge/knowledge';
import { freePort, startProcess, workspaceRoot, type ManagedProcess } from '@answerbridge/testing';
import { contextCopies } from '../support/dockerfile-copies';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const run = promisify(execFile);

/**
 * What the image ships, started as the image starts it: deploy/docker/assemble-runtime.sh (the
 * Dockerfile's build stage) makes a folder with the esbuild bundles and production dependencies only;
 * the apps run from there through run-app.mjs, are probed by healthcheck.mjs, and answer a question on
 * real Redis, Milvus Lite and the local embedder. A dev dependency or an asset read from the source tree would
 * fail here. (There is no Docker engine on these machines; this is the part of the image that is code.)
 */
describe('the production runtime (the image without Docker)', () => {
  let runtime: string;
  let context: string;
  let sut: SystemUnderTest;
  const processes: ManagedProcess[] = [];
  let consoleUrl: string;
  let workerUrl: string;
  // The image's own environment (Dockerfile ENV), bound to loopback here.
  const imageEnv = {
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    GATEWAY_HOST: '127.0.0.1',
    CONSOLE_HOST: '127.0.0.1',
    METRICS_HOST: '127.0.0.1',
    CONSOLE_USERS_FILE: path.join(workspaceRoot, 'config/console-users.local.json'),
  };

  const healthcheck = (url?: string, env: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, [path.join(runtime, 'healthcheck.mjs'), ...(url ? [url] : [])], {
      cwd: runtime,
      env: { ...env },
    }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );
  const startApp = (app: string, env: Record<string, string>, ready: () => Promise<boolean>) =>
    startProcess(
      `runtime-${app}`,
      process.execPath,
      ['--enable-source-maps', path.join(runtime, 'run-app.mjs'), app],
      ready,
      { cwd: runtime, env: { ...sut.env, ...imageEnv, ...env } },
    );

  beforeAll(async () => {
    // The build stage sees only what the Dockerfile copies: assemble from exactly that, so a file the
    // apps need but the Dockerfile forgets fails here. (node_modules stands in for its `npm ci`: same lockfile.)
    context = mkdtempSync(path.join(tmpdir(), 'ab-build-context-'));
    for (const { source, destination } of contextCopies(workspaceRoot)) {
      const target = path.join(
        context,
        destination.endsWith('/') ? path.join(destination, path.basename(source)) : destination,
      );
      mkdirSync(path.dirname(target), { recursive: true });
      cpSync(path.join(workspaceRoot, source), target, { recursive: true });
    }
    symlinkSync(path.join(workspaceRoot, 'node_modules'), path.join(context, 'node_modules'));
    runtime = mkdtempSync(path.join(tmpdir(), 'ab-runtime-'));
    await run('bash', [path.join(context, 'deploy/docker/assemble-runtime.sh'), runtime], {
      cwd: context,
      maxBuffer: 16 * 1024 * 1024,
    });
    // A DingTalk Stream bot too: its SDK prints to the console, which must come out as JSON log lines.
    sut = await startSystem(
      { LOG_LEVEL: 'warn' },
      (botId) => [
        {
          id: `${botId}s`,
          channel: 'dingtalk',
          clientId: `ding${botId}s`,
          clientSecret: 'runtime-stream',
          mode: 'stream',
          knowledgeBase: botId,
          language: 'zh',
        },
      ],
      undefined,
      {
        inProcessWorker: false,
      },
    );
    // The bundled gateway takes the in-process one's port: the simulator delivers there.
    await sut.gateway.close();
    const gatewayPort = new URL(sut.gateway.url).port;
    // Started first and alone, so the health check can find it without being told the URL, as in a container.
    // Ready for this test once the health check passes and the Stream socket is open (readiness alone does
    // not wait for Stream sockets).
    const streamsOpen = async () =>
      (
        (await (await fetch(`http://127.0.0.1:${gatewayPort}/readyz`)).json()) as {
          connections: { connected: boolean }[];
        }
      ).connections.every((s) => s.connected);
    processes.push(
      await startApp(
        'gateway',
        { GATEWAY_PORT: gatewayPort },
        async () => (await healthcheck(undefined, { GATEWAY_PORT: gatewayPort })) === 0 && (await streamsOpen()),
      ),
    );
    const metricsPort = String(await freePort());
    workerUrl = `http://127.0.0.1:${metricsPort}`;
    processes.push(
      await startApp(
        'worker',
        { METRICS_PORT: metricsPort },
        async () => (await healthcheck(`${workerUrl}/readyz`)) === 0,
      ),
    );
    const consolePort = String(await freePort());
    consoleUrl = `http://127.0.0.1:${consolePort}`;
    processes.push(
      await startApp(
        'console',
        { CONSOLE_PORT: consolePort },
        async () => (await healthcheck(`${consoleUrl}/readyz`)) === 0,
      ),
    );
  }, 300_000);
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await sut?.stop();
    for (const dir of [runtime, context]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds production dependencies only', () => {
    const installed = (name: string) => existsSync(path.join(runtime, 'node_modules', name, 'package.json'));
    // pino-pretty too: LOG_PRETTY is a documented setting, and the image must not crash on it.
    for (const needed of ['bullmq', 'ioredis', '@zilliz/milvus2-sdk-node', 'pino-pretty'])
      expect(installed(needed), needed).toBe(true);
    for (const devOnly of ['vitest', 'tsx', 'esbuild', 'eslint', 'nx', 'typescript-eslint'])
      expect(installed(devOnly), devOnly).toBe(false);
  });

  it('answers a WeCom question through the bundled gateway and worker', async () => {
    const answer = loadFaqFile(sampleFaqPath).find((e) => e.question.startsWith('年假'))?.answer;
    const res = await sut.simulator.wecomClient(sut.bot.id).sendText('runtime-user', '年假有几天？');
    expect(res.status).toBe(200);
    expect((await sut.simulator.wecom.nextMessageTo('runtime-user')).content).toBe(answer);
    const metrics = await (await fetch(`${workerUrl}/metrics`)).text();
    expect(metrics).toMatch(/answerbridge_decisions_total\{kind="answer",service="worker"\} 1/);
  });

  it('serves the inbox and knowledge pages and the files they load from the bundled console, under its CSP', async () => {
    for (const route of ['/', '/knowledge/']) {
      const page = await fetch(`${consoleUrl}${route}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    for (const file of ['/inbox/inbox.js', '/inbox/inbox.css', '/knowledge/knowledge.js', '/knowledge/chart.js'])
      expect((await fetch(`${consoleUrl}${file}`)).status).toBe(200);
  });

  it('runs kb commands from the bundle', async () => {
    const { stdout } = await run(process.execPath, [path.join(runtime, 'run-app.mjs'), 'kb', 'versions', sut.bot.id], {
      cwd: runtime,
      env: { ...sut.env, ...imageEnv },
    });
    // The active version the test system ingested, built with the profile it was given.
    expect(stdout).toMatch(new RegExp(`^\\* v1 +kb_${sut.bot.id}_v1 .* e5-minilm\\|`, 'm'));
  });

  it('writes one JSON object a line from every app, library output included', () => {
    expect(processes).toHaveLength(3);
    const gatewayLines = processes[0]?.output() ?? '';
    expect(gatewayLines).toMatch(/"source":"console","msg":"\[[^"]*\] connect success"/);
    for (const app of processes) {
      const lines = app
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
      expect(lines.length, app.name).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line), `${app.name}: ${line}`).not.toThrow();
    }
  });

  it('refuses an unknown app with its usage, and the health check fails on a bad endpoint', async () => {
    const failure = await run(process.execPath, [path.join(runtime, 'run-app.mjs'), 'gatway'], { cwd: runtime }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure).toMatchObject({
      code: 64,
      stderr: expect.stringContaining('usage: <image> gateway|worker|console|simulator|kb'),
    });
    expect(await healthcheck(`${consoleUrl}/no-such-page`)).toBe(1);
    expect(await healthcheck(`http://127.0.0.1:${await freePort()}/readyz`)).toBe(1);
  });
});
