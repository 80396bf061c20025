import { AnswerbridgeError } from './errors';

/** Statuses another attempt can help with: the server failing or asking us to slow down. */
export const retryableStatus = (status: number): boolean => status >= 500 || status === 429;

export interface HttpCall {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as JSON, with content-type application/json. */
  json?: unknown;
  /** How long the whole exchange may take, body included. */
  timeoutMs: number;
  /** What is called, for error messages: "WeCom API /cgi-bin/gettoken", "sessionWebhook". */
  what: string;
  /** The code of the error when the peer cannot be reached. @defaultValue `<codePrefix>.NETWORK` */
  networkCode?: string;
  /**
   * `refuse`: a redirect is not followed; the 3xx comes back as the response, its body discarded. For
   * addresses that came from outside (a message's sessionWebhook): an allowed host must not be able to
   * bounce the request elsewhere. @defaultValue 'follow'
   */
  redirect?: 'follow' | 'refuse';
  /**
   * Further attempts, only where the caller allows them: after a response `when` accepts, wait
   * baseMs × 2^n and send again, at most `attempts` more times (`when` is asked only while attempts
   * remain). A peer that cannot be reached is not retried here: the error says whether the caller's
   * retry (the queue's) can help.
   */
  retry?: { attempts: number; baseMs: number; when: (response: HttpResponse) => boolean };
}

export interface HttpResponse {
  status: number;
  ok: boolean;
  /** The body as text ('' for a refused redirect). */
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
}

export interface HttpClientSettings {
  /** Prefix of the error codes: `<prefix>.NETWORK`, `<prefix>.HTTP`. */
  codePrefix: string;
  /** Paths are resolved against it. */
  baseUrl?: string;
  sleep?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The one way the platforms' APIs, their webhooks and the model servers are called: a timeout on every
 * exchange, failures classified into AnswerbridgeErrors that say whether another attempt can help,
 * bounded retries with backoff where the caller allows them, and no redirects where it forbids them.
 * Any status comes back as a response (the platforms put their own error codes in bodies);
 * `expectOk` makes a status outside 2xx an error.
 */
export class HttpClient {
  constructor(private readonly settings: HttpClientSettings) {}

  async request(target: string | URL, call: HttpCall): Promise<HttpResponse> {
    const url = this.settings.baseUrl === undefined ? target : new URL(target, this.settings.baseUrl);
    for (let attempt = 0; ; attempt++) {
      const response = await this.once(url, call);
      const retry = call.retry;
      if (!retry || attempt >= retry.attempts || !retry.when(response)) return response;
      await (this.settings.sleep ?? sleep)(retry.baseMs * 2 ** attempt);
    }
  }

  /** Like `request`, but a status outside 2xx is an error, retryable for 5xx and 429. */
  async expectOk(target: string | URL, call: HttpCall & { httpCode?: string }): Promise<HttpResponse> {
    const response = await this.request(target, call);
    if (!response.ok)
      throw new AnswerbridgeError(
        call.httpCode ?? `${this.settings.codePrefix}.HTTP`,
        `${call.what} answered HTTP ${response.status}`,
        retryableStatus(response.status),
      );
    return response;
  }

  private async once(url: string | URL, call: HttpCall): Promise<HttpResponse> {
    try {
      const res = await fetch(url, {
        method: call.method ?? (call.json === undefined ? 'GET' : 'POST'),
        headers: { ...(call.json === undefined ? {} : { 'content-type': 'application/json' }), ...call.headers },
        ...(call.json === undefined ? {} : { body: JSON.stringify(call.json) }),
        redirect: call.redirect === 'refuse' ? 'manual' : 'follow',
        signal: AbortSignal.timeout(call.timeoutMs),
      });
      if (call.redirect === 'refuse' && res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
        return { status: res.status, ok: false, text: '', json: undefined };
      }
      const text = await res.text();
      return { status: res.status, ok: res.ok, text, json: parseJson(text) };
    } catch (error) {
      throw new AnswerbridgeError(
        call.networkCode ?? `${this.settings.codePrefix}.NETWORK`,
        `${call.what} unreachable: ${(error as Error).message}`,
        true,
        { cause: error },
      );
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
