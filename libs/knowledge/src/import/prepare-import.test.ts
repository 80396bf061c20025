import { describe, expect, it } from 'vitest';
import type { FaqEntry } from '../faq-entry';
import type { LearnedPhrasing } from '../learned-phrasing';
import { prepareImport } from './prepare-import';

const entry = (id: string, question: string, answer: string, similar: string[] = []): FaqEntry => ({
  id,
  question,
  similar,
  answer,
  tags: [],
});
const learned = (entryId: string, text: string): LearnedPhrasing => ({
  id: `p-${entryId}-${text}`,
  entryId,
  text,
  source: 'picked-suggestion',
  savedBy: 'agent1',
  savedAt: 1,
  approvedBy: 'admin',
  approvedAt: 2,
});

// The live knowledge base: two entries from a file, one an agent saved, and the phrasings askers taught it.
const live = [
  entry('leave', '年假有几天？', '5 天', ['休假几天', '年休假怎么算']),
  entry('wifi', 'WiFi 密码？', '前台'),
  entry('saved-1', '快递寄到哪？', '前台'),
];
const kept = {
  entries: [entry('saved-1', '快递寄到哪？', '前台')],
  phrasings: [learned('leave', '休假几天'), learned('wifi', '无线网密码'), learned('gone', '没人要的问法')],
};

describe('prepareImport (kb ingest and the console 导入 alike)', () => {
  it('keeps saved entries and learned phrasings, so re-importing the same file changes nothing', () => {
    const file = [entry('leave', '年假有几天？', '5 天', ['年休假怎么算']), entry('wifi', 'WiFi 密码？', '前台')];
    const withPhrasingsLive = live.map((e) => (e.id === 'wifi' ? { ...e, similar: ['无线网密码'] } : e));
    const prepared = prepareImport(withPhrasingsLive, file, kept, 'replace');
    // Replace removes what the file lacks, but not what agents saved nor what askers taught.
    expect(prepared.plan.removed).toEqual([]);
    expect(prepared.plan.changed).toEqual([]);
    expect(prepared.plan.added).toEqual([]);
    expect(prepared.saved).toBe(1);
    expect(prepared.learned).toBe(2);
    expect(prepared.learnedWithoutEntry).toBe(1);
    expect(prepared.entries.find((e) => e.id === 'wifi')?.similar).toEqual(['无线网密码']);
    expect(prepared.entries.map((e) => e.id).sort()).toEqual(['leave', 'saved-1', 'wifi']);
  });

  it('lets the file win over a saved entry with its id, and plans in the mode asked for', () => {
    const file = [entry('saved-1', '快递寄到哪？', '寄到收发室'), entry('new', '婚假几天？', '13 天')];
    const upsert = prepareImport(live, file, kept, 'upsert');
    expect(upsert.saved).toBe(0);
    expect(upsert.plan.added.map((e) => e.id)).toEqual(['new']);
    expect(upsert.plan.changed.map((c) => [c.after.id, c.after.answer])).toEqual([['saved-1', '寄到收发室']]);
    expect(upsert.plan.removed).toEqual([]);
    // The learned phrasing of an entry upsert keeps (but the file lacks) is still there.
    expect(upsert.entries.find((e) => e.id === 'wifi')?.similar).toEqual(['无线网密码']);

    const replace = prepareImport(live, file, kept, 'replace');
    expect(replace.plan.removed.map((e) => e.id).sort()).toEqual(['leave', 'wifi']);
    // The removed entries' phrasings have nothing to join: counted, not published.
    expect(replace.learnedWithoutEntry).toBe(3);
    expect(replace.entries.map((e) => e.id).sort()).toEqual(['new', 'saved-1']);

    const append = prepareImport(live, file, kept, 'append');
    expect(append.plan.added.map((e) => e.id)).toEqual(['new']);
    expect(append.plan.skipped.map((e) => e.id)).toEqual(['saved-1']);
    expect(append.entries.find((e) => e.id === 'saved-1')?.answer).toBe('前台');
  });
});
