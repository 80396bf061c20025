import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFaqFile } from '@answerbridge/knowledge';
import { appNodeArgs, startProcess, workspaceRoot, type ManagedProcess } from '@answerbridge/testing';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const leave = loadFaqFile(sampleFaqPath).find((e) => e.id === 'leave-request')?.answer;

/**
 * A gateway process killed with -9 while callbacks stream in: whatever it acked is in Redis, whatever it
 * did not ack WeCom delivers again (to the restarted gateway), and each asker gets one reply.
 */
describe('gateway process killed mid-burst', () => {
  let sut: SystemUnderTest;
  let gateway: ManagedProcess | null = null;

  beforeAll(async () => {
    sut = await startSystem();
    // Replace the in-process gateway with a real process on the same port.
    await sut.gateway.close();
  });
  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    await sut?.stop();
  });

  const startGatewayProcess = () =>
    startProcess(
      'gateway',
      process.execPath,
      appNodeArgs(workspaceRoot, 'gateway'),
      async () => (await fetch(`${sut.gateway.url}/healthz`)).ok,
      {
        cwd: workspaceRoot,
        env: { ...sut.env },
      },
    );

  it('loses no message and duplicates none', async () => {
    gateway = await startGatewayProcess();
    const client = sut.simulator.wecomClient(sut.bot.id);
    const users = Array.from({ length: 30 }, (_, i) => `gk${i}`);
    const requests = users.map((u) => client.buildRequest(client.textMessageXml(u, '怎么请假？')));
    /** WeCom's behaviour: deliver until a 200 comes back. */
    const deliver = async (request: { url: string; body: string }) => {
      for (let attempt = 0; attempt < 100; attempt++) {
        const res = await client.deliver(request).catch(() => ({ status: 0 }));
        if (res.status === 200) return;
        await new Promise((r) => setTimeout(r, 100)); // WeCom's retry pause, scaled down
      }
      throw new Error('never accepted');
    };
    const first = requests.slice(0, 15).map(deliver);
    await gateway.stop('SIGKILL');
    const rest = requests.slice(15).map(deliver);
    gateway = await startGatewayProcess();
    await Promise.all([...first, ...rest]);
    for (const u of users) expect((await sut.simulator.wecom.nextMessageTo(u)).content).toBe(leave);
    await sut.idle();
    for (const u of users) expect(sut.simulator.wecom.sentTo(u), u).toHaveLength(1);
  });
});
