import { createHash, randomUUID } from 'node:crypto';
import type { KeyValueStore } from '@answerbridge/core';

/**
 * The HTTP mode's stream state, in the shared store (Redis) so that any gateway replica answers any
 * 流式消息刷新 and the worker finishes a stream no matter which replica placed it:
 *
 *   aibot:<bot>:msg:<sha(msgid)>        → stream id         (SET NX: a repeated callback gets the same bubble)
 *   aibot:<bot>:stream:<stream id>      → StreamRecord      (SET NX, at the placeholder)
 *   aibot:<bot>:final:<stream id>       → FinalContent      (SET NX: the answer or the gateway's "still working", whichever first)
 *   aibot:<bot>:paths:<sha(conv)>       → ReplyPath[]       (the conversation's latest messages: where an agent's reply can go)
 *   aibot:<bot>:url:<sha(response_url)> → reply id          (SET NX: response_url is one use)
 *
 * All live one hour (response_url's life); the stream window is shorter and read from `receivedAt`.
 * The final content is written once: the worker and a refresh near the window's end race through SET NX,
 * so a stream never shows one text and then another.
 */
export const STREAM_STATE_TTL_MS = 3_600_000;
/** How long a response_url may be used: one hour from the message, less a minute for clocks and transit. */
export const RESPONSE_URL_LIFE_MS = 3_540_000;
const PATHS_KEPT = 5;

export interface StreamRecord {
  messageId: string;
  conversationId: string;
  receivedAt: number;
  responseUrl?: string;
}

export interface FinalContent {
  content: string;
  /** The reply id that finished it, or `timeout` when the window ran out first. */
  by: string;
}

export interface ReplyPath {
  streamId: string;
  messageId: string;
  receivedAt: number;
  responseUrl?: string;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

function parse<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export class AibotStreams {
  constructor(
    private readonly store: KeyValueStore,
    /** The stream window (WeCom: 6 min from the user's message). */
    readonly windowMs: number,
  ) {}

  /**
   * Before the window ends, a refresh finishes the stream itself and the worker stops writing to it: 30 s,
   * or a quarter of a short (test) window.
   */
  get marginMs(): number {
    return Math.min(30_000, this.windowMs / 4);
  }

  /** True while the worker may still finish the stream (and a refresh will show it). */
  inWindow(record: { receivedAt: number }, nowMs: number): boolean {
    return nowMs < record.receivedAt + this.windowMs - this.marginMs;
  }

  /** The stream for a message: a new one, or the one a repeated callback of the same msgid already has. */
  async open(botId: string, msgid: string, record: StreamRecord): Promise<{ streamId: string; created: boolean }> {
    const candidate = `s${randomUUID().replaceAll('-', '')}`;
    const msgKey = `aibot:${botId}:msg:${sha(msgid)}`;
    if (await this.store.setIfAbsent(msgKey, candidate, STREAM_STATE_TTL_MS)) {
      await this.store.setIfAbsent(this.streamKey(botId, candidate), JSON.stringify(record), STREAM_STATE_TTL_MS);
      await this.addPath(botId, record.conversationId, {
        streamId: candidate,
        messageId: record.messageId,
        receivedAt: record.receivedAt,
        ...(record.responseUrl ? { responseUrl: record.responseUrl } : {}),
      });
      return { streamId: candidate, created: true };
    }
    const existing = await this.store.get(msgKey);
    return { streamId: existing ?? candidate, created: existing === null };
  }

  async record(botId: string, streamId: string): Promise<StreamRecord | null> {
    return parse<StreamRecord>(await this.store.get(this.streamKey(botId, streamId)));
  }

  async final(botId: string, streamId: string): Promise<FinalContent | null> {
    return parse<FinalContent>(await this.store.get(this.finalKey(botId, streamId)));
  }

  /** Writes the stream's final content unless something already did; true when this call wrote it (or wrote it before, same `by`). */
  async finish(botId: string, streamId: string, final: FinalContent): Promise<boolean> {
    if (await this.store.setIfAbsent(this.finalKey(botId, streamId), JSON.stringify(final), STREAM_STATE_TTL_MS))
      return true;
    return (await this.final(botId, streamId))?.by === final.by;
  }

  /** The conversation's latest messages, newest first. */
  async paths(botId: string, conversationId: string): Promise<ReplyPath[]> {
    return parse<ReplyPath[]>(await this.store.get(this.pathsKey(botId, conversationId))) ?? [];
  }

  /**
   * Read-modify-write without a lock: two messages of one person landing within the same milliseconds may
   * keep only one of them here, which costs an agent's reply one fallback path, never a message.
   */
  private async addPath(botId: string, conversationId: string, path: ReplyPath): Promise<void> {
    const kept = (await this.paths(botId, conversationId)).filter((p) => p.streamId !== path.streamId);
    const paths = [path, ...kept].slice(0, PATHS_KEPT);
    await this.store.set(this.pathsKey(botId, conversationId), JSON.stringify(paths), STREAM_STATE_TTL_MS);
  }

  /** Claims a response_url for one reply (one use); true when this reply holds it. */
  async claimResponseUrl(botId: string, url: string, replyId: string): Promise<boolean> {
    const key = `aibot:${botId}:url:${sha(url)}`;
    return (await this.store.setIfAbsent(key, replyId, STREAM_STATE_TTL_MS)) || (await this.store.get(key)) === replyId;
  }

  /** Gives a claimed response_url back after a failure that did not reach WeCom, so a retry can use it. */
  async releaseResponseUrl(botId: string, url: string, replyId: string): Promise<void> {
    await this.store.deleteIfEquals(`aibot:${botId}:url:${sha(url)}`, replyId);
  }

  private streamKey(botId: string, streamId: string): string {
    return `aibot:${botId}:stream:${streamId}`;
  }

  private finalKey(botId: string, streamId: string): string {
    return `aibot:${botId}:final:${streamId}`;
  }

  private pathsKey(botId: string, conversationId: string): string {
    return `aibot:${botId}:paths:${sha(conversationId)}`;
  }
}
