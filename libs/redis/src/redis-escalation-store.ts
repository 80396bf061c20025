import type {
  ConversationEntry,
  Escalation,
  EscalationErasure,
  EscalationStore,
  InboxEvent,
  InboxEvents,
  PersonRef,
} from '@answerbridge/core';
import { EscalationSchema, isConversationOf } from '@answerbridge/core';
import type { RedisClient } from './redis-connection';
import { globLiteral, scanKeys } from './redis-scan';

// Every script that changes a conversation ends with RETAIN: the escalation and its history expire the
// retention after this change, together, whatever its state. A conversation in use is changed (and so kept)
// all the time; one nobody touched for the whole retention, open or not, holds what someone wrote and goes.
// KEYS[1] hash, KEYS[2] history, KEYS[3] history ids are the first three keys of every script below.
const RETAIN = `
local function retain(ttl)
  for i = 1, 3 do redis.call('pexpire', KEYS[i], ttl) end
end
`;

// KEYS: hash, history, ids, waiting zset, with-agent zset; ARGV: conversationId, agentId, at, ttl
const CLAIM = `${RETAIN}
if redis.call('hget', KEYS[1], 'state') ~= 'waiting' then return 0 end
redis.call('hset', KEYS[1], 'state', 'with-agent', 'agentId', ARGV[2], 'claimedAt', ARGV[3])
redis.call('zrem', KEYS[4], ARGV[1])
redis.call('zadd', KEYS[5], ARGV[3], ARGV[1])
retain(ARGV[4])
return 1`;

// KEYS: hash, history, ids; ARGV: fromAgent, toAgent, ttl
const TRANSFER = `${RETAIN}
if redis.call('hget', KEYS[1], 'state') ~= 'with-agent' or redis.call('hget', KEYS[1], 'agentId') ~= ARGV[1] then return 0 end
redis.call('hset', KEYS[1], 'agentId', ARGV[2])
retain(ARGV[3])
return 1`;

// KEYS: hash, history, ids, waiting, with-agent; ARGV: conversationId, at, ttl
const RESOLVE = `${RETAIN}
local state = redis.call('hget', KEYS[1], 'state')
if state ~= 'waiting' and state ~= 'with-agent' then return 0 end
redis.call('hset', KEYS[1], 'state', 'resolved', 'resolvedAt', ARGV[2])
redis.call('zrem', KEYS[4], ARGV[1])
redis.call('zrem', KEYS[5], ARGV[1])
retain(ARGV[3])
return 1`;

// KEYS: hash, history, ids, waiting; ARGV[1] conversationId, ARGV[2] escalatedAt, ARGV[3] ttl, ARGV[4..] field/value pairs
const OPEN = `${RETAIN}
local state = redis.call('hget', KEYS[1], 'state')
if state == 'waiting' or state == 'with-agent' then return 0 end
redis.call('del', KEYS[1])
redis.call('hset', KEYS[1], unpack(ARGV, 4))
redis.call('zadd', KEYS[4], ARGV[2], ARGV[1])
retain(ARGV[3])
return 1`;

// KEYS: hash, history, ids; ARGV: entry id, entry JSON, limit, ttl.
// An entry appended twice (a job that ran twice) is kept once.
const APPEND = `${RETAIN}
if redis.call('sadd', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('rpush', KEYS[2], ARGV[2])
redis.call('ltrim', KEYS[2], -tonumber(ARGV[3]), -1)
retain(ARGV[4])
return 1`;

// KEYS: hash, history, ids, waiting, with-agent; ARGV: conversationId.
// Returns {0, agentId} when an agent holds it, else {1, escalations deleted, history entries deleted}.
const ERASE = `
if redis.call('hget', KEYS[1], 'state') == 'with-agent' then return {0, redis.call('hget', KEYS[1], 'agentId') or ''} end
local entries = redis.call('llen', KEYS[2])
local escalations = redis.call('del', KEYS[1])
redis.call('del', KEYS[2], KEYS[3])
redis.call('zrem', KEYS[4], ARGV[1])
redis.call('zrem', KEYS[5], ARGV[1])
return {1, escalations, entries}`;

// KEYS: hash, history, ids; ARGV: ttl, now. For records older than this code (the hash never expired, the
// history had 90 days) or a retention that was shortened: an escalation gets what is left of the retention
// after its last change, or goes now. Returns 1 when it changed.
const APPLY_RETENTION = `
local ttl = tonumber(ARGV[1])
local state = redis.call('hget', KEYS[1], 'state')
local outside = false
for i = 1, 3 do
  local current = redis.call('pttl', KEYS[i])
  if current == -1 or current > ttl then outside = true end
end
if not outside then return 0 end
local left = ttl
if state then
  local last = 0
  for _, field in ipairs({'escalatedAt', 'claimedAt', 'resolvedAt'}) do
    last = math.max(last, tonumber(redis.call('hget', KEYS[1], field)) or 0)
  end
  left = math.min(ttl, last + ttl - tonumber(ARGV[2]))
end
if left <= 0 then
  redis.call('del', KEYS[1], KEYS[2], KEYS[3])
  return 1
end
for i = 1, 3 do
  local current = redis.call('pttl', KEYS[i])
  if current == -1 or current > left then redis.call('pexpire', KEYS[i], left) end
end
return 1`;

// KEYS: a state's zset, the hash; ARGV: conversationId, state. Drops a queue entry whose escalation is gone
// or in another state (every script changes both together, so a mismatch is a leftover).
const DROP_STALE = `
if redis.call('hget', KEYS[2], 'state') == ARGV[2] then return 0 end
return redis.call('zrem', KEYS[1], ARGV[1])`;

const HISTORY_LIMIT = 500;

/**
 * Escalations as Redis hashes plus two sorted sets (waiting, with-agent) ordered by time; every state
 * change is one Lua script, so two agents claiming at once cannot both win. Closed escalations and their
 * histories expire `retentionMs` after their last change, open ones too (a conversation in use keeps changing).
 */
export class RedisEscalationStore implements EscalationStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    /** How long a closed escalation and its history are kept after their last change. */
    private readonly retentionMs: number,
  ) {}

  private key(conversationId: string): string {
    return `${this.prefix}:esc:${conversationId}`;
  }
  private historyKey(conversationId: string): string {
    return `${this.prefix}:esc:${conversationId}:history`;
  }
  /** The three keys every script starts with: hash, history, history ids. */
  private conversationKeys(conversationId: string): [string, string, string] {
    const history = this.historyKey(conversationId);
    return [this.key(conversationId), history, `${history}:ids`];
  }
  private setKey(state: 'waiting' | 'with-agent'): string {
    return `${this.prefix}:esc:index:${state}`;
  }
  private get ttl(): string {
    return String(this.retentionMs);
  }

  async get(conversationId: string): Promise<Escalation | null> {
    const raw = await this.redis.hgetall(this.key(conversationId));
    return Object.keys(raw).length ? decode(raw) : null;
  }

  async open(escalation: Escalation): Promise<boolean> {
    const fields = Object.entries(encode(escalation)).flat();
    const id = escalation.conversationId;
    const created = await this.redis.eval(
      OPEN,
      4,
      ...this.conversationKeys(id),
      this.setKey('waiting'),
      id,
      String(escalation.escalatedAt),
      this.ttl,
      ...fields,
    );
    return created === 1;
  }

  async claim(conversationId: string, agentId: string, at: number): Promise<boolean> {
    const keys = [...this.conversationKeys(conversationId), this.setKey('waiting'), this.setKey('with-agent')];
    return (await this.redis.eval(CLAIM, 5, ...keys, conversationId, agentId, String(at), this.ttl)) === 1;
  }

  async transfer(conversationId: string, fromAgent: string, toAgent: string): Promise<boolean> {
    return (
      (await this.redis.eval(TRANSFER, 3, ...this.conversationKeys(conversationId), fromAgent, toAgent, this.ttl)) === 1
    );
  }

  async resolve(conversationId: string, at: number): Promise<boolean> {
    const keys = [...this.conversationKeys(conversationId), this.setKey('waiting'), this.setKey('with-agent')];
    return (await this.redis.eval(RESOLVE, 5, ...keys, conversationId, String(at), this.ttl)) === 1;
  }

  async list(state: 'waiting' | 'with-agent'): Promise<Escalation[]> {
    const ids = await this.redis.zrange(this.setKey(state), 0, 999);
    const all = await Promise.all(ids.map((id) => this.get(id)));
    const stale = ids.filter((_, i) => all[i]?.state !== state);
    await Promise.all(stale.map((id) => this.redis.eval(DROP_STALE, 2, this.setKey(state), this.key(id), id, state)));
    return all.filter((e): e is Escalation => e !== null && e.state === state);
  }

  async append(conversationId: string, entry: ConversationEntry): Promise<void> {
    await this.redis.eval(
      APPEND,
      3,
      ...this.conversationKeys(conversationId),
      entry.id,
      JSON.stringify(entry),
      String(HISTORY_LIMIT),
      this.ttl,
    );
  }

  async updateDelivery(conversationId: string, entryId: string, delivery: 'sent' | 'failed'): Promise<void> {
    // History is short (≤ 500) and agent replies are rare next to reads: rewrite the one entry in place.
    const key = this.historyKey(conversationId);
    const entries = await this.redis.lrange(key, 0, -1);
    const index = entries.findIndex((e) => (JSON.parse(e) as ConversationEntry).id === entryId);
    if (index === -1) return;
    const entry = JSON.parse(entries[index] ?? '{}') as ConversationEntry;
    await this.redis.lset(key, index, JSON.stringify({ ...entry, delivery }));
  }

  async history(conversationId: string, limit: number): Promise<ConversationEntry[]> {
    const raw = await this.redis.lrange(this.historyKey(conversationId), -limit, -1);
    return raw.map((e) => JSON.parse(e) as ConversationEntry);
  }

  async conversationsOf(person: PersonRef): Promise<string[]> {
    const base = `${this.prefix}:esc:`;
    const pattern = `${base}${globLiteral(`${person.channel}/${person.botId}/`)}*${globLiteral(person.senderId)}*`;
    const ids = new Set<string>();
    for await (const keys of scanKeys(this.redis, pattern)) {
      for (const key of keys) ids.add(key.slice(base.length).replace(/:history(:ids)?$/, ''));
    }
    return [...ids].filter((id) => isConversationOf(id, person)).sort();
  }

  async erase(conversationId: string): Promise<EscalationErasure> {
    const keys = [...this.conversationKeys(conversationId), this.setKey('waiting'), this.setKey('with-agent')];
    const [erased, a, b] = (await this.redis.eval(ERASE, 5, ...keys, conversationId)) as [
      number,
      number | string,
      number?,
    ];
    return erased === 0
      ? { erased: false, heldBy: String(a) }
      : { erased: true, escalations: Number(a), historyEntries: Number(b ?? 0) };
  }

  async applyRetention(): Promise<number> {
    const base = `${this.prefix}:esc:`;
    const index = `${base}index:`;
    const seen = new Set<string>();
    let changed = 0;
    const now = String(Date.now());
    for await (const keys of scanKeys(this.redis, `${base}*`)) {
      const ids = [
        ...new Set(
          keys
            .filter((key) => !key.startsWith(index))
            .map((key) => key.slice(base.length).replace(/:history(:ids)?$/, '')),
        ),
      ].filter((id) => !seen.has(id));
      ids.forEach((id) => seen.add(id));
      // One page at a time, its scripts sent together (a round trip per page, not per conversation).
      const results = await Promise.all(
        ids.map((id) => this.redis.eval(APPLY_RETENTION, 3, ...this.conversationKeys(id), this.ttl, now)),
      );
      changed += results.reduce<number>((sum, r) => sum + Number(r), 0);
    }
    for (const state of ['waiting', 'with-agent'] as const) {
      const queued = await this.redis.zrange(this.setKey(state), 0, -1);
      for (const id of queued)
        changed += Number(await this.redis.eval(DROP_STALE, 2, this.setKey(state), this.key(id), id, state));
    }
    return changed;
  }
}

function encode(e: Escalation): Record<string, string> {
  return {
    conversationId: e.conversationId,
    botId: e.botId,
    channel: e.channel,
    senderId: e.senderId,
    replyTarget: JSON.stringify(e.replyTarget),
    state: e.state,
    reason: e.reason,
    question: e.question,
    candidates: JSON.stringify(e.candidates),
    escalatedAt: String(e.escalatedAt),
    agentId: e.agentId ?? '',
    claimedAt: e.claimedAt === null ? '' : String(e.claimedAt),
    resolvedAt: e.resolvedAt === null ? '' : String(e.resolvedAt),
  };
}

function decode(raw: Record<string, string>): Escalation | null {
  const num = (v: string | undefined) => (v ? Number(v) : null);
  const parsed = EscalationSchema.safeParse({
    ...raw,
    replyTarget: JSON.parse(raw.replyTarget ?? 'null'),
    candidates: JSON.parse(raw.candidates ?? '[]'),
    escalatedAt: Number(raw.escalatedAt),
    agentId: raw.agentId || null,
    claimedAt: num(raw.claimedAt),
    resolvedAt: num(raw.resolvedAt),
  });
  return parsed.success ? parsed.data : null;
}

/** Inbox events over Redis pub/sub: every console replica hears every change. */
export class RedisInboxEvents implements InboxEvents {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  get channel(): string {
    return `${this.prefix}:inbox-events`;
  }

  async publish(event: InboxEvent): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify(event));
  }

  /** Subscribes on a dedicated connection; returns a function that unsubscribes and closes it. */
  async subscribe(onEvent: (event: InboxEvent) => void): Promise<() => Promise<void>> {
    const sub = this.redis.duplicate();
    // A duplicate does not inherit listeners: without one, every failed reconnect while Redis is away is
    // an "Unhandled error event". It reconnects and resubscribes by itself; the main connection logs.
    sub.on('error', () => undefined);
    await sub.subscribe(this.channel);
    sub.on('message', (_channel: string, message: string) => {
      try {
        onEvent(JSON.parse(message) as InboxEvent);
      } catch {
        // A malformed event is dropped; the console reloads state on reconnect anyway.
      }
    });
    return async () => {
      await sub.quit().catch(() => undefined);
    };
  }
}
