import type { InboundMessage, JobEnqueuer } from '@answerbridge/core';
import { carrierOf, inSpan } from '@answerbridge/observability';

export interface AcceptResult {
  jobId: string;
  duplicate: boolean;
}

/**
 * The gateway's one piece of work after verification: enqueue, dropping redeliveries. Dedupe and
 * enqueue happen in one Redis script (BullMQ deduplication), so there is no moment where a message
 * is marked seen but not queued.
 */
export async function acceptInbound(producer: JobEnqueuer, message: InboundMessage): Promise<AcceptResult> {
  // The trace starts here, at the platform's callback, and travels with the job.
  return inSpan('callback.accept', undefined, async (span) => {
    span.setAttributes({
      'answerbridge.channel': message.channel,
      'answerbridge.bot': message.botId,
      'answerbridge.message': message.id,
    });
    const result = await producer.enqueue(
      'inbound.answer.v1',
      { ...message, trace: carrierOf(span) },
      { dedupeId: message.id },
    );
    span.setAttribute('answerbridge.duplicate', result.duplicate);
    return result;
  });
}
