import type { ChannelSender, KeyValueStore, OutboundReply } from '@answerbridge/core';
import { AnswerbridgeError } from '@answerbridge/core';
import { splitUtf8 } from './text-chunks';
import { WecomReplyTargetSchema } from './wecom-bot';
import type { WecomApiClient } from './wecom-api-client';

const SENT_MARK_TTL_MS = 7 * 86_400_000;

/**
 * Sends a reply through message/send. Each chunk is marked sent in the store after WeCom accepts it,
 * so a retried job resumes after the last delivered chunk instead of repeating the reply.
 */
export class WecomSender implements ChannelSender {
  constructor(
    private readonly clients: (botId: string) => WecomApiClient | undefined,
    private readonly store: KeyValueStore,
  ) {}

  async send(reply: OutboundReply): Promise<{ platformMessageId: string | null }> {
    const target = WecomReplyTargetSchema.safeParse(reply.target);
    if (!target.success)
      throw new AnswerbridgeError(
        'WECOM.WRONG_CHANNEL',
        `reply ${reply.id} is not for WeCom (no WeCom reply target)`,
        false,
      );
    const client = this.clients(reply.botId);
    if (!client) throw new AnswerbridgeError('WECOM.UNKNOWN_BOT', `no WeCom bot ${reply.botId}`, false);
    let last: string | null = null;
    const chunks = splitUtf8(reply.text);
    for (const [index, chunk] of chunks.entries()) {
      const mark = `sent:${reply.id}:${index}`;
      const already = await this.store.get(mark);
      if (already !== null) {
        last = already;
        continue;
      }
      const { msgid } = await client.sendText(target.data.toUser, chunk);
      last = msgid;
      await this.store.set(mark, msgid ?? '', SENT_MARK_TTL_MS);
    }
    return { platformMessageId: last };
  }
}
