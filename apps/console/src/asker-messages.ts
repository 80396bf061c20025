import { classifyIntent } from '@answerbridge/answering';
import type { ConversationEntry, Escalation } from '@answerbridge/core';
import type { RecentTurn } from '@answerbridge/redis';

/** One message the asker wrote, as the "link to an existing entry" dialog offers it to learn. */
export interface AskerMessage {
  id: string;
  at: number;
  text: string;
  /** A question (not 转人工, 没用, a greeting or the number of a suggestion): worth learning. */
  question: boolean;
  /** The message the bot handed over on. */
  trigger: boolean;
}

export interface AskerMessages {
  /** Oldest first, each once (the triggering message is both a turn and in the history). */
  messages: AskerMessage[];
  /** The message the dialog proposes to learn: the trigger when it is a question, else the question before it. */
  toLearn: AskerMessage | null;
  /** The asker's last question, the search's default. */
  lastQuestion: AskerMessage | null;
}

/**
 * What the asker wrote in a conversation (before the handover and since), and which of it is worth
 * learning: a handover asked for with 转人工 or 没用 was triggered by an intent, not a question, so the
 * question the asker asked before it is the one an entry should learn.
 */
export function askerMessages(
  escalation: Pick<Escalation, 'question' | 'escalatedAt'>,
  history: ConversationEntry[],
  turns: RecentTurn[],
): AskerMessages {
  const seen = new Set<string>();
  const all: Omit<AskerMessage, 'trigger'>[] = [];
  const add = (id: string, at: number, text: string) => {
    if (seen.has(id) || !text.trim()) return;
    seen.add(id);
    all.push({ id, at, text, question: classifyIntent(text).kind === 'question' });
  };
  for (const h of history) if (h.from === 'asker') add(h.id, h.at, h.text);
  for (const t of turns) if (t.from === 'asker') add(t.messageId || t.id, t.at, t.text);
  all.sort((a, b) => a.at - b.at);
  // The handover's own message: its words, nearest the time of the handover (an earlier one may repeat them).
  let triggerId: string | null = null;
  let nearest = Number.POSITIVE_INFINITY;
  for (const m of all) {
    const distance = Math.abs(m.at - escalation.escalatedAt);
    if (m.text === escalation.question && distance < nearest) {
      nearest = distance;
      triggerId = m.id;
    }
  }
  const messages = all.map((m) => ({ ...m, trigger: m.id === triggerId }));
  const trigger = messages.find((m) => m.trigger) ?? null;
  const questions = messages.filter((m) => m.question);
  const lastQuestion = questions.at(-1) ?? null;
  const before = trigger ? questions.filter((m) => m.at <= trigger.at).at(-1) : undefined;
  return { messages, toLearn: before ?? lastQuestion ?? trigger, lastQuestion };
}
