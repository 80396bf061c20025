import { describe, expect, it } from 'vitest';
import type { ChannelSender, InboundMessage, OutboundReply } from '@answerbridge/core';
import { EscalationService, defaultEscalationMessages } from '@answerbridge/escalation';
import { emptyMemory } from '@answerbridge/answering';
import { createLogger, createMetrics } from '@answerbridge/observability';
import { InMemoryEscalationStore, RecordingInboxEvents, RecordingJobEnqueuer } from '@answerbridge/testing';
import { acceptInbound } from './accept-inbound';
import { notifyUnclaimed } from './notify-unclaimed';
import { replyFailedForGood, sendReply } from './send-reply';

const conversationId = 'wecom/helpdesk/alice';
const inbound: InboundMessage = {
  id: 'm1',
  channel: 'wecom',
  botId: 'helpdesk',
  platformMessageId: '1',
  conversationId,
  chatType: 'direct',
  senderId: 'alice',
  kind: 'text',
  text: '我要转人工',
  sentAt: 1,
  receivedAt: 1,
  replyTarget: { channel: 'wecom', toUser: 'alice', agentId: 1 },
};
const logger = createLogger({ name: 'test', level: 'silent' });
const metrics = createMetrics('delivery-test');

async function escalated() {
  const producer = new RecordingJobEnqueuer();
  const store = new InMemoryEscalationStore();
  const escalation = new EscalationService({
    store,
    events: new RecordingInboxEvents(),
    producer,
    messages: defaultEscalationMessages,
    notifyAfterMs: 0,
  });
  await escalation.escalate(inbound, {
    kind: 'escalate',
    reason: 'asked-for-human',
    reply: null,
    entryId: null,
    confidence: null,
    assessment: null,
    scores: [],
    suggestions: [],
    memory: emptyMemory,
    learned: null,
  });
  return { producer, store, escalation };
}

describe('acceptInbound', () => {
  it('queues a message once, carrying its trace, and reports a redelivery as a duplicate', async () => {
    const producer = new RecordingJobEnqueuer();
    const first = await acceptInbound(producer, inbound);
    const again = await acceptInbound(producer, inbound);
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ jobId: first.jobId, duplicate: true });
    expect(producer.jobs).toHaveLength(1);
    expect(producer.jobs[0]).toMatchObject({ name: 'inbound.answer.v1', options: { dedupeId: 'm1' } });
    expect(producer.payloadsOf('inbound.answer.v1')[0]).toHaveProperty('trace');
  });
});

describe("sending an agent's reply", () => {
  it('marks it sent once the channel took it, and failed for good when retries are exhausted', async () => {
    const { escalation, store } = await escalated();
    await escalation.claim(conversationId, 'agent1');
    const entry = await escalation.reply(conversationId, 'agent1', '请重启');
    const sent: OutboundReply[] = [];
    const sender: ChannelSender = { send: async (r) => (sent.push(r), { platformMessageId: 'p1' }) };
    const reply: OutboundReply = {
      id: `agent-${entry.id}`,
      botId: 'helpdesk',
      inReplyTo: conversationId,
      target: inbound.replyTarget,
      text: '请重启',
      track: { conversationId, entryId: entry.id },
    };
    const deps = { senders: new Map([['wecom', sender]]), escalation, logger, metrics };
    await sendReply(deps, reply);
    expect(sent.map((r) => r.text)).toEqual(['请重启']);
    expect((await store.history(conversationId, 10)).find((h) => h.id === entry.id)?.delivery).toBe('sent');
    await replyFailedForGood(deps, reply, 'platform refused');
    expect((await store.history(conversationId, 10)).find((h) => h.id === entry.id)?.delivery).toBe('failed');
  });

  it('leaves the delivery alone when the channel fails (the queue retries)', async () => {
    const { escalation, store } = await escalated();
    await escalation.claim(conversationId, 'agent1');
    const entry = await escalation.reply(conversationId, 'agent1', '请重启');
    const sender: ChannelSender = {
      send: async () => {
        throw new Error('platform down');
      },
    };
    const reply: OutboundReply = {
      id: 'x',
      botId: 'helpdesk',
      inReplyTo: conversationId,
      target: inbound.replyTarget,
      text: '请重启',
      track: { conversationId, entryId: entry.id },
    };
    await expect(
      sendReply({ senders: new Map([['wecom', sender]]), escalation, logger, metrics }, reply),
    ).rejects.toThrow('platform down');
    expect((await store.history(conversationId, 10)).find((h) => h.id === entry.id)?.delivery).toBe('queued');
  });
});

describe('notifyUnclaimed', () => {
  it("tells the asker first, then the agents' groups with the question and how long it waited", async () => {
    const { escalation, producer, store } = await escalated();
    const escalatedAt = (await store.get(conversationId))?.escalatedAt ?? 0;
    const notices: [string, string][] = [];
    await notifyUnclaimed(
      {
        escalation,
        notifyAgents: async (text, id) => void notices.push([text, id]),
        expectedWaitMinutes: 10,
        consoleUrl: 'https://inbox.example',
        logger,
      },
      { conversationId, escalatedAt },
    );
    expect(producer.payloadsOf('outbound.send.v1').map((r) => r.text)).toEqual([
      '目前咨询较多，客服将在约 10 分钟内回复您，请稍候。',
    ]);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.[0]).toMatch(
      /^【待接入】wecom 用户 alice 已等待 \d+ 分钟：我要转人工\nhttps:\/\/inbox.example$/,
    );
    expect(notices[0]?.[1]).toBe(`${conversationId}:${escalatedAt}`);
  });

  it('does nothing once the escalation was claimed', async () => {
    const { escalation, producer, store } = await escalated();
    const escalatedAt = (await store.get(conversationId))?.escalatedAt ?? 0;
    await escalation.claim(conversationId, 'agent1');
    const before = producer.jobs.length;
    await notifyUnclaimed({ escalation, expectedWaitMinutes: 10, logger }, { conversationId, escalatedAt });
    expect(producer.jobs).toHaveLength(before);
  });
});
