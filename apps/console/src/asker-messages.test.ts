import { describe, expect, it } from 'vitest';
import type { ConversationEntry } from '@answerbridge/core';
import type { RecentTurn } from '@answerbridge/redis';
import { askerMessages } from './asker-messages';

const asker = (id: string, at: number, text: string): ConversationEntry => ({ id, at, from: 'asker', text });
const turn = (id: string, at: number, text: string, from: 'asker' | 'bot' = 'asker'): RecentTurn => ({
  id: `turn-${id}`,
  messageId: id,
  at,
  from,
  text,
});

describe('askerMessages', () => {
  it('proposes the question asked before a 转人工, and lists each message once in time order', () => {
    const found = askerMessages(
      { question: '我要转人工', escalatedAt: 3000 },
      [asker('m2', 3000, '我要转人工'), { id: 'b', at: 3001, from: 'bot', text: '正在为您转接' }],
      [
        turn('m1', 1000, '显示器闪屏了找谁修'),
        turn('m1', 1001, '1. 电脑坏了怎么报修', 'bot'),
        turn('m2', 3000, '我要转人工'),
      ],
    );
    expect(found.messages.map((m) => [m.id, m.question, m.trigger])).toEqual([
      ['m1', true, false],
      ['m2', false, true],
    ]);
    expect(found.toLearn?.text).toBe('显示器闪屏了找谁修');
    expect(found.lastQuestion?.text).toBe('显示器闪屏了找谁修');
  });

  it('proposes the triggering message itself when it is a question, while the search defaults to the last question', () => {
    const found = askerMessages(
      { question: '年假怎么算', escalatedAt: 2000 },
      [asker('m2', 2000, '年假怎么算'), asker('m3', 5000, '那病假呢')],
      [turn('m1', 1000, '你好')],
    );
    expect(found.toLearn?.id).toBe('m2');
    expect(found.lastQuestion?.id).toBe('m3');
  });

  it('falls back to the trigger when the asker never asked a question, and to nothing when they wrote nothing', () => {
    expect(askerMessages({ question: '人工', escalatedAt: 10 }, [asker('m1', 10, '人工')], []).toLearn?.id).toBe('m1');
    const none = askerMessages({ question: '', escalatedAt: 10 }, [], []);
    expect(none).toEqual({ messages: [], toLearn: null, lastQuestion: null });
  });
});
