import type { BotConfig, GatewaySettings } from '@answerbridge/config';
import type { Logger, Metrics } from '@answerbridge/observability';
import type { JobProducer, Redis } from '@answerbridge/redis';

export interface GatewayContext {
  config: GatewaySettings;
  bots: Map<string, BotConfig>;
  producer: JobProducer;
  redis: Redis;
  logger: Logger;
  metrics: Metrics;
}
