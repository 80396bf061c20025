import type { AnswerFeedbackReader, DecisionLog, Embedder, VectorStore } from '@answerbridge/core';
import {
  activeEntries,
  groupSimilar,
  inaccurateAnswers,
  sameQuestionThreshold,
  unansweredQuestions,
  type UnansweredQuestion,
  type UnansweredWhy,
} from '@answerbridge/knowledge';
import type { QuestionDecision } from './decide-question';

/** Questions of one kind, asked by several people: what the queue shows as one line to act on. */
export interface UnansweredGroup {
  /** Stable for the same representative wording: what actions and dismissals refer to. */
  key: string;
  /** The wording that stands for the group (the member most like the others). */
  question: string;
  /** How many times such a question went unanswered. */
  count: number;
  why: Record<UnansweredWhy, number>;
  /** The distinct wordings, most recent first. */
  wordings: string[];
  lastAt: number;
  /** A conversation it came from (drafts record where a wording was learned). */
  conversationId: string;
  /** The entry the bot finds closest now, and how the bot would decide the question now. */
  nearest: { entryId: string; question: string; confidence: number } | null;
  decisionNow: { kind: string; reason: string };
}

export interface UnansweredQueueDeps {
  decisions: Pick<DecisionLog, 'recent'> & AnswerFeedbackReader;
  /** Embeds askers' and entries' questions alike (a symmetric task: the profile's `indexAs`). */
  embedder: Embedder;
  store: VectorStore;
  /** How the bot decides a question now (decideQuestion, in a new conversation). */
  decideNow: (question: string) => Promise<QuestionDecision>;
}

/** Entries whose questions set the same-question line: enough to measure it, few enough to embed at once. */
const ENTRIES_FOR_THRESHOLD = 200;
const normalized = (text: string) => text.replace(/\s+/g, '').toLowerCase();

/**
 * The queue of questions the FAQ lacks (未解决问题), grouped by meaning: the bot's recent decisions for one bot,
 * the questions it did not answer well (`unansweredQuestions`), grouped when they ask the same thing (the line
 * drawn from how alike the FAQ's own entries are), each group with the entry closest to it. A group the bot
 * would now answer directly (someone added it meanwhile) has left the queue.
 */
export async function unansweredQueue(
  deps: UnansweredQueueDeps,
  input: { botId: string; knowledgeBase: string; decisionsToRead: number },
): Promise<UnansweredGroup[]> {
  const [decisions, feedback] = await Promise.all([
    deps.decisions.recent(input.decisionsToRead),
    deps.decisions.recentFeedback(input.decisionsToRead),
  ]);
  const recent = decisions.filter((d) => d.botId === input.botId);
  const questions = unansweredQuestions(recent, inaccurateAnswers(feedback.filter((f) => f.botId === input.botId)));
  if (questions.length === 0) return [];
  const kind = deps.embedder.profile.indexAs;
  const wordings = [...new Map(questions.map((q) => [normalized(q.question), q.question])).values()];
  const entries = (await activeEntries(deps.store, input.knowledgeBase)).filter((e) => e.kind !== 'doc');
  const sample = entries.slice(0, ENTRIES_FOR_THRESHOLD).map((e) => e.question);
  const [wordingVectors, entryVectors] = await Promise.all([
    embedAll(deps.embedder, wordings, kind),
    embedAll(deps.embedder, sample, kind),
  ]);
  const vectorOf = new Map(wordings.map((w, i) => [normalized(w), wordingVectors[i] ?? []]));
  const groups = groupSimilar(
    questions,
    (q) => vectorOf.get(normalized(q.question)) ?? [],
    sameQuestionThreshold(entryVectors),
  );
  const queue: UnansweredGroup[] = [];
  for (const group of groups) {
    const representative = group.representative;
    const now = await deps.decideNow(representative.question);
    // Answered directly now: someone added it meanwhile, unless it is the very answer people said was wrong.
    const downVoted = new Set(group.members.flatMap((m) => (m.why === 'down-voted' ? [m.entryId] : [])));
    if (now.decision.kind === 'answer' && !downVoted.has(now.decision.entryId)) continue;
    const top = now.candidates[0];
    queue.push({
      key: `g-${normalized(representative.question).slice(0, 64)}`,
      question: representative.question,
      count: group.members.length,
      why: countWhy(group.members),
      wordings: [...new Map(group.members.map((m) => [normalized(m.question), m.question])).values()],
      lastAt: Math.max(...group.members.map((m) => m.at)),
      conversationId: representative.conversationId,
      nearest: top
        ? { entryId: top.entryId, question: top.question, confidence: now.decision.confidence ?? top.confidence }
        : null,
      decisionNow: { kind: now.decision.kind, reason: now.decision.reason },
    });
  }
  return queue.sort((a, b) => b.count - a.count || b.lastAt - a.lastAt);
}

function countWhy(members: UnansweredQuestion[]): Record<UnansweredWhy, number> {
  const why: Record<UnansweredWhy, number> = { escalated: 0, 'not-picked': 0, 'down-voted': 0 };
  for (const m of members) why[m.why] += 1;
  return why;
}

async function embedAll(embedder: Embedder, texts: string[], kind: 'query' | 'passage'): Promise<number[][]> {
  const vectors: number[][] = [];
  for (let i = 0; i < texts.length; i += embedder.profile.batchSize)
    vectors.push(...(await embedder.embed(texts.slice(i, i + embedder.profile.batchSize), kind)));
  return vectors;
}
