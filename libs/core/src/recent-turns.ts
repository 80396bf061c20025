import type { ConversationEntry } from './escalation';

/**
 * One turn of a conversation with the bot, before any person joined: what the asker wrote or what the bot
 * answered or offered. `messageId` names the asker's message the turn belongs to (an escalation's own
 * history holds that message under the same id, so the two are merged without repeating it).
 */
export type RecentTurn = ConversationEntry & {
  from: 'asker' | 'bot';
  messageId: string;
  /** For the bot's turns: what it did (answer, suggest, escalate, …) and how sure it was (0..1, or a keyword score). */
  decision?: string;
  confidence?: number | null;
};

/** The last turns of each conversation with the bot (Redis in production), shown to the agent who takes over. */
export interface RecentTurns {
  record(conversationId: string, turns: RecentTurn[]): Promise<void>;
  /** Oldest first. */
  list(conversationId: string): Promise<RecentTurn[]>;
}
