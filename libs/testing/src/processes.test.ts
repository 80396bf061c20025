import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startProcess, type ManagedProcess } from './processes';

const idle = ['-e', 'setInterval(() => {}, 1000)'];

describe('startProcess', () => {
  const started: ManagedProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop('SIGKILL')));
  });

  it('resolves once the readiness probe holds', async () => {
    let probes = 0;
    const p = await startProcess('idle', process.execPath, idle, async () => ++probes >= 3);
    started.push(p);
    expect(probes).toBe(3);
    expect(p.child.exitCode).toBeNull();
  });

  it('ends a probe that never answers at the deadline, with the process output', async () => {
    // A port that accepts connections and never answers: what a fetch readiness probe meets when another
    // process took the port between freePort() and the app's listen().
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const attempt = startProcess(
        'silent-port',
        process.execPath,
        ['-e', 'console.log("booted"); setInterval(() => {}, 1000)'],
        async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
        { timeoutMs: 2_000 },
      );
      await expect(attempt).rejects.toThrow(/silent-port not ready after 2000 ms:\n[\s\S]*booted/);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
