import { z } from 'zod';
import type { HttpClient } from './http-client';
import { ChannelSchema, type InboundMessage } from './inbound-message';
import type { ChannelSender, KeyValueStore } from './ports';
import type { AnswerFeedbackRecord } from './analytics-ports';

/**
 * The channel port: everything the gateway, the worker, the console and the simulator need to know about
 * one messaging platform (WeCom self-built app, DingTalk, WeCom AI bot, WeChat customer service …). A
 * channel is one lib exporting one `ChannelDefinition`, and one line in the channel registry
 * (libs/pipeline/src/wiring/channel-registry.ts); nothing else names channels.
 */

/** The fields every bot has, whatever its channel; each channel's `botSchema` adds its own. */
export interface BotBase {
  id: string;
  channel: string;
  /** The knowledge base answering for this bot; defaults to the bot id. */
  knowledgeBase?: string | undefined;
  /** The bots file's `language`; unset: Chinese messages, and each question read by its own script. */
  language?: 'zh' | 'en' | undefined;
}

/** Bot ids become Milvus collection names and Redis key parts, so they are kept to a safe alphabet. */
export const BotIdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,47}$/, 'bot id: a letter, then letters, digits or _ (at most 48)');

/**
 * `BotBase` as a schema: each channel's `botSchema` extends it (`BotBaseSchema.extend({ channel:
 * z.literal('…'), … })`), so every bot file entry has the same id rules and defaults whatever its channel.
 */
export const BotBaseSchema = z.object({
  id: BotIdSchema,
  channel: ChannelSchema,
  /** The knowledge base answering for this bot; defaults to the bot id. */
  knowledgeBase: BotIdSchema.optional(),
  /**
   * The language of the bot's FAQ and of its fixed messages: its questions are searched and decided with that
   * language's measured settings (bench/quality). Unset: Chinese messages, and each question decided with the
   * settings of the language it is written in (any CJK character: Chinese), which is how the local embedder reads it.
   */
  language: z.enum(['zh', 'en']).optional(),
});

/** Where a reply goes, in the channel's own terms; each channel's `replyTargetSchema` says the rest. */
export interface ReplyTargetBase {
  channel: string;
}

/** One request as a channel's HTTP route sees it: no web framework types, the body as raw text. */
export interface ChannelHttpRequest {
  method: 'GET' | 'POST';
  /** Path parameters of the route pattern (`/wecom/:botId/callback` → `{ botId }`). */
  params: Record<string, string>;
  /** The query string exactly as sent, without the `?` (signatures are computed over raw values). */
  rawQuery: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The body as text ('' for GET), already held to the gateway's body limit. */
  body: string;
}

export interface ChannelHttpResponse {
  status: number;
  /** @defaultValue 'text/plain; charset=utf-8' */
  contentType?: string;
  body: string;
}

/**
 * An HTTP route the gateway mounts for a channel. Errors thrown are `AnswerbridgeError`s and are answered by
 * the gateway's one error mapper (`httpErrorOf`), so a route returns only its successes.
 */
export interface ChannelRoute {
  method: 'GET' | 'POST';
  /** Express-style pattern, starting with the channel's own segment: `/wecom-aibot/:botId/callback`. */
  path: string;
  handle(request: ChannelHttpRequest): Promise<ChannelHttpResponse>;
}

/** A connection the gateway holds open to the platform (DingTalk Stream, the AI bot's WebSocket). */
export interface ChannelConnection {
  /** What it is, for /readyz and the metric: the bot or client id it serves. */
  readonly name: string;
  /** Connected and serving now. A connection that is waiting for a lease held elsewhere is not connected. */
  readonly connected: boolean;
  /** Resolves once connected (at once when it is): tests and callers that must not race the socket await it. */
  ready?(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/** Logging as the channels need it: structured fields first, then the message (pino's order). */
export interface ChannelLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * Leases and reliable boxes in the shared store (Redis in production), for a channel that holds one connection
 * per bot in the whole fleet (the WeCom AI bot's long connection): a lease renewed only by its holder, so exactly
 * one replica holds a bot's socket, and a box whose taken items are parked in-flight until done, so what the
 * worker posts reaches whichever replica holds the socket and nothing is lost when the holder changes.
 */
export interface ChannelRelay {
  /** SET NX PX: true when this token now holds the lease. */
  acquireLease(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease only while `token` still holds it; false: lost. */
  renewLease(key: string, token: string, ttlMs: number): Promise<boolean>;
  releaseLease(key: string, token: string): Promise<void>;
  /** Appends an item to a box. */
  post(box: string, item: string): Promise<void>;
  /** Takes the oldest item into the box's in-flight list, waiting up to `waitMs` for one; null: none. */
  take(box: string, waitMs: number): Promise<string | null>;
  /** Drops a handled item from in-flight. */
  done(box: string, item: string): Promise<void>;
  /** Puts every in-flight item back at the head of the box (a new holder, after the old one died); returns how many. */
  requeue(box: string): Promise<number>;
  close(): Promise<void>;
}

/** What every side of a channel is given: its bots, its settings, the shared store, a clock. */
export interface ChannelContext<Bot extends BotBase, Settings> {
  bots: Bot[];
  settings: Settings;
  /** Redis in production: tokens, dedupe marks, stream state, leases, cursors. Keys are prefixed by the caller. */
  store: KeyValueStore;
  /**
   * Opens a relay over the same store (a blocking take holds a connection of its own: one per user, closed
   * with it). Only channels that hold connections for the fleet need one.
   */
  relay(): ChannelRelay;
  /** The HTTP client for the platform's API (timeouts, failure classes); `baseUrl`s come from `settings`. */
  http: (settings: { codePrefix: string; baseUrl?: string }) => HttpClient;
  logger: ChannelLogger;
  nowMs(): number;
  /**
   * Counts a platform API error by its code (answerbridge_channel_api_errors_total), or a refusal worth an
   * alert (a sessionWebhook outside the allowed origins), on the gateway's side as on the worker's.
   */
  countApiError(code: string): void;
}

export interface ChannelGatewayContext<Bot extends BotBase, Settings> extends ChannelContext<Bot, Settings> {
  /** Queues one normalized message, dropping redeliveries (one Redis script); resolves once it is safe in Redis. */
  accept(message: InboundMessage): Promise<{ jobId: string; duplicate: boolean }>;
  /** Counts a callback or frame by outcome: accepted, duplicate, url_verified, rejected_frame, ignored … */
  countCallback(result: string): void;
  /**
   * Records a person's verdict on an answer as an analytics fact (appended to the decision log in Redis, which
   * the console copies into PostgreSQL: the callback never waits on the database).
   */
  recordFeedback(feedback: AnswerFeedbackRecord): Promise<void>;
}

/** What the worker's side (the sender, the agents' groups) is given; nothing beyond the common context yet. */
export type ChannelWorkerContext<Bot extends BotBase, Settings> = ChannelContext<Bot, Settings>;

/** One of the agents' groups (a WeCom group robot, a DingTalk group): where unclaimed escalations are announced. */
export interface AgentGroupNotifier {
  /** Stable, unique over all channels: the once-per-notice mark is kept under it. */
  name: string;
  send(text: string): Promise<void>;
}

/**
 * A platform with people of its own (微信客服's 接待人员) may take a conversation the bot hands over, instead
 * of our inbox. Optional: a channel without it escalates to the inbox.
 */
export interface ChannelHandover {
  /** `channel`: the platform's people have it now, open no inbox conversation; `inbox`: escalate as usual. */
  handOver(message: InboundMessage): Promise<'channel' | 'inbox'>;
}

/** The inbound side of a channel in one gateway replica. */
export interface ChannelGateway {
  routes: ChannelRoute[];
  connections: ChannelConnection[];
}

export interface ChannelDefinition<Bot extends BotBase = BotBase, Settings = unknown> {
  /** The `channel` value in bots files, messages and reply targets: lower-case letters, digits and `-`. */
  name: string;
  /** How people call it, for screens: `{ zh: '企业微信', en: 'WeCom' }`. */
  label: { zh: string; en: string };
  /** The bot's own fields, validated when the bots file is read (with `BotBase`'s fields included). */
  botSchema: z.ZodType<Bot>;
  /** Validates a reply target of this channel before anything is sent to it. */
  replyTargetSchema: z.ZodType<ReplyTargetBase>;
  /**
   * The channel's settings (API base URLs, timeouts), an object schema over environment variable names
   * (`{ WECOM_API_BASE_URL: z.string().url().default(…) }`). It parses the environment snapshot libs/config
   * took at boot (`AppConfig.environment`, empty values left out): libs/config stays the one reader of
   * process.env, and the names are the settings' names in deploy files and .env.example.
   */
  settingsSchema: z.ZodType<Settings>;
  /** Builds the inbound side for one gateway replica; nothing is started until `connections[i].start()`. */
  gateway(context: ChannelGatewayContext<Bot, Settings>): ChannelGateway;
  /** Builds the sender for one worker, serving every bot of this channel. */
  sender(context: ChannelWorkerContext<Bot, Settings>): ChannelSender;
  /**
   * The agents' groups this channel can post to, as its settings configure them (none when unset). A
   * setting naming something that does not exist throws a `ConfigurationError`, at the worker's boot.
   */
  agentGroups?(context: ChannelWorkerContext<Bot, Settings>): AgentGroupNotifier[];
  /** Where the worker's escalation hands a conversation to the platform's own people, when the bot says so. */
  handover?(context: ChannelWorkerContext<Bot, Settings>): ChannelHandover;
}
