/**
 * The root of every error the code raises on purpose. A stable `code` survives crossing a queue or a
 * process (instanceof does not); `retryable` tells the worker whether another attempt can help (when it
 * cannot, the job goes straight to the dead letters). `httpStatus` is what an HTTP caller is answered
 * with when the error reaches it; undefined means it is not the caller's doing (a 5xx, see httpErrorOf).
 */
export class AnswerbridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  get httpStatus(): number | undefined {
    return undefined;
  }
}

/** A request we refuse: the HTTP layer maps `status` to the response. Never retried. */
export class RejectedInputError extends AnswerbridgeError {
  constructor(
    code: string,
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 413 | 415,
  ) {
    super(code, message, false);
  }

  override get httpStatus(): number {
    return this.status;
  }
}

/** What was asked for does not exist (a conversation, a draft, a version): 404 over HTTP. */
export class NotFoundError extends AnswerbridgeError {
  constructor(code: string, message: string) {
    super(code, message, false);
  }

  override get httpStatus(): number {
    return 404;
  }
}

/** The thing's current state does not allow the action (already claimed, already decided): 409 over HTTP. */
export class ConflictError extends AnswerbridgeError {
  constructor(code: string, message: string) {
    super(code, message, false);
  }

  override get httpStatus(): number {
    return 409;
  }
}

/** Settings or files that make a process unable to start; the message names the setting and what to do. */
export class ConfigurationError extends AnswerbridgeError {
  constructor(code: string, message: string) {
    super(code, message, false);
  }
}

/** What an HTTP app answers for an error: status, stable code, and a message in words. */
export interface HttpErrorResponse {
  status: number;
  code: string;
  message: string;
  /** True when the error is the caller's (4xx); false for a failure of ours, which is worth logging. */
  refused: boolean;
}

/** The codes and words of one app for what is not an AnswerbridgeError with a status. */
export interface HttpErrorVocabulary {
  /** A body over the size limit (the body parser's `entity.too.large`): 413. */
  tooLarge: { code: string; message: string };
  /** An unsupported content encoding or charset: 415; without it, a bad request. */
  unsupportedEncoding?: { code: string; message: string };
  /** Any other refusal by the body parser (its 4xx status is kept). */
  badRequest: { code: string; message: string };
  /** A failure of ours. `keepCode`: answer with the AnswerbridgeError's own code when there is one. */
  failure: { status: 500 | 503; code: string; message: string; keepCode?: boolean };
}

/** The body parser's errors are the one kind not ours: they are recognised by their documented fields. */
interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

/**
 * The one mapping from an error to an HTTP answer, shared by the gateway and the console: an
 * AnswerbridgeError with an `httpStatus` answers with it, its code and message; the body parser's refusals
 * get the app's own codes; anything else is a failure of ours (5xx).
 */
export function httpErrorOf(error: unknown, vocabulary: HttpErrorVocabulary): HttpErrorResponse {
  if (error instanceof AnswerbridgeError && error.httpStatus !== undefined)
    return { status: error.httpStatus, code: error.code, message: error.message, refused: true };
  const parser = (typeof error === 'object' && error !== null ? error : {}) as BodyParserError;
  if (parser.type === 'entity.too.large') return { status: 413, ...vocabulary.tooLarge, refused: true };
  if (
    vocabulary.unsupportedEncoding &&
    (parser.type === 'encoding.unsupported' || parser.type === 'charset.unsupported')
  )
    return { status: 415, ...vocabulary.unsupportedEncoding, refused: true };
  if (typeof parser.status === 'number' && parser.status >= 400 && parser.status < 500)
    return { status: parser.status, ...vocabulary.badRequest, refused: true };
  const { status, code, message, keepCode } = vocabulary.failure;
  return {
    status,
    code: keepCode && error instanceof AnswerbridgeError ? error.code : code,
    message,
    refused: false,
  };
}
