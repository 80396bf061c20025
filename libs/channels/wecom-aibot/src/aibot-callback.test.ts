import { describe, expect, it } from 'vitest';
import { allowedResponseUrl, messageIdFor, parseAibotCallback, stripMention } from './aibot-callback';
import { AibotBotSchema, AibotSettingsSchema } from './aibot-schemas';
import { parseJsonObject } from './strict-json';

describe('AI bot callbacks as read', () => {
  it('strips the leading @mention WeCom keeps in group text, and only that', () => {
    expect(stripMention('@RobotA hello robot')).toBe('hello robot');
    expect(stripMention('@小助手\u2005怎么请假？')).toBe('怎么请假？');
    expect(stripMention('请问 @RobotA 在吗')).toBe('请问 @RobotA 在吗');
  });

  it('keeps msgid a string and derives a job-safe message id from it', () => {
    const callback = parseAibotCallback(
      '{"msgid":"CAIQ16/+=","from":{"userid":"u"},"msgtype":"text","text":{"content":"x"}}',
    );
    expect(callback.msgid).toBe('CAIQ16/+=');
    expect(messageIdFor('bot1', callback.msgid)).toMatch(/^wecom-aibot-bot1-[0-9a-f]{32}$/);
    expect(parseAibotCallback('{"msgid":123,"from":{"userid":"u"},"msgtype":"event"}').msgid).toBe('123');
  });

  it('refuses a callback without msgid or sender, oversize or too deep JSON, and non-objects', () => {
    expect(() => parseAibotCallback('{"msgtype":"text"}')).toThrow(
      expect.objectContaining({ code: 'AIBOT.BAD_CALLBACK' }),
    );
    expect(() => parseJsonObject('[1]', { maxBytes: 100, maxDepth: 4 }, 'x')).toThrow(
      expect.objectContaining({ code: 'AIBOT.BAD_JSON' }),
    );
    expect(() => parseJsonObject('{"a":"' + 'x'.repeat(200) + '"}', { maxBytes: 100, maxDepth: 4 }, 'x')).toThrow(
      expect.objectContaining({ code: 'AIBOT.TOO_LARGE', status: 413 }),
    );
    expect(() => parseJsonObject('{"a":[[[[1]]]]}', { maxBytes: 100, maxDepth: 4 }, 'x')).toThrow(
      expect.objectContaining({ code: 'AIBOT.TOO_DEEP' }),
    );
    // Brackets inside strings (escaped quotes too) are text, not nesting.
    expect(parseJsonObject('{"a":"[[[[[\\"[[[["}', { maxBytes: 100, maxDepth: 2 }, 'x')).toEqual({ a: '[[[[["[[[[' });
  });

  it('calls only response_urls of the allowed origins, without credentials', () => {
    const origins = ['https://qyapi.weixin.qq.com'];
    expect(
      allowedResponseUrl('https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=x', origins),
    ).toBeTruthy();
    expect(allowedResponseUrl('https://qyapi.weixin.qq.com.evil.example/x', origins)).toBeUndefined();
    expect(allowedResponseUrl('https://user:pw@qyapi.weixin.qq.com/x', origins)).toBeUndefined();
    expect(allowedResponseUrl('not a url', origins)).toBeUndefined();
  });

  it('checks each mode has its credentials, and settings name origins only', () => {
    const base = { id: 'b1', channel: 'wecom-aibot' };
    expect(AibotBotSchema.safeParse({ ...base, mode: 'http' }).success).toBe(false);
    expect(AibotBotSchema.safeParse({ ...base, mode: 'ws', aibotId: 'aib1' }).success).toBe(false);
    // No language unless the bots file says one (unset: Chinese messages, each question read by its script).
    expect(AibotBotSchema.parse({ ...base, mode: 'ws', aibotId: 'aib1', secret: 's' }).language).toBeUndefined();
    expect(AibotBotSchema.parse({ ...base, mode: 'ws', aibotId: 'aib1', secret: 's', language: 'en' })).toMatchObject({
      language: 'en',
    });
    expect(AibotSettingsSchema.safeParse({ WECOM_AIBOT_RESPONSE_ORIGINS: 'https://a.example/path' }).success).toBe(
      false,
    );
    expect(AibotSettingsSchema.parse({}).WECOM_AIBOT_STREAM_WINDOW_SECONDS).toBe(360);
  });
});
