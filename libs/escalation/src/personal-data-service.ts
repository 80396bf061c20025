import type {
  AnalyticsEventStore,
  ConversationStateStore,
  DecisionLog,
  EscalationStore,
  InboxEvents,
  PersonRef,
} from '@answerbridge/core';
import { PersonWithAgentError } from './escalation-errors';

export interface PersonalDataServiceDeps {
  escalations: EscalationStore;
  decisions: DecisionLog;
  /** The bot's per-conversation memory (erasing it erases every state kept under the conversation). */
  conversationState: Pick<ConversationStateStore<unknown>, 'erase'>;
  events: InboxEvents;
  /**
   * The analytics copied from the decision log (PostgreSQL), where the process has them (the console): erased
   * after the log, so a copy in progress cannot bring the person's rows back.
   */
  analytics?: Pick<AnalyticsEventStore, 'erase'>;
  /**
   * The review queue (FAQ drafts), which keeps what askers wrote: their conversations' drafts go with an erasure,
   * and drafts past their time with the retention. (Approved phrasings and entries name no asker: they stay.)
   */
  drafts?: { erase(person: PersonRef): Promise<number>; applyRetention(): Promise<number> };
}

/** What one erasure deleted, by kind (counts only: the audit log must not repeat what was deleted). */
export interface PersonalDataErased {
  conversations: number;
  escalations: number;
  historyEntries: number;
  decisions: number;
  conversationState: number;
  /** Analytics events and feedback in the system of record. */
  analyticsRows: number;
  /** Drafts of the review queue (when the service has the queue). */
  drafts?: number;
}

/** What one retention sweep deleted, by kind. */
export interface RetentionApplied {
  escalations: number;
  decisions: number;
  drafts?: number;
}

/**
 * Everything kept of what people wrote: deletes one person's data on request (PIPL), and applies the
 * retention to records that are not expired by Redis itself (older records, the decision log when quiet).
 */
export class PersonalDataService {
  constructor(private readonly deps: PersonalDataServiceDeps) {}

  /**
   * Deletes the person's escalations with their histories (every conversation of theirs, group ones too),
   * their decisions and the bot's memory of them. Refused while an agent holds one of their conversations:
   * the agent would lose it mid-reply and the asker would hear from nobody; the agent resolves it first.
   * A waiting escalation is simply deleted (nobody is talking with the person yet).
   */
  async erase(person: PersonRef): Promise<PersonalDataErased> {
    const { escalations, decisions, conversationState, events } = this.deps;
    const conversations = await escalations.conversationsOf(person);
    const current = await Promise.all(conversations.map((id) => escalations.get(id)));
    const held = current.flatMap((e) =>
      e?.state === 'with-agent' ? [{ conversationId: e.conversationId, agentId: e.agentId ?? '' }] : [],
    );
    if (held.length) throw new PersonWithAgentError(held);

    const erased: PersonalDataErased = {
      conversations: conversations.length,
      escalations: 0,
      historyEntries: 0,
      decisions: 0,
      conversationState: 0,
      analyticsRows: 0,
    };
    for (const [i, conversationId] of conversations.entries()) {
      const result = await escalations.erase(conversationId);
      // Claimed between the check and now: what is erased stays erased; asking again after it is resolved finishes.
      if (!result.erased) throw new PersonWithAgentError([{ conversationId, agentId: result.heldBy }]);
      erased.escalations += result.escalations;
      erased.historyEntries += result.historyEntries;
      // Consoles showing it in the waiting list drop it.
      if (current[i]?.state === 'waiting') await events.publish({ type: 'resolved', conversationId });
    }
    erased.decisions = await decisions.erase(person);
    erased.conversationState = await conversationState.erase(person);
    // After the log: the copier can no longer read the person's entries, and erase() waits for its batch.
    erased.analyticsRows = (await this.deps.analytics?.erase(person)) ?? 0;
    if (this.deps.drafts) erased.drafts = await this.deps.drafts.erase(person);
    return erased;
  }

  /** Deletes what is past the retention and not expired by Redis itself; returns how many records. */
  async applyRetention(): Promise<RetentionApplied> {
    const applied: RetentionApplied = {
      escalations: await this.deps.escalations.applyRetention(),
      decisions: await this.deps.decisions.expire(),
    };
    if (this.deps.drafts) applied.drafts = await this.deps.drafts.applyRetention();
    return applied;
  }
}
