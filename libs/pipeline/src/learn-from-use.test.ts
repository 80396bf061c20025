import type { Decision } from '@answerbridge/answering';
import type { InboundMessage } from '@answerbridge/core';
import { createMetrics, type Logger } from '@answerbridge/observability';
import { describe, expect, it } from 'vitest';
import { learnFromDecision, type PhrasingLearner } from './learn-from-use';

const message: InboundMessage = {
  id: 'wecom-2',
  channel: 'wecom',
  botId: 'helpdesk',
  platformMessageId: '2',
  conversationId: 'wecom/helpdesk/zhangsan',
  chatType: 'direct',
  senderId: 'zhangsan',
  kind: 'text',
  text: '1',
  sentAt: 1_000,
  receivedAt: 1_500,
  replyTarget: { channel: 'wecom', toUser: 'zhangsan', agentId: 1 },
};
const picked = {
  kind: 'answer',
  reason: 'picked-suggestion',
  reply: '打开门户修改。',
  entryId: 'password-change',
  learned: { question: '密码想换一个', entryId: 'password-change' },
} as Decision;

function observed() {
  const warnings: unknown[] = [];
  const logger = { info: () => undefined, warn: (o: unknown) => void warnings.push(o) } as unknown as Logger;
  return { logger, metrics: createMetrics('test'), warnings };
}
const counted = async (metrics: ReturnType<typeof createMetrics>) =>
  Object.fromEntries((await metrics.learnedPhrasings.get()).values.map((v) => [String(v.labels.outcome), v.value]));

describe('learnFromDecision', () => {
  it("proposes the asker's words of a pick for the entry picked, without naming the asker, and counts it", async () => {
    const proposals: Parameters<PhrasingLearner['proposePhrasing']>[0][] = [];
    const learner: PhrasingLearner = {
      proposePhrasing: async (input) => {
        proposals.push(input);
        return { outcome: 'proposed', draft: null };
      },
    };
    const o = observed();
    await learnFromDecision(learner, message, 'helpdesk-kb', picked, o);
    expect(proposals).toEqual([
      {
        knowledgeBase: 'helpdesk-kb',
        botId: 'helpdesk',
        conversationId: 'wecom/helpdesk/zhangsan',
        entryId: 'password-change',
        question: '密码想换一个',
        answer: '打开门户修改。',
        source: 'picked-suggestion',
        savedBy: 'asker',
      },
    ]);
    expect(await counted(o.metrics)).toEqual({ proposed: 1 });
  });

  it('learns nothing from a decision without a pick, or without a learner', async () => {
    let calls = 0;
    const learner: PhrasingLearner = {
      proposePhrasing: async () => {
        calls++;
        return { outcome: 'proposed', draft: null };
      },
    };
    const o = observed();
    await learnFromDecision(learner, message, 'kb', { ...picked, learned: null }, o);
    await learnFromDecision(undefined, message, 'kb', picked, o);
    expect(calls).toBe(0);
  });

  it('answers anyway when learning fails: the failure is logged and counted, not thrown', async () => {
    const learner: PhrasingLearner = {
      proposePhrasing: async () => {
        throw new Error('redis down');
      },
    };
    const o = observed();
    await expect(learnFromDecision(learner, message, 'kb', picked, o)).resolves.toBeUndefined();
    expect(o.warnings).toHaveLength(1);
    expect(await counted(o.metrics)).toEqual({ failed: 1 });
  });
});
