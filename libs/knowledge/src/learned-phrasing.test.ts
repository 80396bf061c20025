import { describe, expect, it } from 'vitest';
import type { FaqEntry } from './faq-entry';
import { learnedPhrasingId, mergeLearnedPhrasings, type LearnedPhrasing } from './learned-phrasing';

const entry = (id: string, question: string, similar: string[] = []): FaqEntry => ({
  id,
  question,
  similar,
  answer: `answer of ${id}`,
  tags: [],
});
const learned = (entryId: string, text: string, savedAt = 1): LearnedPhrasing => ({
  id: learnedPhrasingId('kb', entryId, text),
  entryId,
  text,
  source: 'picked-suggestion',
  savedBy: 'asker',
  savedAt,
  approvedBy: 'editor',
  approvedAt: savedAt + 1,
});

describe('mergeLearnedPhrasings', () => {
  it('adds each learned wording to its entry once, oldest first, and returns the phrasings of entries that are gone', () => {
    const { entries, merged, orphaned } = mergeLearnedPhrasings(
      [entry('a', '年假几天', ['年假有多少天']), entry('b', '怎么报销')],
      [
        learned('a', '我有几天年假', 2),
        learned('a', '今年年假多少', 1),
        learned('a', '年假有多少天'), // the entry has it already
        learned('a', '我有几天年假 ', 3), // the same wording again, with a space
        learned('gone', '旧问题'),
      ],
    );
    expect(entries[0]?.similar).toEqual(['年假有多少天', '今年年假多少', '我有几天年假']);
    expect(entries[1]).toEqual(entry('b', '怎么报销'));
    expect(merged).toBe(2);
    expect(orphaned.map((p) => p.text)).toEqual(['旧问题']);
  });

  it('gives one id to the same wording of the same entry, whatever its case, width or spacing, and another to another entry', () => {
    expect(learnedPhrasingId('kb', 'a', 'Card  ARRIVED?')).toBe(learnedPhrasingId('kb', 'a', 'card arrived？'));
    expect(learnedPhrasingId('kb', 'a', 'card arrived')).not.toBe(learnedPhrasingId('kb', 'b', 'card arrived'));
    expect(learnedPhrasingId('kb', 'a', 'card arrived')).not.toBe(learnedPhrasingId('kb2', 'a', 'card arrived'));
  });
});
