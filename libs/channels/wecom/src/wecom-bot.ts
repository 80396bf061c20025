import { BotBaseSchema } from '@answerbridge/core';
import { z } from 'zod';

/** A WeCom self-built app (自建应用) in the bots file. */
export const WecomBotSchema = BotBaseSchema.extend({
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
});
export type WecomBotConfig = z.infer<typeof WecomBotSchema>;

/** A WeCom reply goes to one member of the corp through the app that was written to. */
export const WecomReplyTargetSchema = z.object({
  channel: z.literal('wecom'),
  toUser: z.string().min(1),
  agentId: z.number().int(),
});
export type WecomReplyTarget = z.infer<typeof WecomReplyTargetSchema>;

/** WeCom's settings, by their environment variable names (see deploy/.env.example). */
export const WecomSettingsSchema = z.object({
  /** WeCom server API; the simulator's URL locally. */
  WECOM_API_BASE_URL: z.string().url().default('https://qyapi.weixin.qq.com'),
  WECOM_API_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** Callbacks whose timestamp is further than this from now are refused (replay protection). */
  CALLBACK_MAX_SKEW_SECONDS: z.coerce.number().int().positive().default(300),
  /** Key of the agents' WeCom group robot (消息推送 webhook); unset: no group notification. */
  AGENT_NOTIFY_WECOM_WEBHOOK_KEY: z.string().optional(),
});
export type WecomSettings = z.infer<typeof WecomSettingsSchema>;
