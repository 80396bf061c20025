import { AnswerbridgeError, HttpClient, SharedTokenCache, type KeyValueStore } from '@answerbridge/core';

export interface DingTalkApiClientOptions {
  baseUrl: string;
  appKey: string;
  appSecret: string;
  store: KeyValueStore;
  timeoutMs: number;
  onApiError?: (code: string) => void;
}

export class DingTalkApiError extends AnswerbridgeError {
  constructor(
    readonly apiCode: string,
    message: string,
    retryable: boolean,
  ) {
    super(`DINGTALK.API_${apiCode}`, message, retryable);
  }
}

/** The DingTalk OpenAPI (api.dingtalk.com) for one app: token, 1:1 and group robot messages. */
export class DingTalkApiClient {
  private readonly tokens: SharedTokenCache;
  private readonly http: HttpClient;

  constructor(private readonly options: DingTalkApiClientOptions) {
    this.http = new HttpClient({ codePrefix: 'DINGTALK', baseUrl: options.baseUrl });
    this.tokens = new SharedTokenCache(
      options.store,
      `dingtalk:token:${options.appKey}`,
      () => this.fetchToken(),
      options.timeoutMs * 2,
    );
  }

  private async post(
    path: string,
    body: unknown,
    token?: string,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await this.http.request(path, {
      what: `DingTalk API ${path}`,
      timeoutMs: this.options.timeoutMs,
      json: body,
      ...(token ? { headers: { 'x-acs-dingtalk-access-token': token } } : {}),
    });
    const json = typeof res.json === 'object' && res.json !== null ? (res.json as Record<string, unknown>) : {};
    return { status: res.status, json };
  }

  private async fetchToken(): Promise<{ token: string; expiresInSeconds: number }> {
    const { status, json } = await this.post('/v1.0/oauth2/accessToken', {
      appKey: this.options.appKey,
      appSecret: this.options.appSecret,
    });
    if (status !== 200 || typeof json.accessToken !== 'string') {
      const code = String(json.code ?? status);
      this.options.onApiError?.(code);
      throw new DingTalkApiError(
        code,
        `accessToken failed: HTTP ${status} ${String(json.message ?? '')}`,
        status >= 500 || status === 429,
      );
    }
    return { token: json.accessToken, expiresInSeconds: Number(json.expireIn ?? 7200) };
  }

  /** Calls a robot API, refreshing the token once when it is refused and marking 429/5xx retryable. */
  private async call(path: string, body: unknown): Promise<Record<string, unknown>> {
    for (let refreshed = false; ; refreshed = true) {
      const token = await this.tokens.get();
      const { status, json } = await this.post(path, body, token);
      if (status === 200) return json;
      const code = String(json.code ?? status);
      this.options.onApiError?.(code);
      if ((status === 401 || code === 'InvalidAuthentication') && !refreshed) {
        await this.tokens.invalidate(token);
        continue;
      }
      throw new DingTalkApiError(
        code,
        `${path} failed: HTTP ${status} ${String(json.message ?? '')}`,
        status >= 500 || status === 429 || status === 401,
      );
    }
  }

  async sendToUsers(
    robotCode: string,
    userIds: string[],
    msgKey: string,
    msgParam: Record<string, unknown>,
  ): Promise<void> {
    const res = await this.call('/v1.0/robot/oToMessages/batchSend', {
      robotCode,
      userIds,
      msgKey,
      msgParam: JSON.stringify(msgParam),
    });
    const throttled = (res.flowControlledStaffIdList as string[] | undefined) ?? [];
    if (throttled.length)
      throw new DingTalkApiError('FlowControlled', `flow-controlled for ${throttled.join(', ')}`, true);
  }

  async sendToGroup(
    robotCode: string,
    openConversationId: string,
    msgKey: string,
    msgParam: Record<string, unknown>,
  ): Promise<void> {
    await this.call('/v1.0/robot/groupMessages/send', {
      robotCode,
      openConversationId,
      msgKey,
      msgParam: JSON.stringify(msgParam),
    });
  }
}
