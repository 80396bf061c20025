/** An open live-queue stream: how to end it (the stream is told why first). */
export interface OpenStream {
  evict(): void;
}

/**
 * The live-queue (SSE) streams each session holds open in this process, at most `max` per session: when
 * one more opens, the oldest is evicted. Closing the oldest rather than refusing the newest keeps the tab
 * the agent just opened working; the evicted page is told (an `evicted` event) and stops reconnecting,
 * so tabs do not take turns knocking each other out.
 *
 * Counted per replica, in memory: what a stream costs (a socket, a listener, a timer) is this process's,
 * so bounding it here is what protects the process; a session can hold at most max × replicas streams
 * in all, still a small fixed number, and nothing needs to be shared or cleaned up in Redis.
 */
export class EventStreamsPerSession {
  private readonly bySession = new Map<string, OpenStream[]>();

  constructor(private readonly max: number) {}

  /** Registers a stream; returns the function to call when it ends (for whatever reason). */
  open(sessionId: string, stream: OpenStream): () => void {
    const streams = this.bySession.get(sessionId) ?? [];
    this.bySession.set(sessionId, streams);
    streams.push(stream);
    while (streams.length > this.max) streams.shift()?.evict();
    return () => this.forget(sessionId, stream);
  }

  /** Ends every stream of a session (at logout). */
  closeAll(sessionId: string): void {
    for (const stream of this.bySession.get(sessionId) ?? []) stream.evict();
    this.bySession.delete(sessionId);
  }

  count(sessionId: string): number {
    return this.bySession.get(sessionId)?.length ?? 0;
  }

  private forget(sessionId: string, stream: OpenStream): void {
    const streams = this.bySession.get(sessionId);
    if (!streams) return;
    const at = streams.indexOf(stream);
    if (at !== -1) streams.splice(at, 1);
    if (streams.length === 0) this.bySession.delete(sessionId);
  }
}
