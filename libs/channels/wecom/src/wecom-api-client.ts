import { randomUUID } from 'node:crypto';
import { AnswerbridgeError, type KeyValueStore } from '@answerbridge/core';

/** errcodes meaning "the access token is not (or no longer) good": refresh it and retry once. */
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);
/** errcodes meaning "slow down" or "busy": back off and retry. */
const BACKOFF_ERRORS = new Set([45009, 45033, -1]);

export class WecomApiError extends AnswerbridgeError {
  constructor(
    readonly errcode: number,
    message: string,
    retryable: boolean,
  ) {
    super(`WECOM.API_${errcode}`, message, retryable);
  }
}

export interface WecomApiClientOptions {
  baseUrl: string;
  corpId: string;
  agentId: number;
  secret: string;
  store: KeyValueStore;
  timeoutMs: number;
  /** Backoff before retrying a rate-limited call: base × 2^n, for this many retries. */
  backoffBaseMs?: number;
  backoffRetries?: number;
  onApiError?: (errcode: number) => void;
}

interface WecomResponse {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
  msgid?: string;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * WeCom server API for one self-built app. The access token is cached in the shared store and
 * refreshed by one process at a time (a lock in the store), so replicas never churn each other's token.
 */
export class WecomApiClient {
  private readonly tokenKey: string;
  private readonly lockKey: string;

  constructor(private readonly options: WecomApiClientOptions) {
    this.tokenKey = `wecom:token:${options.corpId}:${options.agentId}`;
    this.lockKey = `${this.tokenKey}:refresh`;
  }

  private async request(method: 'GET' | 'POST', path: string, query: Record<string, string>, body?: unknown): Promise<WecomResponse> {
    const url = new URL(path, this.options.baseUrl);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new AnswerbridgeError('WECOM.NETWORK', `WeCom API ${path} unreachable: ${(error as Error).message}`, true, { cause: error });
    }
    if (!response.ok) {
      throw new AnswerbridgeError('WECOM.HTTP', `WeCom API ${path} answered HTTP ${response.status}`, response.status >= 500 || response.status === 429);
    }
    try {
      return (await response.json()) as WecomResponse;
    } catch {
      throw new AnswerbridgeError('WECOM.BAD_RESPONSE', `WeCom API ${path} answered non-JSON`, true);
    }
  }

  private async fetchToken(): Promise<string> {
    const res = await this.request('GET', '/cgi-bin/gettoken', { corpid: this.options.corpId, corpsecret: this.options.secret });
    if (res.errcode !== 0 || !res.access_token) {
      const code = res.errcode ?? -1;
      this.options.onApiError?.(code);
      // A wrong secret (40001 on gettoken) or a blocked IP (60020) will not fix itself by retrying soon.
      throw new WecomApiError(code, `gettoken failed: ${code} ${res.errmsg ?? ''}`, BACKOFF_ERRORS.has(code));
    }
    // Refresh five minutes early so a token never expires mid-request.
    const ttlMs = Math.max(60, (res.expires_in ?? 7200) - 300) * 1000;
    await this.options.store.set(this.tokenKey, res.access_token, ttlMs);
    return res.access_token;
  }

  /** The cached token, or a fresh one fetched by exactly one caller across all processes. */
  async getAccessToken(): Promise<string> {
    const deadline = Date.now() + this.options.timeoutMs * 2;
    for (let wait = 20; ; wait = Math.min(wait * 2, 250)) {
      const cached = await this.options.store.get(this.tokenKey);
      if (cached) return cached;
      const lock = randomUUID();
      if (await this.options.store.setIfAbsent(this.lockKey, lock, this.options.timeoutMs + 1_000)) {
        try {
          return await this.fetchToken();
        } finally {
          await this.options.store.deleteIfEquals(this.lockKey, lock);
        }
      }
      if (Date.now() > deadline) throw new AnswerbridgeError('WECOM.TOKEN_WAIT', 'timed out waiting for another process to refresh the token', true);
      await delay(wait);
    }
  }

  /** Calls an API taking access_token, refreshing the token once on token errors and backing off on rate limits. */
  async call(path: string, body: unknown): Promise<WecomResponse> {
    const retries = this.options.backoffRetries ?? 3;
    const base = this.options.backoffBaseMs ?? 500;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const token = await this.getAccessToken();
      const res = await this.request('POST', path, { access_token: token }, body);
      const code = res.errcode ?? 0;
      if (code === 0) return res;
      this.options.onApiError?.(code);
      if (TOKEN_ERRORS.has(code) && !refreshed) {
        refreshed = true;
        // Only drop the token we used: another process may already have stored a fresh one.
        await this.options.store.deleteIfEquals(this.tokenKey, token);
        continue;
      }
      if (BACKOFF_ERRORS.has(code) && attempt < retries) {
        await delay(base * 2 ** attempt);
        continue;
      }
      throw new WecomApiError(code, `${path} failed: ${code} ${res.errmsg ?? ''}`, TOKEN_ERRORS.has(code) || BACKOFF_ERRORS.has(code));
    }
  }

  async sendText(toUser: string, content: string): Promise<{ msgid: string | null }> {
    const res = await this.call('/cgi-bin/message/send', {
      touser: toUser,
      msgtype: 'text',
      agentid: this.options.agentId,
      text: { content },
      safe: 0,
    });
    return { msgid: res.msgid ?? null };
  }
}
