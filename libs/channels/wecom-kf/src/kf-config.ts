import { BotBaseSchema } from '@answerbridge/core';
import { z } from 'zod';

/** The channel's name in bots files, messages, reply targets and Redis keys. */
export const KF_CHANNEL = 'wecom-kf';

/**
 * One 微信客服 account served by the bot. The callback, its crypto and the access token belong to the
 * self-built app that manages the account (「微信客服-可调用接口的应用」), so those fields are the app's.
 */
export const KfBotSchema = BotBaseSchema.extend({
  channel: z.literal(KF_CHANNEL),
  /** CorpID: the callback's receive id, and gettoken's corpid. */
  corpId: z.string().min(1),
  /** The managing app's AgentId: names its access token, shared with a `wecom` bot of the same app. */
  agentId: z.coerce.number().int().nonnegative(),
  /** The managing app's Secret (a system app's secret is refused by WeCom since 2023-12-01). */
  secret: z.string().min(1),
  /** Token and EncodingAESKey of the 微信客服 callback (微信客服 → API → 回调配置). */
  token: z.string().min(1),
  encodingAesKey: z.string().regex(/^[A-Za-z0-9+/]{43}$/, 'encodingAesKey must be 43 base64 characters'),
  /** The account's open_kfid (wk…): the account this bot answers for. */
  openKfId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'openKfId: the account id, wk…'),
  /**
   * Where a conversation goes when the bot hands over: `inbox` keeps the session with the bot (state 1)
   * and agents answer from our inbox through send_msg; `wecom-servicers` moves the session to WeCom's
   * own 接待人员 (service_state/trans: the pool, or `servicerUserId`), who answer in the WeCom client.
   */
  handover: z.enum(['inbox', 'wecom-servicers']).default('inbox'),
  /** With `wecom-servicers`: this servicer takes the session (state 3) instead of the pool (state 2). */
  servicerUserId: z.string().min(1).optional(),
  /** The welcome sent on enter_session; the catalog's when absent. */
  welcome: z.string().min(1).max(1000).optional(),
});
export type KfBot = z.infer<typeof KfBotSchema>;

/** A reply goes to one external customer of one kf account. */
export const KfReplyTargetSchema = z.object({
  channel: z.literal(KF_CHANNEL),
  openKfId: z.string().min(1),
  externalUserId: z.string().min(1),
});
export type KfReplyTarget = z.infer<typeof KfReplyTargetSchema>;

/**
 * The channel's settings, by their environment variable names (the channel port parses the environment
 * snapshot libs/config takes). The kf API lives on WeCom's API host; its own variable lets a test or the
 * demo point it at the kf simulator.
 */
export const KfSettingsSchema = z.object({
  WECOM_KF_API_BASE_URL: z.string().url().default('https://qyapi.weixin.qq.com'),
  WECOM_KF_API_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** Callbacks whose timestamp is further than this from now are refused (replays); the same as WeCom's. */
  CALLBACK_MAX_SKEW_SECONDS: z.coerce.number().int().positive().default(300),
  /** Messages per sync_msg page (WeCom's maximum is 1000). */
  WECOM_KF_PAGE_LIMIT: z.coerce.number().int().min(1).max(1000).default(1000),
  /**
   * With no cursor stored yet (first start, or Redis lost), customer messages older than this are read
   * past without an answer: WeCom replays up to 3 days, and a bot answering days-old questions at once
   * would surprise everyone.
   */
  WECOM_KF_FIRST_FETCH_MAX_AGE_SECONDS: z.coerce.number().int().nonnegative().default(3_600),
});
export type KfSettings = z.infer<typeof KfSettingsSchema>;
