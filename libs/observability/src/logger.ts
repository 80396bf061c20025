import pino, { type Logger } from 'pino';
import { activeTraceFields } from './tracing';

/**
 * Every field name that can carry a secret, at any depth we log. One list, so a new secret field is
 * redacted everywhere by adding it here.
 */
export const SECRET_FIELDS = [
  'secret',
  'corpsecret',
  'token',
  'access_token',
  'accessToken',
  'encodingAesKey',
  'aesKey',
  'password',
  'apiKey',
  'authorization',
  'cookie',
  'appSecret',
  'clientSecret',
  // DingTalk's HTTP-mode sign is valid with any body for an hour, and a sessionWebhook posts into a chat.
  'sign',
  'sessionWebhook',
];

const redactPaths = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `req.headers.${f}`]);

export interface LoggerOptions {
  name: string;
  level: string;
  pretty?: boolean;
  /** Where JSON lines go (default stdout); tests capture them to scan for secrets. */
  destination?: { write(line: string): void };
}

export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    name: options.name,
    level: options.level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    // Query strings carry access_token on WeCom's API; never log a URL's query.
    serializers: { err: pino.stdSerializers.err, url: (u: unknown) => String(u).replace(/\?.*$/, '?…') },
    // Lines written under a span carry its ids, so logs and traces of one message join up.
    mixin: activeTraceFields,
    ...(options.pretty && !options.destination
      ? { transport: { target: 'pino-pretty', options: { colorize: true } } }
      : {}),
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

export type { Logger };
