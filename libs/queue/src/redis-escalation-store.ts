import type { ConversationEntry, Escalation, EscalationStore, InboxEvent, InboxEvents } from '@answerbridge/core';
import { EscalationSchema } from '@answerbridge/core';
import type { Redis } from 'ioredis';

// KEYS[1] escalation hash, KEYS[2] waiting zset, KEYS[3] with-agent zset; ARGV: conversationId, agentId, at
const CLAIM = `
if redis.call('hget', KEYS[1], 'state') ~= 'waiting' then return 0 end
redis.call('hset', KEYS[1], 'state', 'with-agent', 'agentId', ARGV[2], 'claimedAt', ARGV[3])
redis.call('zrem', KEYS[2], ARGV[1])
redis.call('zadd', KEYS[3], ARGV[3], ARGV[1])
return 1`;

// KEYS[1] escalation hash; ARGV: fromAgent, toAgent
const TRANSFER = `
if redis.call('hget', KEYS[1], 'state') ~= 'with-agent' or redis.call('hget', KEYS[1], 'agentId') ~= ARGV[1] then return 0 end
redis.call('hset', KEYS[1], 'agentId', ARGV[2])
return 1`;

// KEYS[1] escalation hash, KEYS[2] waiting, KEYS[3] with-agent; ARGV: conversationId, at
const RESOLVE = `
local state = redis.call('hget', KEYS[1], 'state')
if state ~= 'waiting' and state ~= 'with-agent' then return 0 end
redis.call('hset', KEYS[1], 'state', 'resolved', 'resolvedAt', ARGV[2])
redis.call('zrem', KEYS[2], ARGV[1])
redis.call('zrem', KEYS[3], ARGV[1])
return 1`;

// KEYS[1] escalation hash, KEYS[2] waiting; ARGV[1] conversationId, ARGV[2] escalatedAt, ARGV[3..] field/value pairs
const OPEN = `
local state = redis.call('hget', KEYS[1], 'state')
if state == 'waiting' or state == 'with-agent' then return 0 end
redis.call('del', KEYS[1])
redis.call('hset', KEYS[1], unpack(ARGV, 3))
redis.call('zadd', KEYS[2], ARGV[2], ARGV[1])
return 1`;

const HISTORY_LIMIT = 500;
const HISTORY_TTL_SECONDS = 90 * 86_400;

// KEYS[1] history list, KEYS[2] set of entry ids; ARGV: entry id, entry JSON, limit, ttl.
// An entry appended twice (a job that ran twice) is kept once.
const APPEND = `
if redis.call('sadd', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('rpush', KEYS[1], ARGV[2])
redis.call('ltrim', KEYS[1], -tonumber(ARGV[3]), -1)
redis.call('expire', KEYS[1], ARGV[4])
redis.call('expire', KEYS[2], ARGV[4])
return 1`;

/**
 * Escalations as Redis hashes plus two sorted sets (waiting, with-agent) ordered by time; every state
 * change is one Lua script, so two agents claiming at once cannot both win.
 */
export class RedisEscalationStore implements EscalationStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(conversationId: string): string {
    return `${this.prefix}:esc:${conversationId}`;
  }
  private historyKey(conversationId: string): string {
    return `${this.prefix}:esc:${conversationId}:history`;
  }
  private setKey(state: 'waiting' | 'with-agent'): string {
    return `${this.prefix}:esc:index:${state}`;
  }

  async get(conversationId: string): Promise<Escalation | null> {
    const raw = await this.redis.hgetall(this.key(conversationId));
    return Object.keys(raw).length ? decode(raw) : null;
  }

  async open(escalation: Escalation): Promise<boolean> {
    const fields = Object.entries(encode(escalation)).flat();
    const created = await this.redis.eval(OPEN, 2, this.key(escalation.conversationId), this.setKey('waiting'), escalation.conversationId, String(escalation.escalatedAt), ...fields);
    return created === 1;
  }

  async claim(conversationId: string, agentId: string, at: number): Promise<boolean> {
    return (await this.redis.eval(CLAIM, 3, this.key(conversationId), this.setKey('waiting'), this.setKey('with-agent'), conversationId, agentId, String(at))) === 1;
  }

  async transfer(conversationId: string, fromAgent: string, toAgent: string): Promise<boolean> {
    return (await this.redis.eval(TRANSFER, 1, this.key(conversationId), fromAgent, toAgent)) === 1;
  }

  async resolve(conversationId: string, at: number): Promise<boolean> {
    return (await this.redis.eval(RESOLVE, 3, this.key(conversationId), this.setKey('waiting'), this.setKey('with-agent'), conversationId, String(at))) === 1;
  }

  async list(state: 'waiting' | 'with-agent'): Promise<Escalation[]> {
    const ids = await this.redis.zrange(this.setKey(state), 0, 999);
    const all = await Promise.all(ids.map((id) => this.get(id)));
    return all.filter((e): e is Escalation => e !== null && e.state === state);
  }

  async append(conversationId: string, entry: ConversationEntry): Promise<void> {
    const key = this.historyKey(conversationId);
    await this.redis.eval(APPEND, 2, key, `${key}:ids`, entry.id, JSON.stringify(entry), String(HISTORY_LIMIT), String(HISTORY_TTL_SECONDS));
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
    private readonly redis: Redis,
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
