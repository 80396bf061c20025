import { createHash } from 'node:crypto';
import type { KeyValueStore } from '@answerbridge/core';

/** How long each piece of kf state lives in the store, and why. */
export const KF_TTL_MS = {
  /** The cursor is the account's position in WeCom's message log: kept well past sync_msg's 3 days. */
  cursor: 30 * 86_400_000,
  /** One fetcher per account; renewed after every page (a page: sync_msg with its retries, then up to 1000 messages queued), so only a dead fetcher's lock runs out. */
  fetchLock: 60_000,
  /** "Fetch again" left by a callback that found the lock taken; the callback's token lives 10 min. */
  fetchAgain: 10 * 60_000,
  /** Messages already queued: sync_msg returns at most 3 days, so 4 days covers any page fetched twice. */
  seen: 4 * 86_400_000,
  /** The customer's last message: send_msg is allowed for 48 h after it. */
  window: 48 * 3_600_000,
  /** One of the 5 sends a customer message allows; outlives its window a little. */
  sendSlot: 49 * 3_600_000,
  /** A chunk of a reply WeCom accepted: a retried job resumes after it. */
  sentChunk: 7 * 86_400_000,
  /** A session with WeCom's servicers (state 2/3): a session lasts at most 48 h. */
  withServicer: 48 * 3_600_000,
} as const;

/** Redis key parts must stay short and plain whatever a platform id holds. */
export function keyPart(value: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(value)
    ? value
    : `h${createHash('sha256').update(value).digest('hex').slice(0, 32)}`;
}

/** The store keys of one kf account (the store adds the deployment's prefix). */
export function kfKeys(corpId: string, openKfId: string) {
  const base = `wecom-kf:${keyPart(corpId)}:${keyPart(openKfId)}`;
  return {
    cursor: `${base}:cursor`,
    fetchLock: `${base}:fetch-lock`,
    fetchAgain: `${base}:fetch-again`,
    seen: (msgid: string) => `${base}:seen:${keyPart(msgid)}`,
    window: (user: string) => `${base}:window:${keyPart(user)}`,
    sendSlot: (user: string, anchor: string, n: number) => `${base}:slot:${keyPart(user)}:${keyPart(anchor)}:${n}`,
    sentChunk: (replyId: string, index: number) => `${base}:chunk:${keyPart(replyId)}:${index}`,
    withServicer: (user: string) => `${base}:servicer:${keyPart(user)}`,
  };
}
export type KfKeys = ReturnType<typeof kfKeys>;

/** The store has no plain delete (it is not needed elsewhere): compare-and-delete what is there. */
export async function deleteKey(store: KeyValueStore, key: string): Promise<void> {
  const value = await store.get(key);
  if (value !== null) await store.deleteIfEquals(key, value);
}

/** send_msg's msgid: ≤32 of [0-9a-zA-Z_-], unique per account, derived so a retry reuses it. */
export function platformMsgId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
}

/** The customer's last message, from which the 48 h and the 5 sends are counted. */
export interface KfWindow {
  msgid: string;
  /** send_time, epoch milliseconds. */
  at: number;
}

export function parseWindow(value: string | null): KfWindow | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as Partial<KfWindow>;
    return typeof parsed.msgid === 'string' && typeof parsed.at === 'number'
      ? { msgid: parsed.msgid, at: parsed.at }
      : null;
  } catch {
    return null;
  }
}
