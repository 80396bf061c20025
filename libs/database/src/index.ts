export {
  createPool,
  checkDatabase,
  describeDatabaseUrl,
  explainConnectionError,
  inTransaction,
  type Pool,
  type PoolClient,
  type PoolOptions,
} from './pool';
export {
  migrate,
  readMigrations,
  parseMigrations,
  pendingMigrations,
  checksumOf,
  migrationsDir,
  MIGRATION_LOCK_KEY,
  type Migration,
  type AppliedMigration,
  type MigrateOptions,
} from './migrations';
export { openDatabase } from './open-database';
export { DatabaseUnavailableError, DatabaseUrlError, MigrationError } from './errors';
export {
  PostgresConsoleAccounts,
  LastAdminError,
  CONSOLE_ROLES,
  type ConsoleRole,
  type ConsoleAccount,
  type NewConsoleAccount,
  type ConsoleAccountChanges,
} from './console-accounts';
export { PostgresKnowledgeRepository } from './knowledge-repository';
export { PostgresKnowledgeDrafts, PostgresKnowledgeChangeLog } from './knowledge-drafts';
export { PostgresAnalyticsEvents, ANALYTICS_COPY_LOCK_CLASS } from './analytics-events';
export { PostgresAnalyticsFacts } from './analytics-queries';
export { PostgresFaqDrafts, type FaqDraftRecord } from './faq-drafts';
export { PostgresLearnedPhrasings, PostgresSavedEntries, type LearnedPhrasingRecord } from './learned-phrasings';
