import { randomUUID } from 'node:crypto';
import type { Decision } from '@answerbridge/answering';
import type {
  ConversationEntry,
  Escalation,
  EscalationStore,
  InboundMessage,
  InboxEvents,
  JobEnqueuer,
  OutboundReply,
} from '@answerbridge/core';
import { EscalationConflictError, EscalationNotFoundError } from './escalation-errors';
import type { EscalationMessages } from './escalation-messages';

export interface EscalationServiceDeps {
  store: EscalationStore;
  events: InboxEvents;
  producer: JobEnqueuer;
  messages: EscalationMessages;
  /** After this long unclaimed, the agents' group and the asker are notified (0: never). */
  notifyAfterMs: number;
  /** An agent's display name, for the "agent joined" message. */
  agentName?: (agentId: string) => string;
  now?: () => number;
}

const isOpen = (e: Escalation | null): e is Escalation =>
  e !== null && (e.state === 'waiting' || e.state === 'with-agent');

/**
 * The handover between bot and people: bot → waiting → with-agent → resolved → bot. The channel does
 * not matter here; replies go out through the same outbound queue the bot uses.
 */
export class EscalationService {
  constructor(private readonly deps: EscalationServiceDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  async get(conversationId: string): Promise<Escalation | null> {
    return this.deps.store.get(conversationId);
  }

  async isOpen(conversationId: string): Promise<boolean> {
    return isOpen(await this.deps.store.get(conversationId));
  }

  private async record(
    conversationId: string,
    entry: Omit<ConversationEntry, 'id' | 'at'> & { id?: string },
  ): Promise<ConversationEntry> {
    const full: ConversationEntry = { id: entry.id ?? randomUUID(), at: this.now(), ...entry };
    await this.deps.store.append(conversationId, full);
    await this.deps.events.publish({ type: 'message', conversationId, entry: full });
    return full;
  }

  private async tell(escalation: Escalation, id: string, text: string): Promise<void> {
    const reply: OutboundReply = {
      id,
      botId: escalation.botId,
      inReplyTo: escalation.conversationId,
      target: escalation.replyTarget,
      text,
    };
    await this.deps.producer.enqueue('outbound.send.v1', reply, { dedupeId: id });
    await this.record(escalation.conversationId, { from: 'system', text });
  }

  /** Opens an escalation for a message the bot decided to hand over; its reply has told the asker already. */
  async escalate(message: InboundMessage, decision: Decision): Promise<boolean> {
    const at = this.now();
    const created = await this.deps.store.open({
      conversationId: message.conversationId,
      botId: message.botId,
      channel: message.channel,
      senderId: message.senderId,
      replyTarget: message.replyTarget,
      state: 'waiting',
      reason: decision.reason,
      question: message.text,
      candidates: decision.suggestions.map((s) => ({
        ...s,
        confidence: decision.scores.find((x) => x.entryId === s.entryId)?.confidence ?? null,
      })),
      escalatedAt: at,
      agentId: null,
      claimedAt: null,
      resolvedAt: null,
    });
    if (!created) return false;
    await this.record(message.conversationId, { from: 'asker', text: message.text, id: message.id });
    if (decision.reply) await this.record(message.conversationId, { from: 'bot', text: decision.reply });
    await this.deps.events.publish({ type: 'escalated', conversationId: message.conversationId });
    if (this.deps.notifyAfterMs > 0) {
      await this.deps.producer.enqueue(
        'escalation.unclaimed.v1',
        { conversationId: message.conversationId, escalatedAt: at },
        { dedupeId: `unclaimed-${message.id}`, delayMs: this.deps.notifyAfterMs },
      );
    }
    return true;
  }

  /** While a person owns the conversation the bot stays silent: the asker's message goes to the inbox. */
  async relayIfEscalated(message: InboundMessage): Promise<boolean> {
    if (!(await this.isOpen(message.conversationId))) return false;
    await this.record(message.conversationId, {
      from: 'asker',
      text: message.text || `[${message.kind}]`,
      id: message.id,
    });
    return true;
  }

  async claim(conversationId: string, agentId: string): Promise<Escalation> {
    const at = this.now();
    if (!(await this.deps.store.claim(conversationId, agentId, at))) {
      const current = await this.deps.store.get(conversationId);
      if (!current) throw new EscalationNotFoundError(conversationId);
      throw new EscalationConflictError(
        current.state === 'with-agent' ? `already claimed by ${current.agentId}` : `conversation is ${current.state}`,
      );
    }
    const escalation = await this.mustGet(conversationId);
    await this.deps.events.publish({ type: 'claimed', conversationId, agentId });
    const name = this.deps.agentName?.(agentId) ?? agentId;
    await this.tell(
      escalation,
      `joined-${conversationId.replace(/[^A-Za-z0-9_.-]/g, '_')}-${at}`,
      this.deps.messages.agentJoined.replace('{agent}', name),
    );
    return escalation;
  }

  private async mustGet(conversationId: string): Promise<Escalation> {
    const e = await this.deps.store.get(conversationId);
    if (!e) throw new EscalationNotFoundError(conversationId);
    return e;
  }

  private async mustHold(conversationId: string, agentId: string): Promise<Escalation> {
    const e = await this.mustGet(conversationId);
    if (e.state !== 'with-agent') throw new EscalationConflictError(`conversation is ${e.state}; claim it first`);
    if (e.agentId !== agentId) throw new EscalationConflictError(`conversation is held by ${e.agentId}`);
    return e;
  }

  /** Queues an agent's reply to the asker through the channel; its delivery status follows. */
  async reply(conversationId: string, agentId: string, text: string): Promise<ConversationEntry> {
    const escalation = await this.mustHold(conversationId, agentId);
    const entry = await this.record(conversationId, { from: 'agent', agentId, text, delivery: 'queued' });
    const id = `agent-${entry.id}`;
    await this.deps.producer.enqueue(
      'outbound.send.v1',
      {
        id,
        botId: escalation.botId,
        inReplyTo: conversationId,
        target: escalation.replyTarget,
        text,
        track: { conversationId, entryId: entry.id },
      },
      { dedupeId: id },
    );
    return entry;
  }

  async markDelivery(conversationId: string, entryId: string, delivery: 'sent' | 'failed'): Promise<void> {
    await this.deps.store.updateDelivery(conversationId, entryId, delivery);
    await this.deps.events.publish({ type: 'delivery', conversationId, entryId, delivery });
  }

  /** Ends the handover: `resolved` (done) or `handback` (let the bot continue); either way the bot answers next. */
  async close(conversationId: string, agentId: string, how: 'resolved' | 'handback', asAdmin = false): Promise<void> {
    const e = asAdmin ? await this.mustGet(conversationId) : await this.mustHold(conversationId, agentId);
    if (!(await this.deps.store.resolve(conversationId, this.now())))
      throw new EscalationConflictError(`conversation is ${e.state}`);
    await this.deps.events.publish({ type: 'resolved', conversationId, agentId });
    await this.tell(
      e,
      `closed-${conversationId.replace(/[^A-Za-z0-9_.-]/g, '_')}-${this.now()}`,
      how === 'resolved' ? this.deps.messages.resolved : this.deps.messages.handedBack,
    );
  }

  async transfer(conversationId: string, fromAgent: string, toAgent: string): Promise<void> {
    await this.mustHold(conversationId, fromAgent);
    if (!(await this.deps.store.transfer(conversationId, fromAgent, toAgent)))
      throw new EscalationConflictError('conversation changed hands meanwhile');
    const name = (agentId: string) => this.deps.agentName?.(agentId) ?? agentId;
    await this.record(conversationId, {
      from: 'system',
      text: this.deps.messages.transferred.replace('{from}', name(fromAgent)).replace('{to}', name(toAgent)),
    });
    await this.deps.events.publish({ type: 'transferred', conversationId, agentId: toAgent });
    const held = await this.mustGet(conversationId);
    await this.tell(
      held,
      `transferred-${conversationId.replace(/[^A-Za-z0-9_.-]/g, '_')}-${this.now()}`,
      this.deps.messages.transferredToAsker.replace('{agent}', name(toAgent)),
    );
  }

  /** The escalation waited too long: true when it is still the same unclaimed escalation (then notify). */
  async stillUnclaimed(conversationId: string, escalatedAt: number): Promise<Escalation | null> {
    const e = await this.deps.store.get(conversationId);
    return e && e.state === 'waiting' && e.escalatedAt === escalatedAt ? e : null;
  }

  async tellStillWaiting(escalation: Escalation, expectedMinutes: number): Promise<void> {
    const id = `waiting-${escalation.conversationId.replace(/[^A-Za-z0-9_.-]/g, '_')}-${escalation.escalatedAt}`;
    await this.tell(escalation, id, this.deps.messages.stillWaiting.replace('{minutes}', String(expectedMinutes)));
  }

  async queue(): Promise<{ waiting: Escalation[]; withAgent: Escalation[] }> {
    const [waiting, withAgent] = await Promise.all([
      this.deps.store.list('waiting'),
      this.deps.store.list('with-agent'),
    ]);
    return { waiting, withAgent };
  }

  async history(conversationId: string): Promise<ConversationEntry[]> {
    return this.deps.store.history(conversationId, 200);
  }
}
