import { EventEmitter } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DingTalkBotConfig } from '@answerbridge/channel-dingtalk';
import { Router, json } from 'express';
import { WebSocketServer, type WebSocket } from 'ws';

export interface DingTalkSentMessage {
  seq: number;
  via: 'webhook' | 'openapi-user' | 'openapi-group';
  robotCode: string;
  /** staffId (1:1 and webhook replies) or openConversationId (group OpenAPI). */
  to: string;
  conversationId: string | null;
  text: string;
  atUserIds: string[];
  at: number;
}

export interface PushOptions {
  from: string;
  text: string;
  /** A group conversation id; absent for a direct chat. */
  group?: string;
  /** Whether the group message @mentions the bot (DingTalk only delivers those in real life). */
  atBot?: boolean;
  msgtype?: 'text' | 'picture' | 'audio';
}

interface Pending {
  frame: string;
  clientId: string;
  deliveries: number;
  timer: NodeJS.Timeout | null;
}

interface Session {
  robotCode: string;
  staffId: string;
  conversationId: string;
  group: boolean;
  expiresAt: number;
}

/**
 * DingTalk's side, as the real SDK sees it: the Stream gateway (connections/open with one-time tickets,
 * the WebSocket with SYSTEM ping / disconnect and CALLBACK frames, redelivery of frames not acked in
 * time, one random connection per push), sessionWebhooks that expire, the OAuth token and the robot send
 * APIs. Records everything the bot sends, and lets tests break things.
 */
export class DingTalkServerSimulator extends EventEmitter<{
  sent: [DingTalkSentMessage];
  ack: [string];
  open: [string];
}> {
  readonly sent: DingTalkSentMessage[] = [];
  /** How many times each message id was pushed (redeliveries included). */
  readonly deliveries = new Map<string, number>();
  readonly acked = new Set<string>();
  readonly calls = { open: 0, token: 0 };
  baseUrl = '';
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Map<string, { clientId: string; expiresAt: number }>();
  private readonly sockets = new Map<string, Set<WebSocket>>();
  private readonly pending = new Map<string, Pending>();
  private readonly sessions = new Map<string, Session>();
  private readonly tokens = new Map<string, { appKey: string; expiresAt: number }>();
  private dropAcks = 0;
  private readonly issuedTickets: string[] = [];
  private readonly muted = new WeakSet<WebSocket>();
  private seq = 0;
  private pingTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly apps: DingTalkBotConfig[],
    readonly options: { redeliverAfterMs: number; sessionTtlMs: number; pingIntervalMs: number } = {
      redeliverAfterMs: 60_000,
      sessionTtlMs: 5_400_000,
      pingIntervalMs: 20_000,
    },
  ) {
    super();
  }

  /** Takes over WebSocket upgrades for /connect on the simulator's HTTP server. */
  /** Serves the Stream's WebSocket on this server's /connect (a server of its own: every other path is refused). */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
    this.startPings();
  }

  /** One upgrade request for the Stream's WebSocket (/connect?ticket=…), from a host that routes upgrades by path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/connect') return void socket.destroy();
    const ticket = this.tickets.get(url.searchParams.get('ticket') ?? '');
    this.tickets.delete(url.searchParams.get('ticket') ?? '');
    if (!ticket || ticket.expiresAt < Date.now()) {
      socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return void socket.destroy();
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.adopt(ticket.clientId, ws));
  }

  /** Pings every connection on the Stream's schedule (the gateway's watchdog listens for them). */
  startPings(): void {
    this.pingTimer = setInterval(() => this.pingAll(), this.options.pingIntervalMs);
    this.pingTimer.unref();
  }

  private adopt(clientId: string, ws: WebSocket): void {
    const set = this.sockets.get(clientId) ?? new Set();
    set.add(ws);
    this.sockets.set(clientId, set);
    ws.on('close', () => set.delete(ws));
    ws.on('message', (raw) => {
      let ack: { code?: number; headers?: { messageId?: string } };
      try {
        ack = JSON.parse(String(raw));
      } catch {
        return;
      }
      const id = ack.headers?.messageId;
      if (!id || !this.pending.has(id)) return;
      if (this.dropAcks > 0) {
        this.dropAcks--;
        return;
      }
      const p = this.pending.get(id);
      if (p?.timer) clearTimeout(p.timer);
      this.pending.delete(id);
      this.acked.add(id);
      this.emit('ack', id);
    });
  }

  /** Every access token and Stream ticket handed out (tests check that none ever reaches a log). */
  issuedSecrets(): string[] {
    return [...this.tokens.keys(), ...this.issuedTickets];
  }

  /** Open sockets of a client id (each gateway replica holds one). */
  connectionCount(clientId: string): number {
    return [...(this.sockets.get(clientId) ?? [])].filter((w) => w.readyState === 1 && !this.muted.has(w)).length;
  }

  private pingAll(): void {
    for (const set of this.sockets.values())
      for (const ws of set)
        if (ws.readyState === 1 && !this.muted.has(ws))
          ws.send(
            JSON.stringify({
              specVersion: '1.0',
              type: 'SYSTEM',
              headers: { topic: 'ping', messageId: randomUUID(), contentType: 'application/json' },
              data: JSON.stringify({ opaque: randomUUID() }),
            }),
          );
  }

  /** The next `n` acks are "lost": the frames are redelivered after the timeout. */
  loseAcks(n: number): void {
    this.dropAcks += n;
  }

  /** Closes every socket of a client (as a network drop would). */
  dropConnections(clientId: string): void {
    for (const ws of this.sockets.get(clientId) ?? []) ws.terminate();
  }

  /** Keeps a client's current sockets open but silent: no pings, no pushes (a zombie connection). */
  muteConnections(clientId: string): void {
    for (const ws of this.sockets.get(clientId) ?? []) this.muted.add(ws);
  }

  /** Sends a raw frame, JSON or not, to every socket of a client. */
  sendRaw(clientId: string, text: string): void {
    for (const ws of this.sockets.get(clientId) ?? []) if (ws.readyState === 1) ws.send(text);
  }

  /** Announces a rotation with a SYSTEM disconnect frame, then closes after `graceMs` (10 s in DingTalk). */
  rotate(clientId: string, graceMs = 10_000): void {
    for (const ws of this.sockets.get(clientId) ?? []) {
      if (ws.readyState !== 1) continue;
      ws.send(
        JSON.stringify({
          specVersion: '1.0',
          type: 'SYSTEM',
          headers: { topic: 'disconnect', messageId: randomUUID(), contentType: 'application/json' },
          data: JSON.stringify({ reason: 'connection is expired' }),
        }),
      );
      setTimeout(() => ws.terminate(), graceMs).unref();
    }
  }

  expireSessions(): void {
    for (const s of this.sessions.values()) s.expiresAt = 0;
  }

  private app(botId: string): DingTalkBotConfig {
    const app = this.apps.find((a) => a.id === botId);
    if (!app) throw new Error(`no DingTalk bot ${botId} in the simulator`);
    return app;
  }

  /** The robot message DingTalk would send for a user's message (also the HTTP-mode body). */
  robotMessage(botId: string, o: PushOptions): Record<string, unknown> {
    const app = this.app(botId);
    const robotCode = app.robotCode ?? app.clientId;
    const group = Boolean(o.group);
    const session = randomBytes(12).toString('base64url');
    const now = Date.now();
    const conversationId = group
      ? `cid${Buffer.from(o.group ?? '').toString('base64')}`
      : `cid${Buffer.from(`${o.from}:${robotCode}`).toString('base64')}`;
    this.sessions.set(session, {
      robotCode,
      staffId: o.from,
      conversationId,
      group,
      expiresAt: now + this.options.sessionTtlMs,
    });
    const at = group && o.atBot !== false;
    const body: Record<string, unknown> = {
      msgId: `msg${randomBytes(16).toString('base64')}`,
      msgtype: o.msgtype ?? 'text',
      conversationId,
      conversationType: group ? '2' : '1',
      ...(group
        ? { conversationTitle: o.group, isInAtList: at, atUsers: at ? [{ dingtalkId: '$:LWCP_v1:$bot' }] : [] }
        : {}),
      senderId: `$:LWCP_v1:$${Buffer.from(o.from).toString('base64')}`,
      senderStaffId: o.from,
      senderNick: o.from,
      chatbotUserId: '$:LWCP_v1:$bot',
      robotCode,
      sessionWebhook: `${this.baseUrl}/robot/sendBySession?session=${session}`,
      sessionWebhookExpiredTime: now + this.options.sessionTtlMs,
      createAt: now,
    };
    if (body.msgtype === 'text')
      body.text = { content: at && app.robotName ? `@${app.robotName} ${o.text}` : ` ${o.text}` };
    else if (body.msgtype === 'audio') body.content = { downloadCode: 'dl', recognition: o.text };
    else body.content = { downloadCode: 'dl', pictureDownloadCode: 'pdl' };
    return body;
  }

  /** Pushes a message over the Stream to one random connection; redelivers until acked. Returns the frame's messageId. */
  push(botId: string, o: PushOptions): { messageId: string; msgId: string } {
    const data = this.robotMessage(botId, o);
    return { messageId: this.pushData(botId, JSON.stringify(data)), msgId: String(data.msgId) };
  }

  /** Pushes a CALLBACK frame with any `data` string (bad input included). */
  pushData(botId: string, data: string): string {
    const app = this.app(botId);
    const messageId = `${randomBytes(4).toString('hex')}_${Date.now().toString(16)}`;
    const frame = JSON.stringify({
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: {
        appId: app.clientId,
        contentType: 'application/json',
        messageId,
        time: String(Date.now()),
        topic: '/v1.0/im/bot/messages/get',
      },
      data,
    });
    this.pending.set(messageId, { frame, clientId: app.clientId, deliveries: 0, timer: null });
    this.deliver(messageId);
    return messageId;
  }

  private deliver(messageId: string): void {
    const p = this.pending.get(messageId);
    if (!p) return;
    const open = [...(this.sockets.get(p.clientId) ?? [])].filter((w) => w.readyState === 1 && !this.muted.has(w));
    const socket = open[Math.floor(Math.random() * open.length)];
    if (socket) {
      socket.send(p.frame);
      p.deliveries++;
      this.deliveries.set(messageId, p.deliveries);
    }
    // Unacked (or nobody connected): try again later, as DingTalk does, up to a few times.
    if (p.deliveries < 6) {
      p.timer = setTimeout(() => this.deliver(messageId), socket ? this.options.redeliverAfterMs : 200);
      p.timer.unref();
    }
  }

  /** Resolves when the frame is acked. */
  acked$(messageId: string): Promise<void> {
    if (this.acked.has(messageId)) return Promise.resolve();
    return new Promise((resolve) => {
      const on = (id: string) => {
        if (id !== messageId) return;
        this.off('ack', on);
        resolve();
      };
      this.on('ack', on);
    });
  }

  nextMessageTo(staffIdOrGroup: string, afterSeq = 0, timeoutMs = 30_000): Promise<DingTalkSentMessage> {
    const match = (m: DingTalkSentMessage) =>
      (m.to === staffIdOrGroup || m.conversationId === staffIdOrGroup) && m.seq > afterSeq;
    const existing = this.sent.find(match);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('sent', on);
        reject(new Error(`no DingTalk message to ${staffIdOrGroup} within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (m: DingTalkSentMessage) => {
        if (!match(m)) return;
        clearTimeout(timer);
        this.off('sent', on);
        resolve(m);
      };
      this.on('sent', on);
    });
  }

  private record(m: Omit<DingTalkSentMessage, 'seq' | 'at'>): void {
    const message = { ...m, seq: ++this.seq, at: Date.now() };
    this.sent.push(message);
    this.emit('sent', message);
  }

  router(): Router {
    const router = Router();
    router.post('/v1.0/gateway/connections/open', json(), (req, res) => {
      this.calls.open++;
      const { clientId, clientSecret } = req.body as { clientId?: string; clientSecret?: string };
      this.emit('open', String(clientId));
      const app = this.apps.find((a) => a.clientId === clientId && a.clientSecret === clientSecret);
      if (!app)
        return void res.status(401).json({ code: 'InvalidAuthentication', message: 'bad clientId or clientSecret' });
      const ticket = randomUUID();
      this.issuedTickets.push(ticket);
      this.tickets.set(ticket, { clientId: app.clientId, expiresAt: Date.now() + 90_000 });
      res.json({ endpoint: `${this.baseUrl.replace(/^http/, 'ws')}/connect`, ticket });
    });
    router.post('/v1.0/oauth2/accessToken', json(), (req, res) => {
      this.calls.token++;
      const { appKey, appSecret } = req.body as { appKey?: string; appSecret?: string };
      if (!this.apps.some((a) => a.clientId === appKey && a.clientSecret === appSecret))
        return void res.status(400).json({ code: 'invalidClientIdOrSecret', message: 'bad appKey or appSecret' });
      const token = randomBytes(16).toString('hex');
      this.tokens.set(token, { appKey: appKey ?? '', expiresAt: Date.now() + 7_200_000 });
      res.json({ accessToken: token, expireIn: 7200 });
    });
    const authorized = (token: string | undefined) => {
      const t = this.tokens.get(token ?? '');
      return t && t.expiresAt > Date.now();
    };
    router.post('/v1.0/robot/oToMessages/batchSend', json(), (req, res) => {
      if (!authorized(req.get('x-acs-dingtalk-access-token')))
        return void res.status(401).json({ code: 'InvalidAuthentication', message: '不合法的access_token' });
      const { robotCode, userIds, msgParam } = req.body as { robotCode: string; userIds: string[]; msgParam: string };
      const param = JSON.parse(msgParam) as { content?: string; text?: string };
      const text = param.content ?? param.text ?? '';
      for (const to of userIds)
        this.record({ via: 'openapi-user', robotCode, to, conversationId: null, text, atUserIds: [] });
      res.json({ processQueryKey: randomUUID(), invalidStaffIdList: [], flowControlledStaffIdList: [] });
    });
    router.post('/v1.0/robot/groupMessages/send', json(), (req, res) => {
      if (!authorized(req.get('x-acs-dingtalk-access-token')))
        return void res.status(401).json({ code: 'InvalidAuthentication', message: '不合法的access_token' });
      const { robotCode, openConversationId, msgParam } = req.body as {
        robotCode: string;
        openConversationId: string;
        msgParam: string;
      };
      const param = JSON.parse(msgParam) as { content?: string; text?: string };
      this.record({
        via: 'openapi-group',
        robotCode,
        to: openConversationId,
        conversationId: openConversationId,
        text: param.content ?? param.text ?? '',
        atUserIds: [],
      });
      res.json({ processQueryKey: randomUUID() });
    });
    router.post('/robot/sendBySession', json(), (req, res) => {
      const session = this.sessions.get(String(req.query.session ?? ''));
      if (!session || session.expiresAt < Date.now())
        return void res.json({ errcode: 300001, errmsg: 'session 不存在' });
      const body = req.body as {
        msgtype?: string;
        text?: { content?: string };
        markdown?: { text?: string };
        at?: { atUserIds?: string[] };
      };
      this.record({
        via: 'webhook',
        robotCode: session.robotCode,
        to: session.staffId,
        conversationId: session.group ? session.conversationId : null,
        text: body.text?.content ?? body.markdown?.text ?? '',
        atUserIds: body.at?.atUserIds ?? [],
      });
      res.json({ errcode: 0, errmsg: 'ok' });
    });
    return router;
  }

  close(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const p of this.pending.values()) if (p.timer) clearTimeout(p.timer);
    for (const set of this.sockets.values()) for (const ws of set) ws.terminate();
    this.wss.close();
  }
}
