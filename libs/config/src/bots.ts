import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@answerbridge/core';
import { z } from 'zod';

/** Bot ids become Milvus collection names and Redis key parts, so they are kept to a safe alphabet. */
export const BotIdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,47}$/, 'bot id: a letter, then letters, digits or _ (at most 48)');

const WecomBotSchema = z.object({
  id: BotIdSchema,
  channel: z.literal('wecom'),
  /** CorpID: the receive id every callback must carry. */
  corpId: z.string().min(1),
  agentId: z.coerce.number().int().nonnegative(),
  /** Callback Token from the admin console (接收消息 → 设置API接收). */
  token: z.string().min(1),
  /** 43-character EncodingAESKey. */
  encodingAesKey: z.string().regex(/^[A-Za-z0-9+/]{43}$/, 'encodingAesKey must be 43 base64 characters'),
  /** The app's Secret, used for gettoken. */
  secret: z.string().min(1),
  /** The knowledge base answering for this bot; defaults to the bot id. */
  knowledgeBase: BotIdSchema.optional(),
  /** The language of the bot's FAQ: picks the measured search default (bench/quality). */
  language: z.enum(['zh', 'en']).default('zh'),
});

const DingTalkBotSchema = z.object({
  id: BotIdSchema,
  channel: z.literal('dingtalk'),
  /** The app's AppKey (ClientID); also the robotCode of an internal app's robot. */
  clientId: z.string().min(1),
  /** AppSecret (ClientSecret): Stream handshake, OpenAPI token, and the HTTP-mode signature key. */
  clientSecret: z.string().min(1),
  robotCode: z.string().min(1).optional(),
  /** stream: an outbound WebSocket per gateway replica (no public IP needed); http: DingTalk POSTs to us. */
  mode: z.enum(['stream', 'http']).default('stream'),
  /** The robot's display name, stripped from the start of group messages that @ it. */
  robotName: z.string().optional(),
  knowledgeBase: BotIdSchema.optional(),
  language: z.enum(['zh', 'en']).default('zh'),
});

export const BotSchema = z.discriminatedUnion('channel', [WecomBotSchema, DingTalkBotSchema]);
export type BotConfig = z.infer<typeof BotSchema>;
export type WecomBotConfig = z.infer<typeof WecomBotSchema>;
export type DingTalkBotConfig = z.infer<typeof DingTalkBotSchema>;

const BotsFileSchema = z.object({ bots: z.array(BotSchema).min(1) }).superRefine((file, ctx) => {
  const seen = new Set<string>();
  for (const bot of file.bots) {
    if (seen.has(bot.id)) ctx.addIssue({ code: 'custom', message: `duplicate bot id "${bot.id}"` });
    seen.add(bot.id);
  }
});

export class ConfigError extends ConfigurationError {
  constructor(message: string) {
    super('CONFIG.INVALID', message);
  }
}

/**
 * Replaces `${NAME}` with the environment variable NAME, and `${file:/path}` with the trimmed content
 * of that file, so secrets stay out of the bots file itself (Kubernetes Secrets mount as files).
 */
export function interpolateSecrets(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\{(file:)?([^}]+)\}/g, (_m, isFile: string | undefined, ref: string) => {
    if (isFile) {
      try {
        return readFileSync(ref, 'utf8').trim();
      } catch {
        throw new ConfigError(`bots file refers to secret file ${ref}, which cannot be read`);
      }
    }
    const value = env[ref];
    if (value === undefined) throw new ConfigError(`bots file refers to \${${ref}}, which is not set`);
    return value;
  });
}

/**
 * Resolves secret references inside the parsed document's string values, never in its text: a secret
 * holding `"` or `\` is a value like any other and cannot change the file's structure.
 */
function resolveSecretsIn(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolateSecrets(value, env);
  if (Array.isArray(value)) return value.map((v) => resolveSecretsIn(v, env));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSecretsIn(v, env)]));
  return value;
}

export function parseBotsFile(jsonText: string, env: Record<string, string | undefined>, source: string): BotConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(jsonText);
  } catch (error) {
    throw new ConfigError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  raw = resolveSecretsIn(raw, env);
  const parsed = BotsFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      `${source}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data.bots;
}
