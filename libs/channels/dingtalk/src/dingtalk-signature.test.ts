import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dingTalkSign, verifyDingTalkSign } from './dingtalk-signature';

// Vectors from docs/protocols/dingtalk.md §5.
describe('DingTalk robot signature', () => {
  it('reproduces the published vectors', () => {
    expect(dingTalkSign('1577262236757', 'this is secret')).toBe('hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=');
    expect(encodeURIComponent(dingTalkSign('1577262236757', 'this is secret'))).toBe(
      'hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D',
    );
    expect(dingTalkSign('1700000000000', 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef')).toBe(
      'bTgY2yDbep+wesS7jKiNj+srsHoADES4+C4f8LCHFtU=',
    );
  });

  it('verifies in constant time and refuses the login-free algorithm (the negative vector)', () => {
    expect(verifyDingTalkSign('hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=', '1577262236757', 'this is secret')).toBe(
      true,
    );
    expect(verifyDingTalkSign('hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=', '1577262236758', 'this is secret')).toBe(
      false,
    );
    const loginFree = createHmac('sha256', 'testappSecret').update('1546084445901').digest('base64');
    expect(loginFree).toBe('HCbG3xNE3vzhO+u7qCUL1jS5hsu2n5r2cFhnTrtyDAE=');
    expect(verifyDingTalkSign(loginFree, '1546084445901', 'testappSecret')).toBe(false);
    expect(verifyDingTalkSign('short', '1546084445901', 'testappSecret')).toBe(false);
  });
});
