import { describe, expect, it } from 'vitest';
import { faqLanguage, questionLanguage, textLanguage } from './faq-language';

const entry = (question: string) => ({ question });

describe('textLanguage', () => {
  it('reads any CJK character as Chinese, mixed-language questions included', () => {
    expect(textLanguage('年假怎么请？')).toBe('zh');
    expect(textLanguage('VPN连不上')).toBe('zh');
    expect(textLanguage('パスワード')).toBe('zh');
    expect(textLanguage('𠀀')).toBe('zh');
  });

  it('reads text without CJK characters as English, punctuation and digits included', () => {
    expect(textLanguage('How do I activate my card?')).toBe('en');
    expect(textLanguage('Wi-Fi password')).toBe('en');
    expect(textLanguage('123？')).toBe('en');
  });
});

describe('questionLanguage', () => {
  it("is the bot's language when set, else the question's script, else Chinese for a message without text", () => {
    expect(questionLanguage('the VPN will not connect', 'zh')).toBe('zh');
    expect(questionLanguage('the VPN will not connect')).toBe('en');
    expect(questionLanguage('VPN连不上')).toBe('zh');
    expect(questionLanguage('  ')).toBe('zh');
  });
});

describe('faqLanguage', () => {
  it('is Chinese when at least half of the entries ask in Chinese', () => {
    expect(faqLanguage([entry('年假怎么请？'), entry('How do I reset the VPN?')])).toBe('zh');
    expect(faqLanguage([entry('年假怎么请？'), entry('VPN?'), entry('Payslip?')])).toBe('en');
    expect(faqLanguage([entry('How do I activate my card?')])).toBe('en');
  });

  it('is Chinese, the default, for an empty FAQ', () => {
    expect(faqLanguage([])).toBe('zh');
  });
});
