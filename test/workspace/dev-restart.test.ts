import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../support/console-client';

/**
 * `npm run dev` as a person runs it, twice, on the real parts (Milvus Lite, the local embedder, redis-server, the four
 * apps): FAQs saved from a conversation before the restart (an admin's, live; an agent's draft) are there after it. The machine's
 * Redis and PostgreSQL are hidden (--redis-port and --postgres-port on dead ports) so the demo's own
 * redis-server and PostgreSQL (initdb'd into <data dir>/postgres), which must keep their data on disk, are what
 * is tested, and the data dir is a temporary one so a developer's demo is left alone.
 */
const root = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'ab-dev-restart-'));
// Run as root, the demo's PostgreSQL runs as another user, who must be able to reach <data dir>/postgres.
chmodSync(dataDir, 0o755);
/** What the launcher runs by name: redis-server and bash (the venv check), beside this Node. */
const redisServer = spawnSync('bash', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
const searchPath = [
  path.dirname(process.execPath),
  path.dirname(redisServer),
  '/usr/local/bin',
  '/usr/bin',
  '/bin',
].join(':');

/**
 * A free port below Linux's ephemeral range (32768 and up). The demo listens on these ports only after a
 * minute of starting Redis, PostgreSQL, Milvus Lite and the embedder, whose outgoing connections take ephemeral
 * ports: a port the kernel handed out as free could be some connection's local port by then (CI saw EADDRINUSE).
 */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }
  throw new Error('no free port below 32000');
}

interface Demo {
  child: ChildProcess;
  output: () => string;
  simulatorUrl: string;
  consoleUrl: string;
}

let running: Demo | undefined;

async function startDemo(ports: { gateway: number; simulator: number; console: number }, deadRedisPort: number) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/dev.ts',
      '--data-dir',
      dataDir,
      '--redis-port',
      String(deadRedisPort),
      // Nothing listens on the dead Redis port either: the demo starts its own PostgreSQL.
      '--postgres-port',
      String(deadRedisPort),
    ],
    {
      cwd: root,
      env: {
        PATH: searchPath,
        HOME: tmpdir(),
        GATEWAY_PORT: String(ports.gateway),
        SIMULATOR_PORT: String(ports.simulator),
        CONSOLE_PORT: String(ports.console),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const started = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Ctrl-C stops everything.')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm run dev exited (${code}) before it was ready:\n${output}`)));
  });
  running = { child, output: () => output, simulatorUrl: '', consoleUrl: '' };
  await started;
  return {
    child,
    output: () => output,
    simulatorUrl: `http://127.0.0.1:${ports.simulator}`,
    consoleUrl: `http://127.0.0.1:${ports.console}`,
  };
}

/** Ctrl-C, as a person stops it; resolves when the launcher (which stops everything it started) has exited. */
async function stopDemo(demo: Demo): Promise<number | null> {
  if (demo.child.exitCode !== null) return demo.child.exitCode;
  const exited = once(demo.child, 'exit');
  demo.child.kill('SIGINT');
  const [code] = (await exited) as [number | null];
  running = undefined;
  return code;
}

/** Sends `text` as `from` through the chat page's API and resolves with the first message the bot sends back. */
async function ask(demo: Demo, from: string, text: string): Promise<string> {
  const controller = new AbortController();
  const res = await fetch(`${demo.simulatorUrl}/api/events`, { signal: controller.signal });
  if (!res.body) throw new Error('the chat page sent no event stream');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const reply = (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the event stream ended before the bot answered ${from}`);
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
        buffer = buffer.slice(end + 2);
        const message = data ? (JSON.parse(data) as { toUser?: string; content?: string }) : {};
        if (message.toUser === from) return message.content ?? '';
      }
    }
  })();
  try {
    const sent = await fetch(`${demo.simulatorUrl}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ botId: 'demo', from, text }),
    });
    expect(sent.status).toBe(200);
    return await reply;
  } finally {
    controller.abort();
  }
}

afterAll(async () => {
  if (running) await stopDemo(running);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run dev, stopped and started again', () => {
  it("keeps what was saved before the restart: an admin's FAQ is answered, an agent's draft waits and goes live when approved, and both survive losing Milvus's data", async () => {
    const ports = { gateway: await freePort(), simulator: await freePort(), console: await freePort() };
    const deadRedis = await freePort();
    const saved = {
      question: '会议室的投影仪连不上笔记本怎么办？',
      answer:
        '先按投影仪遥控器上的「信号源」切到 HDMI，再在笔记本上按 Win+P 选择「复制」。仍不行请联系 IT 服务台 8000。',
    };

    const drafted = {
      question: '打印机提示“纸张尺寸不匹配”怎么处理？',
      answer: '在打印对话框里把纸张改成 A4，并在打印机面板上确认纸盒为 A4。',
    };

    const first = await startDemo(ports, deadRedis);
    expect(first.output()).toMatch(/demo: published the sample FAQ \(36 entries\) as v1/);
    expect(first.output()).toContain('QUEUE_PREFIX=ab-demo');
    // Before the saves the bot knows neither answer.
    expect(await ask(first, 'restart-asker-1', saved.question)).not.toBe(saved.answer);
    expect(await ask(first, 'restart-handover', '我要转人工')).toBeTruthy();
    const conversation = 'wecom/demo/restart-handover';
    // An agent holding the conversation saves a draft (waiting for an admin); an admin's own save is live at once.
    const agent = await ConsoleClient.login(first.consoleUrl, 'agent1');
    expect((await agent.call('POST', agent.conversationPath(conversation, 'claim'))).status).toBe(200);
    const draft = await agent.call<{ status: string; draft: { id: string } }>(
      'POST',
      agent.conversationPath(conversation, 'save-faq'),
      drafted,
    );
    expect(draft).toMatchObject({ status: 201, body: { status: 'draft' } });
    const admin = await ConsoleClient.login(first.consoleUrl, 'admin');
    const save = await admin.call('POST', admin.conversationPath(conversation, 'save-faq'), saved);
    expect(save).toMatchObject({ status: 201, body: { status: 'live' } });
    expect(await ask(first, 'restart-asker-2', saved.question)).toBe(saved.answer);
    expect(await stopDemo(first)).toBe(0);

    const second = await startDemo(ports, deadRedis);
    // The knowledge base was kept, not reloaded from the sample over the saved entry.
    expect(second.output()).toMatch(/demo: kept v1 as it was/);
    expect(await ask(second, 'restart-asker-3', saved.question)).toBe(saved.answer);
    // The agent's draft waited through the restart (the review queue is in PostgreSQL) and goes live when approved.
    const reviewer = await ConsoleClient.login(second.consoleUrl, 'admin');
    const pending = await reviewer.call<{ drafts: { id: string }[] }>('GET', '/api/admin/faq-drafts');
    expect(pending.body.drafts.map((d) => d.id)).toEqual([draft.body.draft.id]);
    const approved = await reviewer.call('POST', `/api/admin/faq-drafts/${draft.body.draft.id}/approve`);
    expect(approved.status).toBe(200);
    expect(await ask(second, 'restart-asker-4', drafted.question)).toBe(drafted.answer);
    expect(await stopDemo(second)).toBe(0);

    // Milvus Lite's data lost (deleted, or a new machine with the same database): the search index is rebuilt
    // from the entries PostgreSQL records (the sample, the admin's FAQ, the approved draft), so both saved
    // answers are still given.
    rmSync(path.join(dataDir, 'milvus'), { recursive: true, force: true });
    const third = await startDemo(ports, deadRedis);
    expect(third.output()).toMatch(/demo: rebuilt the search index from the 38 entries PostgreSQL records, as v1/);
    expect(await ask(third, 'restart-asker-5', saved.question)).toBe(saved.answer);
    expect(await ask(third, 'restart-asker-6', drafted.question)).toBe(drafted.answer);
    expect(await stopDemo(third)).toBe(0);
  }, 600_000);
});

describe('npm run dev with options it does not know', () => {
  it('names the wrong option and prints its usage, without a stack, exiting 2 before starting anything', () => {
    for (const [args, message] of [
      [['--nope'], "Unknown option '--nope'"],
      [['--redis-port', 'abc'], '--redis-port must be a port number (1-65535), not "abc"'],
    ] as const) {
      const res = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/dev.ts', ...args], {
        cwd: root,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(res.status, args.join(' ')).toBe(2);
      expect(res.stderr).toContain(message);
      expect(res.stderr).toContain('usage: npm run dev -- [--data-dir <dir>] [--redis-port <port>]');
      expect(res.stderr).not.toMatch(/\n\s+at /);
      expect(res.stdout).not.toContain('starting Redis');
    }
  });
});
