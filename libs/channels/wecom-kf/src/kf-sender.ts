import {
  AnswerbridgeError,
  type ChannelLogger,
  type ChannelSender,
  type KeyValueStore,
  type OutboundReply,
} from '@answerbridge/core';
import { WECOM_TEXT_LIMIT_BYTES, splitUtf8 } from '@answerbridge/channel-wecom';
import type { KfApiPort } from './kf-api';
import { KfReplyTargetSchema } from './kf-config';
import { KF_TTL_MS, kfKeys, parseWindow, platformMsgId } from './kf-keys';
import type { KfMessages } from './kf-messages';

/** WeCom allows this many send_msg calls after each customer message (docs/protocols/wecom-aibot-kf.md §3.4). */
export const KF_SENDS_PER_CUSTOMER_MESSAGE = 5;
const WINDOW_MS = 48 * 3_600_000;

/** A reply WeCom's rules forbid now: retrying cannot help, so the job goes to the dead letters at once. */
export class KfSendRefusedError extends AnswerbridgeError {
  constructor(code: 'WECOM_KF.WINDOW_CLOSED' | 'WECOM_KF.BUDGET_SPENT', message: string) {
    super(code, message, false);
  }
}

/** Cuts text into at most `pieces` messages of ≤2048 bytes; a cut answer ends with the catalog's note. */
export function fitToBudget(text: string, pieces: number, note: string): string[] {
  const chunks = splitUtf8(text);
  if (chunks.length <= pieces) return chunks;
  const kept = chunks.slice(0, Math.max(0, pieces - 1));
  const room = WECOM_TEXT_LIMIT_BYTES - Buffer.byteLength(note, 'utf8');
  const last = splitUtf8(chunks.slice(kept.length).join('\n'), room)[0] ?? '';
  return [...kept, `${last}${note}`];
}

export interface KfSenderDeps {
  /** The API of a kf bot, by bot id. */
  apis: (botId: string) => KfApiPort | undefined;
  store: KeyValueStore;
  messages: (botId: string) => KfMessages;
  logger: ChannelLogger;
  nowMs(): number;
}

/**
 * Sends a reply through kf/send_msg within WeCom's rules: only within 48 h of the customer's last
 * message, and at most 5 messages per customer message. Both are tracked per customer in the store:
 * the fetcher records the last message (the window), and each send claims one of the 5 slots of that
 * message (set-if-absent, so two workers never take the same one). Beyond them the sender refuses with
 * a clear, non-retryable error instead of letting WeCom refuse (95001/95002) ten times over; a long
 * answer is cut to the slots left. Each chunk WeCom accepted is marked, so a retried job resumes after
 * it, and its send_msg msgid derives from the reply, so WeCom itself sees a repeat as one message.
 */
export class KfSender implements ChannelSender {
  constructor(private readonly deps: KfSenderDeps) {}

  async send(reply: OutboundReply): Promise<{ platformMessageId: string | null }> {
    const target = KfReplyTargetSchema.safeParse(reply.target);
    if (!target.success)
      throw new AnswerbridgeError('WECOM_KF.WRONG_CHANNEL', `reply ${reply.id} is not for 微信客服`, false);
    const api = this.deps.apis(reply.botId);
    if (!api) throw new AnswerbridgeError('WECOM_KF.UNKNOWN_BOT', `no 微信客服 bot ${reply.botId}`, false);
    const { openKfId, externalUserId: user } = target.data;
    if (openKfId !== api.bot.openKfId)
      throw new AnswerbridgeError('WECOM_KF.WRONG_ACCOUNT', `reply ${reply.id} is for another kf account`, false);
    const { store } = this.deps;
    const keys = kfKeys(api.bot.corpId, openKfId);

    // While WeCom's servicers hold the session, send_msg is refused (95018) and the servicer speaks: the bot's
    // words are dropped, but an agent's reply fails visibly in the inbox instead of vanishing.
    if ((await store.get(keys.withServicer(user))) !== null) {
      if (reply.track)
        throw new AnswerbridgeError(
          'WECOM_KF.WITH_SERVICER',
          `reply ${reply.id}: a WeCom servicer holds this session; WeCom accepts no message from us now`,
          false,
        );
      this.deps.logger.info({ replyId: reply.id }, 'not sent: the session is with a WeCom servicer');
      return { platformMessageId: null };
    }
    const window = parseWindow(await store.get(keys.window(user)));
    if (!window || this.deps.nowMs() - window.at > WINDOW_MS)
      throw new KfSendRefusedError(
        'WECOM_KF.WINDOW_CLOSED',
        `reply ${reply.id}: the customer's last message is more than 48 h old; WeCom allows no message now`,
      );

    // Slots this reply holds already (a retried job) count as its own; free ones are claimed as it sends.
    const slots = await Promise.all(
      Array.from({ length: KF_SENDS_PER_CUSTOMER_MESSAGE }, (_, n) => store.get(keys.sendSlot(user, window.msgid, n))),
    );
    const mine = slots.filter((v) => v?.startsWith(`${reply.id}#`)).length;
    const free = slots.filter((v) => v === null).length;
    if (mine + free === 0)
      throw new KfSendRefusedError(
        'WECOM_KF.BUDGET_SPENT',
        `reply ${reply.id}: the ${KF_SENDS_PER_CUSTOMER_MESSAGE} messages WeCom allows after the customer's last message are spent`,
      );
    const chunks = fitToBudget(reply.text, mine + free, this.deps.messages(reply.botId).truncated);

    let last: string | null = null;
    for (const [index, chunk] of chunks.entries()) {
      const mark = keys.sentChunk(reply.id, index);
      const already = await store.get(mark);
      if (already !== null) {
        last = already || null;
        continue;
      }
      await this.claimSlot(keys, user, window.msgid, `${reply.id}#${index}`);
      const { msgid } = await api.sendText(user, chunk, platformMsgId(reply.id, String(index)));
      last = msgid;
      await store.set(mark, msgid ?? '', KF_TTL_MS.sentChunk);
    }
    return { platformMessageId: last };
  }

  private async claimSlot(
    keys: ReturnType<typeof kfKeys>,
    user: string,
    anchor: string,
    holder: string,
  ): Promise<void> {
    const { store } = this.deps;
    for (let n = 0; n < KF_SENDS_PER_CUSTOMER_MESSAGE; n++) {
      const key = keys.sendSlot(user, anchor, n);
      if ((await store.get(key)) === holder) return;
      if (await store.setIfAbsent(key, holder, KF_TTL_MS.sendSlot)) return;
    }
    throw new KfSendRefusedError(
      'WECOM_KF.BUDGET_SPENT',
      `the ${KF_SENDS_PER_CUSTOMER_MESSAGE} messages WeCom allows after the customer's last message were spent meanwhile`,
    );
  }
}
