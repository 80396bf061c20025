export { loadConfig, EnvSchema, workspaceRoot, type AppConfig, type Env } from './config';
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
