import type { AnalyticsFactsSource } from '@answerbridge/core';
import {
  NOT_QUESTION_REASONS,
  emptyDays,
  escalationFigures,
  type DecisionAnalytics,
  type EscalationTiming,
  type FeedbackFigures,
  type OutcomeKind,
} from './decision-analytics';

/** What the 统计 page shows: the decision statistics and the feedback on answers. */
export type PeriodAnalytics = DecisionAnalytics & { feedback: FeedbackFigures };

export interface PeriodAnalyticsInput {
  facts: AnalyticsFactsSource;
  botId: string;
  from: number;
  to: number;
  utcOffsetMinutes: number;
  /** The live entries (for the names of those hit, and those never hit). */
  entries: readonly { id: string; question: string }[];
  /** The timings of the escalations of these conversations that began in the period. */
  escalationsOf: (conversationIds: readonly string[]) => Promise<EscalationTiming[]>;
  topLimit?: number;
}

/**
 * One bot's statistics over a period from the system of record (SQL aggregations), in the shape analyzeDecisions
 * gives for the same decisions, plus the feedback figures.
 */
export async function periodAnalytics(input: PeriodAnalyticsInput): Promise<PeriodAnalytics> {
  const { from, to, utcOffsetMinutes } = input;
  const facts = await input.facts.facts({
    botId: input.botId,
    from,
    to,
    utcOffsetMinutes,
    topLimit: input.topLimit ?? 20,
    notQuestions: NOT_QUESTION_REASONS,
  });
  const outcomes: Record<OutcomeKind, number> = { answered: 0, suggested: 0, escalated: 0, other: 0 };
  const days = emptyDays(from, to, utcOffsetMinutes);
  for (const { day, outcome, count } of facts.days) {
    outcomes[outcome] += count;
    const row = days.get(day);
    if (row) {
      row.messages += count;
      row[outcome] += count;
    }
  }
  const messages = outcomes.answered + outcomes.suggested + outcomes.escalated + outcomes.other;
  const questionOf = new Map(input.entries.map((e) => [e.id, e.question]));
  const hit = new Set(facts.hits.map((h) => h.entryId));
  const escalations = await input.escalationsOf(facts.escalatedConversations);
  const { accurate, inaccurate, answeredWithFeedback } = facts.feedback;
  return {
    from,
    to,
    messages,
    outcomes,
    days: [...days.values()],
    topQuestions: facts.topQuestions,
    entriesByHits: facts.hits.map((h) => ({
      entryId: h.entryId,
      question: questionOf.get(h.entryId) ?? h.entryId,
      hits: h.hits,
    })),
    entriesNeverHit: input.entries.filter((e) => !hit.has(e.id)).map((e) => ({ entryId: e.id, question: e.question })),
    escalations: escalationFigures(outcomes.escalated, escalations),
    feedback: {
      accurate,
      inaccurate,
      answeredWithFeedback,
      answeredShare: outcomes.answered ? answeredWithFeedback / outcomes.answered : null,
    },
  };
}
