import { describe, expect, it } from 'vitest';
import { cosine } from '@answerbridge/core';
import { EntryRowsAssembler, prototypeStatsOf, questionCounts, withoutPrototypeStats } from './entry-prototypes';
import { indexedRows, questionsOf } from './ingest-knowledge-base';
import type { FaqEntry } from './faq-entry';

const entry = (id: string, similar: string[]): FaqEntry => ({
  id,
  kind: 'faq',
  question: `${id}?`,
  similar,
  answer: `answer ${id}`,
  tags: [],
});

describe('EntryRowsAssembler', () => {
  const entries = [entry('a', ['a-1', 'a-2']), entry('b', [])];
  const questions = questionsOf(entries);
  const vectors = [
    [1, 0, 0],
    [0, 2, 0],
    [3, 4, 0],
    [0, 0, 1],
  ];

  it("holds an entry's rows until all its questions are in, across batches, then stamps them with its stats", () => {
    const assembler = new EntryRowsAssembler(questionCounts(questions));
    expect(assembler.add(indexedRows(questions.slice(0, 2), vectors.slice(0, 2)))).toEqual([]);
    expect(assembler.waiting).toBe(1);
    const ready = assembler.add(indexedRows(questions.slice(2), vectors.slice(2)));
    expect(ready.map((r) => r.pk)).toEqual(['a#0', 'a#1', 'a#2', 'b#0']);
    expect(assembler.waiting).toBe(0);
    // a: unit vectors (1,0,0), (0,1,0), (0.6,0.8,0) sum to (1.6,1.8,0).
    expect(prototypeStatsOf(ready[0]?.meta ?? {})).toEqual({
      questions: 3,
      norm: expect.closeTo(Math.hypot(1.6, 1.8), 10),
    });
    expect(prototypeStatsOf(ready[3]?.meta ?? {})).toEqual({ questions: 1, norm: expect.closeTo(1, 10) });
  });

  it("gives the cosine with the entry's mean vector from the question cosines alone", () => {
    const rows = new EntryRowsAssembler(questionCounts(questions)).add(indexedRows(questions, vectors));
    const query = [0.3, -0.5, 0.8];
    const a = rows.filter((r) => r.entryId === 'a');
    const stats = prototypeStatsOf(a[0]?.meta ?? {});
    const fromCosines = a.reduce((s, r) => s + cosine(query, r.vector), 0) / (stats?.norm ?? NaN);
    const mean = [0, 1, 2].map((i) => a.reduce((s, r) => s + (r.vector[i] ?? 0) / Math.hypot(...r.vector), 0));
    expect(fromCosines).toBeCloseTo(cosine(query, mean), 10);
  });

  it('reads no stats from rows without them, and strips them from a row that did not go into the prototype', () => {
    expect(prototypeStatsOf({})).toBeNull();
    expect(prototypeStatsOf({ prototype: { questions: 0, norm: 1 } })).toBeNull();
    expect(withoutPrototypeStats({ question: 'q', prototype: { questions: 2, norm: 1.5 } })).toEqual({ question: 'q' });
  });
});
