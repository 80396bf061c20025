import {
  isConversationOf,
  type ConversationEntry,
  type ConversationStateStore,
  type DecisionLog,
  type DecisionRecord,
  type Escalation,
  type EscalationErasure,
  type EscalationStore,
  type InboxEvent,
  type InboxEvents,
  type PersonRef,
} from '@answerbridge/core';

const isOpen = (e: Escalation | undefined): e is Escalation => e?.state === 'waiting' || e?.state === 'with-agent';

/** The EscalationStore port in memory, with the same state rules as the Redis scripts (one claim wins). */
export class InMemoryEscalationStore implements EscalationStore {
  readonly escalations = new Map<string, Escalation>();
  readonly histories = new Map<string, ConversationEntry[]>();

  async get(conversationId: string): Promise<Escalation | null> {
    const e = this.escalations.get(conversationId);
    return e ? structuredClone(e) : null;
  }

  async open(escalation: Escalation): Promise<boolean> {
    if (isOpen(this.escalations.get(escalation.conversationId))) return false;
    this.escalations.set(escalation.conversationId, structuredClone(escalation));
    return true;
  }

  async claim(conversationId: string, agentId: string, at: number): Promise<boolean> {
    const e = this.escalations.get(conversationId);
    if (e?.state !== 'waiting') return false;
    Object.assign(e, { state: 'with-agent', agentId, claimedAt: at });
    return true;
  }

  async transfer(conversationId: string, fromAgent: string, toAgent: string): Promise<boolean> {
    const e = this.escalations.get(conversationId);
    if (e?.state !== 'with-agent' || e.agentId !== fromAgent) return false;
    e.agentId = toAgent;
    return true;
  }

  async resolve(conversationId: string, at: number): Promise<boolean> {
    const e = this.escalations.get(conversationId);
    if (!isOpen(e)) return false;
    Object.assign(e, { state: 'resolved', resolvedAt: at });
    return true;
  }

  async list(state: 'waiting' | 'with-agent'): Promise<Escalation[]> {
    return [...this.escalations.values()]
      .filter((e) => e.state === state)
      .sort((a, b) => a.escalatedAt - b.escalatedAt)
      .map((e) => structuredClone(e));
  }

  async append(conversationId: string, entry: ConversationEntry): Promise<void> {
    const history = this.histories.get(conversationId) ?? [];
    if (!history.some((h) => h.id === entry.id)) history.push(structuredClone(entry));
    this.histories.set(conversationId, history);
  }

  async updateDelivery(conversationId: string, entryId: string, delivery: 'sent' | 'failed'): Promise<void> {
    const entry = this.histories.get(conversationId)?.find((h) => h.id === entryId);
    if (entry) entry.delivery = delivery;
  }

  async history(conversationId: string, limit: number): Promise<ConversationEntry[]> {
    return (this.histories.get(conversationId) ?? []).slice(-limit).map((h) => structuredClone(h));
  }

  async conversationsOf(person: PersonRef): Promise<string[]> {
    const ids = new Set([...this.escalations.keys(), ...this.histories.keys()]);
    return [...ids].filter((id) => isConversationOf(id, person));
  }

  async erase(conversationId: string): Promise<EscalationErasure> {
    const e = this.escalations.get(conversationId);
    if (e?.state === 'with-agent' && e.agentId) return { erased: false, heldBy: e.agentId };
    const historyEntries = this.histories.get(conversationId)?.length ?? 0;
    const escalations = this.escalations.delete(conversationId) ? 1 : 0;
    this.histories.delete(conversationId);
    return { erased: true, escalations, historyEntries };
  }

  async applyRetention(): Promise<number> {
    return 0;
  }
}

/** The InboxEvents port as a list of what was published. */
export class RecordingInboxEvents implements InboxEvents {
  readonly events: InboxEvent[] = [];

  async publish(event: InboxEvent): Promise<void> {
    this.events.push(structuredClone(event));
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }
}

/** The ConversationStateStore port in memory (TTLs are not applied). */
export class InMemoryConversationState<T> implements ConversationStateStore<T> {
  readonly values = new Map<string, T>();

  async get(conversationId: string): Promise<T | null> {
    return this.values.has(conversationId) ? structuredClone(this.values.get(conversationId) as T) : null;
  }

  async set(conversationId: string, value: T, _ttlMs: number): Promise<void> {
    this.values.set(conversationId, structuredClone(value));
  }

  async erase(person: PersonRef): Promise<number> {
    let erased = 0;
    for (const id of [...this.values.keys()]) if (isConversationOf(id, person) && this.values.delete(id)) erased++;
    return erased;
  }
}

/** The DecisionLog port in memory (no retention). */
export class InMemoryDecisionLog implements DecisionLog {
  readonly records: DecisionRecord[] = [];

  async record(decision: DecisionRecord): Promise<void> {
    this.records.push(structuredClone(decision));
  }

  async recent(limit: number): Promise<DecisionRecord[]> {
    return this.records.slice(-limit).reverse();
  }

  async between(fromMs: number, toMs: number, limit: number): Promise<DecisionRecord[]> {
    return this.records.filter((r) => r.at >= fromMs && r.at < toMs).slice(0, limit);
  }

  async expire(): Promise<number> {
    return 0;
  }

  async erase(person: PersonRef): Promise<number> {
    const before = this.records.length;
    const kept = this.records.filter((r) => !isConversationOf(r.conversationId, person));
    this.records.splice(0, this.records.length, ...kept);
    return before - kept.length;
  }
}
