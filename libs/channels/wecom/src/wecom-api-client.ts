import { AnswerbridgeError, SharedTokenCache, type KeyValueStore } from '@answerbridge/core';

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

/** WeCom server API for one self-built app, with its access token shared by all processes. */
export class WecomApiClient {
  private readonly tokens: SharedTokenCache;

  constructor(private readonly options: WecomApiClientOptions) {
    this.tokens = new SharedTokenCache(
      options.store,
      `wecom:token:${options.corpId}:${options.agentId}`,
      () => this.fetchToken(),
      options.timeoutMs * 2,
    );
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    body?: unknown,
  ): Promise<WecomResponse> {
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
      throw new AnswerbridgeError('WECOM.NETWORK', `WeCom API ${path} unreachable: ${(error as Error).message}`, true, {
        cause: error,
      });
    }
    if (!response.ok) {
      throw new AnswerbridgeError(
        'WECOM.HTTP',
        `WeCom API ${path} answered HTTP ${response.status}`,
        response.status >= 500 || response.status === 429,
      );
    }
    try {
      return (await response.json()) as WecomResponse;
    } catch {
      throw new AnswerbridgeError('WECOM.BAD_RESPONSE', `WeCom API ${path} answered non-JSON`, true);
    }
  }

  private async fetchToken(): Promise<{ token: string; expiresInSeconds: number }> {
    const res = await this.request('GET', '/cgi-bin/gettoken', {
      corpid: this.options.corpId,
      corpsecret: this.options.secret,
    });
    if (res.errcode !== 0 || !res.access_token) {
      const code = res.errcode ?? -1;
      this.options.onApiError?.(code);
      // A wrong secret (40001 on gettoken) or a blocked IP (60020) will not fix itself by retrying soon.
      throw new WecomApiError(code, `gettoken failed: ${code} ${res.errmsg ?? ''}`, BACKOFF_ERRORS.has(code));
    }
    return { token: res.access_token, expiresInSeconds: res.expires_in ?? 7200 };
  }

  async getAccessToken(): Promise<string> {
    return this.tokens.get();
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
        await this.tokens.invalidate(token);
        continue;
      }
      if (BACKOFF_ERRORS.has(code) && attempt < retries) {
        await delay(base * 2 ** attempt);
        continue;
      }
      throw new WecomApiError(
        code,
        `${path} failed: ${code} ${res.errmsg ?? ''}`,
        TOKEN_ERRORS.has(code) || BACKOFF_ERRORS.has(code),
      );
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
