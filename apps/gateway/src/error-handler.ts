import { httpErrorOf } from '@answerbridge/core';
import type { ErrorRequestHandler } from 'express';
import type { GatewayContext } from './gateway-context';
import { RateLimitedLog } from './rate-limited-log';
import { ClientGoneError } from './read-text-body';

/** Log lines per refusal code per second per process; every refusal is counted in answerbridge_callbacks_total. */
export const REFUSAL_LINES_PER_SECOND = 10;

/**
 * Every refusal is a clear 4xx with a stable code and a log line; anything unexpected is a 503 so the
 * platform retries later rather than losing the message. Anyone can send requests, so the lines are
 * rate-limited per code (RateLimitedLog) while the counter counts every one; a client that hangs up or
 * is cut off by the request timeout is a warning, not an error.
 */
export function errorHandler(ctx: GatewayContext): ErrorRequestHandler {
  const lines = new RateLimitedLog(ctx.logger, { perSecond: REFUSAL_LINES_PER_SECOND });
  return (error: unknown, req, res, _next) => {
    const channel = req.path.split('/')[1] ?? 'unknown';
    if (error instanceof ClientGoneError) {
      const code = error.code;
      ctx.metrics.callbacks.inc({ channel, result: error.timedOut ? 'timeout' : 'client_gone' });
      lines.write('warn', code, { code, path: req.path, reason: error.message }, 'callback abandoned by the client');
      return;
    }
    const { status, code, message, refused } = httpErrorOf(error, {
      tooLarge: {
        code: 'GATEWAY.BODY_TOO_LARGE',
        message: `body larger than ${ctx.config.GATEWAY_BODY_LIMIT_BYTES} bytes`,
      },
      unsupportedEncoding: { code: 'GATEWAY.UNSUPPORTED_ENCODING', message: 'unsupported content encoding or charset' },
      badRequest: { code: 'GATEWAY.BAD_REQUEST', message: 'malformed request' },
      failure: { status: 503, code: 'GATEWAY.UNAVAILABLE', message: 'temporarily unavailable; retry', keepCode: true },
    });
    if (!refused) lines.write('error', code, { err: error, path: req.path }, 'callback failed');
    if (status < 500) lines.write('warn', code, { code, status, path: req.path, reason: message }, 'callback rejected');
    ctx.metrics.callbacks.inc({ channel, result: status < 500 ? `rejected_${status}` : 'error' });
    if (res.headersSent) return;
    res.status(status).json({ error: code, message });
  };
}
