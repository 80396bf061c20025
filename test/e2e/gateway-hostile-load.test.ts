import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

type LogLine = Record<string, unknown> & { level: number; msg: string; code?: string };

/**
 * Issue 10: what anyone can send to the gateway without a signature must cost little and log little.
 * The real system (gateway, worker, simulator, Redis, Milvus Lite, the local embedder); raw sockets for the clients
 * that misbehave at the connection level. Every wait is on an event (a socket closing, a log line).
 */
describe('the gateway under hostile load', () => {
  let sut: SystemUnderTest;
  const lines: LogLine[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  const onLine = (raw: string) => {
    const line = JSON.parse(raw) as LogLine;
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  const nextLine = (match: (l: LogLine) => boolean) =>
    new Promise<LogLine>((resolve) => waiters.push({ match, resolve }));

  beforeAll(async () => {
    sut = await startSystem({ LOG_LEVEL: 'warn', GATEWAY_REQUEST_TIMEOUT_MS: '1000' }, undefined, onLine);
  });
  afterAll(async () => {
    await sut?.stop();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const unsignedUrl = () =>
    `${sut.gateway.url}/wecom/${sut.bot.id}/callback?msg_signature=${'0'.repeat(40)}&timestamp=${now()}&nonce=1`;
  const callbackPath = () => `/wecom/${sut.bot.id}/callback?msg_signature=${'0'.repeat(40)}&timestamp=${now()}&nonce=1`;

  async function counted(result: string): Promise<number> {
    const text = await (await fetch(`${sut.gateway.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('answerbridge_callbacks_total{') &&
          l.includes('channel="wecom"') &&
          l.includes(`result="${result}"`),
      );
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  }

  /** A raw connection: what it received by the time it closed. */
  function rawClient(): { socket: Socket; closed: Promise<string> } {
    const [host, port] = new URL(sut.gateway.url).host.split(':');
    const socket = connect(Number(port), host ?? '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined); // writes after the server closed: expected here
    return { socket, closed: once(socket, 'close').then(() => received) };
  }

  it('refuses unsigned 64 KB bodies of 16,000 elements at once, while a legitimate callback sent alongside is acked and answered', async () => {
    const attack = `<xml><Encrypt><![CDATA[${'A'.repeat(64)}]]></Encrypt>${'<a/>'.repeat(16_000)}</xml>`;
    expect(attack.length).toBeLessThanOrEqual(sut.config.GATEWAY_BODY_LIMIT_BYTES);
    const sender = async () => {
      const results: { status: number; error?: string; message?: string }[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await fetch(unsignedUrl(), {
          method: 'POST',
          headers: { 'content-type': 'text/xml' },
          body: attack,
        });
        results.push({ status: res.status, ...((await res.json()) as { error?: string; message?: string }) });
      }
      return results;
    };
    const before = await sut.inspector.total();
    const client = sut.simulator.wecomClient(sut.bot.id);
    const [legit, ...senders] = await Promise.all([
      client.sendText('hostile-neighbour', '工资什么时候发？'),
      sender(),
      sender(),
      sender(),
      sender(),
    ]);
    expect(legit.status).toBe(200);
    for (const refused of senders.flat()) {
      expect(refused).toMatchObject({ status: 400, error: 'WECOM.BAD_XML' });
      expect(refused.message).toMatch(/more than 16 fields/);
    }
    const reply = await sut.simulator.wecom.nextMessageTo('hostile-neighbour');
    expect(reply.content).toContain('每月 10 日');
    expect(await sut.inspector.total()).toBeGreaterThan(before);
  });

  it('drops a body that does not arrive within GATEWAY_REQUEST_TIMEOUT_MS (408, connection closed)', async () => {
    const timedOut = nextLine((l) => l.code === 'GATEWAY.REQUEST_TIMEOUT');
    const { socket, closed } = rawClient();
    await once(socket, 'connect');
    socket.write(
      `POST ${callbackPath()} HTTP/1.1\r\nHost: gateway\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<xml><Encrypt>`,
    );
    expect(await closed).toMatch(/^HTTP\/1\.1 408 /);
    expect(await timedOut).toMatchObject({ level: 40, msg: 'callback abandoned by the client' });
    expect(await counted('timeout')).toBeGreaterThanOrEqual(1);
  });

  it('closes the connection after a 413 instead of reading the rest of the body (declared length)', async () => {
    const { socket, closed } = rawClient();
    await once(socket, 'connect');
    socket.write(
      `POST ${callbackPath()} HTTP/1.1\r\nHost: gateway\r\nContent-Type: text/xml\r\nContent-Length: 100000000\r\n\r\n`,
    );
    socket.write('A'.repeat(256 * 1024));
    const response = await closed;
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response.toLowerCase()).toContain('connection: close');
    expect(response).toContain('GATEWAY.BODY_TOO_LARGE');
  });

  it('closes the connection after a 413 found while reading a chunked body', async () => {
    const { socket, closed } = rawClient();
    await once(socket, 'connect');
    const chunk = 'A'.repeat(100 * 1024);
    socket.write(
      `POST ${callbackPath()} HTTP/1.1\r\nHost: gateway\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const response = await closed;
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response.toLowerCase()).toContain('connection: close');
  });

  it('takes a client hanging up mid-body as a warning and a count, not an error', async () => {
    const errorsBefore = await counted('error');
    const gone = nextLine((l) => l.code === 'GATEWAY.CLIENT_GONE');
    const { socket, closed } = rawClient();
    await once(socket, 'connect');
    socket.write(
      `POST ${callbackPath()} HTTP/1.1\r\nHost: gateway\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<xml><Encrypt>`,
      () => socket.destroy(),
    );
    await closed;
    expect(await gone).toMatchObject({ level: 40 });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(await counted('client_gone')).toBeGreaterThanOrEqual(1);
    expect(await counted('error')).toBe(errorsBefore);
  });

  it('logs a bounded number of lines for 1,000 rejected requests and counts all 1,000', async () => {
    const client = sut.simulator.wecomClient(sut.bot.id);
    const countedBefore = await counted('rejected_401');
    const linesBefore = lines.length;
    const startedAt = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < 1_000) {
        next++;
        const req = client.buildRequest(client.textMessageXml('u1', '你好'), { token: 'not-the-token' });
        const res = await fetch(req.url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: req.body });
        expect(res.status).toBe(401);
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    const seconds = Math.ceil((Date.now() - startedAt) / 1000);
    expect(await counted('rejected_401')).toBe(countedBefore + 1_000);
    const written = lines
      .slice(linesBefore)
      .filter((l) => l.msg === 'callback rejected' && l.code === 'WECOM.BAD_SIGNATURE');
    expect(written.length).toBeGreaterThan(0);
    // At most 10 lines per code per second: bounded by the burst's duration, not by its size; the lines
    // after a dropped stretch say how many were dropped.
    expect(written.length).toBeLessThanOrEqual(10 * (seconds + 1));
    expect(written.length).toBeLessThan(500);
    const accountedFor = written.reduce((sum, l) => sum + 1 + (typeof l.suppressed === 'number' ? l.suppressed : 0), 0);
    expect(accountedFor).toBeLessThanOrEqual(1_000);
  });
});
