import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../support/console-client';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

/** A reply WeCom refuses for good lands in the dead letters, visible to admins, who can replay it. */
describe('dead letters', () => {
  let sut: SystemUnderTest;
  beforeAll(async () => {
    sut = await startSystem();
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it('lists a reply refused with 60020 (untrusted IP) and sends it once replayed', async () => {
    sut.simulator.wecom.injectFaults({ errcode: 60020 });
    await sut.simulator.wecomClient(sut.bot.id).sendText('dl1', '怎么请假？');
    await sut.idle();
    expect(sut.simulator.wecom.sentTo('dl1')).toHaveLength(0);

    const agent = await ConsoleClient.login(sut.console.url, 'agent1');
    expect((await agent.call('GET', '/api/admin/dead-letters')).status).toBe(403);
    const admin = await ConsoleClient.login(sut.console.url, 'admin');
    const letters = await admin.call<
      { queue: string; id: string; reason: string; data: { target: { toUser: string } } }[]
    >('GET', '/api/admin/dead-letters');
    const letter = letters.body.find((l) => l.data.target.toUser === 'dl1');
    expect(letter).toMatchObject({ queue: 'outbound' });
    expect(letter?.reason).toContain('60020');

    expect(
      (await admin.call('POST', `/api/admin/dead-letters/outbound/${letter?.id}/replay`, undefined, { csrf: false }))
        .status,
    ).toBe(403);
    expect((await admin.call('POST', `/api/admin/dead-letters/outbound/${letter?.id}/replay`)).status).toBe(200);
    expect((await sut.simulator.wecom.nextMessageTo('dl1')).content).toContain('审批');
    await sut.idle();
    expect(sut.simulator.wecom.sentTo('dl1')).toHaveLength(1);
    expect((await admin.call('POST', `/api/admin/dead-letters/outbound/${letter?.id}/replay`)).status).toBe(404);
    const counts = await admin.call<Record<string, Record<string, number>>>('GET', '/api/admin/queues');
    expect(counts.body.outbound?.failed).toBe(0);
    // bull-board, behind the admin login.
    expect((await fetch(`${sut.console.url}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${sut.console.url}/admin/queues`, { headers: { cookie: agent.cookieHeader } })).status).toBe(
      403,
    );
    const board = await fetch(`${sut.console.url}/admin/queues`, { headers: { cookie: admin.cookieHeader } });
    expect(board.status).toBe(200);
    expect(await board.text()).toContain('<div id="root"');
    const api = await fetch(`${sut.console.url}/admin/queues/api/queues?activeQueue=outbound&status=completed&page=1`, {
      headers: { cookie: admin.cookieHeader },
    });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain('outbound');
  });
});
