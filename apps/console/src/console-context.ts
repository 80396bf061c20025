import type { AppConfig } from '@answerbridge/config';
import type { EscalationService } from '@answerbridge/escalation';
import type { FaqEntry } from '@answerbridge/knowledge';
import type { Logger, Metrics } from '@answerbridge/observability';
import type { KnowledgeServices } from '@answerbridge/pipeline';
import type { QueueInspector, RedisKeyValueStore, RedisSavedEntries } from '@answerbridge/queue';
import type { ConsoleUser } from './console-users';

export interface Session {
  username: string;
  displayName: string;
  role: 'agent' | 'admin';
  csrf: string;
}

export interface ConsoleContext {
  config: AppConfig;
  users: ConsoleUser[];
  sessions: RedisKeyValueStore;
  escalation: EscalationService;
  knowledge: KnowledgeServices;
  savedEntries: RedisSavedEntries<FaqEntry>;
  queues: QueueInspector;
  knowledgeBaseFor: (botId: string) => string | undefined;
  logger: Logger;
  metrics: Metrics;
}
