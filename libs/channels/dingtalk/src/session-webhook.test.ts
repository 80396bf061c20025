import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedSessionWebhook } from './session-webhook';

const dingtalk = ['https://oapi.dingtalk.com', 'https://api.dingtalk.com'];
const urlOf = (raw: string, origins: readonly string[] = dingtalk) => {
  const check = allowedSessionWebhook(raw, origins);
  return 'url' in check ? check.url : null;
};

describe('allowedSessionWebhook', () => {
  it("allows DingTalk's own webhooks, returned in the form fetch will use", () => {
    expect(urlOf('https://oapi.dingtalk.com/robot/sendBySession?session=abc')).toBe(
      'https://oapi.dingtalk.com/robot/sendBySession?session=abc',
    );
    expect(urlOf('https://api.dingtalk.com/robot/sendBySession?session=abc')).toBe(
      'https://api.dingtalk.com/robot/sendBySession?session=abc',
    );
    expect(urlOf('HTTPS://OAPI.DINGTALK.COM/robot/sendBySession?session=s')).toBe(
      'https://oapi.dingtalk.com/robot/sendBySession?session=s',
    );
    expect(urlOf('https://oapi.dingtalk.com:443/robot/sendBySession?session=s')).toBe(
      'https://oapi.dingtalk.com/robot/sendBySession?session=s',
    );
  });

  it.each([
    ['user name and password', 'https://admin:pw@oapi.dingtalk.com/robot/sendBySession', /user name or password/],
    ['user name only', 'https://evil@oapi.dingtalk.com/robot/sendBySession', /user name or password/],
    ['the allowed host as user name', 'https://oapi.dingtalk.com@evil.cn/robot/sendBySession', /user name or password/],
    [
      'http instead of https',
      'http://oapi.dingtalk.com/robot/sendBySession',
      /origin http:\/\/oapi\.dingtalk\.com is not/,
    ],
    [
      'another port',
      'https://oapi.dingtalk.com:8443/robot/sendBySession',
      /origin https:\/\/oapi\.dingtalk\.com:8443 is not/,
    ],
    [
      'a lookalike suffix',
      'https://oapi.dingtalk.com.evil.cn/robot/sendBySession',
      /is not in DINGTALK_WEBHOOK_ORIGINS/,
    ],
    [
      'an encoded dot',
      'https://oapi.dingtalk.com%2eevil.cn/robot/sendBySession',
      /oapi\.dingtalk\.com\.evil\.cn is not/,
    ],
    ['an ideographic full stop', 'https://oapi.dingtalk.com\u3002evil.cn/', /oapi\.dingtalk\.com\.evil\.cn is not/],
    ['a lookalike prefix', 'https://evil-oapi.dingtalk.com/robot/sendBySession', /is not in DINGTALK_WEBHOOK_ORIGINS/],
    ['the parent domain', 'https://dingtalk.com/robot/sendBySession', /is not in DINGTALK_WEBHOOK_ORIGINS/],
    ['a trailing dot', 'https://oapi.dingtalk.com./robot/sendBySession', /is not in DINGTALK_WEBHOOK_ORIGINS/],
    ['a capital I for l', 'https://oapi.dingtaIk.com/robot/sendBySession', /oapi\.dingtaik\.com is not/],
    [
      'a Cyrillic о (IDN homograph)',
      'https://\u043eapi.dingtalk.com/robot/sendBySession',
      /xn--api-red\.dingtalk\.com is not/,
    ],
    ['a Cyrillic а in dingtalk', 'https://oapi.dingt\u0430lk.com/robot/sendBySession', /xn--/],
    ['the punycode form of a homograph', 'https://xn--api-red.dingtalk.com/', /is not in DINGTALK_WEBHOOK_ORIGINS/],
    ['a loopback address', 'http://127.0.0.1:8080/internal/admin', /origin http:\/\/127\.0\.0\.1:8080 is not/],
    ['a metadata address', 'http://169.254.169.254/latest/meta-data/', /is not in DINGTALK_WEBHOOK_ORIGINS/],
    ['another scheme', 'file:///etc/passwd', /scheme file: is not http/],
    ['javascript', 'javascript:alert(1)', /scheme javascript:/],
    ['not a URL', '/robot/sendBySession?session=x', /not a URL/],
    [
      "a group robot's webhook on DingTalk's host",
      'https://oapi.dingtalk.com/robot/send?access_token=attackers',
      /only \/robot\/sendBySession\?session=… is a session webhook/,
    ],
    [
      'a session endpoint without a session',
      'https://oapi.dingtalk.com/robot/sendBySession',
      /only \/robot\/sendBySession/,
    ],
    ['empty', '', /not a URL/],
  ])('refuses %s', (_name, raw, reason) => {
    const check = allowedSessionWebhook(raw, dingtalk);
    expect(check).toHaveProperty('refused');
    expect('refused' in check && check.refused).toMatch(reason);
  });

  it('checks what fetch will fetch: spellings of the very same host are normalized to it, never to another', () => {
    // Full-width letters and ideographic dots are the same host after IDNA mapping; the returned URL is ASCII.
    expect(urlOf('https://\uff4f\uff41\uff50\uff49.dingtalk.com/robot/sendBySession?session=s')).toBe(
      'https://oapi.dingtalk.com/robot/sendBySession?session=s',
    );
    expect(urlOf('https://oapi\u3002dingtalk\u3002com/robot/sendBySession?session=s')).toBe(
      'https://oapi.dingtalk.com/robot/sendBySession?session=s',
    );
    // A backslash is a path separator for https, so "@evil.cn" stays in the path of DingTalk's host (a path
    // that is not a session's, so refused anyway).
    const backslash = allowedSessionWebhook('https://oapi.dingtalk.com\\@evil.cn/', dingtalk);
    expect(backslash).toMatchObject({
      origin: 'https://oapi.dingtalk.com',
      refused: expect.stringMatching(/only \/robot\/sendBySession/) as unknown,
    });
    expect(urlOf('https://oapi.dingtalk.com/robot/sendBySession?session=s#@evil.cn')).toBe(
      'https://oapi.dingtalk.com/robot/sendBySession?session=s#@evil.cn',
    );
  });

  it('allows the local simulator only when its exact origin is configured', () => {
    const simulator = ['http://127.0.0.1:4100'];
    expect(urlOf('http://127.0.0.1:4100/robot/sendBySession?session=x', simulator)).toBe(
      'http://127.0.0.1:4100/robot/sendBySession?session=x',
    );
    expect(urlOf('http://127.0.0.1:4101/internal/admin', simulator)).toBeNull();
    expect(urlOf('https://127.0.0.1:4100/robot/sendBySession', simulator)).toBeNull();
    expect(urlOf('http://localhost:4100/robot/sendBySession', simulator)).toBeNull();
    expect(urlOf('http://[::1]:4100/robot/sendBySession', simulator)).toBeNull();
    expect(urlOf('https://oapi.dingtalk.com/robot/sendBySession', simulator)).toBeNull();
    expect(urlOf('http://127.0.0.1:4100/', [])).toBeNull();
  });

  it('whatever the input, a URL it allows is on an allowed origin and carries no credentials', () => {
    const hosts = fc.constantFrom(
      'oapi.dingtalk.com',
      'api.dingtalk.com',
      'evil.cn',
      '127.0.0.1',
      'oapi.dingtalk.com.evil.cn',
      'OAPI.dingtalk.com',
      'оapi.dingtalk.com',
    );
    const raw = fc.oneof(
      fc.string(),
      fc
        .tuple(
          fc.constantFrom('https://', 'http://', 'HTTPS://', 'https:/', '//', ''),
          fc.option(fc.constantFrom('u:p@', 'u@', ':@')),
          hosts,
          fc.constantFrom('', ':443', ':80', ':8443', '.', '\\@evil.cn', '@evil.cn'),
          fc.string({ maxLength: 20 }),
        )
        .map(([scheme, user, host, tail, rest]) => `${scheme}${user ?? ''}${host}${tail}/${rest}`),
    );
    fc.assert(
      fc.property(raw, (input) => {
        const check = allowedSessionWebhook(input, dingtalk);
        if (!('url' in check)) return;
        const url = new URL(check.url);
        expect(dingtalk).toContain(url.origin);
        expect(url.username + url.password).toBe('');
      }),
      { numRuns: 3000 },
    );
  });
});
