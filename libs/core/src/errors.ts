/**
 * Errors with a stable code, so they survive crossing a queue or a process (instanceof does not).
 * `retryable` tells the worker whether another attempt can help.
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
}
