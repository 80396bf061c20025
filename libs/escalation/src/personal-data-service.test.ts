import { describe, expect, it } from 'vitest';
import type {
  DecisionLog,
  Escalation,
  EscalationErasure,
  EscalationStore,
  InboxEvent,
  PersonRef,
} from '@answerbridge/core';
import { PersonWithAgentError } from './escalation-errors';
import { PersonalDataService } from './personal-data-service';

const escalation = (conversationId: string, state: Escalation['state'], agentId: string | null = null): Escalation => ({
  conversationId,
  botId: 'b',
  channel: 'wecom',
  senderId: 'alice',
  replyTarget: { channel: 'wecom', toUser: 'alice', agentId: 1 },
  state,
  reason: 'asked-for-human',
  question: 'q',
  candidates: [],
  escalatedAt: 1,
  agentId,
  claimedAt: null,
  resolvedAt: null,
});

function service(escalations: Escalation[], withAnalytics = true) {
  const erasedConversations: string[] = [];
  const calls: string[] = [];
  const events: InboxEvent[] = [];
  const store: Pick<EscalationStore, 'get' | 'conversationsOf' | 'erase' | 'applyRetention'> = {
    get: async (id) => escalations.find((e) => e.conversationId === id) ?? null,
    conversationsOf: async () => escalations.map((e) => e.conversationId),
    erase: async (id): Promise<EscalationErasure> => {
      erasedConversations.push(id);
      return { erased: true, escalations: 1, historyEntries: 2 };
    },
    applyRetention: async () => 3,
  };
  const decisions: Pick<DecisionLog, 'erase' | 'expire'> = {
    erase: async (_person: PersonRef) => (calls.push('decisions'), 5),
    expire: async () => 7,
  };
  const personalData = new PersonalDataService({
    escalations: store as EscalationStore,
    decisions: decisions as DecisionLog,
    conversationState: { erase: async () => (calls.push('memory'), 1) },
    events: { publish: async (e) => void events.push(e) },
    ...(withAnalytics ? { analytics: { erase: async (_person: PersonRef) => (calls.push('analytics'), 9) } } : {}),
  });
  return { personalData, erasedConversations, calls, events };
}

const alice = { channel: 'wecom', botId: 'b', senderId: 'alice' };

describe('PersonalDataService', () => {
  it('erases every conversation, the decisions and the memory, and tells the consoles a waiting one is gone', async () => {
    const s = service([escalation('wecom/b/alice', 'waiting'), escalation('wecom/b/g/alice', 'resolved')]);
    expect(await s.personalData.erase(alice)).toEqual({
      conversations: 2,
      escalations: 2,
      historyEntries: 4,
      decisions: 5,
      conversationState: 1,
      analyticsRows: 9,
    });
    expect(s.erasedConversations).toEqual(['wecom/b/alice', 'wecom/b/g/alice']);
    // The analytics rows after the log they are copied from: a copy in progress cannot bring them back.
    expect(s.calls).toEqual(['decisions', 'memory', 'analytics']);
    expect(s.events).toEqual([{ type: 'resolved', conversationId: 'wecom/b/alice' }]);
  });

  it('erases without analytics where the process has none (the worker)', async () => {
    const s = service([escalation('wecom/b/alice', 'resolved')], false);
    expect(await s.personalData.erase(alice)).toMatchObject({ decisions: 5, analyticsRows: 0 });
    expect(s.calls).toEqual(['decisions', 'memory']);
  });

  it('refuses before deleting anything while an agent holds one of the conversations', async () => {
    const s = service([escalation('wecom/b/alice', 'resolved'), escalation('wecom/b/g/alice', 'with-agent', 'agent1')]);
    const refused = await s.personalData.erase(alice).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PersonWithAgentError);
    expect((refused as PersonWithAgentError).code).toBe('PERSONAL_DATA.WITH_AGENT');
    expect((refused as PersonWithAgentError).heldConversations).toEqual([
      { conversationId: 'wecom/b/g/alice', agentId: 'agent1' },
    ]);
    expect(s.erasedConversations).toEqual([]);
    expect(s.calls).toEqual([]);
  });

  it('applies the retention to escalations and the decision log', async () => {
    expect(await service([]).personalData.applyRetention()).toEqual({ escalations: 3, decisions: 7 });
  });

  it('erases and expires the drafts of the review queue too, when it has the queue', async () => {
    const erasedFor: PersonRef[] = [];
    const withDrafts = new PersonalDataService({
      escalations: {
        get: async () => null,
        conversationsOf: async () => [],
        applyRetention: async () => 0,
      } as unknown as EscalationStore,
      decisions: { erase: async () => 0, expire: async () => 0 } as unknown as DecisionLog,
      conversationState: { erase: async () => 0 },
      events: { publish: async () => undefined },
      drafts: { erase: async (p) => (erasedFor.push(p), 2), applyRetention: async () => 4 },
    });
    // A person who never reached an agent may still have drafts: a pick of theirs proposed their words.
    expect((await withDrafts.erase(alice)).drafts).toBe(2);
    expect(erasedFor).toEqual([alice]);
    expect(await withDrafts.applyRetention()).toEqual({ escalations: 0, decisions: 0, drafts: 4 });
  });
});
