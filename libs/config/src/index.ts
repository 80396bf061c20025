export { loadAppConfig, loadConfig, EnvSchema, workspaceRoot, type AppConfig, type Env } from './config';
export {
  appSettings,
  type AppName,
  type ChannelSendingSettings,
  type ConsoleSettings,
  type EscalationSettings,
  type GatewaySettings,
  type KbSettings,
  type KnowledgeSettings,
  type SettingsOf,
  type SimulatorSettings,
  type WorkerSettings,
} from './app-settings';
export {
  BotIdSchema,
  BotSchema,
  ConfigError,
  parseBotsFile,
  interpolateSecrets,
  type BotConfig,
  type WecomBotConfig,
  type DingTalkBotConfig,
} from './bots';
