import { describe, expect, it } from 'vitest';
import { isEntryPrototype } from '@answerbridge/core';
import { EntryPrototypes } from './entry-prototypes';
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

describe('EntryPrototypes', () => {
  it('makes one normalized mean row per entry, across batches, flagged as a prototype', () => {
    const entries = [entry('a', ['a-1']), entry('b', [])];
    const questions = questionsOf(entries);
    const vectors = [
      [1, 0],
      [0, 1],
      [3, 4],
    ];
    const prototypes = new EntryPrototypes();
    // a's two wordings arrive in different batches.
    prototypes.add(indexedRows(questions.slice(0, 1), vectors.slice(0, 1)));
    prototypes.add(indexedRows(questions.slice(1), vectors.slice(1)));
    const rows = prototypes.rows();
    expect(rows.map((r) => [r.pk, r.entryId, r.text])).toEqual([
      ['a#=', 'a', 'a?'],
      ['b#=', 'b', 'b?'],
    ]);
    expect(rows[0]?.vector[0]).toBeCloseTo(Math.SQRT1_2, 10);
    expect(rows[0]?.vector[1]).toBeCloseTo(Math.SQRT1_2, 10);
    expect(rows[1]?.vector).toEqual([0.6, 0.8]);
    expect(rows.every((r) => isEntryPrototype(r.meta) && r.answer.startsWith('answer'))).toBe(true);
  });
});
