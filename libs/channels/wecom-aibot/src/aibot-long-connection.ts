import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AnswerbridgeError, type ChannelConnection } from '@answerbridge/core';
import WebSocket from 'ws';
import { parseAibotCallback } from './aibot-callback';
import type { AibotGatewayContext, AibotInbound } from './aibot-inbound';
import { messagesFor } from './aibot-messages';
import type { AibotRelay } from './aibot-relay';
import type { AibotBot } from './aibot-schemas';
import { outboxOf, type OutboxItem } from './aibot-sender';
import type { AibotStreams } from './aibot-streams';
import { parseJsonObject } from './strict-json';

/** Frames are small JSON; anything larger or deeper is dropped before it is parsed. */
const FRAME_LIMITS = { maxBytes: 256 * 1024, maxDepth: 10 };
const ACK_TIMEOUT_MS = 5_000;
const SENT_MARK_TTL_MS = 7 * 86_400_000;

export const leaseKeyOf = (botId: string) => `aibot:${botId}:holder`;
export const newReqId = (cmd: string) => `${cmd}_${Date.now()}_${randomBytes(4).toString('hex')}`;

interface Frame {
  cmd?: string;
  headers?: { req_id?: string };
  body?: Record<string, unknown>;
  errcode?: number;
  errmsg?: string;
}

interface LiveStream {
  reqId: string;
  receivedAt: number;
  conversationId: string;
  finished: boolean;
  timer: NodeJS.Timeout;
}

class AckError extends AnswerbridgeError {
  constructor(
    readonly errcode: number,
    message: string,
  ) {
    super('AIBOT.WS_ACK', message, errcode === -1);
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * The long connection (长连接) of one AI bot, held by exactly one gateway replica in the fleet: a lease
 * in the relay (`aibot:<bot>:holder`, renewed every third of its life; lost → the socket is closed) decides
 * which. The holder subscribes, pings, answers each message at once with a stream placeholder, queues the
 * message, and sends the worker's replies from the bot's outbox (`aibot:<bot>:outbox`): into the message's
 * stream while this socket still owns its req_id and the window is open, else as a new message
 * (aibot_send_msg). Kicked (disconnected_event) by a newer connection, it reconnects only if it still
 * holds the lease, so two replicas never kick each other in a loop.
 */
export class AibotLongConnection implements ChannelConnection {
  readonly name: string;
  private socket: WebSocket | null = null;
  private subscribed = false;
  private holding = false;
  private readonly abort = new AbortController();
  private readonly token = `${hostname()}-${process.pid}-${randomUUID()}`;
  private readonly acks = new Map<string, { resolve: (f: Frame) => void; timer: NodeJS.Timeout }[]>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly live = new Map<string, LiveStream>();
  private readonly latest = new Map<string, string>();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly ctx: AibotGatewayContext,
    private readonly bot: AibotBot & { aibotId: string; secret: string },
    private readonly inbound: AibotInbound,
    private readonly streams: AibotStreams,
    private readonly relay: AibotRelay,
  ) {
    this.name = `wecom-aibot:${bot.id}`;
  }

  get connected(): boolean {
    return this.holding && this.subscribed;
  }

  /** True while this replica holds the bot's lease (whether or not its socket is up yet). */
  get holdsLease(): boolean {
    return this.holding;
  }

  start(): void {
    this.loop ??= this.run().catch((error: unknown) =>
      this.ctx.logger.error({ err: error, bot: this.bot.id }, 'AI bot long connection loop ended'),
    );
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.socket?.close(1000);
    await this.loop;
    if (this.holding) await this.relay.releaseLease(leaseKeyOf(this.bot.id), this.token).catch(() => undefined);
    this.holding = false;
    await this.relay.close();
    for (const stream of this.live.values()) clearTimeout(stream.timer);
  }

  private get leaseMs(): number {
    return this.ctx.settings.WECOM_AIBOT_LEASE_SECONDS * 1000;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      if (!this.holding) {
        this.holding = await this.relay
          .acquireLease(leaseKeyOf(this.bot.id), this.token, this.leaseMs)
          .catch(() => false);
        if (!this.holding) {
          await sleep(this.leaseMs / 3, signal);
          continue;
        }
        this.ctx.logger.info({ bot: this.bot.id }, 'AI bot lease taken: this replica holds the long connection');
        void this.renewWhileHolding();
      }
      const ended = await this.session();
      if (signal.aborted) break;
      if (ended === 'subscribed-then-closed') failures = 0;
      else failures++;
      if (ended === 'kicked' && this.holding) {
        // Kicked while still holding the lease: the newer connection is outside this fleet. Back off rather than fight.
        this.ctx.logger.warn({ bot: this.bot.id }, 'AI bot long connection kicked by a connection outside this fleet');
        await sleep(Math.min(300_000, 5_000 * 2 ** Math.min(failures, 6)), signal);
        continue;
      }
      if (this.holding) await sleep(Math.min(30_000, 1_000 * 2 ** Math.min(failures, 5)), signal);
    }
  }

  private async renewWhileHolding(): Promise<void> {
    const signal = this.abort.signal;
    while (this.holding && !signal.aborted) {
      await sleep(this.leaseMs / 3, signal);
      if (signal.aborted || !this.holding) return;
      const renewed = await this.relay.renewLease(leaseKeyOf(this.bot.id), this.token, this.leaseMs).catch(() => false);
      if (!renewed) {
        this.ctx.logger.warn({ bot: this.bot.id }, 'AI bot lease lost: closing the long connection');
        this.holding = false;
        this.socket?.close(1000);
      }
    }
  }

  /** One socket's life: connect, subscribe, serve until it closes. */
  private session(): Promise<'kicked' | 'subscribed-then-closed' | 'failed'> {
    return new Promise((resolve) => {
      let outcome: 'kicked' | 'subscribed-then-closed' | 'failed' = 'failed';
      let unackedPings = 0;
      let ping: NodeJS.Timeout | undefined;
      const socket = new WebSocket(this.ctx.settings.WECOM_AIBOT_WS_URL, { maxPayload: FRAME_LIMITS.maxBytes });
      this.socket = socket;
      socket.on('open', () => {
        void this.request(socket, 'aibot_subscribe', { bot_id: this.bot.aibotId, secret: this.bot.secret }).then(
          async () => {
            if (!this.holding) return socket.close(1000);
            this.subscribed = true;
            outcome = 'subscribed-then-closed';
            this.ctx.logger.info({ bot: this.bot.id }, 'AI bot long connection subscribed');
            ping = setInterval(() => {
              if (++unackedPings > 2) return socket.terminate();
              this.request(socket, 'ping').then(
                () => (unackedPings = 0),
                () => undefined,
              );
            }, this.ctx.settings.WECOM_AIBOT_PING_SECONDS * 1000);
            // In-flight outbox items of a holder that died (or of this socket's predecessor) go round again.
            await this.relay.requeue(outboxOf(this.bot.id)).catch(() => 0);
            void this.drain(socket);
          },
          (error: unknown) => {
            this.ctx.logger.error({ err: error, bot: this.bot.id }, 'AI bot subscribe refused');
            socket.close(1000);
          },
        );
      });
      socket.on('message', (data: WebSocket.RawData) => {
        const frame = this.readFrame(data);
        if (!frame) return;
        if (frame.cmd === 'aibot_event_callback' && eventType(frame) === 'disconnected_event') {
          outcome = 'kicked';
          socket.close(1000);
          return;
        }
        if (frame.cmd) void this.onCallback(socket, frame);
        else this.onAck(frame);
      });
      socket.on('error', (error) => this.ctx.logger.warn({ err: error, bot: this.bot.id }, 'AI bot socket error'));
      socket.on('close', () => {
        clearInterval(ping);
        this.subscribed = false;
        if (this.socket === socket) this.socket = null;
        for (const waiting of this.acks.values())
          for (const w of waiting) {
            clearTimeout(w.timer);
            w.resolve({ errcode: -1, errmsg: 'socket closed' });
          }
        this.acks.clear();
        this.chains.clear();
        // This socket's req_ids die with it: its streams can no longer be finished.
        for (const stream of this.live.values()) clearTimeout(stream.timer);
        this.live.clear();
        this.latest.clear();
        resolve(outcome);
      });
    });
  }

  private readFrame(data: WebSocket.RawData): Frame | null {
    try {
      return parseJsonObject(data.toString(), FRAME_LIMITS, 'frame') as Frame;
    } catch (error) {
      this.ctx.countCallback('rejected_frame');
      this.ctx.logger.warn({ err: error, bot: this.bot.id }, 'AI bot frame refused');
      return null;
    }
  }

  private onAck(frame: Frame): void {
    const reqId = frame.headers?.req_id;
    const waiting = reqId ? this.acks.get(reqId) : undefined;
    const first = waiting?.shift();
    if (!first || !reqId) return;
    if (waiting?.length === 0) this.acks.delete(reqId);
    clearTimeout(first.timer);
    first.resolve(frame);
  }

  /** Sends one frame and waits for its ack; frames of one req_id go strictly one at a time (acks carry only the req_id). */
  private send(socket: WebSocket, frame: Required<Pick<Frame, 'cmd'>> & Frame, reqId: string): Promise<Frame> {
    const previous = this.chains.get(reqId) ?? Promise.resolve();
    const next = previous.then(
      () =>
        new Promise<Frame>((resolve) => {
          if (socket.readyState !== WebSocket.OPEN) return resolve({ errcode: -1, errmsg: 'socket not open' });
          const timer = setTimeout(() => {
            const list = this.acks.get(reqId);
            const at = list?.findIndex((w) => w.timer === timer) ?? -1;
            if (list && at >= 0) list.splice(at, 1);
            resolve({ errcode: -1, errmsg: 'no ack within 5 s' });
          }, ACK_TIMEOUT_MS);
          const list = this.acks.get(reqId) ?? [];
          list.push({ resolve, timer });
          this.acks.set(reqId, list);
          socket.send(JSON.stringify({ ...frame, headers: { req_id: reqId } }));
        }),
    );
    this.chains.set(reqId, next);
    void next.finally(() => {
      if (this.chains.get(reqId) === next) this.chains.delete(reqId);
    });
    return next;
  }

  private async request(socket: WebSocket, cmd: string, body?: Record<string, unknown>): Promise<Frame> {
    const ack = await this.send(socket, { cmd, ...(body ? { body } : {}) }, newReqId(cmd));
    if (ack.errcode !== 0) throw new AckError(ack.errcode ?? -1, `${cmd}: ${ack.errcode} ${ack.errmsg ?? ''}`);
    return ack;
  }

  private async onCallback(socket: WebSocket, frame: Frame): Promise<void> {
    const reqId = frame.headers?.req_id;
    if (!reqId || !frame.body || (frame.cmd !== 'aibot_msg_callback' && frame.cmd !== 'aibot_event_callback')) {
      this.ctx.countCallback('ignored');
      return;
    }
    try {
      const outcome = await this.inbound.handle(this.bot, parseAibotCallback(frame.body), { mode: 'ws', reqId });
      if (outcome.kind === 'stream') {
        if (outcome.accepted && !outcome.stream.finish) this.track(socket, reqId, outcome.stream.id, outcome.accepted);
        await this.send(
          socket,
          { cmd: 'aibot_respond_msg', body: { msgtype: 'stream', stream: outcome.stream } },
          reqId,
        );
      } else if (outcome.kind === 'welcome') {
        await this.send(
          socket,
          { cmd: 'aibot_respond_welcome_msg', body: { msgtype: 'text', text: { content: outcome.text } } },
          reqId,
        );
      }
    } catch (error) {
      // Not acked to WeCom in any way: it redelivers, and the msgid dedupe keeps it to one answer.
      this.ctx.countCallback('rejected_frame');
      this.ctx.logger.warn({ err: error, bot: this.bot.id }, 'AI bot callback frame not handled');
    }
  }

  /** A placeholder sent on this socket: finished by the answer, or with "still working" before the window ends. */
  private track(
    socket: WebSocket,
    reqId: string,
    streamId: string,
    accepted: { receivedAt: number; conversationId: string },
  ): void {
    const due = accepted.receivedAt + this.streams.windowMs - this.streams.marginMs - this.ctx.nowMs();
    const timer = setTimeout(
      () => {
        const stream = this.live.get(streamId);
        if (!stream || stream.finished) return;
        this.forget(streamId, stream);
        void this.send(
          socket,
          {
            cmd: 'aibot_respond_msg',
            body: {
              msgtype: 'stream',
              stream: { id: streamId, finish: true, content: messagesFor(this.bot.language).stillWorking },
            },
          },
          reqId,
        );
      },
      Math.max(0, due),
    );
    timer.unref();
    this.live.set(streamId, {
      reqId,
      receivedAt: accepted.receivedAt,
      conversationId: accepted.conversationId,
      finished: false,
      timer,
    });
    this.latest.set(accepted.conversationId, streamId);
  }

  /** A stream is finished once: it leaves the maps (a long-lived socket would otherwise keep every stream it saw). */
  private forget(streamId: string, stream: LiveStream): void {
    stream.finished = true;
    clearTimeout(stream.timer);
    this.live.delete(streamId);
    if (this.latest.get(stream.conversationId) === streamId) this.latest.delete(stream.conversationId);
  }

  /** Sends the worker's replies while this socket is the bot's. */
  private async drain(socket: WebSocket): Promise<void> {
    const box = outboxOf(this.bot.id);
    while (socket.readyState === WebSocket.OPEN && this.holding && !this.abort.signal.aborted) {
      const raw = await this.relay.take(box, 1_000).catch(() => null);
      if (raw === null) continue;
      let item: OutboxItem;
      try {
        item = JSON.parse(raw) as OutboxItem;
      } catch {
        await this.relay.done(box, raw);
        continue;
      }
      const delivered = await this.deliver(socket, item).catch((error: unknown) => {
        this.ctx.logger.warn(
          { err: error, replyId: item.replyId },
          'AI bot reply not delivered; kept for the next try',
        );
        return false;
      });
      // Undelivered (the socket went away under it): back into the box for the next socket, posted before it
      // leaves in-flight so that a crash in between repeats it (the sent mark stops a repeat) rather than loses it.
      if (!delivered) await this.relay.post(box, raw);
      await this.relay.done(box, raw);
    }
  }

  private async deliver(socket: WebSocket, item: OutboxItem): Promise<boolean> {
    const mark = `aibot:${item.botId}:sent:${item.replyId}`;
    if ((await this.ctx.store.get(mark)) !== null) return true;
    const streamId = item.own ? item.target.streamId : (this.latest.get(item.conversationId) ?? item.target.streamId);
    const stream = this.live.get(streamId);
    if (stream && !stream.finished && this.streams.inWindow(stream, this.ctx.nowMs())) {
      this.forget(streamId, stream);
      const ack = await this.send(
        socket,
        {
          cmd: 'aibot_respond_msg',
          body: { msgtype: 'stream', stream: { id: streamId, finish: true, content: item.text } },
        },
        stream.reqId,
      );
      if (ack.errcode === 0) {
        await this.ctx.store.set(mark, streamId, SENT_MARK_TTL_MS);
        return true;
      }
      if (ack.errcode === -1) return false;
      this.ctx.countApiError(String(ack.errcode));
    }
    const chatId = item.target.chatType === 'group' ? (item.target.chatId ?? item.target.userId) : item.target.userId;
    const ack = await this.send(
      socket,
      {
        cmd: 'aibot_send_msg',
        body: {
          chatid: chatId,
          chat_type: item.target.chatType === 'group' ? 2 : 1,
          msgtype: 'markdown',
          markdown: { content: item.text },
        },
      },
      newReqId('aibot_send_msg'),
    );
    if (ack.errcode === -1) return false;
    if (ack.errcode !== 0) {
      this.ctx.countApiError(String(ack.errcode));
      this.ctx.logger.error(
        { replyId: item.replyId, errcode: ack.errcode, errmsg: ack.errmsg },
        'AI bot refused the reply (aibot_send_msg); dropped',
      );
      return true;
    }
    await this.ctx.store.set(mark, 'pushed', SENT_MARK_TTL_MS);
    return true;
  }
}

function eventType(frame: Frame): string | undefined {
  const event = frame.body?.event;
  return typeof event === 'object' && event !== null ? String((event as { eventtype?: unknown }).eventtype) : undefined;
}
