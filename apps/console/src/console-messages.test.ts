import { describe, expect, it } from 'vitest';
import { conflictReason, messageForError } from './console-messages';

const names: Record<string, string> = { agent1: '小李', agent2: '小王' };
const nameOf = (id: string) => names[id] ?? id;

describe('conflict messages', () => {
  it('says why a conversation action was refused in Chinese, naming agents as people see them', () => {
    expect(conflictReason('already claimed by agent2', nameOf)).toBe('此会话已由 小王 接入');
    expect(conflictReason('conversation is held by agent1', nameOf)).toBe('此会话正由 小李 处理');
    expect(conflictReason('conversation is resolved', nameOf)).toBe('此会话已结束');
    expect(conflictReason('conversation is waiting; claim it first', nameOf)).toBe('此会话等待接入，请先接入');
    expect(conflictReason('conversation changed hands meanwhile', nameOf)).toBe('此会话刚刚转给了其他客服');
    expect(conflictReason('something new', nameOf)).toBeNull();
  });

  it('keeps the detail in brackets after the sentence, and falls back to the general wording', () => {
    expect(messageForError('ESCALATION.CONFLICT', 'conversation is held by agent2', nameOf)).toMatch(
      /^操作未执行：此会话正由 小王 处理（conversation is held by agent2）。/,
    );
    expect(messageForError('ESCALATION.CONFLICT', 'something new')).toMatch(
      /^操作未执行：会话已由其他客服处理或状态已变化（something new）/,
    );
  });
});
