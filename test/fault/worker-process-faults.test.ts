import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadFaqFile } from '@answerbridge/knowledge';
import { appNodeArgs, freePort, startProcess, workspaceRoot, type ManagedProcess } from '@answerbridge/testing';
import { WORKER_SHUTDOWN_GRACE_MS } from '@answerbridge/worker';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const answer = (id: string) => loadFaqFile(sampleFaqPath).find((e) => e.id === id)?.answer;

/**
 * Workers as real processes, stopped in the middle of a job: SIGTERM finishes the job and exits in
 * bounded time; kill -9 loses nothing (another worker takes the job over once its lock lapses), and the
 * reply still goes out exactly once.
 */
describe('worker processes stopped mid-job', () => {
  let sut: SystemUnderTest;
  let proxy: Server;
  let proxyUrl: string;
  const seen: ((body: string) => void)[] = [];
  const workers: ManagedProcess[] = [];

  beforeAll(async () => {
    const upstream = inject('services').embeddingBaseUrl;
    // The embedder, 1.5 s slow: questions are in flight long enough to stop a worker in the middle.
    proxy = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += String(chunk);
      for (const s of seen.splice(0)) s(body);
      await new Promise((r) => setTimeout(r, 1_500));
      const upstreamRes = await fetch(`${upstream}${req.url?.replace(/^\/v1/, '')}`, {
        method: req.method,
        headers: { 'content-type': 'application/json' },
        body,
      });
      res.writeHead(upstreamRes.status, { 'content-type': 'application/json' }).end(await upstreamRes.text());
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const address = proxy.address();
    proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`;
    sut = await startSystem(
      { EMBEDDING_BASE_URL: proxyUrl, EMBEDDING_CACHE_SIZE: '0', JOB_LOCK_MS: '2000', LOG_LEVEL: 'warn' },
      undefined,
      undefined,
      { inProcessWorker: false },
    );
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await sut?.stop();
    proxy.closeAllConnections();
    proxy.close();
  });

  async function startWorkerProcess(name: string): Promise<ManagedProcess> {
    const port = await freePort();
    const worker = await startProcess(
      name,
      process.execPath,
      appNodeArgs(workspaceRoot, 'worker'),
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
      {
        cwd: workspaceRoot,
        env: { ...sut.env, METRICS_PORT: String(port) },
      },
    );
    workers.push(worker);
    return worker;
  }

  const embedderSees = (text: string) =>
    new Promise<void>((resolve) => {
      const check = (body: string) => (body.includes(text) ? resolve() : seen.push(check));
      seen.push(check);
    });

  it('SIGTERM: the in-flight question is answered, then the process exits cleanly and promptly', async () => {
    const worker = await startWorkerProcess('worker-a');
    const inFlight = embedderSees('年假有几天');
    await sut.simulator.wecomClient(sut.bot.id).sendText('term1', '年假有几天？');
    await inFlight;
    const started = Date.now();
    const exited = once(worker.child, 'exit');
    worker.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    // Done with its job, it exits by itself: well before the grace period after which it would be cut off (on a
    // loaded CI machine closing the queues, the database and the tracer has taken over 20 s).
    expect(Date.now() - started).toBeLessThan(WORKER_SHUTDOWN_GRACE_MS - 10_000);
    const reply = await sut.simulator.wecom.nextMessageTo('term1');
    expect(reply.content).toBe(answer('annual-leave'));
  });

  it('kill -9: another worker takes the job over and the asker gets exactly one reply', async () => {
    const victim = await startWorkerProcess('worker-b');
    const inFlight = embedderSees('工资什么时候发');
    await sut.simulator.wecomClient(sut.bot.id).sendText('kill1', '工资什么时候发？');
    await inFlight;
    victim.child.kill('SIGKILL');
    await once(victim.child, 'exit');
    await startWorkerProcess('worker-c');
    const reply = await sut.simulator.wecom.nextMessageTo('kill1');
    expect(reply.content).toBe(answer('payday'));
    await sut.idle();
    expect(sut.simulator.wecom.sentTo('kill1')).toHaveLength(1);
    expect(sut.simulator.wecom.sentTo('term1')).toHaveLength(1);
  });
});

/**
 * A worker still starting (its Redis unreachable) stops at once on SIGTERM: in a container the app is
 * PID 1, for which the kernel has no default action, so only the app's own handler can end it.
 */
describe('a worker stopped while it starts', () => {
  it('exits promptly on SIGTERM before it ever reached Redis', async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const worker = await startProcess(
      'worker-starting',
      process.execPath,
      appNodeArgs(workspaceRoot, 'worker'),
      async () => true,
      {
        cwd: workspaceRoot,
        env: {
          REDIS_URL: deadRedis,
          METRICS_PORT: '0',
          LOG_LEVEL: 'info',
          BOTS_FILE: `${workspaceRoot}/config/bots.local.json`,
        },
      },
    );
    // Its log says when it is retrying Redis, i.e. well inside start-up.
    const retrying = new Promise<void>((resolve) => {
      const check = () => {
        if (worker.output().includes('redis connection error')) resolve();
      };
      worker.child.stdout?.on('data', () => setImmediate(check));
      check();
    });
    await retrying;
    const exited = once(worker.child, 'exit');
    worker.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(worker.output()).toContain('stopped while starting');
  });
});
