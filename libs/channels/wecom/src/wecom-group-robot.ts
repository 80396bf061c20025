import { AnswerbridgeError } from '@answerbridge/core';

/**
 * A WeCom group robot (消息推送): `POST /cgi-bin/webhook/send?key=KEY`. The key is a bearer secret;
 * robots take about 20 messages a minute, so this is for notices to agents, not for conversations.
 */
export class WecomGroupRobot {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async sendText(content: string, mentionUserIds: string[] = []): Promise<void> {
    const url = new URL('/cgi-bin/webhook/send', this.baseUrl);
    url.searchParams.set('key', this.key);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          msgtype: 'text',
          text: { content, ...(mentionUserIds.length ? { mentioned_list: mentionUserIds } : {}) },
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AnswerbridgeError(
        'WECOM.WEBHOOK_NETWORK',
        `group robot unreachable: ${(error as Error).message}`,
        true,
      );
    }
    const body = (await res.json().catch(() => ({}))) as { errcode?: number; errmsg?: string };
    if (!res.ok || body.errcode !== 0) {
      throw new AnswerbridgeError(
        'WECOM.WEBHOOK',
        `group robot refused: HTTP ${res.status} ${body.errcode ?? ''} ${body.errmsg ?? ''}`,
        res.status >= 500 || body.errcode === 45009,
      );
    }
  }
}
