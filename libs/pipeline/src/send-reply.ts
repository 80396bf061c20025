import type { ChannelSender, OutboundReply } from '@answerbridge/core';
import type { Logger, Metrics } from '@answerbridge/observability';

export interface SendReplyDeps {
  senders: Record<OutboundReply['target']['channel'], ChannelSender>;
  logger: Logger;
  metrics: Metrics;
}

/** Delivers one queued reply through its channel; failures are retried by the queue with backoff. */
export async function sendReply(deps: SendReplyDeps, reply: OutboundReply): Promise<void> {
  const sender = deps.senders[reply.target.channel];
  const { platformMessageId } = await deps.metrics.time('send', () => sender.send(reply));
  deps.logger.info({ event: 'reply_sent', replyId: reply.id, inReplyTo: reply.inReplyTo, platformMessageId }, 'reply sent');
}
