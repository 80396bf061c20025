import type { AnalyticsOutcome, DecisionRecord } from '@answerbridge/core';

/** What a decision counts as in the statistics: the shares the page shows add up to the messages. */
export type OutcomeKind = AnalyticsOutcome;

export function outcomeKindOf(decision: Pick<DecisionRecord, 'kind'>): OutcomeKind {
  if (decision.kind === 'answer') return 'answered';
  if (decision.kind === 'suggest') return 'suggested';
  if (decision.kind === 'escalate') return 'escalated';
  return 'other';
}

/** One escalation's timing, as the escalation store keeps it. */
export interface EscalationTiming {
  escalatedAt: number;
  claimedAt: number | null;
  resolvedAt: number | null;
}

export interface DecisionAnalytics {
  from: number;
  to: number;
  /** Messages the bot decided on in the period (events such as entering a chat are not messages). */
  messages: number;
  outcomes: Record<OutcomeKind, number>;
  /** Per day (in `utcOffsetMinutes`), oldest first, every day of the period present. */
  days: ({ day: string; messages: number } & Record<OutcomeKind, number>)[];
  /** Most asked wordings (normalized: spaces and case do not split them), with what became of them. */
  topQuestions: { question: string; count: number; answered: number }[];
  /** Every entry the bot answered with, by how often (directly, or picked from a list), most first. */
  entriesByHits: { entryId: string; question: string; hits: number }[];
  /** Live entries the bot never answered with in the period. */
  entriesNeverHit: { entryId: string; question: string }[];
  escalations: {
    count: number;
    claimed: number;
    resolved: number;
    /** Seconds from hand-over to an agent taking it, and to it being resolved (median and 90th percentile). */
    claimSeconds: { median: number | null; p90: number | null };
    resolveSeconds: { median: number | null; p90: number | null };
  };
}

const DAY_MS = 86_400_000;
/** Reasons whose messages are not questions about the FAQ: a pick ("2"), asking for a person, "not helpful". */
export const NOT_QUESTION_REASONS = ['picked-suggestion', 'asked-for-human', 'answer-not-helpful'] as const;
const NOT_QUESTIONS = new Set<string>(NOT_QUESTION_REASONS);
const normalized = (text: string) => text.replace(/\s+/g, '').toLowerCase();

export function dayOf(at: number, utcOffsetMinutes: number): string {
  return new Date(at + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? null;
}

/**
 * The statistics of one bot over a period, from its decisions (the same records the decision log keeps, so the
 * page's counts are the log's), the live entries, and the timings of the escalations its decisions opened.
 */
export function analyzeDecisions(input: {
  decisions: readonly DecisionRecord[];
  from: number;
  to: number;
  utcOffsetMinutes: number;
  entries: readonly { id: string; question: string }[];
  escalations: readonly EscalationTiming[];
  topLimit?: number;
}): DecisionAnalytics {
  const { from, to, utcOffsetMinutes } = input;
  const inPeriod = input.decisions.filter((d) => d.at >= from && d.at < to && d.kind !== 'ignore');
  const outcomes: Record<OutcomeKind, number> = { answered: 0, suggested: 0, escalated: 0, other: 0 };
  const days = emptyDays(from, to, utcOffsetMinutes);
  const questions = new Map<string, { question: string; count: number; answered: number }>();
  const hits = new Map<string, number>();
  for (const d of inPeriod) {
    const outcome = outcomeKindOf(d);
    outcomes[outcome] += 1;
    const day = days.get(dayOf(d.at, utcOffsetMinutes));
    if (day) {
      day.messages += 1;
      day[outcome] += 1;
    }
    if (d.kind === 'answer' && d.entryId) hits.set(d.entryId, (hits.get(d.entryId) ?? 0) + 1);
    // Picks ("2"), requests for a person and the bot's small talk are not questions about the FAQ.
    if (NOT_QUESTIONS.has(d.reason) || outcome === 'other' || !d.question.trim()) continue;
    const key = normalized(d.question);
    const q = questions.get(key) ?? { question: d.question.trim(), count: 0, answered: 0 };
    q.count += 1;
    if (outcome === 'answered') q.answered += 1;
    questions.set(key, q);
  }
  const questionOf = new Map(input.entries.map((e) => [e.id, e.question]));
  const top = input.topLimit ?? 20;
  return {
    from,
    to,
    messages: inPeriod.length,
    outcomes,
    days: [...days.values()],
    topQuestions: [...questions.values()].sort((a, b) => b.count - a.count).slice(0, top),
    entriesByHits: [...hits.entries()]
      .map(([entryId, n]) => ({ entryId, question: questionOf.get(entryId) ?? entryId, hits: n }))
      .sort((a, b) => b.hits - a.hits),
    entriesNeverHit: input.entries.filter((e) => !hits.has(e.id)).map((e) => ({ entryId: e.id, question: e.question })),
    escalations: escalationFigures(outcomes.escalated, input.escalations),
  };
}

/** Every day of the period (in `utcOffsetMinutes`), oldest first, with nothing counted yet. */
export function emptyDays(
  from: number,
  to: number,
  utcOffsetMinutes: number,
): Map<string, { day: string; messages: number } & Record<OutcomeKind, number>> {
  const days = new Map<string, { day: string; messages: number } & Record<OutcomeKind, number>>();
  for (let at = from; at < to; at += DAY_MS) {
    const day = dayOf(at, utcOffsetMinutes);
    days.set(day, { day, messages: 0, answered: 0, suggested: 0, escalated: 0, other: 0 });
  }
  return days;
}

/** How many escalations were claimed and resolved, and how long that took (median, 90th percentile). */
export function escalationFigures(
  count: number,
  escalations: readonly EscalationTiming[],
): DecisionAnalytics['escalations'] {
  const claim = escalations.flatMap((e) => (e.claimedAt === null ? [] : [(e.claimedAt - e.escalatedAt) / 1000]));
  const resolve = escalations.flatMap((e) => (e.resolvedAt === null ? [] : [(e.resolvedAt - e.escalatedAt) / 1000]));
  return {
    count,
    claimed: claim.length,
    resolved: resolve.length,
    claimSeconds: { median: percentile(claim, 0.5), p90: percentile(claim, 0.9) },
    resolveSeconds: { median: percentile(resolve, 0.5), p90: percentile(resolve, 0.9) },
  };
}

/** 准确/不准确 verdicts on the period's messages, where the channel asks for them (the WeCom AI bot). */
export interface FeedbackFigures {
  accurate: number;
  inaccurate: number;
  /** Answered messages that got a verdict, and their share of the answered messages (null: none answered). */
  answeredWithFeedback: number;
  answeredShare: number | null;
}

/** The per-day rows as CSV (UTF-8 with BOM, so Excel on Chinese Windows opens it without garbling). */
export function analyticsCsv(analytics: DecisionAnalytics & { feedback?: FeedbackFigures }): string {
  const escape = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const rows: (string | number)[][] = [
    ['日期', '消息数', '直接回答', '推荐', '转人工', '其他'],
    ...analytics.days.map((d) => [d.day, d.messages, d.answered, d.suggested, d.escalated, d.other]),
    [],
    ['问题', '次数', '直接回答次数'],
    ...analytics.topQuestions.map((q) => [q.question, q.count, q.answered]),
    [],
    ['条目', '命中次数'],
    ...analytics.entriesByHits.map((e) => [e.question, e.hits]),
    ...analytics.entriesNeverHit.map((e) => [e.question, 0]),
    ...(analytics.feedback
      ? [
          [],
          ['准确', '不准确', '有反馈的直接回答', '直接回答反馈率'],
          [
            analytics.feedback.accurate,
            analytics.feedback.inaccurate,
            analytics.feedback.answeredWithFeedback,
            analytics.feedback.answeredShare === null ? '' : `${Math.round(analytics.feedback.answeredShare * 100)}%`,
          ],
        ]
      : []),
  ];
  return `\uFEFF${rows.map((r) => r.map(escape).join(',')).join('\r\n')}\r\n`;
}
