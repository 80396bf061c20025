import { cosine } from '@answerbridge/core';

/**
 * How similar two questions must be to count as the same question, for this embedding model and this FAQ.
 * Raw cosines mean different things per model (one model puts unrelated questions at 0.85, another at 0.3),
 * so the line is drawn from the FAQ itself: its entries' questions are different questions by construction,
 * and two askers' questions that are more alike than `quantile` of those pairs ask the same thing. Needs
 * at least two entries; `fallback` otherwise.
 */
export function sameQuestionThreshold(
  entryVectors: readonly (readonly number[])[],
  options: { quantile?: number; fallback?: number; floor?: number; ceiling?: number } = {},
): number {
  const { quantile = 0.95, fallback = 0.9, floor = 0.5, ceiling = 0.98 } = options;
  const pairs: number[] = [];
  for (let i = 0; i < entryVectors.length; i++)
    for (let j = i + 1; j < entryVectors.length; j++) pairs.push(cosine(entryVectors[i] ?? [], entryVectors[j] ?? []));
  if (pairs.length === 0) return fallback;
  pairs.sort((a, b) => a - b);
  const at = pairs[Math.min(pairs.length - 1, Math.floor(quantile * pairs.length))] ?? fallback;
  return Math.min(ceiling, Math.max(floor, at));
}

export interface QuestionGroup<T> {
  /** The member closest to the others: the group's name and what is searched for its nearest entry. */
  representative: T;
  members: T[];
}

/**
 * Groups questions that ask the same thing: each joins the group whose representative it is most similar to,
 * when that similarity reaches `threshold`, else starts a group. Representatives are re-chosen as the member
 * with the highest mean similarity to the rest. Deterministic for the same input order; quadratic in the
 * number of groups, which stays small (a console reads the last few thousand questions).
 */
export function groupSimilar<T>(
  items: readonly T[],
  vectorOf: (item: T) => readonly number[],
  threshold: number,
): QuestionGroup<T>[] {
  const groups: { members: T[]; representative: T }[] = [];
  for (const item of items) {
    let best: (typeof groups)[number] | null = null;
    let bestScore = -Infinity;
    for (const group of groups) {
      const score = cosine(vectorOf(item), vectorOf(group.representative));
      if (score > bestScore) {
        bestScore = score;
        best = group;
      }
    }
    if (best && bestScore >= threshold) best.members.push(item);
    else groups.push({ members: [item], representative: item });
  }
  return groups
    .map((g) => ({ members: g.members, representative: central(g.members, vectorOf) }))
    .sort((a, b) => b.members.length - a.members.length);
}

function central<T>(members: T[], vectorOf: (item: T) => readonly number[]): T {
  if (members.length <= 2) return members[0] as T;
  let best = members[0] as T;
  let bestMean = -Infinity;
  for (const m of members) {
    const mean =
      members.reduce((sum, o) => sum + (o === m ? 0 : cosine(vectorOf(m), vectorOf(o))), 0) / (members.length - 1);
    if (mean > bestMean) {
      bestMean = mean;
      best = m;
    }
  }
  return best;
}
