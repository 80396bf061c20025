export { loadAppConfig, loadConfig, EnvSchema, workspaceRoot, type AppConfig, type Env } from './config';
export {
  appSettings,
  type AppName,
  type ConsoleSettings,
  type EscalationSettings,
  type GatewaySettings,
  type KbSettings,
  type KnowledgeSettings,
  type SettingsOf,
  type SimulatorSettings,
  type WorkerSettings,
} from './app-settings';
export { BotSchema, ConfigError, parseBotsFile, interpolateSecrets, type BotConfig } from './bots';
/** Kept here too: the bot id rules are the bots file's. */
export { BotIdSchema } from '@answerbridge/core';
export { keyPrefixFor, isValidKeyPrefix } from './key-prefix';
