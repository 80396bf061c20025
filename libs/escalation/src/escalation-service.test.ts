import { describe, expect, it } from 'vitest';
import { emptyMemory, type Decision } from '@answerbridge/answering';
import type { InboundMessage } from '@answerbridge/core';
import { InMemoryEscalationStore, RecordingInboxEvents, RecordingJobEnqueuer } from '@answerbridge/testing';
import { EscalationConflictError, EscalationNotFoundError } from './escalation-errors';
import { defaultEscalationMessages } from './escalation-messages';
import { EscalationService } from './escalation-service';

const conversationId = 'wecom/helpdesk/alice';

const message = (id: string, text: string): InboundMessage => ({
  id,
  channel: 'wecom',
  botId: 'helpdesk',
  platformMessageId: id,
  conversationId,
  chatType: 'direct',
  senderId: 'alice',
  kind: 'text',
  text,
  sentAt: 1,
  receivedAt: 1,
  replyTarget: { channel: 'wecom', toUser: 'alice', agentId: 1 },
});

const handover: Decision = {
  kind: 'escalate',
  reason: 'asked-for-human',
  reply: '正在为您转接人工客服',
  entryId: null,
  confidence: null,
  assessment: null,
  scores: [{ entryId: 'vpn', confidence: 0.4, score: 0.6 }],
  suggestions: [{ entryId: 'vpn', question: 'VPN 怎么连', answer: '打开客户端' }],
  memory: emptyMemory,
  learned: null,
};

function setup(notifyAfterMs = 0) {
  let now = 1_000;
  const store = new InMemoryEscalationStore();
  const events = new RecordingInboxEvents();
  const producer = new RecordingJobEnqueuer();
  const service = new EscalationService({
    store,
    events,
    producer,
    messages: defaultEscalationMessages,
    notifyAfterMs,
    agentName: (id) => (id === 'agent1' ? '小王' : id),
    now: () => now++,
  });
  return { service, store, events, producer };
}

describe('EscalationService on the in-memory ports', () => {
  it('opens a waiting escalation with the candidates and their confidence, records what was said, and schedules the unclaimed check', async () => {
    const { service, store, events, producer } = setup(60_000);
    expect(await service.escalate(message('m1', '我要转人工'), handover)).toBe(true);
    const escalation = await store.get(conversationId);
    expect(escalation).toMatchObject({ state: 'waiting', reason: 'asked-for-human', question: '我要转人工' });
    expect(escalation?.candidates).toEqual([
      { entryId: 'vpn', question: 'VPN 怎么连', answer: '打开客户端', confidence: 0.4 },
    ]);
    expect((await service.history(conversationId)).map((h) => [h.from, h.text])).toEqual([
      ['asker', '我要转人工'],
      ['bot', '正在为您转接人工客服'],
    ]);
    expect(events.types()).toEqual(['message', 'message', 'escalated']);
    expect(producer.jobs).toEqual([
      expect.objectContaining({
        name: 'escalation.unclaimed.v1',
        payload: { conversationId, escalatedAt: escalation?.escalatedAt },
        options: { dedupeId: 'unclaimed-m1', delayMs: 60_000 },
      }),
    ]);
  });

  it('does not open a second escalation while one is open, and schedules no check when notifying is off', async () => {
    const { service, producer } = setup(0);
    expect(await service.escalate(message('m1', '人工'), handover)).toBe(true);
    expect(await service.escalate(message('m2', '人工'), handover)).toBe(false);
    expect(producer.jobs).toEqual([]);
  });

  it('relays the asker to the inbox only while the conversation is escalated', async () => {
    const { service } = setup();
    expect(await service.relayIfEscalated(message('m0', '你好'))).toBe(false);
    await service.escalate(message('m1', '人工'), handover);
    expect(await service.relayIfEscalated({ ...message('m2', ''), kind: 'image' })).toBe(true);
    expect((await service.history(conversationId)).at(-1)).toMatchObject({ from: 'asker', text: '[image]', id: 'm2' });
  });

  it('lets one agent claim, tells the asker who joined, and refuses a second claim with who holds it', async () => {
    const { service, producer, events } = setup();
    await service.escalate(message('m1', '人工'), handover);
    await service.claim(conversationId, 'agent1');
    expect(producer.payloadsOf('outbound.send.v1').map((r) => r.text)).toEqual([
      '客服 小王 已接入，请直接在这里描述您的问题。',
    ]);
    expect(events.types()).toContain('claimed');
    await expect(service.claim(conversationId, 'agent2')).rejects.toThrow(
      new EscalationConflictError('already claimed by agent1'),
    );
    await expect(service.claim('wecom/helpdesk/nobody', 'agent2')).rejects.toBeInstanceOf(EscalationNotFoundError);
  });

  it("queues an agent's reply with delivery tracking, and follows its delivery", async () => {
    const { service, producer, store } = setup();
    await service.escalate(message('m1', '人工'), handover);
    await expect(service.reply(conversationId, 'agent1', '您好')).rejects.toThrow(/claim it first/);
    await service.claim(conversationId, 'agent1');
    await expect(service.reply(conversationId, 'agent2', '您好')).rejects.toThrow(/held by agent1/);
    const entry = await service.reply(conversationId, 'agent1', '请重启一下');
    const sent = producer.payloadsOf('outbound.send.v1').at(-1);
    expect(sent).toMatchObject({
      id: `agent-${entry.id}`,
      text: '请重启一下',
      track: { conversationId, entryId: entry.id },
    });
    await service.markDelivery(conversationId, entry.id, 'sent');
    expect((await store.history(conversationId, 10)).find((h) => h.id === entry.id)?.delivery).toBe('sent');
  });

  it('hands a conversation to another agent and tells the asker, then closes it so the bot answers again', async () => {
    const { service, producer, store } = setup();
    await service.escalate(message('m1', '人工'), handover);
    await service.claim(conversationId, 'agent1');
    await service.transfer(conversationId, 'agent1', 'agent2');
    expect((await store.get(conversationId))?.agentId).toBe('agent2');
    await expect(service.close(conversationId, 'agent1', 'resolved')).rejects.toThrow(/held by agent2/);
    await service.close(conversationId, 'agent2', 'handback');
    expect(await service.isOpen(conversationId)).toBe(false);
    expect(
      producer
        .payloadsOf('outbound.send.v1')
        .map((r) => r.text)
        .slice(1),
    ).toEqual(['已为您转接给客服 agent2，请继续在这里描述您的问题。', defaultEscalationMessages.handedBack]);
    await expect(service.close(conversationId, 'admin', 'resolved', true)).rejects.toThrow(/conversation is resolved/);
  });

  it('notices an escalation still unclaimed only while it is the same one, and tells the asker once', async () => {
    const { service, producer } = setup();
    await service.escalate(message('m1', '人工'), handover);
    const { waiting } = await service.queue();
    const escalatedAt = waiting[0]?.escalatedAt ?? -1;
    const still = await service.stillUnclaimed(conversationId, escalatedAt);
    expect(still).not.toBeNull();
    expect(await service.stillUnclaimed(conversationId, escalatedAt + 1)).toBeNull();
    await service.tellStillWaiting(still!, 5);
    await service.tellStillWaiting(still!, 5);
    expect(producer.payloadsOf('outbound.send.v1').map((r) => r.text)).toEqual([
      '目前咨询较多，客服将在约 5 分钟内回复您，请稍候。',
    ]);
    await service.claim(conversationId, 'agent1');
    expect(await service.stillUnclaimed(conversationId, escalatedAt)).toBeNull();
  });
});
