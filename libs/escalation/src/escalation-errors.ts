import { ConflictError, NotFoundError } from '@answerbridge/core';

/** An agent action the conversation's state does not allow (claimed by someone else, already resolved…). */
export class EscalationConflictError extends ConflictError {
  constructor(message: string, code = 'ESCALATION.CONFLICT') {
    super(code, message);
  }
}

export class EscalationNotFoundError extends NotFoundError {
  constructor(conversationId: string) {
    super('ESCALATION.NOT_FOUND', `conversation ${conversationId} has no escalation`);
  }
}

/** A person's data cannot be erased while an agent is talking with them. */
export class PersonWithAgentError extends EscalationConflictError {
  constructor(readonly heldConversations: { conversationId: string; agentId: string }[]) {
    const list = heldConversations.map((c) => `${c.conversationId} (held by ${c.agentId})`).join(', ');
    super(
      `an agent is talking with this person: ${list}. Ask the agent to resolve the conversation (or resolve it as an admin), then send the request again; nothing was deleted from that conversation`,
      'PERSONAL_DATA.WITH_AGENT',
    );
  }
}
