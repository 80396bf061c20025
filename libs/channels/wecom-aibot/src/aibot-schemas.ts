import { BotBaseSchema } from '@answerbridge/core';
import { z } from 'zod';

export const AIBOT_CHANNEL = 'wecom-aibot';

/**
 * One AI bot (智能机器人) in the bots file. `http`: WeCom POSTs encrypted JSON callbacks to
 * `/wecom-aibot/<id>/callback` (管理工具 → 智能机器人 → API模式 → URL回调: Token + EncodingAESKey).
 * `ws`: the gateway holds the long connection (API模式 → 长连接: BotID + Secret), one socket per bot in the fleet.
 */
export const AibotBotSchema = BotBaseSchema.extend({
  channel: z.literal(AIBOT_CHANNEL),
  mode: z.enum(['http', 'ws']).default('http'),
  /** The BotID (`aibotid` of every callback). Required for `ws`; for `http`, callbacks of another bot are refused when set. */
  aibotId: z.string().min(1).optional(),
  /** URL回调's Token and 43-character EncodingAESKey (`http`). */
  token: z.string().min(1).optional(),
  encodingAesKey: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}$/, 'encodingAesKey must be 43 base64 characters')
    .optional(),
  /** The long connection's Secret (`ws`). */
  secret: z.string().min(1).optional(),
}).superRefine((bot, ctx) => {
  if (bot.mode === 'http' && (!bot.token || !bot.encodingAesKey))
    ctx.addIssue({ code: 'custom', message: `AI bot ${bot.id}: mode http needs token and encodingAesKey` });
  if (bot.mode === 'ws' && (!bot.aibotId || !bot.secret))
    ctx.addIssue({ code: 'custom', message: `AI bot ${bot.id}: mode ws needs aibotId and secret` });
});
export type AibotBot = z.infer<typeof AibotBotSchema>;

/** Where a reply goes: the message's stream, its response_url, or (long connection) the callback's req_id and chat. */
export const AibotReplyTargetSchema = z.object({
  channel: z.literal(AIBOT_CHANNEL),
  mode: z.enum(['http', 'ws']),
  chatType: z.enum(['direct', 'group']),
  /** The group's chatid (groups only). */
  chatId: z.string().min(1).optional(),
  userId: z.string().min(1),
  /** Our stream id for the message: its bubble. */
  streamId: z.string().min(1),
  /** The message's response_url (one use, one hour); only for allowed origins. */
  responseUrl: z.string().url().optional(),
  /** The long connection's req_id of the callback (`ws`). */
  reqId: z.string().min(1).optional(),
  /** When the gateway received the message: the stream window and the response_url's hour count from it. */
  receivedAt: z.number().int(),
});
export type AibotReplyTarget = z.infer<typeof AibotReplyTargetSchema>;

const origins = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const list = v
        .split(',')
        .map((s) => s.trim().replace(/\/$/, ''))
        .filter(Boolean);
      for (const o of list) {
        let parsed: URL | null = null;
        try {
          parsed = new URL(o);
        } catch {
          // reported below
        }
        if (!parsed || parsed.origin !== o)
          ctx.addIssue({ code: 'custom', message: `"${o}" is not an origin (scheme://host[:port], no path)` });
      }
      return list;
    });

/** The channel's settings, by their environment variable names. */
export const AibotSettingsSchema = z.object({
  /** The long connection's address (private deployments have their own). */
  WECOM_AIBOT_WS_URL: z.string().url().default('wss://openws.work.weixin.qq.com'),
  /**
   * The only origins a message's response_url may point at (comma-separated). The URL comes inside the
   * callback; a reply is never POSTed anywhere else.
   */
  WECOM_AIBOT_RESPONSE_ORIGINS: origins('https://qyapi.weixin.qq.com'),
  WECOM_AIBOT_API_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** Callbacks whose timestamp is further than this from now are refused (replay protection). */
  WECOM_AIBOT_CALLBACK_MAX_SKEW_SECONDS: z.coerce.number().int().positive().default(300),
  /** How long WeCom keeps refreshing a stream after the user's message (6 min); answers later go through response_url. */
  WECOM_AIBOT_STREAM_WINDOW_SECONDS: z.coerce.number().positive().default(360),
  /** The long connection's lease: a holder that stops renewing is replaced after this long. */
  WECOM_AIBOT_LEASE_SECONDS: z.coerce.number().positive().default(10),
  /** The long connection's heartbeat (WeCom recommends 30 s). */
  WECOM_AIBOT_PING_SECONDS: z.coerce.number().positive().default(30),
});
export type AibotSettings = z.infer<typeof AibotSettingsSchema>;
