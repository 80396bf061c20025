import { AnswerbridgeError, type ChannelSender, type OutboundReply } from '@answerbridge/core';
import type { EscalationService } from '@answerbridge/escalation';
import { inSpan, type Logger, type Metrics } from '@answerbridge/observability';

export interface SendReplyDeps {
  /** By channel name: the channel registry's senders (libs/pipeline/src/wiring/channel-senders.ts). */
  senders: ReadonlyMap<string, ChannelSender>;
  escalation: EscalationService;
  logger: Logger;
  metrics: Metrics;
}

/** Delivers one queued reply through its channel; failures are retried by the queue with backoff. */
export async function sendReply(deps: SendReplyDeps, reply: OutboundReply): Promise<void> {
  const sender = deps.senders.get(reply.target.channel);
  // A channel this worker does not have (removed from the registry, or a newer worker queued it): retrying cannot help.
  if (!sender)
    throw new AnswerbridgeError('SEND.UNKNOWN_CHANNEL', `no sender for channel '${reply.target.channel}'`, false);
  await deps.metrics.time('send', () =>
    inSpan('reply.send', reply.trace, async (span) => {
      span.setAttributes({ 'answerbridge.channel': reply.target.channel, 'answerbridge.reply': reply.id });
      const { platformMessageId } = await sender.send(reply);
      deps.logger.info(
        { event: 'reply_sent', replyId: reply.id, inReplyTo: reply.inReplyTo, platformMessageId },
        'reply sent',
      );
    }),
  );
  if (reply.track) await deps.escalation.markDelivery(reply.track.conversationId, reply.track.entryId, 'sent');
}

/** A reply that exhausted its retries: an agent's reply shows as failed in the console (the job stays as a dead letter). */
export async function replyFailedForGood(deps: SendReplyDeps, reply: OutboundReply, reason: string): Promise<void> {
  deps.logger.error({ event: 'reply_dead_lettered', replyId: reply.id, reason }, 'reply failed for good');
  if (reply.track) await deps.escalation.markDelivery(reply.track.conversationId, reply.track.entryId, 'failed');
}
