import type { Decision } from '@answerbridge/answering';
import type { InboundMessage, RecentTurn, RecentTurns } from '@answerbridge/core';

/**
 * Remembers what the asker wrote and what the bot said back, so the agent who picks the conversation up
 * later sees the exchange that led there ("没用" after which answer, "转人工" after what). Recorded with the
 * message's own id: a job that runs twice pushes the same turn twice, which the console shows once.
 */
export async function rememberTurn(
  turns: Pick<RecentTurns, 'record'> | undefined,
  message: InboundMessage,
  decision: Decision,
  at = Date.now(),
): Promise<void> {
  if (!turns) return;
  const asked: RecentTurn = {
    id: message.id,
    messageId: message.id,
    at: Math.min(at, message.receivedAt || at),
    from: 'asker',
    text: message.text || `[${message.kind}]`,
  };
  const answered: RecentTurn[] =
    decision.reply === null
      ? []
      : [
          {
            id: `bot-${message.id}`,
            messageId: message.id,
            at,
            from: 'bot',
            text: decision.reply,
            decision: decision.kind,
            confidence: decision.confidence,
          },
        ];
  await turns.record(message.conversationId, [asked, ...answered]);
}
