import type { OutboundReply } from './inbound-message';

/** Small key-value operations the channels need (token cache, single-flight locks); Redis in production. */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  /** Sets only when absent; returns true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Deletes only when the current value equals `expected` (compare-and-delete). */
  deleteIfEquals(key: string, expected: string): Promise<boolean>;
}

/** Delivers a reply through a channel's API. Implementations retry what is worth retrying inside. */
export interface ChannelSender {
  send(reply: OutboundReply): Promise<{ platformMessageId: string | null }>;
}

/** One person as a channel names them (the message's senderId): whose data an erasure request is about. */
export interface PersonRef {
  channel: string;
  botId: string;
  senderId: string;
}

/**
 * True when the conversation is this person's: their direct chat (`<channel>/<bot>/<person>`) or their own
 * conversation in a group (`<channel>/<bot>/<group>/<person>`: DingTalk keeps one per person per group).
 * The channels build conversation ids this way; the person is always the last part.
 */
export function isConversationOf(conversationId: string, person: PersonRef): boolean {
  const bot = `${person.channel}/${person.botId}/`;
  if (!conversationId.startsWith(bot) || !person.senderId) return false;
  const rest = conversationId.slice(bot.length);
  return rest === person.senderId || (rest.endsWith(`/${person.senderId}`) && rest.length > person.senderId.length + 1);
}

/** Short-lived per-conversation state (what the bot offered last), kept in Redis in production. */
export interface ConversationStateStore<T> {
  get(conversationId: string): Promise<T | null>;
  set(conversationId: string, value: T, ttlMs: number): Promise<void>;
  /** Deletes every state kept for this person's conversations (whatever its name); returns how many. */
  erase(person: PersonRef): Promise<number>;
}

/** One decision of the bot with the scores that made it: for tuning, audits and "what could it not answer". */
export interface DecisionRecord {
  at: number;
  botId: string;
  channel: string;
  messageId: string;
  conversationId: string;
  question: string;
  kind: string;
  reason: string;
  entryId: string | null;
  /** P(the top entry is right), or a BM25 score in keyword-only search. */
  confidence: number | null;
  /** What the probabilities were held to, and whether the model behind them was calibrated. */
  thresholds: { answer: number; suggest: number; calibrated?: boolean };
  /** The evidence the confidence model read, and P(the right entry is among the first three). */
  evidence?: Record<string, number>;
  inTop3?: number;
  scores: { entryId: string; confidence: number; score: number }[];
}

/** Decisions are kept for the retention (and at most a fixed number of them); older ones are deleted. */
export interface DecisionLog {
  record(decision: DecisionRecord): Promise<void>;
  /** Most recent first. */
  recent(limit: number): Promise<DecisionRecord[]>;
  /** The decisions recorded from `fromMs` (inclusive) to `toMs` (exclusive), oldest first, at most `limit`. */
  between(fromMs: number, toMs: number, limit: number): Promise<DecisionRecord[]>;
  /** Deletes the decisions older than the retention (also done on every record); returns how many. */
  expire(): Promise<number>;
  /** Deletes every decision about this person's conversations; returns how many. */
  erase(person: PersonRef): Promise<number>;
}
