import { z } from 'zod';
import { ReplyTargetSchema } from './inbound-message';
import type { PersonRef } from './ports';

/**
 * A conversation handed to people: bot → waiting → with-agent → resolved → bot. Persisted in Redis;
 * the shape is a contract between the worker, the console and the notifier: add optional fields only.
 */
export const EscalationStateSchema = z.enum(['waiting', 'with-agent', 'resolved']);
export type EscalationState = z.infer<typeof EscalationStateSchema>;

export const EscalationSchema = z.object({
  conversationId: z.string().min(1),
  botId: z.string().min(1),
  channel: z.string().min(1),
  senderId: z.string().min(1),
  replyTarget: ReplyTargetSchema,
  state: EscalationStateSchema,
  /** Why the bot handed over (the decision's reason). */
  reason: z.string(),
  /** The question that triggered it. */
  question: z.string(),
  /** The bot's candidates with their scores, for the agent. */
  candidates: z.array(
    z.object({ entryId: z.string(), question: z.string(), answer: z.string(), confidence: z.number().nullable() }),
  ),
  escalatedAt: z.number().int(),
  agentId: z.string().nullable(),
  claimedAt: z.number().int().nullable(),
  resolvedAt: z.number().int().nullable(),
});
export type Escalation = z.infer<typeof EscalationSchema>;

export const ConversationEntrySchema = z.object({
  id: z.string(),
  at: z.number().int(),
  from: z.enum(['asker', 'bot', 'agent', 'system']),
  text: z.string(),
  agentId: z.string().optional(),
  /** For agent replies: queued → sent | failed. */
  delivery: z.enum(['queued', 'sent', 'failed']).optional(),
});
export type ConversationEntry = z.infer<typeof ConversationEntrySchema>;

/** What erasing one conversation's escalation did: refused while an agent holds it. */
export type EscalationErasure =
  { erased: false; heldBy: string } | { erased: true; escalations: number; historyEntries: number };

/**
 * Persistence of escalations and conversation history (Redis in production). An open escalation (waiting
 * or with an agent) is kept with its history for as long as it is open; a resolved one, with its history,
 * for the retention after its last change.
 */
export interface EscalationStore {
  get(conversationId: string): Promise<Escalation | null>;
  /** Creates a waiting escalation unless the conversation already has an open one; true when created. */
  open(escalation: Escalation): Promise<boolean>;
  /** waiting → with-agent for exactly one caller; false when someone else got it first or it is not waiting. */
  claim(conversationId: string, agentId: string, at: number): Promise<boolean>;
  /** with-agent (held by `fromAgent`) → with-agent held by `toAgent`. */
  transfer(conversationId: string, fromAgent: string, toAgent: string): Promise<boolean>;
  /** Closes an open escalation (waiting or with-agent): the bot answers again. */
  resolve(conversationId: string, at: number): Promise<boolean>;
  /** Open escalations by state, oldest first. */
  list(state: 'waiting' | 'with-agent'): Promise<Escalation[]>;
  append(conversationId: string, entry: ConversationEntry): Promise<void>;
  updateDelivery(conversationId: string, entryId: string, delivery: 'sent' | 'failed'): Promise<void>;
  history(conversationId: string, limit: number): Promise<ConversationEntry[]>;
  /** Conversations of this person that hold an escalation or a history. */
  conversationsOf(person: PersonRef): Promise<string[]>;
  /** Deletes the conversation's escalation, history and queue entries, unless an agent holds it. */
  erase(conversationId: string): Promise<EscalationErasure>;
  /**
   * Puts records written before the retention existed (or when it was longer) under it, and drops queue
   * entries whose escalation is gone. Returns how many records it deleted or shortened.
   */
  applyRetention(): Promise<number>;
}

/** What the console hears about, live. */
export type InboxEvent =
  | { type: 'escalated' | 'claimed' | 'resolved' | 'transferred'; conversationId: string; agentId?: string | null }
  | { type: 'message'; conversationId: string; entry: ConversationEntry }
  | { type: 'delivery'; conversationId: string; entryId: string; delivery: 'sent' | 'failed' };

export interface InboxEvents {
  publish(event: InboxEvent): Promise<void>;
}
