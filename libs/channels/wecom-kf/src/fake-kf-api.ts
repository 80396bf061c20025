import { WecomApiError } from '@answerbridge/channel-wecom';
import type { KfApiPort, KfSyncItem, KfSyncPage } from './kf-api';
import { KfBotSchema, type KfBot } from './kf-config';

/** A kf bot for unit tests (the official test vector's key, a made-up account). */
export function testKfBot(overrides: Partial<KfBot> = {}): KfBot {
  return KfBotSchema.parse({
    id: 'kfbot',
    channel: 'wecom-kf',
    corpId: 'wwcorp',
    agentId: 1000002,
    secret: 'app-secret',
    token: 'QDG6eK',
    encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
    openKfId: 'wkTESTACCOUNT',
    ...overrides,
  });
}

/**
 * An in-memory 微信客服 for the unit tests of the fetcher, the sender and the handover: a message log read
 * by position (the cursor is `p<n>`), session states, and what was sent. The HTTP side is the simulator's
 * (apps/simulator/src/wecom-kf-server.ts), exercised by the e2e tests.
 */
export class FakeKfApi implements KfApiPort {
  readonly log: KfSyncItem[] = [];
  readonly sent: { to: string; content: string; msgid: string }[] = [];
  readonly onEvent: { code: string; content: string; msgid: string }[] = [];
  readonly transfers: { user: string; state: number; servicer: string | undefined }[] = [];
  readonly syncCalls: { cursor: string | undefined; token: string | undefined }[] = [];
  readonly states = new Map<string, number>();
  /** Largest page returned whatever the limit. */
  maxPage = 1000;
  /** Errors thrown by the next calls, by method. */
  readonly failNext: Partial<Record<'syncMsg' | 'sendText' | 'transfer', WecomApiError[]>> = {};
  /** Pages in flight now: a second concurrent sync_msg is a broken lock. */
  inFlight = 0;
  maxInFlight = 0;
  /** Awaited inside each sync_msg, so tests can interleave callbacks with a round in flight. */
  pageDelay: () => Promise<void> = async () => undefined;
  /** Tokens sync_msg refuses (a spent callback token). */
  readonly refusedTokens = new Set<string>();
  private nextId = 1;

  constructor(readonly bot: KfBot) {}

  customer(user: string, content: string, sendTime = Math.floor(Date.now() / 1000)): KfSyncItem {
    const item: KfSyncItem = {
      msgid: `msg_${this.nextId++}`,
      open_kfid: this.bot.openKfId,
      external_userid: user,
      send_time: sendTime,
      origin: 3,
      msgtype: 'text',
      text: { content },
    };
    this.log.push(item);
    return item;
  }

  event(event: NonNullable<KfSyncItem['event']>): KfSyncItem {
    const item: KfSyncItem = {
      msgid: `evt_${this.nextId++}`,
      send_time: Math.floor(Date.now() / 1000),
      origin: 4,
      msgtype: 'event',
      event: { open_kfid: this.bot.openKfId, ...event },
    };
    this.log.push(item);
    return item;
  }

  private fail(method: 'syncMsg' | 'sendText' | 'transfer'): void {
    const error = this.failNext[method]?.shift();
    if (error) throw error;
  }

  async syncMsg(options: {
    cursor: string | undefined;
    token: string | undefined;
    limit: number;
  }): Promise<KfSyncPage> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      this.syncCalls.push({ cursor: options.cursor, token: options.token });
      await this.pageDelay();
      this.fail('syncMsg');
      if (options.token && this.refusedTokens.has(options.token))
        throw new WecomApiError(95007, 'invalid msg token', false);
      const from = options.cursor ? Number(options.cursor.slice(1)) : 0;
      const page = this.log.slice(from, from + Math.min(options.limit, this.maxPage));
      const end = from + page.length;
      return { nextCursor: `p${end}`, hasMore: end < this.log.length, items: page, skipped: 0 };
    } finally {
      this.inFlight--;
    }
  }

  async sendText(to: string, content: string, msgid: string): Promise<{ msgid: string | null }> {
    this.fail('sendText');
    this.sent.push({ to, content, msgid });
    return { msgid };
  }

  async sendOnEvent(code: string, content: string, msgid: string): Promise<void> {
    this.onEvent.push({ code, content, msgid });
  }

  async serviceState(user: string): Promise<{ state: number; servicerUserId: string | undefined }> {
    return { state: this.states.get(user) ?? 1, servicerUserId: undefined };
  }

  async transfer(user: string, state: 1 | 2 | 3, servicer?: string): Promise<string | undefined> {
    this.fail('transfer');
    this.transfers.push({ user, state, servicer });
    this.states.set(user, state);
    return state === 1 ? undefined : `code_${this.transfers.length}`;
  }
}
