import type { Decision } from '@answerbridge/answering';
import type { InboundMessage, RecentTurn } from '@answerbridge/core';
import { describe, expect, it } from 'vitest';
import { rememberTurn } from './recent-turns';

const message: InboundMessage = {
  id: 'wecom-1',
  channel: 'wecom',
  botId: 'helpdesk',
  platformMessageId: '1',
  conversationId: 'wecom/helpdesk/zhangsan',
  chatType: 'direct',
  senderId: 'zhangsan',
  kind: 'text',
  text: '怎么更改登录密码?',
  sentAt: 1_000,
  receivedAt: 1_500,
  replyTarget: { channel: 'wecom', toUser: 'zhangsan', agentId: 1 },
};
const decision = (over: Partial<Decision>): Decision =>
  ({
    kind: 'answer',
    reason: 'above-answer-threshold',
    reply: '打开门户修改。',
    confidence: 0.92,
    ...over,
  }) as Decision;

function recorder() {
  const calls: { conversationId: string; turns: RecentTurn[] }[] = [];
  return {
    calls,
    record: async (conversationId: string, turns: RecentTurn[]) => void calls.push({ conversationId, turns }),
  };
}

describe('rememberTurn', () => {
  it("records the asker's message and the bot's reply with what it did and how sure it was", async () => {
    const turns = recorder();
    await rememberTurn(turns, message, decision({}), 2_000);
    expect(turns.calls).toEqual([
      {
        conversationId: 'wecom/helpdesk/zhangsan',
        turns: [
          { id: 'wecom-1', messageId: 'wecom-1', at: 1_500, from: 'asker', text: '怎么更改登录密码?' },
          {
            id: 'bot-wecom-1',
            messageId: 'wecom-1',
            at: 2_000,
            from: 'bot',
            text: '打开门户修改。',
            decision: 'answer',
            confidence: 0.92,
          },
        ],
      },
    ]);
  });

  it('records only the asker when the bot said nothing, names a message without text by its kind, and does nothing without a store', async () => {
    const turns = recorder();
    await rememberTurn(turns, { ...message, kind: 'image', text: '' }, decision({ reply: null }), 2_000);
    expect(turns.calls[0]?.turns).toEqual([
      { id: 'wecom-1', messageId: 'wecom-1', at: 1_500, from: 'asker', text: '[image]' },
    ]);
    await expect(rememberTurn(undefined, message, decision({}))).resolves.toBeUndefined();
  });
});
