import { AnswerbridgeError } from '@answerbridge/core';

/** An agent action the conversation's state does not allow (claimed by someone else, already resolved…). */
export class EscalationConflictError extends AnswerbridgeError {
  constructor(message: string) {
    super('ESCALATION.CONFLICT', message, false);
  }
}

export class EscalationNotFoundError extends AnswerbridgeError {
  constructor(conversationId: string) {
    super('ESCALATION.NOT_FOUND', `conversation ${conversationId} has no escalation`, false);
  }
}
