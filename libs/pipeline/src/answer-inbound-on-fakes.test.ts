import { describe, expect, it } from 'vitest';
import { defaultMessages, thresholdModel, type ConversationMemory } from '@answerbridge/answering';
import { VectorStoreError, type InboundMessage } from '@answerbridge/core';
import { EscalationService, defaultEscalationMessages } from '@answerbridge/escalation';
import { KnowledgeSearcher, ingestKnowledgeBase } from '@answerbridge/knowledge';
import { createLogger, createMetrics } from '@answerbridge/observability';
import {
  FakeEmbedder,
  InMemoryConversationState,
  InMemoryDecisionLog,
  InMemoryEscalationStore,
  InMemoryVectorStore,
  RecordingInboxEvents,
  RecordingJobEnqueuer,
} from '@answerbridge/testing';
import { answerInbound, type AnswerInboundDeps } from './answer-inbound';

const message = (id: string, text: string): InboundMessage => ({
  id,
  channel: 'wecom',
  botId: 'helpdesk',
  platformMessageId: id,
  conversationId: 'wecom/helpdesk/alice',
  chatType: 'direct',
  senderId: 'alice',
  kind: 'text',
  text,
  sentAt: 1,
  receivedAt: Date.now(),
  replyTarget: { channel: 'wecom', toUser: 'alice', agentId: 1 },
});

const metrics = createMetrics('answer-inbound-test');

async function setup() {
  const store = new InMemoryVectorStore();
  const embedder = new FakeEmbedder();
  await ingestKnowledgeBase(store, embedder, 'kb-helpdesk', [
    { id: 'password', question: '怎么修改登录密码', similar: [], answer: '打开设置 → 账号 → 修改密码。', tags: [] },
    { id: 'vpn', question: 'VPN 连不上怎么办', similar: [], answer: '重启 VPN 客户端后重试。', tags: [] },
  ]);
  const producer = new RecordingJobEnqueuer();
  const escalations = new InMemoryEscalationStore();
  const memory = new InMemoryConversationState<ConversationMemory>();
  const decisions = new InMemoryDecisionLog();
  const searcher = new KnowledgeSearcher(store, embedder, {
    mode: 'dense',
    fusion: { method: 'rrf', k: 60 },
    depth: 10,
  });
  const deps: AnswerInboundDeps = {
    languageOf: () => undefined,
    searcherFor: () => searcher,
    producer,
    policyFor: () => ({
      confidence: thresholdModel(0.95, 0.6),
      maxSuggestions: 3,
      maxSuggestionsInARow: 2,
      keywordFallbackThreshold: 2,
      messages: defaultMessages,
    }),
    calibrationFor: async () => null,
    memory,
    memoryTtlMs: 60_000,
    decisions,
    escalation: new EscalationService({
      store: escalations,
      events: new RecordingInboxEvents(),
      producer,
      messages: defaultEscalationMessages,
      notifyAfterMs: 0,
    }),
    knowledgeBaseFor: (botId) => (botId === 'helpdesk' ? 'kb-helpdesk' : undefined),
    logger: createLogger({ name: 'test', level: 'silent' }),
    metrics,
  };
  return { deps, store, producer, escalations, memory, decisions };
}

describe('answerInbound on the in-memory ports', () => {
  it('answers a question it knows, queues one reply however often it runs, and records the decision', async () => {
    const { deps, producer, decisions, memory } = await setup();
    const decision = await answerInbound(deps, message('m1', '怎么修改登录密码'));
    await answerInbound(deps, message('m1', '怎么修改登录密码'));
    expect(decision).toMatchObject({ kind: 'answer', entryId: 'password' });
    expect(producer.jobs).toHaveLength(1);
    expect(producer.jobs[0]).toMatchObject({
      name: 'outbound.send.v1',
      payload: { id: 'reply-m1', inReplyTo: 'm1', text: '打开设置 → 账号 → 修改密码。' },
      options: { dedupeId: 'reply-m1' },
    });
    expect(decisions.records[0]).toMatchObject({ messageId: 'm1', kind: 'answer', entryId: 'password' });
    expect((await memory.get('wecom/helpdesk/alice'))?.lastKind).toBe('answer');
  });

  it('hands over when asked for a person: the asker is told and the inbox gets the conversation', async () => {
    const { deps, producer, escalations } = await setup();
    const decision = await answerInbound(deps, message('m1', '我要转人工'));
    expect(decision?.kind).toBe('escalate');
    expect(await escalations.get('wecom/helpdesk/alice')).toMatchObject({ state: 'waiting', question: '我要转人工' });
    expect(producer.payloadsOf('outbound.send.v1')[0]?.text).toBe(defaultMessages.handover);
  });

  it('stays silent while a person holds the conversation: the message goes to the inbox', async () => {
    const { deps, producer, escalations } = await setup();
    await answerInbound(deps, message('m1', '我要转人工'));
    expect(await answerInbound(deps, message('m2', '怎么修改登录密码'))).toBeNull();
    expect(producer.jobs).toHaveLength(1);
    expect((await escalations.history('wecom/helpdesk/alice', 10)).at(-1)).toMatchObject({ from: 'asker', id: 'm2' });
  });

  it('lets the queue retry a failed search, and on the last attempt hands over instead of staying silent', async () => {
    const { deps, store, producer } = await setup();
    store.failWith(new VectorStoreError('cannot reach Milvus', true));
    await expect(answerInbound(deps, message('m1', 'VPN 连不上怎么办'))).rejects.toThrow('cannot reach Milvus');
    expect(producer.jobs).toEqual([]);
    const decision = await answerInbound({ ...deps, lastAttempt: true }, message('m1', 'VPN 连不上怎么办'));
    expect(decision).toMatchObject({ kind: 'escalate', reason: 'search-unavailable' });
    expect(producer.payloadsOf('outbound.send.v1')[0]?.text).toBe(defaultMessages.escalate);
  });

  it('refuses a message for a bot without a knowledge base, naming the bot', async () => {
    const { deps } = await setup();
    await expect(answerInbound(deps, { ...message('m1', '你好吗'), botId: 'stranger' })).rejects.toThrow(
      /no knowledge base configured for bot stranger/,
    );
  });

  it("queues the reply to a pick before the asker's wording is proposed for review (a slow database delays no answer)", async () => {
    const { deps, memory, producer } = await setup();
    await memory.set(
      'wecom/helpdesk/alice',
      {
        pendingSuggestions: [{ entryId: 'vpn', question: 'VPN 连不上怎么办', answer: '重启 VPN 客户端后重试。' }],
        suggestedFor: 'vpn 老是断',
        suggestionsInARow: 1,
        lastKind: 'suggest',
      },
      60_000,
    );
    let release = () => undefined as void;
    const queuedWhenLearning: number[] = [];
    const learner = {
      proposePhrasing: async () => {
        queuedWhenLearning.push(producer.jobs.length);
        await new Promise<void>((resolve) => (release = resolve));
        throw new Error('database unavailable');
      },
    };
    const answered = answerInbound({ ...deps, learner }, message('m-pick', '1'));
    await expect.poll(() => queuedWhenLearning).toEqual([1]);
    expect(producer.jobs[0]).toMatchObject({ name: 'outbound.send.v1', payload: { text: '重启 VPN 客户端后重试。' } });
    release();
    expect(await answered).toMatchObject({ kind: 'answer', reason: 'picked-suggestion' });
  });
});
