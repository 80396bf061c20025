import { AnswerbridgeError } from '@answerbridge/core';

/**
 * PostgreSQL cannot be reached or refuses us (down, wrong host, unknown database, wrong password). The message
 * names the server (never the password) and what to do; another attempt may help once it is fixed.
 */
export class DatabaseUnavailableError extends AnswerbridgeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATABASE.UNAVAILABLE', message, true, options);
  }
}

/** DATABASE_URL is not a PostgreSQL URL. */
export class DatabaseUrlError extends AnswerbridgeError {
  constructor(message: string) {
    super('DATABASE.BAD_URL', message, false);
  }
}

/**
 * The migrations cannot be applied as they are: an applied one was changed, the database has one this build
 * does not know (a newer build ran), the files are misnumbered, or one failed (its transaction was rolled back).
 */
export class MigrationError extends AnswerbridgeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATABASE.MIGRATION', message, false, options);
  }
}
