import path from 'node:path';
import { loadEvalQueries, type EvalQuery, type FaqEntry } from '@answerbridge/knowledge';
import { workspaceRoot } from '@answerbridge/testing';

/** A fixed pseudo-random sequence, so every run leaves out (or splits) the same entries. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * The Chinese sample's labelled questions, each with its kind (in-scope, near-miss or out-of-scope): the sample's
 * own, its near-miss set (questions on an entry's topic that it does not answer) and its help-desk set (questions as
 * people type them: colloquial, typos, mixed with English, details only the answer gives, with harder near misses
 * and out-of-scope ones; the sample alone had made an overconfident model).
 */
export function chineseSampleQueries(entries: FaqEntry[]): (EvalQuery & { kind: string })[] {
  const ids = new Set(entries.map((e) => e.id));
  const read = (file: string) => loadEvalQueries(path.join(workspaceRoot, 'data', file), ids);
  return [
    ...read('sample-eval.jsonl').map((q) => ({ ...q, kind: q.expectedId === null ? 'out-of-scope' : 'in-scope' })),
    ...read('sample-near-miss.jsonl').map((q) => ({ ...q, kind: 'near-miss' })),
    ...read('sample-help-desk.jsonl').map((q) => ({
      ...q,
      kind: q.expectedId === null ? (q.kind === 'near-miss' ? 'near-miss' : 'out-of-scope') : 'in-scope',
    })),
  ];
}
