import { BotBaseSchema } from '@answerbridge/core';
import { z } from 'zod';

/** A DingTalk internal app with a robot, in the bots file. */
export const DingTalkBotSchema = BotBaseSchema.extend({
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
});
export type DingTalkBotConfig = z.infer<typeof DingTalkBotSchema>;

export const DingTalkReplyTargetSchema = z.object({
  channel: z.literal('dingtalk'),
  robotCode: z.string().min(1),
  chatType: z.enum(['direct', 'group']),
  /** The group's openConversationId (groups only). */
  openConversationId: z.string().optional(),
  /** The asker's staffId: OpenAPI recipient and the @mention in groups. */
  staffId: z.string().min(1),
  /** Reply URL valid for about 90 minutes after the message; later replies use the OpenAPI. */
  sessionWebhook: z.string().url().optional(),
  sessionWebhookExpiresAt: z.number().int().optional(),
});
export type DingTalkReplyTarget = z.infer<typeof DingTalkReplyTargetSchema>;

/** DingTalk's settings, by their environment variable names (see deploy/.env.example). */
export const DingTalkSettingsSchema = z
  .object({
    /** DingTalk OpenAPI and Stream gateway (api.dingtalk.com); the simulator's URL locally. */
    DINGTALK_API_BASE_URL: z.string().url().default('https://api.dingtalk.com'),
    DINGTALK_API_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
    /** A Stream socket that delivered nothing (not even a ping) for this long is replaced. */
    DINGTALK_STREAM_WATCHDOG_SECONDS: z.coerce.number().positive().default(90),
    /** HTTP mode refuses callbacks whose timestamp is further than this from now (DingTalk: one hour). */
    DINGTALK_CALLBACK_MAX_SKEW_SECONDS: z.coerce.number().int().positive().default(3_600),
    /**
     * The only origins a message's sessionWebhook may point at (comma-separated, scheme://host[:port]). The
     * webhook comes from the message body, which DingTalk's HTTP-mode signature does not cover: anything else
     * is ignored and the reply goes through the OpenAPI instead.
     */
    DINGTALK_WEBHOOK_ORIGINS: z
      .string()
      .default('https://oapi.dingtalk.com,https://api.dingtalk.com')
      .transform((v, ctx) => {
        const origins = v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        for (const o of origins) {
          let parsed: URL | null = null;
          try {
            parsed = new URL(o);
          } catch {
            // reported below
          }
          if (!parsed || parsed.origin !== o.replace(/\/$/, ''))
            ctx.addIssue({ code: 'custom', message: `"${o}" is not an origin (scheme://host[:port], no path)` });
        }
        return origins.map((o) => o.replace(/\/$/, ''));
      }),
    /**
     * The agents' DingTalk group: the id of a DingTalk bot (from BOTS_FILE) whose robot is a member of that
     * group, and the group's openConversationId. The robot posts there through the OpenAPI (custom group
     * robots are being retired by DingTalk). Both or neither.
     */
    AGENT_NOTIFY_DINGTALK_BOT: z.string().optional(),
    AGENT_NOTIFY_DINGTALK_CONVERSATION_ID: z.string().optional(),
  })
  .refine((s) => !s.AGENT_NOTIFY_DINGTALK_BOT === !s.AGENT_NOTIFY_DINGTALK_CONVERSATION_ID, {
    message: 'AGENT_NOTIFY_DINGTALK_BOT and AGENT_NOTIFY_DINGTALK_CONVERSATION_ID go together',
  });
export type DingTalkSettings = z.infer<typeof DingTalkSettingsSchema>;
