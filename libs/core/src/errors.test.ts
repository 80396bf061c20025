import { describe, expect, it } from 'vitest';
import {
  AnswerbridgeError,
  ConflictError,
  NotFoundError,
  RejectedInputError,
  httpErrorOf,
  type HttpErrorVocabulary,
} from './errors';

const gateway: HttpErrorVocabulary = {
  tooLarge: { code: 'GATEWAY.BODY_TOO_LARGE', message: 'body larger than 1 bytes' },
  unsupportedEncoding: { code: 'GATEWAY.UNSUPPORTED_ENCODING', message: 'unsupported content encoding or charset' },
  badRequest: { code: 'GATEWAY.BAD_REQUEST', message: 'malformed request' },
  failure: { status: 503, code: 'GATEWAY.UNAVAILABLE', message: 'temporarily unavailable; retry', keepCode: true },
};
const console: HttpErrorVocabulary = {
  tooLarge: { code: 'CONSOLE.TOO_LARGE', message: 'too large' },
  badRequest: { code: 'CONSOLE.BAD_REQUEST', message: 'bad request' },
  failure: { status: 500, code: 'CONSOLE.ERROR', message: 'internal error' },
};

describe('httpErrorOf', () => {
  it('answers our refusals with their own status, code and message, in every app', () => {
    for (const vocabulary of [gateway, console]) {
      expect(httpErrorOf(new RejectedInputError('WECOM.BAD_SIGNATURE', 'no match', 401), vocabulary)).toEqual({
        status: 401,
        code: 'WECOM.BAD_SIGNATURE',
        message: 'no match',
        refused: true,
      });
      expect(httpErrorOf(new NotFoundError('ESCALATION.NOT_FOUND', 'none'), vocabulary)).toMatchObject({
        status: 404,
        code: 'ESCALATION.NOT_FOUND',
      });
      expect(httpErrorOf(new ConflictError('ESCALATION.CONFLICT', 'taken'), vocabulary)).toMatchObject({
        status: 409,
        code: 'ESCALATION.CONFLICT',
      });
    }
  });

  it("gives the body parser's refusals the app's codes", () => {
    expect(httpErrorOf({ type: 'entity.too.large', status: 413 }, gateway)).toMatchObject({
      status: 413,
      code: 'GATEWAY.BODY_TOO_LARGE',
    });
    expect(httpErrorOf({ type: 'encoding.unsupported', status: 415 }, gateway)).toMatchObject({
      status: 415,
      code: 'GATEWAY.UNSUPPORTED_ENCODING',
    });
    // The console has no word of its own for encodings: a bad request, with the parser's status kept.
    expect(httpErrorOf({ type: 'charset.unsupported', status: 415 }, console)).toMatchObject({
      status: 415,
      code: 'CONSOLE.BAD_REQUEST',
    });
    expect(httpErrorOf({ type: 'entity.parse.failed', status: 400 }, gateway)).toMatchObject({
      status: 400,
      code: 'GATEWAY.BAD_REQUEST',
      refused: true,
    });
  });

  it('treats anything else as a failure of ours, naming our error code where the app wants it', () => {
    const down = new AnswerbridgeError('VECTOR_STORE.FAILED', 'milvus down', true);
    expect(httpErrorOf(down, gateway)).toEqual({
      status: 503,
      code: 'VECTOR_STORE.FAILED',
      message: 'temporarily unavailable; retry',
      refused: false,
    });
    expect(httpErrorOf(new TypeError('x is undefined'), gateway)).toMatchObject({ code: 'GATEWAY.UNAVAILABLE' });
    expect(httpErrorOf(down, console)).toEqual({
      status: 500,
      code: 'CONSOLE.ERROR',
      message: 'internal error',
      refused: false,
    });
    expect(httpErrorOf(null, console)).toMatchObject({ status: 500, refused: false });
  });

  it('keeps the class name, code and retryability on every error', () => {
    const error = new RejectedInputError('DINGTALK.SIGN_REUSED', 'reused', 401);
    expect(error).toBeInstanceOf(AnswerbridgeError);
    expect(error).toMatchObject({ name: 'RejectedInputError', code: 'DINGTALK.SIGN_REUSED', retryable: false });
  });
});
