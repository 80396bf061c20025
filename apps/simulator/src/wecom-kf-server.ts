import { EventEmitter } from 'node:events';
import { randomBytes, randomInt } from 'node:crypto';
import type { Server } from 'node:http';
import { computeSignature, encryptMessage } from '@answerbridge/channel-wecom';
import { listen } from '@answerbridge/observability';
import express, { Router, json, type Response } from 'express';

/** A kf account as the simulator knows it: the managing app's credentials and the callback's. */
export interface SimulatedKfAccount {
  corpId: string;
  agentId: number;
  secret: string;
  token: string;
  encodingAesKey: string;
  openKfId: string;
  /** Where kf_msg_or_event callbacks go (the gateway's `/wecom-kf/<bot>/callback`). */
  callbackUrl: string;
  /** The account's 接待人员 and whether each is 接待中 (status 0) or not (1). */
  servicers?: { userid: string; status: 0 | 1 }[];
}

/** A message the bot (or an agent through it) sent to a customer. */
export interface SentKfMessage {
  seq: number;
  openKfId: string;
  toUser: string;
  content: string;
  msgid: string;
  /** `send_msg`, or `send_msg_on_event` (welcome, handover notices) with the code's kind. */
  via: 'send_msg' | 'welcome' | 'trans';
  at: number;
}

/** One sync_msg call: the cursor it asked from, as a position in the account's log (tests check it never goes back). */
export interface KfSyncCall {
  openKfId: string;
  position: number;
  returned: number;
  withToken: boolean;
  /** The position after the page, and whether the log goes on. */
  end: number;
  hasMore: boolean;
}

type SessionState = 0 | 1 | 2 | 3 | 4;

interface Session {
  state: SessionState;
  servicer: string | undefined;
  /** The customer's last message (ms) and the sends since: 48 h and 5 (docs/protocols/wecom-aibot-kf.md §3.4). */
  lastCustomerAt: number;
  sendsSince: number;
}

interface LoggedMessage {
  seq: number;
  item: Record<string, unknown>;
}

interface EventCode {
  kind: 'welcome' | 'trans';
  openKfId: string;
  user: string;
  expiresAt: number;
  /** The session state the code was given for: except a welcome, it is good only while the session stays so. */
  state: SessionState | null;
}

/** WeCom's errcodes as the kf APIs answer them (docs/protocols/wecom-aibot-kf.md §3.7). */
export const KF_SIM_ERRCODES = {
  invalidKfId: 95000,
  budgetSpent: 95001,
  windowClosed: 95002,
  sessionEnded: 95013,
  servicerInactive: 95014,
  /** 不允许这种状态转换 */
  badTransition: 95016,
  sessionInvalid: 95018,
  /** A callback token sync_msg does not know or that is older than 10 min. [unconfirmed errcode] */
  badSyncToken: 95007,
  /** send_msg_on_event with an unknown, used or expired code. [unconfirmed errcode] */
  badEventCode: 95003,
} as const;

const SYNC_TOKEN_TTL_MS = 10 * 60_000;
const WELCOME_CODE_TTL_MS = 20_000;
const TRANS_CODE_TTL_MS = 48 * 3_600_000;
const WINDOW_MS = 48 * 3_600_000;
const SENDS_PER_CUSTOMER_MESSAGE = 5;
/** Allowed service_state/trans moves (94698): from → to. */
const TRANSITIONS: Record<SessionState, SessionState[]> = { 0: [1, 2, 3], 1: [2, 3], 2: [3], 3: [3, 4], 4: [] };

const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
const encodeCursor = (position: number) => `c${position.toString(36)}${randomBytes(3).toString('hex')}`;
const decodeCursor = (cursor: string): number | null => {
  const m = /^c([0-9a-z]+)[0-9a-f]{6}$/.exec(cursor);
  return m?.[1] ? parseInt(m[1], 36) : null;
};

/**
 * 微信客服 as the bot sees it: the kf_msg_or_event callback (encrypted, signed) to the gateway, sync_msg
 * over a stored log with cursor, has_more and limit, send_msg under the 48 h / 5-messages rule with the
 * real errcodes, send_msg_on_event with welcome and trans codes, service_state get/trans with its state
 * machine, servicer/list, gettoken. Tests and the demo act as customers (`customerSends`) and as
 * WeCom's servicers (`servicerTakes`, `servicerEnds`), and read what the bot sent (`sentTo`).
 */
export class WecomKfSimulator extends EventEmitter<{
  sent: [SentKfMessage];
  synced: [KfSyncCall];
}> {
  readonly sent: SentKfMessage[] = [];
  readonly syncCalls: KfSyncCall[] = [];
  readonly calls = { gettoken: 0, syncMsg: 0, sendMsg: 0, sendOnEvent: 0, trans: 0 };
  private readonly tokens = new Map<string, { corpId: string; agentId: number; expiresAt: number }>();
  private readonly syncTokens = new Map<string, { openKfId: string; expiresAt: number }>();
  private readonly logs = new Map<string, LoggedMessage[]>();
  private readonly sessions = new Map<string, Session>();
  private readonly codes = new Map<string, EventCode>();
  private readonly usedMsgids = new Map<string, string>();
  private readonly syncFaults: { errcode?: number; httpStatus?: number }[] = [];
  private seq = 0;
  private logSeq = 0;
  private server: Server | undefined;
  /** The largest page sync_msg returns whatever `limit` asks (WeCom's is 1000); small values force paging. */
  maxPage = 1000;
  url = '';

  constructor(
    readonly accounts: SimulatedKfAccount[],
    private readonly now: () => number = Date.now,
  ) {
    super();
    for (const a of accounts) this.logs.set(a.openKfId, []);
  }

  /** Listens on its own port (tests and the demo point the channel's apiBaseUrl here). */
  async start(host = '127.0.0.1', port = 0): Promise<string> {
    const app = express();
    app.disable('x-powered-by');
    app.use(this.router());
    const { server, url } = await listen(app, host, port);
    this.server = server;
    this.url = url;
    return url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private account(openKfId: string): SimulatedKfAccount {
    const account = this.accounts.find((a) => a.openKfId === openKfId);
    if (!account) throw new Error(`no kf account ${openKfId} in the simulator`);
    return account;
  }

  private session(openKfId: string, user: string): Session {
    const key = `${openKfId}\u0000${user}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = { state: 4, servicer: undefined, lastCustomerAt: 0, sendsSince: 0 };
      this.sessions.set(key, s);
    }
    return s;
  }

  /** The session's state: 0 new, 1 bot, 2 queued for a servicer, 3 with a servicer, 4 ended / not started. */
  stateOf(openKfId: string, user: string): SessionState {
    return this.session(openKfId, user).state;
  }

  /** Appends to the account's log (what sync_msg returns) and tells the gateway with a callback. */
  private async append(
    openKfId: string,
    item: Record<string, unknown>,
    notify = true,
  ): Promise<{ msgid: string; status: number }> {
    const msgid = String(item.msgid ?? `sim_${randomBytes(8).toString('hex')}_${++this.logSeq}`);
    const log = this.logs.get(openKfId);
    if (!log) throw new Error(`no kf account ${openKfId}`);
    log.push({
      seq: log.length + 1,
      item: { msgid, open_kfid: openKfId, send_time: Math.floor(this.now() / 1000), ...item },
    });
    if (!notify) return { msgid, status: 0 };
    const res = await this.callback(openKfId).catch(() => ({ status: 0, body: '' }));
    return { msgid, status: res.status };
  }

  /** A customer writes: a new or ended session becomes 0, the 48 h and the 5 sends start again. */
  async customerSends(openKfId: string, user: string, content: string, options: { notify?: boolean } = {}) {
    const s = this.session(openKfId, user);
    if (s.state === 4) s.state = 0;
    s.lastCustomerAt = this.now();
    s.sendsSince = 0;
    return this.append(
      openKfId,
      { external_userid: user, origin: 3, msgtype: 'text', text: { content } },
      options.notify ?? true,
    );
  }

  /** The customer opens the chat: enter_session with a welcome code (valid 20 s), as when no welcome was sent in 48 h. */
  async customerEnters(openKfId: string, user: string) {
    const code = `welcome_${randomBytes(8).toString('hex')}`;
    this.codes.set(code, { kind: 'welcome', openKfId, user, expiresAt: this.now() + WELCOME_CODE_TTL_MS, state: null });
    return this.append(openKfId, {
      origin: 4,
      msgtype: 'event',
      event: { event_type: 'enter_session', open_kfid: openKfId, external_userid: user, scene: '', welcome_code: code },
    });
  }

  /** A servicer picks the session up in the WeCom client (from the pool, or re-engages an ended one). */
  async servicerTakes(openKfId: string, user: string, servicer: string) {
    const s = this.session(openKfId, user);
    const changeType = s.state === 2 ? 1 : s.state === 4 ? 4 : 2;
    const old = s.servicer;
    s.state = 3;
    s.servicer = servicer;
    return this.append(openKfId, {
      origin: 4,
      msgtype: 'event',
      event: {
        event_type: 'session_status_change',
        open_kfid: openKfId,
        external_userid: user,
        change_type: changeType,
        ...(old ? { old_servicer_userid: old } : {}),
        new_servicer_userid: servicer,
      },
    });
  }

  /** The servicer writes to the customer from the WeCom client (origin 5: in sync_msg, never the bot's). */
  async servicerWrites(openKfId: string, user: string, content: string) {
    const s = this.session(openKfId, user);
    return this.append(openKfId, {
      external_userid: user,
      origin: 5,
      servicer_userid: s.servicer ?? '',
      msgtype: 'text',
      text: { content },
    });
  }

  /** The servicer ends the session (state 4): session_status_change 3, with a closing msg_code. */
  async servicerEnds(openKfId: string, user: string) {
    const s = this.session(openKfId, user);
    const old = s.servicer;
    s.state = 4;
    s.servicer = undefined;
    return this.append(openKfId, {
      origin: 4,
      msgtype: 'event',
      event: {
        event_type: 'session_status_change',
        open_kfid: openKfId,
        external_userid: user,
        change_type: 3,
        ...(old ? { old_servicer_userid: old } : {}),
        msg_code: this.issueCode('trans', openKfId, user, 4),
      },
    });
  }

  /** Puts an item into the account's log as given, however malformed (hostile-input tests); no callback. */
  injectRawItem(openKfId: string, item: unknown): void {
    const log = this.logs.get(openKfId);
    if (!log) throw new Error(`no kf account ${openKfId}`);
    log.push({ seq: log.length + 1, item: item as Record<string, unknown> });
  }

  /** The next sync_msg calls answer with these, one each (an HTTP error or an errcode). */
  injectSyncFaults(...faults: { errcode?: number; httpStatus?: number }[]): void {
    this.syncFaults.push(...faults);
  }

  /** Every position sync_msg was asked from, per account, in call order. */
  positions(openKfId: string): number[] {
    return this.syncCalls.filter((c) => c.openKfId === openKfId).map((c) => c.position);
  }

  /**
   * Resolves once sync_msg has served the account's log up to `upTo` (its length now, by default) and said
   * there is no more. The gateway queues that page right after: await a reply, or the queues, for the rest.
   */
  fetched(
    openKfId: string,
    {
      upTo = this.logLength(openKfId),
      since = this.syncCalls.length,
      timeoutMs = 30_000,
    }: { upTo?: number; since?: number; timeoutMs?: number } = {},
  ): Promise<void> {
    const done = (c: KfSyncCall) => c.openKfId === openKfId && c.end >= upTo && !c.hasMore;
    // `since`: the calls already made that count (0: any); by default only calls from now on.
    if (this.syncCalls.slice(since).some(done)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('synced', onSync);
        reject(new Error(`${openKfId} not fetched up to ${upTo} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onSync = (c: KfSyncCall) => {
        if (!done(c)) return;
        clearTimeout(timer);
        this.off('synced', onSync);
        resolve();
      };
      this.on('synced', onSync);
    });
  }

  /** Where a cursor the simulator issued points in its account's log (null: not one of its cursors). */
  cursorPosition(cursor: string): number | null {
    return decodeCursor(cursor);
  }

  /** The account's log length: everything a complete fetch has read. */
  logLength(openKfId: string): number {
    return this.logs.get(openKfId)?.length ?? 0;
  }

  sentTo(user: string): SentKfMessage[] {
    return this.sent.filter((m) => m.toUser === user);
  }

  /** Resolves with the next message sent to `user` after `afterSeq`. */
  nextMessageTo(user: string, afterSeq = 0, timeoutMs = 30_000): Promise<SentKfMessage> {
    const existing = this.sent.find((m) => m.toUser === user && m.seq > afterSeq);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('sent', onSent);
        reject(new Error(`no kf message to ${user} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onSent = (m: SentKfMessage) => {
        if (m.toUser !== user || m.seq <= afterSeq) return;
        clearTimeout(timer);
        this.off('sent', onSent);
        resolve(m);
      };
      this.on('sent', onSent);
    });
  }

  /** Builds the kf_msg_or_event callback WeCom would POST now (kept so a test can deliver the same bytes again). */
  callbackRequest(
    openKfId: string,
    options: { token?: string; signWith?: string; plaintext?: string; timestamp?: number } = {},
  ): { url: string; body: string } {
    const a = this.account(openKfId);
    const token = options.token ?? this.issueSyncToken(openKfId);
    const plaintext =
      options.plaintext ??
      `<xml><ToUserName>${cdata(a.corpId)}</ToUserName><CreateTime>${Math.floor(this.now() / 1000)}</CreateTime>` +
        `<MsgType>${cdata('event')}</MsgType><Event>${cdata('kf_msg_or_event')}</Event>` +
        `<Token>${cdata(token)}</Token><OpenKfId>${cdata(openKfId)}</OpenKfId></xml>`;
    const encrypted = encryptMessage(a.encodingAesKey, plaintext, a.corpId);
    const timestamp = String(options.timestamp ?? Math.floor(this.now() / 1000));
    const nonce = String(randomInt(1_000_000, 9_999_999_999));
    const signature = computeSignature(options.signWith ?? a.token, timestamp, nonce, encrypted);
    const query = new URLSearchParams({ msg_signature: signature, timestamp, nonce });
    const body = `<xml><ToUserName>${cdata(a.corpId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt><AgentID>${cdata('')}</AgentID></xml>`;
    return { url: `${a.callbackUrl}?${query}`, body };
  }

  async deliver(request: { url: string; body: string }): Promise<{ status: number; body: string }> {
    const res = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: request.body,
    });
    return { status: res.status, body: await res.text() };
  }

  /** A kf_msg_or_event callback for the account, with a fresh sync token. */
  async callback(openKfId: string): Promise<{ status: number; body: string }> {
    return this.deliver(this.callbackRequest(openKfId));
  }

  private issueSyncToken(openKfId: string): string {
    const token = `ENC${randomBytes(20).toString('base64url')}`;
    this.syncTokens.set(token, { openKfId, expiresAt: this.now() + SYNC_TOKEN_TTL_MS });
    return token;
  }

  private issueCode(kind: 'welcome' | 'trans', openKfId: string, user: string, state: SessionState): string {
    const code = `${kind}_${randomBytes(8).toString('hex')}`;
    this.codes.set(code, { kind, openKfId, user, expiresAt: this.now() + TRANS_CODE_TTL_MS, state });
    return code;
  }

  private record(openKfId: string, toUser: string, content: string, msgid: string, via: SentKfMessage['via']) {
    const message: SentKfMessage = { seq: ++this.seq, openKfId, toUser, content, msgid, via, at: this.now() };
    this.sent.push(message);
    this.emit('sent', message);
    return message;
  }

  router(): Router {
    const router = Router();
    const fail = (res: Response, errcode: number, errmsg: string) => void res.json({ errcode, errmsg });
    /** The access token's app, or an errcode answered. */
    const authorized = (token: unknown, res: Response) => {
      const issued = this.tokens.get(String(token ?? ''));
      if (!token) return (fail(res, 41001, 'access_token missing'), null);
      if (!issued) return (fail(res, 40014, 'invalid access_token'), null);
      if (issued.expiresAt <= this.now()) return (fail(res, 42001, 'access_token expired'), null);
      return issued;
    };
    const accountFor = (issued: { corpId: string; agentId: number }, openKfId: unknown, res: Response) => {
      const a = this.accounts.find(
        (x) => x.openKfId === openKfId && x.corpId === issued.corpId && x.agentId === issued.agentId,
      );
      if (!a) return (fail(res, KF_SIM_ERRCODES.invalidKfId, 'invalid open_kfid'), null);
      return a;
    };

    router.get('/cgi-bin/gettoken', (req, res, next) => {
      const app = this.accounts.find((a) => a.corpId === req.query.corpid && a.secret === req.query.corpsecret);
      // Not a kf app: another simulator mounted beside this one may know it.
      if (!app) return next();
      this.calls.gettoken++;
      const token = randomBytes(24).toString('base64url');
      this.tokens.set(token, { corpId: app.corpId, agentId: app.agentId, expiresAt: this.now() + 7_200_000 });
      res.json({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
    });

    router.post('/cgi-bin/kf/sync_msg', json({ limit: '64kb' }), (req, res) => {
      this.calls.syncMsg++;
      const fault = this.syncFaults.shift();
      if (fault?.httpStatus) return void res.status(fault.httpStatus).send('simulated failure');
      if (fault?.errcode !== undefined) return fail(res, fault.errcode, 'simulated error');
      const issued = authorized(req.query.access_token, res);
      if (!issued) return;
      const body = req.body as { cursor?: string; token?: string; limit?: number; open_kfid?: string };
      const a = accountFor(issued, body.open_kfid, res);
      if (!a) return;
      if (body.token !== undefined) {
        const t = this.syncTokens.get(body.token);
        if (!t || t.openKfId !== a.openKfId || t.expiresAt <= this.now())
          return fail(res, KF_SIM_ERRCODES.badSyncToken, 'invalid msg token');
      }
      const limit = Math.min(body.limit ?? 1000, 1000, this.maxPage);
      if (!Number.isInteger(limit) || limit < 1) return fail(res, 40058, 'invalid limit');
      const position = body.cursor ? decodeCursor(body.cursor) : 0;
      if (position === null) return fail(res, 95008, 'invalid cursor');
      const log = this.logs.get(a.openKfId) ?? [];
      const page = log.filter((m) => m.seq > position).slice(0, limit);
      const end = page.at(-1)?.seq ?? position;
      const call: KfSyncCall = {
        openKfId: a.openKfId,
        position,
        returned: page.length,
        withToken: body.token !== undefined,
        end,
        hasMore: log.length > end,
      };
      this.syncCalls.push(call);
      this.emit('synced', call);
      res.json({
        errcode: 0,
        errmsg: 'ok',
        next_cursor: encodeCursor(end),
        has_more: log.length > end ? 1 : 0,
        msg_list: page.map((m) => m.item),
      });
    });

    router.post('/cgi-bin/kf/send_msg', json({ limit: '64kb' }), (req, res) => {
      this.calls.sendMsg++;
      const issued = authorized(req.query.access_token, res);
      if (!issued) return;
      const body = req.body as {
        touser?: string;
        open_kfid?: string;
        msgid?: string;
        msgtype?: string;
        text?: { content?: string };
      };
      const a = accountFor(issued, body.open_kfid, res);
      if (!a) return;
      if (!body.touser) return fail(res, 40003, 'invalid touser');
      if (body.msgid !== undefined && !/^[0-9a-zA-Z_-]{1,32}$/.test(body.msgid))
        return fail(res, 40009, 'invalid msgid');
      const key = `${a.openKfId}\u0000${body.msgid ?? ''}`;
      // A repeated msgid is the same message: WeCom keeps msgids unique per account. [errcode unconfirmed:
      // the simulator answers the first send's result and sends nothing]
      const earlier = body.msgid ? this.usedMsgids.get(key) : undefined;
      if (earlier) return void res.json({ errcode: 0, errmsg: 'ok', msgid: earlier });
      if (body.msgtype !== 'text') return fail(res, 40008, 'invalid message type');
      const content = body.text?.content ?? '';
      if (!content) return fail(res, 44004, 'empty content');
      if (Buffer.byteLength(content, 'utf8') > 2048) return fail(res, 45002, 'content size out of limit');
      const s = this.session(a.openKfId, body.touser);
      if (s.state !== 0 && s.state !== 1)
        return fail(res, KF_SIM_ERRCODES.sessionInvalid, 'send msg session status invalid');
      if (this.now() - s.lastCustomerAt > WINDOW_MS)
        return fail(res, KF_SIM_ERRCODES.windowClosed, 'send msg time limit');
      if (s.sendsSince >= SENDS_PER_CUSTOMER_MESSAGE)
        return fail(res, KF_SIM_ERRCODES.budgetSpent, 'send msg count limit');
      s.sendsSince++;
      // An API send to a new session gives it to the 智能助手 (95489).
      if (s.state === 0) s.state = 1;
      const sent = this.record(
        a.openKfId,
        body.touser,
        content,
        body.msgid ?? randomBytes(12).toString('hex'),
        'send_msg',
      );
      if (body.msgid) this.usedMsgids.set(key, sent.msgid);
      res.json({ errcode: 0, errmsg: 'ok', msgid: sent.msgid });
    });

    router.post('/cgi-bin/kf/send_msg_on_event', json({ limit: '64kb' }), (req, res) => {
      this.calls.sendOnEvent++;
      if (!authorized(req.query.access_token, res)) return;
      const body = req.body as { code?: string; msgid?: string; msgtype?: string; text?: { content?: string } };
      const code = this.codes.get(body.code ?? '');
      if (!code || code.expiresAt <= this.now()) return fail(res, KF_SIM_ERRCODES.badEventCode, 'invalid code');
      const s = this.session(code.openKfId, code.user);
      if (code.state !== null && s.state !== code.state)
        return fail(res, KF_SIM_ERRCODES.sessionInvalid, 'session status changed since the code was given');
      if (body.msgtype !== 'text' || !body.text?.content) return fail(res, 40008, 'invalid message type');
      this.codes.delete(body.code ?? '');
      const sent = this.record(
        code.openKfId,
        code.user,
        body.text.content,
        body.msgid ?? randomBytes(12).toString('hex'),
        code.kind,
      );
      res.json({ errcode: 0, errmsg: 'ok', msgid: sent.msgid });
    });

    router.post('/cgi-bin/kf/service_state/get', json({ limit: '16kb' }), (req, res) => {
      const issued = authorized(req.query.access_token, res);
      if (!issued) return;
      const body = req.body as { open_kfid?: string; external_userid?: string };
      const a = accountFor(issued, body.open_kfid, res);
      if (!a || !body.external_userid) return a ? fail(res, 40003, 'invalid external_userid') : undefined;
      const s = this.session(a.openKfId, body.external_userid);
      res.json({
        errcode: 0,
        errmsg: 'ok',
        service_state: s.state,
        ...(s.servicer ? { servicer_userid: s.servicer } : {}),
      });
    });

    router.post('/cgi-bin/kf/service_state/trans', json({ limit: '16kb' }), (req, res) => {
      this.calls.trans++;
      const issued = authorized(req.query.access_token, res);
      if (!issued) return;
      const body = req.body as {
        open_kfid?: string;
        external_userid?: string;
        service_state?: number;
        servicer_userid?: string;
      };
      const a = accountFor(issued, body.open_kfid, res);
      if (!a) return;
      if (!body.external_userid) return fail(res, 40003, 'invalid external_userid');
      const s = this.session(a.openKfId, body.external_userid);
      const to = body.service_state as SessionState;
      if (!TRANSITIONS[s.state].includes(to) || to === 4) {
        if (s.state === 4) return fail(res, KF_SIM_ERRCODES.sessionEnded, 'session already ended');
        return fail(
          res,
          KF_SIM_ERRCODES.badTransition,
          `state ${s.state} cannot move to ${String(body.service_state)}`,
        );
      }
      if (to === 3) {
        const servicer = (a.servicers ?? []).find((x) => x.userid === body.servicer_userid);
        if (!servicer || servicer.status !== 0)
          return fail(res, KF_SIM_ERRCODES.servicerInactive, 'servicer not active');
      }
      const firstToPeople = (to === 2 || to === 3) && s.state !== 2 && s.state !== 3;
      s.state = to;
      s.servicer = to === 3 ? body.servicer_userid : undefined;
      const msgCode = firstToPeople ? this.issueCode('trans', a.openKfId, body.external_userid, to) : undefined;
      res.json({ errcode: 0, errmsg: 'ok', ...(msgCode ? { msg_code: msgCode } : {}) });
    });

    router.get('/cgi-bin/kf/servicer/list', (req, res) => {
      const issued = authorized(req.query.access_token, res);
      if (!issued) return;
      const a = accountFor(issued, req.query.open_kfid, res);
      if (!a) return;
      res.json({
        errcode: 0,
        errmsg: 'ok',
        servicer_list: (a.servicers ?? []).map((x) => ({ userid: x.userid, status: x.status, stop_type: 0 })),
      });
    });
    return router;
  }
}
