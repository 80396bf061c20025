import { EventEmitter } from 'node:events';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { computeSignature, encryptMessage } from '@answerbridge/channel-wecom';
import { openAibotReply } from '@answerbridge/channel-wecom-aibot';
import express, { Router, json } from 'express';
import { WebSocketServer, WebSocket } from 'ws';

/** An AI bot as the simulator knows it: URL回调 (Token + EncodingAESKey) or 长连接 (BotID + Secret). */
export interface AibotSimBot {
  id: string;
  mode: 'http' | 'ws';
  /** The display name users @mention in groups. @defaultValue '智能助手' */
  name?: string;
  aibotId?: string;
  token?: string;
  encodingAesKey?: string;
  secret?: string;
}

export interface AibotSimOptions {
  /** The gateway replicas behind WeCom's view of the callback URL, in turn (a load balancer); URL回调 only. */
  gatewayUrls?: string[];
  /** Interval between 流式消息刷新 callbacks of one unfinished stream (WeCom's own cadence is not documented). */
  refreshIntervalMs?: number;
  /** How long WeCom refreshes a stream after the user's message (6 min). */
  windowMs?: number;
  /** How long a response_url may be used (1 h). */
  responseUrlTtlMs?: number;
  /** The clock response_urls are issued and expire by (tests move it instead of waiting an hour). */
  nowMs?: () => number;
}

/** One thing the person sees in the chat: a streamed bubble, a response_url message, a pushed message, a welcome. */
export interface AibotBubble {
  seq: number;
  botId: string;
  userId: string;
  /** The group's chatid; absent in a direct chat. */
  chatId?: string;
  /** The user's message this answers (its msgid), when it answers one. */
  inReplyTo?: string;
  via: 'stream' | 'response_url' | 'ws_stream' | 'ws_push' | 'welcome';
  streamId?: string;
  /** What the bubble shows now (a stream's latest snapshot). */
  content: string;
  /** Every snapshot shown, in order. */
  snapshots: string[];
  finished: boolean;
  /** The window ran out before `finish`: WeCom shows its own fallback text. */
  expired: boolean;
  feedbackId?: string;
}

/** What a user sent, and the bubbles it produced. */
export interface AibotSentMessage {
  msgid: string;
  botId: string;
  userId: string;
  chatId?: string;
  text: string;
  sentAt: number;
  responseUrl?: string;
  /** For each refresh: which gateway answered it (index into gatewayUrls). */
  refreshedBy: number[];
  /** The callback's encrypted request, to deliver again as WeCom does. */
  request?: { query: string; body: string };
}

interface ResponseCode {
  botId: string;
  msgid: string;
  userId: string;
  chatId?: string;
  issuedAt: number;
  used: boolean;
}

interface WsPeer {
  socket: WebSocket;
  botId: string | null;
  /** req_ids of the callbacks sent on this connection → what they were. */
  reqIds: Map<string, { msgid: string; sentAt: number; event: boolean }>;
}

interface StreamState {
  bubble: AibotBubble;
  message: AibotSentMessage;
}

const TEMPLATE_OK = { errcode: 0, errmsg: 'ok' };

/**
 * WeCom's AI bot (智能机器人), as far as its documentation and Tencent's own SDK and plugin show it
 * (docs/protocols/wecom-aibot-kf.md §1–§2): encrypted, signed JSON callbacks to the gateway with the
 * encrypted reply checked (signature, the callback's nonce), 流式消息刷新 callbacks on a fixed schedule
 * until `finish` or the 6-minute window, redelivery of a message whose callback failed, response_url (one
 * use, one hour), and the long connection (aibot_subscribe, ping, callbacks, aibot_respond_msg on the
 * connection's own req_ids only, aibot_send_msg) where a new connection for a bot kicks the older one with
 * `disconnected_event`. Records every bubble the person would see.
 *
 * Standalone (tests): `listen()`. Inside the simulator app (the chat page): mount `router()`, forward the
 * long connection's upgrades to `handleUpgrade()` (any path), `setBaseUrl(<the app's URL>)`, and point the
 * gateway's WECOM_AIBOT_WS_URL / WECOM_AIBOT_RESPONSE_ORIGINS at it. A person writes with `send()` (a group
 * @mention with `chatId`); their bubbles are `bubblesFor()`, and every change is a `bubble` event.
 */
export class WecomAibotSimulator extends EventEmitter<{
  bubble: [AibotBubble];
  subscribed: [string];
  kicked: [string];
}> {
  readonly bubbles: AibotBubble[] = [];
  readonly messages: AibotSentMessage[] = [];
  /** Long-connection frames refused, by errcode. */
  readonly refusals: { errcode: number; cmd: string }[] = [];
  kicks = 0;
  private seq = 0;
  private gatewayTurn = 0;
  private readonly bots: Map<string, AibotSimBot>;
  private readonly codes = new Map<string, ResponseCode>();
  private readonly streams = new Map<string, StreamState>();
  private readonly peers = new Set<WsPeer>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private server: Server | null = null;
  private baseUrl = 'http://127.0.0.1';
  private gatewayUrls: string[];
  private readonly refreshIntervalMs: number;
  private readonly windowMs: number;
  private readonly responseUrlTtlMs: number;
  private readonly nowMs: () => number;

  constructor(bots: AibotSimBot[], options: AibotSimOptions = {}) {
    super();
    this.bots = new Map(bots.map((b) => [b.id, b]));
    this.gatewayUrls = options.gatewayUrls ?? [];
    this.refreshIntervalMs = options.refreshIntervalMs ?? 1_000;
    this.windowMs = options.windowMs ?? 360_000;
    this.responseUrlTtlMs = options.responseUrlTtlMs ?? 3_600_000;
    this.nowMs = options.nowMs ?? Date.now;
    this.wss.on('connection', (socket) => this.onConnection(socket));
  }

  /** Where response_urls point and the long connection listens (`ws://…`): set by listen(), or by the host app. */
  get url(): string {
    return this.baseUrl;
  }

  get wsUrl(): string {
    return this.baseUrl.replace(/^http/, 'ws');
  }

  setBaseUrl(url: string): void {
    this.baseUrl = url.replace(/\/$/, '');
  }

  /** Bots known only once the system under test has named them. */
  addBots(bots: AibotSimBot[]): void {
    for (const bot of bots) this.bots.set(bot.id, bot);
  }

  setGateways(urls: string[]): void {
    this.gatewayUrls = urls;
  }

  /** Runs on a port of its own (tests); a host app can instead mount router() and forward upgrades. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const app = express();
    app.disable('x-powered-by');
    app.use(this.router());
    const server = createServer(app);
    server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    this.server = server;
    this.setBaseUrl(`http://${host}:${(server.address() as AddressInfo).port}`);
    return this.baseUrl;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const peer of this.peers) peer.socket.terminate();
    this.wss.close();
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  router(): Router {
    const router = Router();
    // response_url (doc 101138): plain JSON, one call per URL, valid one hour; markdown, template_card or stream.
    router.post('/cgi-bin/aibot/response', json({ limit: '64kb' }), (req, res) => {
      const code = this.codes.get(String(req.query.response_code ?? ''));
      // The error codes for a spent or expired URL are not documented: these are the simulator's own.
      if (!code) return void res.json({ errcode: 40001, errmsg: 'invalid response_code' });
      if (code.used) return void res.json({ errcode: 40002, errmsg: 'response_url already used' });
      if (this.nowMs() > code.issuedAt + this.responseUrlTtlMs)
        return void res.json({ errcode: 40003, errmsg: 'response_url expired' });
      const body = req.body as Record<string, unknown>;
      // text is refused here (markdown, template_card and, in Tencent's own plugin, stream are taken).
      const content = body.msgtype === 'text' ? null : contentOf(body);
      if (content === null) return void res.json({ errcode: 40008, errmsg: 'invalid msgtype' });
      if (Buffer.byteLength(content) > 20_480) return void res.json({ errcode: 40009, errmsg: 'content too long' });
      code.used = true;
      this.addBubble({
        botId: code.botId,
        userId: code.userId,
        ...(code.chatId ? { chatId: code.chatId } : {}),
        inReplyTo: code.msgid,
        via: 'response_url',
        content,
        snapshots: [content],
        finished: true,
        expired: false,
      });
      res.json(TEMPLATE_OK);
    });
    return router;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  // ---- what a person does -------------------------------------------------------------------------------

  /**
   * A person writes to the bot: in a direct chat, or in a group (`chatId`) with the bot @mentioned, as
   * WeCom delivers only those. Resolves once the callback (or frame) is delivered.
   */
  async send(
    botId: string,
    userId: string,
    text: string,
    options: { chatId?: string } = {},
  ): Promise<AibotSentMessage> {
    const bot = this.bot(botId);
    const msgid = `${randomBytes(12).toString('base64')}${randomInt(10)}=`;
    const code = randomUUID().replaceAll('-', '');
    const group = options.chatId !== undefined;
    const content = group ? `@${bot.name ?? '智能助手'} ${text}` : text;
    const message: AibotSentMessage = {
      msgid,
      botId,
      userId,
      ...(options.chatId ? { chatId: options.chatId } : {}),
      text,
      sentAt: Date.now(),
      refreshedBy: [],
    };
    const body: Record<string, unknown> = {
      msgid,
      aibotid: bot.aibotId ?? `aib${bot.id}`,
      ...(group ? { chatid: options.chatId, chattype: 'group' } : { chattype: 'single' }),
      from: { userid: userId },
      msgtype: 'text',
      text: { content },
    };
    this.messages.push(message);
    if (bot.mode === 'ws') {
      this.codes.set(code, {
        botId,
        msgid,
        userId,
        ...(options.chatId ? { chatId: options.chatId } : {}),
        issuedAt: this.nowMs(),
        used: false,
      });
      this.pushFrame(
        botId,
        'aibot_msg_callback',
        { ...body, response_url: `${this.baseUrl}/cgi-bin/aibot/response?response_code=${code}` },
        msgid,
      );
      return message;
    }
    message.responseUrl = `${this.baseUrl}/cgi-bin/aibot/response?response_code=${code}`;
    this.codes.set(code, {
      botId,
      msgid,
      userId,
      ...(options.chatId ? { chatId: options.chatId } : {}),
      issuedAt: this.nowMs(),
      used: false,
    });
    message.request = this.encrypted(bot, JSON.stringify({ ...body, response_url: message.responseUrl }));
    await this.deliverMessage(bot, message);
    return message;
  }

  /** Delivers a message's callback once more, byte for byte (WeCom redelivers when it got no good answer). */
  async redeliver(message: AibotSentMessage): Promise<{ status: number; plaintext: string | null }> {
    const bot = this.bot(message.botId);
    if (!message.request) throw new TypeError('only URL回调 messages can be redelivered');
    const answer = await this.post(message.request, bot.id);
    const plaintext = answer.status === 200 && answer.body ? openAibotReply(this.keys(bot), answer.body) : null;
    if (plaintext) this.onStreamReply(bot, message, plaintext);
    return { status: answer.status, plaintext };
  }

  /** The person opens the chat (first time today): `enter_chat`. Returns the welcome text shown, if any. */
  async enterChat(botId: string, userId: string): Promise<string | null> {
    const bot = this.bot(botId);
    const body = {
      msgid: randomUUID(),
      create_time: Math.floor(Date.now() / 1000),
      aibotid: bot.aibotId ?? `aib${bot.id}`,
      from: { userid: userId },
      msgtype: 'event',
      event: { eventtype: 'enter_chat' },
    };
    if (bot.mode === 'ws') {
      this.pushFrame(botId, 'aibot_event_callback', body, body.msgid, true);
      return null;
    }
    const answer = await this.post(this.encrypted(bot, JSON.stringify(body)), bot.id);
    if (answer.status !== 200 || !answer.body) return null;
    const reply = JSON.parse(openAibotReply(this.keys(bot), answer.body)) as { text?: { content?: string } };
    const text = reply.text?.content ?? null;
    if (text)
      this.addBubble({
        botId,
        userId,
        via: 'welcome',
        content: text,
        snapshots: [text],
        finished: true,
        expired: false,
      });
    return text;
  }

  /** The person taps 准确 (1) / 不准确 (2) / 取消 (3) under a reply that set `feedback.id`. */
  async feedback(
    botId: string,
    userId: string,
    feedbackId: string,
    type: 1 | 2 | 3,
    content?: string,
  ): Promise<number> {
    const bot = this.bot(botId);
    const body = {
      msgid: randomUUID(),
      create_time: Math.floor(Date.now() / 1000),
      aibotid: bot.aibotId ?? `aib${bot.id}`,
      from: { userid: userId },
      msgtype: 'event',
      event: {
        eventtype: 'feedback_event',
        feedback_event: { id: feedbackId, type, ...(content ? { content, inaccurate_reason_list: [2] } : {}) },
      },
    };
    if (bot.mode === 'ws') {
      this.pushFrame(botId, 'aibot_event_callback', body, body.msgid, true);
      return 200;
    }
    return (await this.post(this.encrypted(bot, JSON.stringify(body)), bot.id)).status;
  }

  /** A 流式消息刷新 for any stream id (an unknown one, for hostile tests); returns the decrypted reply. */
  async refresh(
    botId: string,
    streamId: string,
    userId = 'probe',
  ): Promise<{ status: number; plaintext: string | null }> {
    const bot = this.bot(botId);
    const body = {
      msgid: randomUUID(),
      aibotid: bot.aibotId ?? `aib${bot.id}`,
      chattype: 'single',
      from: { userid: userId },
      msgtype: 'stream',
      stream: { id: streamId },
    };
    const answer = await this.post(this.encrypted(bot, JSON.stringify(body)), bot.id);
    return {
      status: answer.status,
      plaintext: answer.status === 200 && answer.body ? openAibotReply(this.keys(bot), answer.body) : null,
    };
  }

  /** Signs and encrypts any plaintext as a callback of this bot (options break it on purpose). */
  encrypted(
    bot: AibotSimBot,
    plaintext: string,
    options: { token?: string; timestamp?: number } = {},
  ): { query: string; body: string } {
    const keys = this.keys(bot);
    const encrypt = encryptMessage(keys.encodingAesKey, plaintext, '');
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = String(randomInt(1_000_000, 9_999_999_999));
    const signature = computeSignature(options.token ?? keys.token, timestamp, nonce, encrypt);
    return {
      query: new URLSearchParams({ msg_signature: signature, timestamp, nonce }).toString(),
      body: JSON.stringify({ encrypt }),
    };
  }

  /** POSTs a callback to the next gateway replica (the next one again if that one cannot be reached). */
  async post(
    request: { query: string; body: string },
    botId: string,
  ): Promise<{ status: number; body: string; gateway: number }> {
    const urls = this.gatewayUrls;
    if (urls.length === 0) throw new TypeError('the AI bot simulator has no gateway URL');
    const id = botId;
    let lastError: unknown;
    for (let tries = 0; tries < urls.length; tries++) {
      const gateway = this.gatewayTurn++ % urls.length;
      try {
        const res = await fetch(`${urls[gateway]}/wecom-aibot/${id}/callback?${request.query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: request.body,
          // WeCom waits about 5 s for the passive reply.
          signal: AbortSignal.timeout(5_000),
        });
        return { status: res.status, body: await res.text(), gateway };
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  // ---- what the bot shows ----------------------------------------------------------------------------------

  /** The bubbles one person sees (in one group, or in the direct chat), oldest first. */
  bubblesFor(botId: string, userId: string, chatId?: string): AibotBubble[] {
    return this.bubbles.filter((b) => b.botId === botId && b.userId === userId && b.chatId === chatId);
  }

  /** Resolves with the first finished bubble answering `message`, or any finished bubble for its chat after `afterSeq`. */
  finalFor(message: AibotSentMessage, timeoutMs = 60_000): Promise<AibotBubble> {
    return this.waitFor(
      (b) => b.finished && b.inReplyTo === message.msgid,
      timeoutMs,
      `a finished reply to "${message.text}"`,
    );
  }

  /** Resolves with the first finished bubble in this person's chat with seq > afterSeq. */
  nextFinished(
    botId: string,
    userId: string,
    afterSeq: number,
    options: { chatId?: string; timeoutMs?: number } = {},
  ): Promise<AibotBubble> {
    return this.waitFor(
      (b) => b.finished && b.seq > afterSeq && b.botId === botId && b.userId === userId && b.chatId === options.chatId,
      options.timeoutMs ?? 60_000,
      `a finished bubble for ${userId}`,
    );
  }

  waitFor(match: (b: AibotBubble) => boolean, timeoutMs: number, what: string): Promise<AibotBubble> {
    const existing = this.bubbles.find(match);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('bubble', onBubble);
        reject(new TypeError(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onBubble = (b: AibotBubble) => {
        if (!match(b)) return;
        clearTimeout(timer);
        this.off('bubble', onBubble);
        resolve(b);
      };
      this.on('bubble', onBubble);
    });
  }

  /** Subscribed long connections of a bot (at most one, as WeCom keeps it). */
  connectionsOf(botId: string): number {
    return [...this.peers].filter((p) => p.botId === botId).length;
  }

  waitForSubscribed(botId: string, timeoutMs = 30_000): Promise<void> {
    if (this.connectionsOf(botId) > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => (this.off('subscribed', on), reject(new TypeError(`no connection for ${botId}`))),
        timeoutMs,
      );
      const on = (id: string) => {
        if (id !== botId) return;
        clearTimeout(timer);
        this.off('subscribed', on);
        resolve();
      };
      this.on('subscribed', on);
    });
  }

  // ---- URL回调: message callback, then refreshes ---------------------------------------------------------

  private async deliverMessage(bot: AibotSimBot, message: AibotSentMessage): Promise<void> {
    const request = message.request;
    if (!request) return;
    // A callback that fails (no answer, an error status) is delivered again, three times at most.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const answer = await this.post(request, bot.id);
        if (answer.status === 200) {
          if (answer.body) this.onStreamReply(bot, message, openAibotReply(this.keys(bot), answer.body));
          return;
        }
      } catch {
        // unreachable: try again
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  private onStreamReply(bot: AibotSimBot, message: AibotSentMessage, plaintext: string): void {
    const reply = JSON.parse(plaintext) as {
      msgtype?: string;
      stream?: { id?: string; finish?: boolean; content?: string; feedback?: { id?: string } };
    };
    if (reply.msgtype !== 'stream' || !reply.stream?.id) return;
    const streamId = reply.stream.id;
    let state = this.streams.get(streamId);
    if (!state) {
      const bubble = this.addBubble({
        botId: bot.id,
        userId: message.userId,
        ...(message.chatId ? { chatId: message.chatId } : {}),
        inReplyTo: message.msgid,
        via: 'stream',
        streamId,
        content: '',
        snapshots: [],
        finished: false,
        expired: false,
        ...(reply.stream.feedback?.id ? { feedbackId: reply.stream.feedback.id } : {}),
      });
      state = { bubble, message };
      this.streams.set(streamId, state);
      this.update(state, reply.stream.content ?? '', reply.stream.finish === true);
      if (!state.bubble.finished) this.scheduleRefresh(bot, state);
      return;
    }
    // A redelivery's answer: the same bubble (one bubble per message).
    this.update(state, reply.stream.content ?? state.bubble.content, reply.stream.finish === true);
  }

  private update(state: StreamState, content: string, finish: boolean): void {
    if (state.bubble.finished) return;
    if (Buffer.byteLength(content) > 20_480) content = Buffer.from(content).subarray(0, 20_480).toString();
    if (content !== state.bubble.content || state.bubble.snapshots.length === 0) state.bubble.snapshots.push(content);
    state.bubble.content = content;
    state.bubble.finished = finish;
    this.emit('bubble', state.bubble);
  }

  private scheduleRefresh(bot: AibotSimBot, state: StreamState): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.refreshOnce(bot, state);
    }, this.refreshIntervalMs);
    this.timers.add(timer);
  }

  private async refreshOnce(bot: AibotSimBot, state: StreamState): Promise<void> {
    if (state.bubble.finished) return;
    if (Date.now() > state.message.sentAt + this.windowMs) {
      // Past the window WeCom stops asking and shows its own fallback (官方兜底文案).
      state.bubble.expired = true;
      state.bubble.finished = true;
      this.emit('bubble', state.bubble);
      return;
    }
    const { message } = state;
    const body = {
      msgid: randomUUID(),
      aibotid: bot.aibotId ?? `aib${bot.id}`,
      ...(message.chatId ? { chatid: message.chatId, chattype: 'group' } : { chattype: 'single' }),
      from: { userid: message.userId },
      msgtype: 'stream',
      stream: { id: state.bubble.streamId },
    };
    try {
      const answer = await this.post(this.encrypted(bot, JSON.stringify(body)), bot.id);
      if (answer.status === 200 && answer.body) {
        message.refreshedBy.push(answer.gateway);
        const reply = JSON.parse(openAibotReply(this.keys(bot), answer.body)) as {
          stream?: { id?: string; finish?: boolean; content?: string };
        };
        const stream = reply.stream;
        if (stream && stream.id === state.bubble.streamId)
          this.update(state, stream.content ?? '', stream.finish === true);
      }
    } catch {
      // No replica answered this refresh: the next one comes on schedule.
    }
    if (!state.bubble.finished) this.scheduleRefresh(bot, state);
  }

  // ---- 长连接 ---------------------------------------------------------------------------------------------

  private onConnection(socket: WebSocket): void {
    const peer: WsPeer = { socket, botId: null, reqIds: new Map() };
    socket.on('message', (data: WebSocket.RawData) => this.onFrame(peer, data.toString()));
    socket.on('close', () => {
      this.peers.delete(peer);
    });
    socket.on('error', () => undefined);
  }

  private ack(peer: WsPeer, reqId: string, errcode = 0, errmsg = 'ok'): void {
    if (peer.socket.readyState === WebSocket.OPEN)
      peer.socket.send(JSON.stringify({ headers: { req_id: reqId }, errcode, errmsg }));
  }

  private refuse(peer: WsPeer, reqId: string, cmd: string, errcode: number, errmsg: string): void {
    this.refusals.push({ errcode, cmd });
    this.ack(peer, reqId, errcode, errmsg);
  }

  private onFrame(peer: WsPeer, text: string): void {
    let frame: { cmd?: string; headers?: { req_id?: string }; body?: Record<string, unknown> };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      return;
    }
    const reqId = frame.headers?.req_id ?? '';
    const body = frame.body ?? {};
    if (frame.cmd === 'aibot_subscribe') {
      const bot = [...this.bots.values()].find((b) => b.mode === 'ws' && b.aibotId === body.bot_id);
      if (!bot || bot.secret !== body.secret) {
        this.refuse(peer, reqId, 'aibot_subscribe', 853000, 'invalid bot_id or secret');
        peer.socket.close();
        return;
      }
      // "每个智能机器人同一时间只能保持一个有效的长连接…新连接会踢掉旧连接".
      for (const old of [...this.peers].filter((p) => p.botId === bot.id)) {
        this.kicks++;
        this.peers.delete(old);
        old.socket.send(
          JSON.stringify({
            cmd: 'aibot_event_callback',
            headers: { req_id: `kick_${Date.now()}` },
            body: {
              msgid: randomUUID(),
              create_time: Math.floor(Date.now() / 1000),
              aibotid: bot.aibotId,
              from: { userid: '' },
              msgtype: 'event',
              event: { eventtype: 'disconnected_event' },
            },
          }),
        );
        old.socket.close(1000);
        this.emit('kicked', bot.id);
      }
      peer.botId = bot.id;
      this.peers.add(peer);
      this.ack(peer, reqId);
      this.emit('subscribed', bot.id);
      return;
    }
    if (!peer.botId) return this.refuse(peer, reqId, frame.cmd ?? '', 846609, 'not subscribed');
    switch (frame.cmd) {
      case 'ping':
        return this.ack(peer, reqId);
      case 'aibot_respond_msg':
      case 'aibot_respond_welcome_msg':
        return this.onRespond(peer, reqId, frame.cmd, body);
      case 'aibot_send_msg':
        return this.onPush(peer, reqId, body);
      default:
        return this.refuse(peer, reqId, frame.cmd ?? '', 846600, 'unknown cmd');
    }
  }

  private onRespond(peer: WsPeer, reqId: string, cmd: string, body: Record<string, unknown>): void {
    const callback = peer.reqIds.get(reqId);
    // A req_id is this connection's only: another connection's (or none) is refused.
    if (!callback) return this.refuse(peer, reqId, cmd, 846605, 'invalid req_id');
    const message = this.messages.find((m) => m.msgid === callback.msgid);
    const botId = peer.botId ?? '';
    if (cmd === 'aibot_respond_welcome_msg') {
      const text = contentOf(body) ?? '';
      this.addBubble({
        botId,
        userId: message?.userId ?? '',
        via: 'welcome',
        content: text,
        snapshots: [text],
        finished: true,
        expired: false,
      });
      return this.ack(peer, reqId);
    }
    if (!message) return this.refuse(peer, reqId, cmd, 846605, 'invalid req_id');
    const stream = body.stream as
      { id?: string; finish?: boolean; content?: string; feedback?: { id?: string } } | undefined;
    if (body.msgtype !== 'stream' || !stream?.id) {
      const content = contentOf(body);
      if (content === null) return this.refuse(peer, reqId, cmd, 40008, 'invalid msgtype');
      this.addBubble({
        botId,
        userId: message.userId,
        ...(message.chatId ? { chatId: message.chatId } : {}),
        inReplyTo: message.msgid,
        via: 'ws_stream',
        content,
        snapshots: [content],
        finished: true,
        expired: false,
      });
      return this.ack(peer, reqId);
    }
    if (Date.now() > callback.sentAt + this.windowMs)
      return this.refuse(peer, reqId, cmd, 846608, 'stream message update expired');
    let state = this.streams.get(stream.id);
    if (!state) {
      const bubble = this.addBubble({
        botId,
        userId: message.userId,
        ...(message.chatId ? { chatId: message.chatId } : {}),
        inReplyTo: message.msgid,
        via: 'ws_stream',
        streamId: stream.id,
        content: '',
        snapshots: [],
        finished: false,
        expired: false,
        ...(stream.feedback?.id ? { feedbackId: stream.feedback.id } : {}),
      });
      state = { bubble, message };
      this.streams.set(stream.id, state);
    }
    this.update(state, stream.content ?? '', stream.finish === true);
    this.ack(peer, reqId);
  }

  private onPush(peer: WsPeer, reqId: string, body: Record<string, unknown>): void {
    const chatId = String(body.chatid ?? '');
    const content = contentOf(body);
    if (content === null) return this.refuse(peer, reqId, 'aibot_send_msg', 40008, 'invalid msgtype');
    // Only where the user has written to the bot before (a direct chat is its userid, a group its chatid).
    const known = this.messages.find((m) => m.botId === peer.botId && (m.chatId ?? m.userId) === chatId);
    if (!known) return this.refuse(peer, reqId, 'aibot_send_msg', 93006, 'invalid chatid');
    this.addBubble({
      botId: peer.botId ?? '',
      userId: known.userId,
      ...(known.chatId ? { chatId: known.chatId } : {}),
      via: 'ws_push',
      content,
      snapshots: [content],
      finished: true,
      expired: false,
    });
    this.ack(peer, reqId);
  }

  private pushFrame(botId: string, cmd: string, body: Record<string, unknown>, msgid: string, event = false): void {
    const peer = [...this.peers].find((p) => p.botId === botId);
    // No connection: the message is not kept for later (offline messages are not replayed).
    if (!peer) return;
    const reqId = `${cmd}_${Date.now()}_${randomBytes(4).toString('hex')}`;
    peer.reqIds.set(reqId, { msgid, sentAt: Date.now(), event });
    peer.socket.send(JSON.stringify({ cmd, headers: { req_id: reqId }, body }));
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  private addBubble(fields: Omit<AibotBubble, 'seq'>): AibotBubble {
    const bubble: AibotBubble = { seq: ++this.seq, ...fields };
    this.bubbles.push(bubble);
    this.emit('bubble', bubble);
    return bubble;
  }

  private bot(botId: string): AibotSimBot {
    const bot = this.bots.get(botId);
    if (!bot) throw new TypeError(`no AI bot ${botId} in the simulator`);
    return bot;
  }

  private keys(bot: AibotSimBot): { token: string; encodingAesKey: string } {
    if (!bot.token || !bot.encodingAesKey) throw new TypeError(`AI bot ${bot.id} is not in URL回调 mode`);
    return { token: bot.token, encodingAesKey: bot.encodingAesKey };
  }
}

/** The text a reply carries: markdown, text, a stream's content; null for a msgtype the endpoint refuses. */
function contentOf(body: Record<string, unknown>): string | null {
  const part = (name: string) => (body[name] as { content?: unknown } | undefined)?.content;
  switch (body.msgtype) {
    case 'markdown':
      return typeof part('markdown') === 'string' ? (part('markdown') as string) : null;
    case 'text':
      return typeof part('text') === 'string' ? (part('text') as string) : null;
    case 'stream':
      return typeof part('stream') === 'string' ? (part('stream') as string) : null;
    case 'template_card':
      return JSON.stringify(body.template_card ?? {});
    default:
      return null;
  }
}
