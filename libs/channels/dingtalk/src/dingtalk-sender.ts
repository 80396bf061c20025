import {
  AnswerbridgeError,
  HttpClient,
  type ChannelSender,
  type KeyValueStore,
  type OutboundReply,
} from '@answerbridge/core';
import type { DingTalkApiClient } from './dingtalk-api-client';
import { DingTalkReplyTargetSchema, type DingTalkReplyTarget } from './dingtalk-bot';
import { allowedSessionWebhook } from './session-webhook';

const SENT_MARK_TTL_MS = 7 * 86_400_000;

/** Answers written in Markdown (headings, lists, emphasis, links) go out as markdown, which DingTalk renders. */
export function looksLikeMarkdown(text: string): boolean {
  return /^#{1,6}\s|^\s*[-*]\s|^\s*\d+\.\s|\*\*[^*]+\*\*|\[[^\]]+\]\([^)]+\)/m.test(text);
}

function markdownTitle(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/^[#>*\-\s]+/, '').slice(0, 20) || '回复';
}
/** A webhook this close to its expiry is not worth trying. */
const WEBHOOK_MARGIN_MS = 60_000;
/** DingTalk answers an expired session with this errcode ("session 不存在"). */
const SESSION_GONE = 300001;

export interface DingTalkSenderOptions {
  /** DINGTALK_WEBHOOK_ORIGINS: a sessionWebhook elsewhere is never posted to. */
  webhookOrigins: readonly string[];
  timeoutMs?: number;
  now?: () => number;
  /** Told when a reply's sessionWebhook is not used for safety (disallowed origin, or it redirected). */
  onWebhookRefused?: (refusal: { botId: string; origin: string | null; reason: string }) => void;
}

/**
 * Replies through the message's sessionWebhook while it is valid (it can @ the asker in a group), else
 * through the robot OpenAPI (1:1 batchSend, or groupMessages/send). Marked sent once DingTalk accepts
 * it, so a retried job does not send twice.
 *
 * The webhook came from a message body, so it is checked against the allowed origins again right before
 * the POST (jobs queued before the gateway checked it, or by another path), and redirects are not
 * followed: an allowed host must not be able to bounce the answer elsewhere.
 */
export class DingTalkSender implements ChannelSender {
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly http = new HttpClient({ codePrefix: 'DINGTALK' });

  constructor(
    private readonly clients: (botId: string) => DingTalkApiClient | undefined,
    private readonly store: KeyValueStore,
    private readonly options: DingTalkSenderOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  async send(reply: OutboundReply): Promise<{ platformMessageId: string | null }> {
    const parsed = DingTalkReplyTargetSchema.safeParse(reply.target);
    if (!parsed.success)
      throw new AnswerbridgeError(
        'DINGTALK.WRONG_CHANNEL',
        `reply ${reply.id} is not for DingTalk (no DingTalk reply target)`,
        false,
      );
    const target = parsed.data;
    const mark = `sent:${reply.id}`;
    if ((await this.store.get(mark)) !== null) return { platformMessageId: null };
    const via = (await this.trySessionWebhook(reply, target)) ? 'webhook' : await this.sendByOpenApi(reply, target);
    await this.store.set(mark, via, SENT_MARK_TTL_MS);
    return { platformMessageId: null };
  }

  private async trySessionWebhook(reply: OutboundReply, target: DingTalkReplyTarget): Promise<boolean> {
    if (!target.sessionWebhook) return false;
    if ((target.sessionWebhookExpiresAt ?? 0) - WEBHOOK_MARGIN_MS < this.now()) return false;
    const webhook = allowedSessionWebhook(target.sessionWebhook, this.options.webhookOrigins);
    if ('refused' in webhook) {
      this.options.onWebhookRefused?.({ botId: reply.botId, origin: webhook.origin, reason: webhook.refused });
      return false;
    }
    const group = target.chatType === 'group';
    const res = await this.http.request(webhook.url, {
      what: 'sessionWebhook',
      timeoutMs: this.timeoutMs,
      redirect: 'refuse',
      json: {
        ...(looksLikeMarkdown(reply.text)
          ? // A markdown message @mentions only when the @ is in its text too.
            {
              msgtype: 'markdown',
              markdown: {
                title: markdownTitle(reply.text),
                text: group ? `${reply.text}\n\n@${target.staffId}` : reply.text,
              },
            }
          : { msgtype: 'text', text: { content: reply.text } }),
        ...(group ? { at: { atUserIds: [target.staffId], isAtAll: false } } : {}),
      },
    });
    if (res.status >= 300 && res.status < 400) {
      // DingTalk's webhook answers, it does not redirect: do not follow it, answer through the OpenAPI.
      this.options.onWebhookRefused?.({
        botId: reply.botId,
        origin: new URL(webhook.url).origin,
        reason: `it answered with a redirect (HTTP ${res.status})`,
      });
      return false;
    }
    const body = (res.json ?? {}) as { errcode?: number; errmsg?: string };
    if (res.ok && body.errcode === 0) return true;
    if (body.errcode === SESSION_GONE) return false;
    throw new AnswerbridgeError(
      'DINGTALK.WEBHOOK',
      `sessionWebhook refused: HTTP ${res.status} ${body.errcode ?? ''} ${body.errmsg ?? ''}`,
      res.status >= 500 || res.status === 429,
    );
  }

  private async sendByOpenApi(reply: OutboundReply, target: DingTalkReplyTarget): Promise<string> {
    const client = this.clients(reply.botId);
    if (!client) throw new AnswerbridgeError('DINGTALK.UNKNOWN_BOT', `no DingTalk bot ${reply.botId}`, false);
    // Group sends through the OpenAPI cannot @ people (docs/protocols/dingtalk.md §3.2); only the webhook can.
    const [msgKey, msgParam] = looksLikeMarkdown(reply.text)
      ? ['sampleMarkdown', { title: markdownTitle(reply.text), text: reply.text }]
      : ['sampleText', { content: reply.text }];
    if (target.chatType === 'group' && target.openConversationId)
      await client.sendToGroup(target.robotCode, target.openConversationId, msgKey, msgParam);
    else await client.sendToUsers(target.robotCode, [target.staffId], msgKey, msgParam);
    return 'openapi';
  }
}
