import type { KnowledgeEntryChangeRecord } from '@answerbridge/core';
import { describe, expect, it } from 'vitest';
import type { FaqEntry } from '../faq-entry';
import { rebaseDraft } from './rebase-draft';

const entry = (id: string, answer: string, similar: string[] = []): FaqEntry => ({
  id,
  question: `问题 ${id}`,
  similar,
  answer,
  tags: [],
});
let versionId = 10;
const change = (
  kind: KnowledgeEntryChangeRecord['change'],
  before: FaqEntry | null,
  after: FaqEntry | null,
): KnowledgeEntryChangeRecord => ({
  versionId: ++versionId,
  entryId: (after ?? before)!.id,
  change: kind,
  before,
  after,
  changedBy: 'someone',
  changedAt: versionId,
});

describe('rebaseDraft (a draft taking in what was published since it started)', () => {
  it('takes additions, changes and removals of entries the draft left alone, and keeps its own changes', () => {
    const base = [entry('a', 'A'), entry('b', 'B'), entry('c', 'C')];
    const draft = [entry('a', 'A (mine)'), entry('b', 'B'), entry('c', 'C'), entry('mine', '新的')];
    const { entries, conflicts } = rebaseDraft(draft, [
      change('changed', base[1]!, entry('b', 'B', ['b 的新问法'])),
      change('removed', base[2]!, null),
      change('added', null, entry('d', 'D')),
    ]);
    expect(conflicts).toEqual([]);
    expect(entries).toEqual([
      entry('a', 'A (mine)'),
      entry('b', 'B', ['b 的新问法']),
      entry('mine', '新的'),
      entry('d', 'D'),
    ]);
  });

  it('follows several publications of one entry to its last state, and agrees where both made the same change', () => {
    const a = entry('a', 'A');
    const { entries, conflicts } = rebaseDraft(
      [entry('a', 'A2'), entry('b', 'B')],
      [change('changed', a, entry('a', 'A1')), change('changed', entry('a', 'A1'), entry('a', 'A2'))],
    );
    expect(conflicts).toEqual([]);
    expect(entries).toEqual([entry('a', 'A2'), entry('b', 'B')]);
  });

  it('names an entry the draft and a publication changed differently, and leaves the draft’s version in place', () => {
    const a = entry('a', 'A');
    const { entries, conflicts } = rebaseDraft(
      [entry('a', 'A (mine)')],
      [change('changed', a, entry('a', 'A (theirs)'))],
    );
    expect(conflicts).toEqual([{ entryId: 'a', question: '问题 a' }]);
    expect(entries).toEqual([entry('a', 'A (mine)')]);
    // Deleted in the draft, changed by someone else: a conflict too, not a silent resurrection.
    expect(rebaseDraft([], [change('changed', a, entry('a', 'A2'))]).conflicts).toHaveLength(1);
  });
});
