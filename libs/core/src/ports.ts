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
