import { AnswerbridgeError, HttpClient } from '@answerbridge/core';

/**
 * A WeCom group robot (消息推送): `POST /cgi-bin/webhook/send?key=KEY`. The key is a bearer secret;
 * robots take about 20 messages a minute, so this is for notices to agents, not for conversations.
 */
export class WecomGroupRobot {
  private readonly http = new HttpClient({ codePrefix: 'WECOM' });

  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async sendText(content: string, mentionUserIds: string[] = []): Promise<void> {
    const url = new URL('/cgi-bin/webhook/send', this.baseUrl);
    url.searchParams.set('key', this.key);
    const res = await this.http.request(url, {
      what: 'group robot',
      networkCode: 'WECOM.WEBHOOK_NETWORK',
      timeoutMs: this.timeoutMs,
      json: {
        msgtype: 'text',
        text: { content, ...(mentionUserIds.length ? { mentioned_list: mentionUserIds } : {}) },
      },
    });
    const body = (res.json ?? {}) as { errcode?: number; errmsg?: string };
    if (!res.ok || body.errcode !== 0) {
      throw new AnswerbridgeError(
        'WECOM.WEBHOOK',
        `group robot refused: HTTP ${res.status} ${body.errcode ?? ''} ${body.errmsg ?? ''}`,
        res.status >= 500 || body.errcode === 45009,
      );
    }
  }
}
