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

/** Short-lived per-conversation state (what the bot offered last), kept in Redis in production. */
export interface ConversationStateStore<T> {
  get(conversationId: string): Promise<T | null>;
  set(conversationId: string, value: T, ttlMs: number): Promise<void>;
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

export interface DecisionLog {
  record(decision: DecisionRecord): Promise<void>;
  /** Most recent first. */
  recent(limit: number): Promise<DecisionRecord[]>;
}
