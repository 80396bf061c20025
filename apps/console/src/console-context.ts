import type { ConsoleSettings } from '@answerbridge/config';
import type { EscalationService, PersonalDataService } from '@answerbridge/escalation';
import type { Logger, Metrics } from '@answerbridge/observability';
import type { KnowledgeServices, Language } from '@answerbridge/pipeline';
import type {
  QueueInspector,
  RedisAttemptLimiter,
  RedisKeyValueStore,
  RedisQuickReplies,
  RedisRecentTurns,
} from '@answerbridge/redis';
import type { ConsoleAccountDirectory, ConsoleUser } from './console-users';
import type { EventStreamsPerSession } from './event-streams-per-session';

export interface Session {
  username: string;
  displayName: string;
  role: 'agent' | 'editor' | 'admin';
  csrf: string;
  /** When it was issued (epoch ms): a password reset, a role change or disabling ends older sessions. */
  issuedAt?: number;
}

export interface ConsoleContext {
  config: ConsoleSettings;
  /** The accounts that may log in now (PostgreSQL, as the directory last read it). */
  readonly users: ConsoleUser[];
  /** Console accounts: kept in PostgreSQL, read through a copy refreshed every few seconds. */
  accounts: ConsoleAccountDirectory;
  sessions: RedisKeyValueStore;
  /** Login attempts per account and per client address, shared by every replica. */
  loginAttempts: RedisAttemptLimiter;
  /** Logins refused by the throttle, by which budget was spent (account or address). */
  loginThrottled: ReturnType<Metrics['counter']>;
  /** The live-queue streams open in this process, capped per session. */
  eventStreams: EventStreamsPerSession;
  escalation: EscalationService;
  /** The last turns of each conversation with the bot, shown with the escalation. */
  turns: Pick<RedisRecentTurns, 'list'>;
  /** Canned answers agents insert; admins keep them. */
  quickReplies: RedisQuickReplies;
  /** Erasure of one person's data on request (admins). */
  personalData: PersonalDataService;
  knowledge: KnowledgeServices;
  queues: QueueInspector;
  knowledgeBaseFor: (botId: string) => string | undefined;
  /**
   * The language a bot sets in the bots file, if any (unset: each question is read by its script, as the worker
   * reads it): the console searches a bot's knowledge base as the bot does.
   */
  languageFor: (botId: string) => Language | undefined;
  logger: Logger;
  metrics: Metrics;
}
