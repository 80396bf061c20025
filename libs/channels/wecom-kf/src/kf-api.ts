import { AnswerbridgeError, type KeyValueStore } from '@answerbridge/core';
import { WecomApiClient } from '@answerbridge/channel-wecom';
import { z } from 'zod';
import type { KfBot, KfSettings } from './kf-config';

/** The 微信客服 errcodes the channel acts on (docs/protocols/wecom-aibot-kf.md §3.7). */
export const KF_ERRCODES = {
  /** 发送客服消息次数限制: the 5 messages after the customer's last message are spent. */
  budgetSpent: 95001,
  /** 发送客服消息时间限制: 48 h since the customer's last message. */
  windowClosed: 95002,
  /** The session is not 0/1 (queued for or with a servicer): send_msg refused. */
  sessionInvalid: 95018,
  /** trans to a servicer who is not activated / not 接待中. */
  servicerInactive: 95014,
} as const;

/** One item of sync_msg's msg_list, as far as the channel reads it; the rest is passed over. */
export const KfSyncItemSchema = z.looseObject({
  msgid: z.string().min(1).max(256),
  open_kfid: z.string().optional(),
  external_userid: z.string().optional(),
  send_time: z.number().int().nonnegative().optional(),
  /** 3 customer, 4 system event, 5 servicer writing from the WeCom client. */
  origin: z.number().int(),
  servicer_userid: z.string().optional(),
  msgtype: z.string(),
  text: z.looseObject({ content: z.string(), menu_id: z.string().optional() }).optional(),
  event: z
    .looseObject({
      event_type: z.string(),
      open_kfid: z.string().optional(),
      external_userid: z.string().optional(),
      welcome_code: z.string().optional(),
      fail_msgid: z.string().optional(),
      fail_type: z.number().int().optional(),
      change_type: z.number().int().optional(),
      old_servicer_userid: z.string().optional(),
      new_servicer_userid: z.string().optional(),
      msg_code: z.string().optional(),
    })
    .optional(),
});
export type KfSyncItem = z.infer<typeof KfSyncItemSchema>;

const SyncPageSchema = z.looseObject({
  next_cursor: z.string().max(256).optional(),
  has_more: z.union([z.number(), z.boolean()]).optional(),
  msg_list: z.array(z.unknown()).max(1000).optional(),
});

export interface KfSyncPage {
  nextCursor: string | undefined;
  hasMore: boolean;
  /** The items that parse; `skipped` counts those that do not (logged, never fatal to the page). */
  items: KfSyncItem[];
  skipped: number;
}

const StateSchema = z.looseObject({
  service_state: z.number().int().min(0).max(4),
  servicer_userid: z.string().optional(),
});

/**
 * 微信客服's server API for one kf bot. Everything goes through the managing app's WecomApiClient, so the
 * access token is the one shared by every process (and by a `wecom` bot of the same app): one refresher,
 * refresh-and-retry on 40001/40014/42001, backoff on 45009.
 */
export class KfApi {
  private readonly client: WecomApiClient;

  constructor(
    readonly bot: KfBot,
    settings: KfSettings,
    store: KeyValueStore,
    onApiError?: (errcode: number) => void,
  ) {
    this.client = new WecomApiClient({
      baseUrl: settings.WECOM_KF_API_BASE_URL,
      corpId: bot.corpId,
      agentId: bot.agentId,
      secret: bot.secret,
      store,
      timeoutMs: settings.WECOM_KF_API_TIMEOUT_MS,
      ...(onApiError ? { onApiError } : {}),
    });
  }

  private async call(path: string, body: unknown): Promise<unknown> {
    return this.client.call(path, body);
  }

  /** One page of sync_msg. `token` is the callback's (10 min); without it WeCom rate-limits strictly. */
  async syncMsg(options: {
    cursor: string | undefined;
    token: string | undefined;
    limit: number;
  }): Promise<KfSyncPage> {
    const raw = await this.call('/cgi-bin/kf/sync_msg', {
      ...(options.cursor ? { cursor: options.cursor } : {}),
      ...(options.token ? { token: options.token } : {}),
      limit: options.limit,
      voice_format: 0,
      open_kfid: this.bot.openKfId,
    });
    const page = SyncPageSchema.safeParse(raw);
    if (!page.success)
      throw new AnswerbridgeError(
        'WECOM_KF.BAD_RESPONSE',
        `sync_msg answered an unexpected shape: ${page.error.message}`,
        true,
      );
    const items: KfSyncItem[] = [];
    let skipped = 0;
    for (const item of page.data.msg_list ?? []) {
      const parsed = KfSyncItemSchema.safeParse(item);
      if (parsed.success) items.push(parsed.data);
      else skipped++;
    }
    return {
      nextCursor: page.data.next_cursor || undefined,
      hasMore: page.data.has_more === 1 || page.data.has_more === true,
      items,
      skipped,
    };
  }

  /** send_msg (text). `msgid` is our idempotency key: unique per kf account, ≤32 of [0-9a-zA-Z_-]. */
  async sendText(externalUserId: string, content: string, msgid: string): Promise<{ msgid: string | null }> {
    const res = (await this.call('/cgi-bin/kf/send_msg', {
      touser: externalUserId,
      open_kfid: this.bot.openKfId,
      msgid,
      msgtype: 'text',
      text: { content },
    })) as { msgid?: unknown };
    return { msgid: typeof res.msgid === 'string' ? res.msgid : null };
  }

  /** send_msg_on_event: a welcome (enter_session's welcome_code, 20 s) or a notice on a trans's msg_code. */
  async sendOnEvent(code: string, content: string, msgid: string): Promise<void> {
    await this.call('/cgi-bin/kf/send_msg_on_event', { code, msgid, msgtype: 'text', text: { content } });
  }

  async serviceState(externalUserId: string): Promise<{ state: number; servicerUserId: string | undefined }> {
    const raw = await this.call('/cgi-bin/kf/service_state/get', {
      open_kfid: this.bot.openKfId,
      external_userid: externalUserId,
    });
    const parsed = StateSchema.safeParse(raw);
    if (!parsed.success)
      throw new AnswerbridgeError('WECOM_KF.BAD_RESPONSE', 'service_state/get answered an unexpected shape', true);
    return { state: parsed.data.service_state, servicerUserId: parsed.data.servicer_userid };
  }

  /** service_state/trans; returns the msg_code for send_msg_on_event when WeCom gives one. */
  async transfer(externalUserId: string, state: 1 | 2 | 3, servicerUserId?: string): Promise<string | undefined> {
    const res = (await this.call('/cgi-bin/kf/service_state/trans', {
      open_kfid: this.bot.openKfId,
      external_userid: externalUserId,
      service_state: state,
      ...(servicerUserId ? { servicer_userid: servicerUserId } : {}),
    })) as { msg_code?: unknown };
    return typeof res.msg_code === 'string' && res.msg_code ? res.msg_code : undefined;
  }
}

/** What the fetcher, the sender and the handover use of the API (unit tests give a fake). */
export type KfApiPort = Pick<KfApi, 'bot' | 'syncMsg' | 'sendText' | 'sendOnEvent' | 'serviceState' | 'transfer'>;
