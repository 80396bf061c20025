import { describe, expect, it } from 'vitest';
import type { FaqEntry } from '../faq-entry';
import { planChangesNothing, planImport } from './import-plan';

const entry = (id: string, question: string, answer: string, similar: string[] = []): FaqEntry => ({
  id,
  question,
  similar,
  answer,
  tags: [],
});

const live = [
  entry('leave', '年假有几天？', '5 天', ['年休假']),
  entry('wifi', 'WiFi 密码？', '前台'),
  entry('pay', '工资几号发？', '10 日'),
];

describe('planImport', () => {
  const file = [
    entry('leave', '年假有几天？', '5 天', ['年休假']), // unchanged
    entry('faq-x', 'WiFi 密码？', '贴在前台', ['无线密码']), // same question, new answer: keeps the live id
    entry('new', '婚假几天？', '13 天'),
  ];

  it('upsert updates by id or question, adds the rest, and removes nothing', () => {
    const plan = planImport(live, file, 'upsert');
    expect(plan.added.map((e) => e.id)).toEqual(['new']);
    expect(plan.changed).toHaveLength(1);
    expect(plan.changed[0]).toMatchObject({
      before: { id: 'wifi' },
      after: { id: 'wifi', answer: '贴在前台' },
      answerChanged: true,
      questionsAdded: ['无线密码'],
      questionsRemoved: [],
    });
    expect(plan.removed).toEqual([]);
    expect(plan.unchanged).toBe(2);
    expect(plan.entries.map((e) => e.id)).toEqual(['leave', 'wifi', 'pay', 'new']);
  });

  it('replace makes the file the whole knowledge base and says what it removes', () => {
    const plan = planImport(live, file, 'replace');
    expect(plan.removed.map((e) => e.id)).toEqual(['pay']);
    expect(plan.entries.map((e) => e.id)).toEqual(['leave', 'wifi', 'new']);
    expect(plan.unchanged).toBe(1);
  });

  it('append adds only what matches nothing and leaves matching entries as they are', () => {
    const plan = planImport(live, file, 'append');
    expect(plan.added.map((e) => e.id)).toEqual(['new']);
    expect(plan.skipped.map((e) => e.id)).toEqual(['leave', 'faq-x']);
    expect(plan.changed).toEqual([]);
    expect(plan.entries.find((e) => e.id === 'wifi')?.answer).toBe('前台');
  });

  it('a three-row file upserted into a live knowledge base removes none of it', () => {
    const plan = planImport(live, [entry('a', 'q1', 'a1'), entry('b', 'q2', 'a2'), entry('c', 'q3', 'a3')], 'upsert');
    expect(plan.entries).toHaveLength(6);
    expect(plan.removed).toEqual([]);
  });

  it("upsert keeps a live entry's similar questions, category and tags where the file says nothing of them; replace does not", () => {
    const tagged = [{ ...entry('leave', '年假有几天？', '5 天', ['年休假']), category: '假期', tags: ['hr'] }];
    const file = [entry('x', '年假有几天？', '6 天')];
    const upsert = planImport(tagged, file, 'upsert');
    expect(upsert.entries).toEqual([{ ...tagged[0], answer: '6 天' }]);
    expect(upsert.changed[0]).toMatchObject({ answerChanged: true, questionsRemoved: [], detailsChanged: false });
    const replace = planImport(tagged, file, 'replace');
    expect(replace.entries).toEqual([{ ...file[0], id: 'leave' }]);
    expect(replace.changed[0]).toMatchObject({ questionsRemoved: ['年休假'], detailsChanged: true });
  });

  it('keeps who saved and approved an entry from the console through an upsert', () => {
    const provenance = { savedBy: 'agent1', savedAt: 1, approvedBy: 'admin', approvedAt: 2 };
    const saved = { ...entry('opt', '期权怎么行权？', '在 HR 系统申请'), provenance };
    expect(planImport([saved], [saved], 'upsert').entries[0]?.provenance).toEqual(provenance);
    expect(planImport([saved], [entry('opt', '期权怎么行权？', '新答案')], 'upsert').entries[0]?.provenance).toEqual(
      provenance,
    );
  });

  it('knows when nothing would change', () => {
    expect(planChangesNothing(planImport(live, live, 'upsert'))).toBe(true);
    expect(planChangesNothing(planImport(live, live, 'replace'))).toBe(true);
    expect(planChangesNothing(planImport(live, [], 'replace'))).toBe(false);
  });
});
