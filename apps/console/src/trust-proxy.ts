import { ConfigError } from '@answerbridge/config';

/**
 * CONSOLE_TRUST_PROXY as express's "trust proxy" value: which proxies in front of the console may tell it
 * the client's address (X-Forwarded-For, used by the login throttle) and scheme (X-Forwarded-Proto, which
 * makes cookies Secure). "false" or "0": none; a number: that many hops; otherwise comma-separated
 * addresses, CIDRs or the names express knows (loopback, linklocal, uniquelocal).
 * "true" is refused: it believes whatever the client writes in X-Forwarded-For, so one address could
 * pose as many and walk past the per-address throttle.
 */
export function parseTrustProxy(raw: string): false | number | string[] {
  const value = raw.trim();
  if (value === '' || value === 'false' || value === '0') return false;
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true') {
    throw new ConfigError(
      'CONSOLE_TRUST_PROXY=true would believe any X-Forwarded-For a client sends; give the number of proxies in front of the console, or their addresses/CIDRs (e.g. "loopback" or "10.0.0.0/8")',
    );
  }
  const list = value.split(',').map((part) => part.trim());
  if (list.some((part) => !part))
    throw new ConfigError(
      `CONSOLE_TRUST_PROXY="${raw}" has an empty entry; use false, a hop count, or comma-separated addresses/CIDRs`,
    );
  return list;
}
