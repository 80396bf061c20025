import { randomUUID } from 'node:crypto';
import { AnswerbridgeError, type ChannelLogger, type InboundMessage, type KeyValueStore } from '@answerbridge/core';
import { WecomApiError } from '@answerbridge/channel-wecom';
import type { KfApiPort, KfSyncItem } from './kf-api';
import type { KfBot, KfSettings } from './kf-config';
import { toInbound } from './kf-inbound';
import { KF_TTL_MS, deleteKey, kfKeys, parseWindow, platformMsgId, type KfKeys } from './kf-keys';
import type { KfMessages } from './kf-messages';

export interface KfFetcherDeps {
  bot: KfBot;
  api: KfApiPort;
  store: KeyValueStore;
  settings: KfSettings;
  messages: KfMessages;
  /** Queues one message, dropping redeliveries; resolves once it is safe in Redis. */
  accept(message: InboundMessage): Promise<{ duplicate: boolean }>;
  count(result: string): void;
  logger: ChannelLogger;
  nowMs(): number;
}

/** The cursor as stored: WeCom's opaque next_cursor, and how many pages it has moved (for logs and tests). */
interface StoredCursor {
  cursor: string;
  pages: number;
}

/** Another round may be running meanwhile: a fetcher that lost its lock stops before writing the cursor. */
export class KfLockLostError extends AnswerbridgeError {
  constructor(openKfId: string) {
    super(
      'WECOM_KF.LOCK_LOST',
      `the fetch lock of ${openKfId} expired during a round; the cursor was left alone`,
      true,
    );
  }
}

const MAX_PAGES_PER_ROUND = 1_000;

interface PageContext {
  /** No cursor was stored: the first fetch of this account. */
  firstFetch: boolean;
  /** Per customer, the index of the page's last session end (session_status_change 3). */
  endsAt: Map<string, number>;
}

function sessionEnds(items: KfSyncItem[]): Map<string, number> {
  const ends = new Map<string, number>();
  items.forEach((item, index) => {
    const user = item.event?.external_userid ?? item.external_userid;
    if (item.event?.event_type === 'session_status_change' && item.event.change_type === 3 && user)
      ends.set(user, index);
  });
  return ends;
}

/**
 * Pulls an account's messages with sync_msg after a kf_msg_or_event callback (which carries no content,
 * only "there is something"), in the gateway that received the callback, after it has answered WeCom.
 *
 * - One fetcher per account across every replica: a lock in the store, renewed after each page. A
 *   callback that finds the lock taken leaves a "fetch again" mark (with its token) before trying the
 *   lock; the holder runs another round while the mark is there, and looks once more after releasing
 *   the lock, so a callback arriving at any moment is never left without a round after it.
 * - Each page's customer messages are queued with an id from their msgid (a page fetched twice queues
 *   nothing new), then marked seen; only then does the cursor move to the page's next_cursor. A crash
 *   in between refetches the page, which the marks and the queue's dedupe make harmless.
 * - The cursor is only written by the lock holder, from the cursor it read under the lock: it never
 *   moves back.
 */
export class KfFetcher {
  private readonly keys: KfKeys;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  private forced = false;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: KfFetcherDeps) {
    this.keys = kfKeys(deps.bot.corpId, deps.bot.openKfId);
  }

  /**
   * Fetches until WeCom has nothing more. `done`: this call's messages are queued; `deferred`: another
   * fetcher holds the lock and will see this call's mark (unless it died: see `kick`).
   */
  async drain(token: string | undefined): Promise<'done' | 'deferred'> {
    const { store } = this.deps;
    // The mark first, the lock second: whoever holds the lock now is sure to see the mark.
    await store.set(this.keys.fetchAgain, token ?? '', KF_TTL_MS.fetchAgain);
    for (;;) {
      const me = randomUUID();
      if (!(await store.setIfAbsent(this.keys.fetchLock, me, KF_TTL_MS.fetchLock))) return 'deferred';
      try {
        for (
          let again = await store.get(this.keys.fetchAgain);
          again !== null;
          again = await store.get(this.keys.fetchAgain)
        ) {
          await store.deleteIfEquals(this.keys.fetchAgain, again);
          await this.round(again || undefined, me);
        }
      } finally {
        await store.deleteIfEquals(this.keys.fetchLock, me);
      }
      // A callback that came between our last look and the release found the lock taken: run for it.
      if ((await store.get(this.keys.fetchAgain)) === null) return 'done';
    }
  }

  /**
   * Drains in the background: the callback's answer does not wait for WeCom's API. A failed round is tried
   * again 5 s later. A deferred one is looked at again once the lock could have run out: a live holder has
   * taken the mark by then, while a holder that died (a gateway killed mid-round) left both, and the lock
   * expiring lets this replica serve the mark instead of waiting for the account's next callback.
   */
  kick(token: string | undefined): void {
    if (this.stopped) return;
    const run = this.drain(token).then(
      (outcome) => {
        if (outcome === 'deferred') this.later(KF_TTL_MS.fetchLock + 1_000, false);
      },
      async (error: unknown) => {
        this.deps.logger.warn(
          { err: error, openKfId: this.deps.bot.openKfId },
          'sync_msg round failed; retrying shortly',
        );
        this.deps.count('fetch_failed');
        // The round took the mark: it is put back, so the retry (here or in any replica) knows work is left.
        await this.deps.store.setIfAbsent(this.keys.fetchAgain, '', KF_TTL_MS.fetchAgain).catch(() => false);
        this.later(5_000, true);
      },
    );
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /**
   * Kicks again after `ms`: unconditionally after a failure (`force`: even the mark may not have been written,
   * Redis being down), otherwise only if the "fetch again" mark is still there. Of two requests the sooner wins.
   */
  private later(ms: number, force: boolean): void {
    if (this.stopped) return;
    this.forced ||= force;
    const due = Date.now() + ms;
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const forced = this.forced;
      this.forced = false;
      void (async () => {
        // Redis unreachable counts as marked: the kick fails again and is rescheduled.
        const marked =
          forced ||
          (await this.deps.store.get(this.keys.fetchAgain).then(
            (v) => v !== null,
            () => true,
          ));
        // The callback's token may be spent by now: without it WeCom still answers, more strictly rate-limited.
        if (marked) this.kick(undefined);
      })();
    }, ms);
    this.timer.unref();
  }

  /** No new rounds; resolves once the rounds in flight have ended (their lock released, their page queued). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  private async readCursor(): Promise<StoredCursor | null> {
    const raw = await this.deps.store.get(this.keys.cursor);
    if (!raw) return null;
    try {
      const parsed = JSON.parse(raw) as Partial<StoredCursor>;
      return typeof parsed.cursor === 'string' ? { cursor: parsed.cursor, pages: parsed.pages ?? 0 } : null;
    } catch {
      return null;
    }
  }

  private async round(token: string | undefined, me: string): Promise<void> {
    const { api, store, settings } = this.deps;
    let useToken = token;
    for (let page = 0; page < MAX_PAGES_PER_ROUND; page++) {
      const stored = await this.readCursor();
      let result;
      try {
        result = await api.syncMsg({ cursor: stored?.cursor, token: useToken, limit: settings.WECOM_KF_PAGE_LIMIT });
      } catch (error) {
        // A spent or foreign callback token: the call without one is still answered (rate-limited).
        if (useToken && error instanceof WecomApiError && !error.retryable) {
          this.deps.logger.warn({ errcode: error.errcode }, 'sync_msg refused the callback token; fetching without it');
          useToken = undefined;
          page--;
          continue;
        }
        throw error;
      }
      if (result.skipped) {
        this.deps.logger.warn({ skipped: result.skipped }, 'sync_msg items of an unexpected shape were passed over');
        this.deps.count('rejected_item');
      }
      const context = { firstFetch: stored === null, endsAt: sessionEnds(result.items) };
      for (const [index, item] of result.items.entries()) await this.handle(item, context, index);
      if ((await store.get(this.keys.fetchLock)) !== me) throw new KfLockLostError(this.deps.bot.openKfId);
      const moved = result.nextCursor !== undefined && result.nextCursor !== stored?.cursor;
      if (moved && result.nextCursor !== undefined)
        await store.set(
          this.keys.cursor,
          JSON.stringify({ cursor: result.nextCursor, pages: (stored?.pages ?? 0) + 1 }),
          KF_TTL_MS.cursor,
        );
      await store.set(this.keys.fetchLock, me, KF_TTL_MS.fetchLock);
      // has_more may be 1 on an empty page; a cursor that does not move would loop forever.
      if (!result.hasMore || (!moved && result.items.length === 0)) return;
    }
  }

  private async handle(item: KfSyncItem, page: PageContext, index: number): Promise<void> {
    const { store } = this.deps;
    const seenKey = this.keys.seen(item.msgid);
    if ((await store.get(seenKey)) !== null) {
      this.deps.count('duplicate');
      return;
    }
    if (item.origin === 3) await this.customerMessage(item, page, index);
    else if (item.origin === 4 && item.msgtype === 'event') await this.systemEvent(item);
    // A servicer writing from the WeCom client (origin 5) is the servicer's conversation, not the bot's.
    else this.deps.count(item.origin === 5 ? 'servicer_message' : 'ignored');
    await store.set(seenKey, '1', KF_TTL_MS.seen);
  }

  private async customerMessage(item: KfSyncItem, page: PageContext, index: number): Promise<void> {
    const { bot, store } = this.deps;
    const now = this.deps.nowMs();
    const message = toInbound(bot, item, now);
    if (!message) {
      this.deps.count('ignored');
      return;
    }
    const user = message.senderId;
    // The 48 h and the 5 sends count from the customer's latest message: recorded before the answer is queued.
    const windowKey = this.keys.window(user);
    const current = parseWindow(await store.get(windowKey));
    if (!current || current.at <= message.sentAt)
      await store.set(windowKey, JSON.stringify({ msgid: item.msgid, at: message.sentAt }), KF_TTL_MS.window);
    if (page.firstFetch && now - message.sentAt > this.deps.settings.WECOM_KF_FIRST_FETCH_MAX_AGE_SECONDS * 1000) {
      this.deps.count('stale');
      return;
    }
    if (await this.withServicer(user, (page.endsAt.get(user) ?? -1) > index)) {
      this.deps.count('with_servicer');
      return;
    }
    const { duplicate } = await this.deps.accept(message);
    this.deps.count(duplicate ? 'duplicate' : 'accepted');
  }

  /**
   * True while WeCom's servicers hold the session (2 or 3): the bot stays silent, they answer in WeCom. The
   * mark follows the log's own events in order; a message followed in the same page by its session's end
   * was written to the servicer. Otherwise service_state is asked, in case the session ended without an event
   * seen: 4 means it ended after this message (a customer message reopens it as 0), 0 or 1 that the mark is stale.
   */
  private async withServicer(user: string, endsLaterInPage: boolean): Promise<boolean> {
    const key = this.keys.withServicer(user);
    if ((await this.deps.store.get(key)) === null) return false;
    if (endsLaterInPage) return true;
    const { state } = await this.deps.api.serviceState(user);
    if (state === 2 || state === 3 || state === 4) return true;
    await deleteKey(this.deps.store, key);
    return false;
  }

  private async systemEvent(item: KfSyncItem): Promise<void> {
    const event = item.event;
    if (!event) return;
    const user = event.external_userid ?? item.external_userid;
    const { store, logger } = this.deps;
    switch (event.event_type) {
      case 'enter_session': {
        this.deps.count('enter_session');
        if (!event.welcome_code || !user) return;
        // The welcome code lives 20 s: sent from here, not queued behind the answers.
        try {
          await this.deps.api.sendOnEvent(
            event.welcome_code,
            this.deps.bot.welcome ?? this.deps.messages.welcome,
            platformMsgId('welcome', item.msgid),
          );
        } catch (error) {
          logger.warn({ err: error, msgid: item.msgid }, 'the enter_session welcome was not sent');
        }
        return;
      }
      case 'session_status_change': {
        this.deps.count('session_change');
        if (!user) return;
        // 1 taken from the pool, 2 transferred, 4 a servicer re-engaged: a person holds it. 3 ended: the bot again.
        if (event.change_type === 3) await deleteKey(store, this.keys.withServicer(user));
        else if (event.change_type === 1 || event.change_type === 2 || event.change_type === 4)
          await store.set(this.keys.withServicer(user), event.new_servicer_userid ?? '', KF_TTL_MS.withServicer);
        return;
      }
      case 'msg_send_fail':
        // Accepted by send_msg but not delivered (48 h passed, the customer refuses messages, …): nothing to retry.
        this.deps.count('send_failed');
        logger.warn({ failMsgid: event.fail_msgid, failType: event.fail_type }, 'WeCom could not deliver a kf message');
        return;
      default:
        this.deps.count('ignored_event');
    }
  }
}
