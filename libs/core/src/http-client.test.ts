import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnswerbridgeError } from './errors';
import { HttpClient, retryableStatus } from './http-client';

/** fetch replaced by a script of responses (or failures), recording what was asked. */
function scriptFetch(...steps: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal('fetch', async (url: string | URL, init: RequestInit) => {
    calls.push({ url: String(url), init });
    const step = steps.shift();
    if (!step) throw new Error('no more scripted responses');
    if (step instanceof Error) throw step;
    return step;
  });
  return calls;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('HttpClient', () => {
  it('sends JSON with a timeout, resolves paths against the base URL, and reads JSON and text back', async () => {
    const calls = scriptFetch(json(200, { errcode: 0 }));
    const http = new HttpClient({ codePrefix: 'WECOM', baseUrl: 'https://qyapi.example/' });
    const res = await http.request('/cgi-bin/message/send', { what: 'WeCom API', timeoutMs: 1_000, json: { a: 1 } });
    expect(res).toEqual({ status: 200, ok: true, text: '{"errcode":0}', json: { errcode: 0 } });
    expect(calls[0]?.url).toBe('https://qyapi.example/cgi-bin/message/send');
    expect(calls[0]?.init).toMatchObject({
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
      redirect: 'follow',
    });
    expect(calls[0]?.init.signal).toBeInstanceOf(AbortSignal);
  });

  it('says a peer it cannot reach is worth another attempt, under the caller’s code and name', async () => {
    scriptFetch(new TypeError('fetch failed'), new TypeError('fetch failed'));
    const http = new HttpClient({ codePrefix: 'DINGTALK' });
    await expect(http.request('https://api.example/x', { what: 'DingTalk API /x', timeoutMs: 10 })).rejects.toEqual(
      new AnswerbridgeError('DINGTALK.NETWORK', 'DingTalk API /x unreachable: fetch failed', true),
    );
    await expect(
      http.request('https://api.example/x', {
        what: 'group robot',
        networkCode: 'WECOM.WEBHOOK_NETWORK',
        timeoutMs: 10,
      }),
    ).rejects.toMatchObject({ code: 'WECOM.WEBHOOK_NETWORK', retryable: true });
  });

  it('returns any status; expectOk makes it an error, retryable for 5xx and 429 only', async () => {
    scriptFetch(new Response('busy', { status: 503 }), new Response('no', { status: 403 }), json(404, {}));
    const http = new HttpClient({ codePrefix: 'WECOM' });
    await expect(http.expectOk('https://a.example/', { what: 'WeCom API /t', timeoutMs: 10 })).rejects.toMatchObject({
      code: 'WECOM.HTTP',
      message: 'WeCom API /t answered HTTP 503',
      retryable: true,
    });
    await expect(http.expectOk('https://a.example/', { what: 'WeCom API /t', timeoutMs: 10 })).rejects.toMatchObject({
      retryable: false,
    });
    expect(await http.request('https://a.example/', { what: 'x', timeoutMs: 10 })).toMatchObject({
      status: 404,
      ok: false,
      json: {},
    });
    expect([500, 502, 429].map(retryableStatus)).toEqual([true, true, true]);
    expect([400, 401, 404, 409].map(retryableStatus)).toEqual([false, false, false, false]);
  });

  it('does not follow a redirect when the caller refuses them: the 3xx comes back, unread', async () => {
    const calls = scriptFetch(new Response('elsewhere', { status: 307, headers: { location: 'http://internal/' } }));
    const http = new HttpClient({ codePrefix: 'DINGTALK' });
    const res = await http.request('https://oapi.example/robot/sendBySession?session=s', {
      what: 'sessionWebhook',
      timeoutMs: 10,
      redirect: 'refuse',
      json: {},
    });
    expect(res).toEqual({ status: 307, ok: false, text: '', json: undefined });
    expect(calls[0]?.init.redirect).toBe('manual');
  });

  it('retries only what the caller allows, with exponential backoff, and a bounded number of times', async () => {
    const waits: number[] = [];
    const calls = scriptFetch(json(200, { errcode: 45009 }), json(200, { errcode: 45009 }), json(200, { errcode: 0 }));
    const http = new HttpClient({ codePrefix: 'WECOM', sleep: async (ms) => void waits.push(ms) });
    const retry = {
      attempts: 3,
      baseMs: 100,
      when: (r: { json: unknown }) => (r.json as { errcode: number }).errcode === 45009,
    };
    expect((await http.request('https://a.example/', { what: 'x', timeoutMs: 10, retry })).json).toEqual({
      errcode: 0,
    });
    expect(waits).toEqual([100, 200]);
    expect(calls).toHaveLength(3);

    scriptFetch(json(200, { errcode: 45009 }), json(200, { errcode: 45009 }));
    const once = { ...retry, attempts: 1 };
    expect((await http.request('https://a.example/', { what: 'x', timeoutMs: 10, retry: once })).json).toEqual({
      errcode: 45009,
    });
  });
});
