import { readFileSync } from 'node:fs';
import { BotBaseSchema, ConfigurationError } from '@answerbridge/core';
import { z } from 'zod';

/**
 * A bot as the bots file holds it: the fields every bot has (`BotBase`), and the channel's own fields
 * passed through as they are. Each channel's `botSchema` checks the rest (libs/pipeline's channel
 * registry, at every app's boot): libs/config knows no channel.
 */
export const BotSchema = BotBaseSchema.loose();
export type BotConfig = z.infer<typeof BotSchema>;

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
