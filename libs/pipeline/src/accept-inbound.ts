import type { InboundMessage } from '@answerbridge/core';
import type { JobProducer } from '@answerbridge/queue';

export interface AcceptResult {
  jobId: string;
  duplicate: boolean;
}

/**
 * The gateway's one piece of work after verification: enqueue, dropping redeliveries. Dedupe and
 * enqueue happen in one Redis script (BullMQ deduplication), so there is no moment where a message
 * is marked seen but not queued.
 */
export async function acceptInbound(producer: JobProducer, message: InboundMessage): Promise<AcceptResult> {
  return producer.enqueue('inbound.answer.v1', message, { dedupeId: message.id });
}
