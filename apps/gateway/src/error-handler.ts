import { AnswerbridgeError, RejectedInputError } from '@answerbridge/core';
import type { ErrorRequestHandler } from 'express';
import type { GatewayContext } from './gateway-context';

interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * Every refusal is a clear 4xx with a stable code and a log line; anything unexpected is a 503 so the
 * platform retries later rather than losing the message.
 */
export function errorHandler(ctx: GatewayContext): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const channel = req.path.split('/')[1] ?? 'unknown';
    const parserError = error as BodyParserError;
    let status: number;
    let code: string;
    let message: string;
    if (error instanceof RejectedInputError) {
      ({ status, code, message } = error);
    } else if (parserError.type === 'entity.too.large') {
      [status, code, message] = [413, 'GATEWAY.BODY_TOO_LARGE', `body larger than ${ctx.config.GATEWAY_BODY_LIMIT_BYTES} bytes`];
    } else if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') {
      [status, code, message] = [415, 'GATEWAY.UNSUPPORTED_ENCODING', 'unsupported content encoding or charset'];
    } else if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      [status, code, message] = [parserError.status, 'GATEWAY.BAD_REQUEST', 'malformed request'];
    } else {
      status = 503;
      code = error instanceof AnswerbridgeError ? error.code : 'GATEWAY.UNAVAILABLE';
      message = 'temporarily unavailable; retry';
      ctx.logger.error({ err: error, path: req.path }, 'callback failed');
    }
    if (status < 500) ctx.logger.warn({ code, status, path: req.path, reason: message }, 'callback rejected');
    ctx.metrics.callbacks.inc({ channel, result: status < 500 ? `rejected_${status}` : 'error' });
    if (res.headersSent) return;
    res.status(status).json({ error: code, message });
  };
}
