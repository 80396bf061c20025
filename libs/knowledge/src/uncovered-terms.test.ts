import { describe, expect, it } from 'vitest';
import { NON_WORD_PAIR_WEIGHT, termWeight, termsOf, uncoveredShare } from './uncovered-terms';

describe('termsOf', () => {
  it('pairs neighbouring Chinese characters and keeps a lone one', () => {
    expect([...termsOf('年假有几天')]).toEqual(['年假', '假有', '有几', '几天']);
    expect([...termsOf('病')]).toEqual(['病']);
  });

  it('reads other scripts as words, without stop words, stemmed, in any case', () => {
    expect([...termsOf('How do I activate my Cards?')]).toEqual(['activate', 'card']);
  });

  it('reads mixed text as both', () => {
    expect([...termsOf('VPN 连不上')].sort()).toEqual(['不上', 'vpn', '连不'].sort());
  });
});

describe('uncoveredShare', () => {
  const annualLeave = ['年假有多少天？', '我有几天年假', '年假天数按累计工龄计算，当年年假可顺延至次年 3 月 31 日。'];

  it('is the share of the question nowhere in the entry: high for a need it does not talk about', () => {
    // 没休, 休完, 完能, 能折, 折现, 现吗 are new; 年假, 假没 … only 年假 is the entry's.
    expect(uncoveredShare('年假没休完能折现吗', annualLeave)).toBeGreaterThan(0.7);
    expect(uncoveredShare('年假有几天', annualLeave)).toBeLessThan(0.3);
  });

  it("counts the answer's words as the entry's", () => {
    const parcel = ['快递寄到公司哪里领取？', '个人和公司快递统一存放在 1 楼收发室（9:00–18:30），凭取件码领取。'];
    expect(uncoveredShare('收发室几点关门', parcel)).toBeLessThan(uncoveredShare('收发室几点关门', parcel.slice(0, 1)));
  });

  it('stays near ½ for a question of few terms: one covered term says little about what is asked', () => {
    // 几天 is a word of the dictionary; 年假, 假有 and 有几 are not, and count half.
    expect(uncoveredShare('年假', annualLeave)).toBeCloseTo(1 / 2.5);
    expect(uncoveredShare('年假有几天', annualLeave)).toBeCloseTo(1 / 4.5);
    expect(uncoveredShare('几天', annualLeave)).toBeCloseTo(1 / 3);
    expect(uncoveredShare('？', annualLeave)).toBe(0.5);
    expect(uncoveredShare('the', annualLeave)).toBe(0.5);
    expect(uncoveredShare('几天', [])).toBeCloseTo(2 / 3);
  });

  it('counts a character pair that is no word (it straddles two) at half a term', () => {
    expect(termWeight('折现')).toBe(1);
    expect(termWeight('丧假')).toBe(1);
    expect(termWeight('码想')).toBe(NON_WORD_PAIR_WEIGHT);
    expect(termWeight('的怎')).toBe(NON_WORD_PAIR_WEIGHT);
    expect(termWeight('病')).toBe(1);
    expect(termWeight('vpn')).toBe(1);
    expect(termWeight('ok')).toBe(1);
    const password = [
      '如何修改登录密码？',
      '忘记密码了怎么办',
      '修改密码：打开企业门户，点击「账号安全」→「修改密码」。',
    ];
    // 想换, 一个, 操作 … are new words here; 码想, 的怎 … are new only because nothing is segmented.
    const colloquial = '密码想换一个新的怎么操作';
    const weighted = uncoveredShare(colloquial, password);
    const unweighted = (() => {
      const terms = [...termsOf(colloquial)];
      const covered = new Set(password.flatMap((t) => [...termsOf(t)]));
      return (terms.filter((t) => !covered.has(t)).length + 1) / (terms.length + 2);
    })();
    expect(weighted).toBeLessThan(unweighted);
    // A near miss of one new word still reads as mostly new.
    expect(uncoveredShare('丧假有几天', annualLeave)).toBeGreaterThan(uncoveredShare('年假有几天', annualLeave) + 0.15);
  });
});
