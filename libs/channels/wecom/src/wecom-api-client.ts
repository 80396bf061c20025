import {
  AnswerbridgeError,
  HttpClient,
  SharedTokenCache,
  type HttpCall,
  type HttpResponse,
  type KeyValueStore,
} from '@answerbridge/core';

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

/** WeCom server API for one self-built app, with its access token shared by all processes. */
export class WecomApiClient {
  private readonly tokens: SharedTokenCache;
  private readonly http = new HttpClient({ codePrefix: 'WECOM' });

  constructor(private readonly options: WecomApiClientOptions) {
    this.tokens = new SharedTokenCache(
      options.store,
      `wecom:token:${options.corpId}:${options.agentId}`,
      () => this.fetchToken(),
      options.timeoutMs * 2,
    );
  }

  private async request(
    path: string,
    query: Record<string, string>,
    body?: unknown,
    retry?: HttpCall['retry'],
  ): Promise<WecomResponse> {
    const url = new URL(path, this.options.baseUrl);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const response = await this.http.expectOk(url, {
      what: `WeCom API ${path}`,
      timeoutMs: this.options.timeoutMs,
      ...(body === undefined ? {} : { json: body }),
      ...(retry ? { retry } : {}),
    });
    if (typeof response.json !== 'object' || response.json === null)
      throw new AnswerbridgeError('WECOM.BAD_RESPONSE', `WeCom API ${path} answered non-JSON`, true);
    return response.json as WecomResponse;
  }

  private async fetchToken(): Promise<{ token: string; expiresInSeconds: number }> {
    const res = await this.request('/cgi-bin/gettoken', {
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
    // Rate limits are waited out here (base × 2^n, a few times); each refusal is still counted.
    const backoff = {
      attempts: this.options.backoffRetries ?? 3,
      baseMs: this.options.backoffBaseMs ?? 500,
      when: (response: HttpResponse) => {
        const code = (response.json as WecomResponse | undefined)?.errcode ?? 0;
        if (!BACKOFF_ERRORS.has(code)) return false;
        this.options.onApiError?.(code);
        return true;
      },
    };
    for (let refreshed = false; ; refreshed = true) {
      const token = await this.getAccessToken();
      const res = await this.request(path, { access_token: token }, body, backoff);
      const code = res.errcode ?? 0;
      if (code === 0) return res;
      this.options.onApiError?.(code);
      if (TOKEN_ERRORS.has(code) && !refreshed) {
        await this.tokens.invalidate(token);
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
