import { randomBytes, randomInt } from 'node:crypto';
import type { WecomBotConfig } from '@answerbridge/channel-wecom';
import { computeSignature, encryptMessage } from '@answerbridge/channel-wecom';

/** One callback exactly as WeCom would POST it, kept so a test can deliver the same bytes again. */
export interface WecomCallbackRequest {
  url: string;
  body: string;
}

export interface CallbackResponse {
  status: number;
  body: string;
}

const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

/** Builds and delivers real encrypted, signed WeCom callbacks to a gateway, as WeCom's servers do. */
export class WecomCallbackClient {
  private msgSeq = BigInt(Date.now()) * 1000n;

  constructor(
    private readonly gatewayUrl: string,
    private readonly bot: WecomBotConfig,
  ) {}

  get callbackUrl(): string {
    return `${this.gatewayUrl}/wecom/${this.bot.id}/callback`;
  }

  /** A 64-bit MsgId beyond 2^53, as real ones are (they must survive as strings). */
  nextMsgId(): string {
    this.msgSeq += BigInt(randomInt(1, 1000));
    return (4_561_255_354_251_345_929n + this.msgSeq).toString();
  }

  textMessageXml(
    from: string,
    content: string,
    msgId = this.nextMsgId(),
    createTime = Math.floor(Date.now() / 1000),
  ): string {
    return (
      `<xml><ToUserName>${cdata(this.bot.corpId)}</ToUserName><FromUserName>${cdata(from)}</FromUserName>` +
      `<CreateTime>${createTime}</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(content)}</Content>` +
      `<MsgId>${msgId}</MsgId><AgentID>${this.bot.agentId}</AgentID></xml>`
    );
  }

  /** Encrypts and signs a plaintext message into the POST WeCom would send. */
  buildRequest(
    plaintextXml: string,
    options: { timestamp?: number; nonce?: string; token?: string } = {},
  ): WecomCallbackRequest {
    const encrypted = encryptMessage(this.bot.encodingAesKey, plaintextXml, this.bot.corpId);
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = options.nonce ?? String(randomInt(1_000_000, 9_999_999_999));
    const signature = computeSignature(options.token ?? this.bot.token, timestamp, nonce, encrypted);
    const query = new URLSearchParams({ msg_signature: signature, timestamp, nonce });
    const body = `<xml><ToUserName>${cdata(this.bot.corpId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt><AgentID>${cdata(String(this.bot.agentId))}</AgentID></xml>`;
    return { url: `${this.callbackUrl}?${query}`, body };
  }

  async deliver(request: WecomCallbackRequest): Promise<CallbackResponse> {
    const res = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: request.body,
    });
    return { status: res.status, body: await res.text() };
  }

  async sendText(from: string, content: string): Promise<CallbackResponse & { request: WecomCallbackRequest }> {
    const request = this.buildRequest(this.textMessageXml(from, content));
    return { ...(await this.deliver(request)), request };
  }

  /** The GET WeCom sends when an admin saves the callback URL; returns what the gateway echoed. */
  async verifyUrl(echo = randomBytes(8).toString('hex')): Promise<CallbackResponse & { expected: string }> {
    const echostr = encryptMessage(this.bot.encodingAesKey, echo, this.bot.corpId);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(randomInt(1_000_000, 9_999_999));
    const signature = computeSignature(this.bot.token, timestamp, nonce, echostr);
    // WeCom percent-encodes echostr (its "+" and "/" included).
    const url = `${this.callbackUrl}?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&echostr=${encodeURIComponent(echostr)}`;
    const res = await fetch(url);
    return { status: res.status, body: await res.text(), expected: echo };
  }
}
