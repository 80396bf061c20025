import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { WecomBotConfig } from '@answerbridge/channel-wecom';
import { Router, json } from 'express';

/** A message the bot sent through message/send, as the simulator received it. */
export interface SentWecomMessage {
  seq: number;
  corpId: string;
  agentId: number;
  toUser: string;
  msgType: string;
  content: string;
  msgid: string;
  at: number;
}

interface IssuedToken {
  corpId: string;
  agentId: number;
  expiresAt: number;
}

/**
 * The parts of WeCom's server API the bot calls (gettoken, message/send), with WeCom's errcodes, plus
 * test controls: injected errors, expired tokens, and a record of every message sent.
 */
export interface RobotMessage {
  key: string;
  content: string;
  mentioned: string[];
  at: number;
}

export class WecomServerSimulator extends EventEmitter<{ sent: [SentWecomMessage]; robot: [RobotMessage] }> {
  readonly sent: SentWecomMessage[] = [];
  /** Messages posted to group robots (消息推送 webhooks), by any key. */
  readonly robotMessages: RobotMessage[] = [];
  readonly calls = { gettoken: 0, send: 0 };
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly faults: { errcode?: number; httpStatus?: number }[] = [];
  private seq = 0;

  constructor(
    private readonly apps: WecomBotConfig[],
    private readonly tokenTtlSeconds = 7200,
  ) {
    super();
  }

  /** The next `message/send` calls answer with these, one each, before behaving normally again. */
  injectFaults(...faults: { errcode?: number; httpStatus?: number }[]): void {
    this.faults.push(...faults);
  }

  /** Makes every issued token invalid, as WeCom may do before expires_in ("提前使access_token失效"). */
  expireAllTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  /** Every access token handed out (tests check that none ever reaches a log). */
  issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }

  sentTo(toUser: string): SentWecomMessage[] {
    return this.sent.filter((m) => m.toUser === toUser);
  }

  /** Resolves with the next message sent to `toUser` (or one already sent after `afterSeq`). */
  nextMessageTo(toUser: string, afterSeq = 0, timeoutMs = 30_000): Promise<SentWecomMessage> {
    const existing = this.sent.find((m) => m.toUser === toUser && m.seq > afterSeq);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('sent', onSent);
        reject(new Error(`no message to ${toUser} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onSent = (m: SentWecomMessage) => {
        if (m.toUser !== toUser || m.seq <= afterSeq) return;
        clearTimeout(timer);
        this.off('sent', onSent);
        resolve(m);
      };
      this.on('sent', onSent);
    });
  }

  router(): Router {
    const router = Router();
    router.get('/cgi-bin/gettoken', (req, res) => {
      this.calls.gettoken++;
      const app = this.apps.find((a) => a.corpId === req.query.corpid && a.secret === req.query.corpsecret);
      if (!app) {
        res.json({ errcode: 40001, errmsg: 'invalid credential' });
        return;
      }
      const token = randomBytes(24).toString('base64url');
      this.tokens.set(token, {
        corpId: app.corpId,
        agentId: app.agentId,
        expiresAt: Date.now() + this.tokenTtlSeconds * 1000,
      });
      res.json({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: this.tokenTtlSeconds });
    });

    router.post('/cgi-bin/message/send', json({ limit: '1mb' }), (req, res) => {
      this.calls.send++;
      const fault = this.faults.shift();
      if (fault?.httpStatus) {
        res.status(fault.httpStatus).send('simulated failure');
        return;
      }
      if (fault?.errcode !== undefined) {
        res.json({ errcode: fault.errcode, errmsg: 'simulated error' });
        return;
      }
      const token = this.tokens.get(String(req.query.access_token ?? ''));
      if (!req.query.access_token) return void res.json({ errcode: 41001, errmsg: 'access_token missing' });
      if (!token) return void res.json({ errcode: 40014, errmsg: 'invalid access_token' });
      if (token.expiresAt <= Date.now()) return void res.json({ errcode: 42001, errmsg: 'access_token expired' });
      const body = req.body as { touser?: string; msgtype?: string; agentid?: number; text?: { content?: string } };
      if (body.agentid !== token.agentId) return void res.json({ errcode: 40056, errmsg: 'invalid agentid' });
      if (!body.touser) return void res.json({ errcode: 40031, errmsg: 'invalid user list' });
      if (body.msgtype !== 'text') return void res.json({ errcode: 40008, errmsg: 'invalid message type' });
      const content = body.text?.content ?? '';
      if (!content) return void res.json({ errcode: 44004, errmsg: 'empty content' });
      if (Buffer.byteLength(content, 'utf8') > 2048)
        return void res.json({ errcode: 45002, errmsg: 'content size out of limit' });
      const message: SentWecomMessage = {
        seq: ++this.seq,
        corpId: token.corpId,
        agentId: token.agentId,
        toUser: body.touser,
        msgType: body.msgtype,
        content,
        msgid: randomBytes(16).toString('hex'),
        at: Date.now(),
      };
      this.sent.push(message);
      this.emit('sent', message);
      res.json({ errcode: 0, errmsg: 'ok', invaliduser: '', msgid: message.msgid });
    });
    router.post('/cgi-bin/webhook/send', json({ limit: '1mb' }), (req, res) => {
      const body = req.body as { msgtype?: string; text?: { content?: string; mentioned_list?: string[] } };
      if (!req.query.key) return void res.json({ errcode: 93000, errmsg: 'invalid webhook url' });
      if (body.msgtype !== 'text' || !body.text?.content)
        return void res.json({ errcode: 40008, errmsg: 'invalid message type' });
      const message = {
        key: String(req.query.key),
        content: body.text.content,
        mentioned: body.text.mentioned_list ?? [],
        at: Date.now(),
      };
      this.robotMessages.push(message);
      this.emit('robot', message);
      res.json({ errcode: 0, errmsg: 'ok' });
    });
    return router;
  }
}
