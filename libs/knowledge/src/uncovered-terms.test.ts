import { describe, expect, it } from 'vitest';
import { termsOf, uncoveredShare } from './uncovered-terms';

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
    expect(uncoveredShare('年假', annualLeave)).toBeCloseTo(1 / 3);
    expect(uncoveredShare('年假有几天', annualLeave)).toBeCloseTo(1 / 6);
    expect(uncoveredShare('？', annualLeave)).toBe(0.5);
    expect(uncoveredShare('the', annualLeave)).toBe(0.5);
    expect(uncoveredShare('年假', [])).toBeCloseTo(2 / 3);
  });
});
