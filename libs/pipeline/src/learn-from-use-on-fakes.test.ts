import { describe, expect, it } from 'vitest';
import { emptyMemory, type Decision } from '@answerbridge/answering';
import type { InboundMessage } from '@answerbridge/core';
import { createLogger, createMetrics } from '@answerbridge/observability';
import { learnFromDecision, type PhrasingLearner } from './learn-from-use';

const message: InboundMessage = {
  id: 'm2',
  channel: 'wecom',
  botId: 'helpdesk',
  platformMessageId: '2',
  conversationId: 'wecom/helpdesk/alice',
  chatType: 'direct',
  senderId: 'alice',
  kind: 'text',
  text: '2',
  sentAt: 1,
  receivedAt: 1,
  replyTarget: { channel: 'wecom', toUser: 'alice', agentId: 1 },
};
const picked: Decision = {
  kind: 'answer',
  reason: 'picked-suggestion',
  reply: '打开设置 → 账号 → 修改密码。',
  entryId: 'password',
  confidence: null,
  assessment: null,
  scores: [],
  suggestions: [],
  memory: emptyMemory,
  learned: { question: '密码咋改', entryId: 'password' },
};
const observe = { logger: createLogger({ name: 'test', level: 'silent' }), metrics: createMetrics('learn-test') };

describe('learnFromDecision', () => {
  it("proposes the asker's own words for the entry they picked, without naming the asker", async () => {
    const proposals: Parameters<PhrasingLearner['proposePhrasing']>[0][] = [];
    const learner: PhrasingLearner = {
      proposePhrasing: async (input) => (proposals.push(input), { outcome: 'proposed', draft: null }),
    };
    await learnFromDecision(learner, message, 'kb-helpdesk', picked, observe);
    expect(proposals).toEqual([
      {
        knowledgeBase: 'kb-helpdesk',
        botId: 'helpdesk',
        conversationId: 'wecom/helpdesk/alice',
        entryId: 'password',
        question: '密码咋改',
        answer: picked.reply,
        source: 'picked-suggestion',
        savedBy: 'asker',
      },
    ]);
  });

  it('learns nothing from a decision that learned nothing, and answers anyway when proposing fails', async () => {
    let calls = 0;
    const failing: PhrasingLearner = {
      proposePhrasing: async () => {
        calls++;
        throw new Error('redis down');
      },
    };
    await learnFromDecision(failing, message, 'kb-helpdesk', { ...picked, learned: null }, observe);
    expect(calls).toBe(0);
    await expect(learnFromDecision(failing, message, 'kb-helpdesk', picked, observe)).resolves.toBeUndefined();
    expect(calls).toBe(1);
  });
});
