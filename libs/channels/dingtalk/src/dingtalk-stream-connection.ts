import { AnswerbridgeError, HttpClient, retryableStatus, type ChannelConnection } from '@answerbridge/core';
import { DWClient, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream';
import type { WebSocket } from 'ws';

export interface StreamLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DingTalkStreamOptions {
  clientId: string;
  clientSecret: string;
  /** POST …/v1.0/gateway/connections/open on this base (the simulator locally). */
  apiBaseUrl: string;
  /** A socket that delivered no frame, not even a ping, for this long is replaced. */
  watchdogMs: number;
  logger: StreamLogger;
  /**
   * Called for each robot message frame. Resolve once the message is stored (or deliberately dropped):
   * only then is the frame acked. Reject to leave it unacked, so DingTalk redelivers it.
   */
  onRobotMessage: (data: string, frame: DWClientDownStream) => Promise<void>;
}

/**
 * The published SDK (dingtalk-stream 2.1.5) with its defects fenced off (docs/protocols/dingtalk.md §1.7):
 * - the gateway URL is configurable (getEndpoint is overridden);
 * - every connection has its own subscriptions array (the SDK shares one between all clients);
 * - a non-JSON frame is logged and skipped instead of killing the socket's dispatch;
 * - handlers never throw into the SDK, and robot frames are acked only after they are stored;
 * - reconnection is ours: one attempt at a time, exponential backoff with jitter (no storm), and a
 *   watchdog that replaces a socket that has gone quiet.
 */
class FencedClient extends DWClient {
  lastFrameAt = Date.now();
  private readonly http = new HttpClient({ codePrefix: 'DINGTALK' });

  constructor(
    opts: { clientId: string; clientSecret: string },
    private readonly gatewayUrl: string,
    private readonly onBadFrame: (error: Error, raw: string) => void,
  ) {
    super({
      ...opts,
      keepAlive: false,
      autoReconnect: false,
      subscriptions: [{ type: 'EVENT', topic: '*' }],
    } as ConstructorParameters<typeof DWClient>[0]);
  }

  override async getEndpoint(): Promise<this> {
    const config = this.getConfig();
    const res = await this.http.request(this.gatewayUrl, {
      what: 'DingTalk Stream connections/open',
      timeoutMs: 10_000,
      headers: { accept: 'application/json' },
      json: {
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        ua: 'answerbridge',
        subscriptions: config.subscriptions,
      },
    });
    const body = (res.json ?? {}) as { endpoint?: string; ticket?: string };
    if (!res.ok || !body.endpoint || !body.ticket)
      throw new AnswerbridgeError(
        'DINGTALK.STREAM_OPEN_FAILED',
        `connections/open answered HTTP ${res.status}`,
        res.ok || retryableStatus(res.status),
      );
    (this as unknown as { dw_url: string }).dw_url = `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`;
    return this;
  }

  override onDownStream(data: string): void {
    this.lastFrameAt = Date.now();
    try {
      super.onDownStream(data);
    } catch (error) {
      this.onBadFrame(error as Error, String(data).slice(0, 200));
    }
  }

  /** The SDK's private connect step, which we drive ourselves. */
  open(): Promise<void> {
    return (this as unknown as { _connect(): Promise<void> })._connect();
  }

  get ws(): WebSocket | undefined {
    return (this as unknown as { socket?: WebSocket }).socket;
  }
}

export class DingTalkStreamConnection implements ChannelConnection {
  private client: FencedClient | null = null;
  private stopped = false;
  private connecting = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly watchdog: NodeJS.Timeout;
  /** Connections opened so far (observable by tests and metrics). */
  connections = 0;

  constructor(private readonly options: DingTalkStreamOptions) {
    this.watchdog = setInterval(() => this.checkQuiet(), Math.max(250, options.watchdogMs / 4));
    this.watchdog.unref();
  }

  get clientId(): string {
    return this.options.clientId;
  }

  /** The channel port's name of the connection (/readyz, the connected gauge): the app's clientId. */
  get name(): string {
    return this.options.clientId;
  }

  get connected(): boolean {
    return this.client?.ws?.readyState === 1;
  }

  private readyWaiters: (() => void)[] = [];

  /** Resolves when a socket is open (at once if one is). */
  ready(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  start(): void {
    void this.connect();
  }

  private scheduleReconnect(reason: string): void {
    if (this.stopped || this.retryTimer) return;
    const wait = Math.min(1_000 * 2 ** Math.min(this.failures, 5) + Math.random() * 1_000, 30_000);
    this.failures++;
    this.options.logger.warn(
      { clientId: this.options.clientId, reason, retryInMs: Math.round(wait) },
      'dingtalk stream reconnecting',
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, wait);
    this.retryTimer.unref();
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.connecting) return;
    this.connecting = true;
    const previous = this.client;
    const client = new FencedClient(
      { clientId: this.options.clientId, clientSecret: this.options.clientSecret },
      new URL('/v1.0/gateway/connections/open', this.options.apiBaseUrl).toString(),
      (error, raw) =>
        this.options.logger.warn(
          { clientId: this.options.clientId, err: error.message, frame: raw },
          'dingtalk stream: malformed frame skipped',
        ),
    );
    client.registerCallbackListener(TOPIC_ROBOT, (frame: DWClientDownStream) => {
      void this.options.onRobotMessage(frame.data, frame).then(
        () => client.socketCallBackResponse(frame.headers.messageId, null),
        (error: unknown) =>
          this.options.logger.error(
            { err: (error as Error).message, messageId: frame.headers.messageId },
            'dingtalk robot message not stored; left unacked for redelivery',
          ),
      );
    });
    client.registerAllEventListener(() => ({ status: 'SUCCESS' as never }));
    client.on('error', () => undefined);
    try {
      await client.getEndpoint();
      await client.open();
      this.client = client;
      this.connections++;
      this.failures = 0;
      client.lastFrameAt = Date.now();
      client.ws?.on('close', () => {
        if (this.client === client) this.scheduleReconnect('socket closed');
      });
      client.ws?.on('message', (raw) => {
        // The server announces a rotation with a SYSTEM "disconnect" frame: move to a fresh socket now.
        if (String(raw).includes('"topic":"disconnect"')) {
          this.replace(client, 'server asked to disconnect');
        }
      });
      this.options.logger.info(
        { clientId: this.options.clientId, connections: this.connections },
        'dingtalk stream connected',
      );
      for (const resolve of this.readyWaiters.splice(0)) resolve();
      if (previous && previous !== client) previous.disconnect();
    } catch (error) {
      client.disconnect();
      this.scheduleReconnect(`connect failed: ${(error as Error).message}`);
    } finally {
      this.connecting = false;
    }
  }

  private replace(client: FencedClient, reason: string): void {
    if (this.client !== client) return;
    this.client = null;
    client.ws?.terminate();
    this.options.logger.warn({ clientId: this.options.clientId, reason }, 'dingtalk stream replacing socket');
    this.failures = 0;
    void this.connect();
  }

  private checkQuiet(): void {
    const client = this.client;
    if (client && Date.now() - client.lastFrameAt > this.options.watchdogMs)
      this.replace(client, 'no frames within the watchdog window');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.client?.disconnect();
    this.client = null;
  }
}
