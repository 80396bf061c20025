import { describe, expect, it } from 'vitest';
import { thresholdModel } from '@answerbridge/answering';
import type { CalibrationFromUse, VersionDiff, VersionedEntry } from '@answerbridge/knowledge';
import { formatCalibration, formatDiff } from './kb-commands';

const version = (n: number) => ({
  knowledgeBase: 'kb',
  collection: `kb_v${n}`,
  version: n,
  profile: 'p',
  createdAt: '',
  active: n === 2,
});
const entry = (question: string, savedFromConsole?: VersionedEntry['savedFromConsole']): VersionedEntry => ({
  entryId: question,
  question,
  questions: [question],
  answer: 'a',
  ...(savedFromConsole ? { savedFromConsole } : {}),
});

describe('formatDiff', () => {
  it('names who saved and who approved entries that came from the console', () => {
    const diff: VersionDiff = {
      from: version(1),
      to: version(2),
      added: [
        entry('怎么报销?', { savedBy: 'agent1', approvedBy: 'admin' }),
        entry('年会在哪?', { savedBy: 'admin', approvedBy: 'admin' }),
        entry('从文件来的'),
      ],
      removed: [entry('旧的', { savedBy: null, approvedBy: null })],
      changed: [
        {
          before: entry('改过的'),
          after: entry('改过的', { savedBy: 'agent2', approvedBy: 'admin' }),
          answerChanged: false,
          questionsAdded: [],
          questionsRemoved: [],
        },
      ],
      unchanged: 0,
    };
    expect(formatDiff(diff).split('\n')).toEqual([
      'v1 → v2: 3 added, 1 removed, 1 changed, 0 unchanged',
      '+ 怎么报销? (saved by agent1, approved by admin)',
      '+ 年会在哪? (saved and approved by admin)',
      '+ 从文件来的',
      '- 旧的 (saved from the console; who saved it was not recorded)',
      '~ 改过的 (saved by agent2, approved by admin)',
    ]);
  });
});

describe('formatCalibration from use', () => {
  const onQuestions = (precision: number, coverage: number) => ({
    questions: 500,
    answered: 90,
    precision,
    coverage,
    unanswerableAnswered: 0,
    suggested: 300,
    selfService: 0.9,
    byKind: {},
  });
  const fromUse = (expectedPrecision: number, recorded: boolean): CalibrationFromUse => ({
    version: { ...version(3), calibrated: recorded },
    model: {
      ...thresholdModel(0.9, 0.8),
      calibrated: true,
      targetPrecision: 0.97,
      expected: {
        precision: expectedPrecision,
        low: 0.9,
        high: 0.99,
        coverage: 0.014,
        unanswerableAnswered: 0,
        foldsMet: 6,
        folds: 10,
        queries: 500,
      },
    },
    policy: onQuestions(expectedPrecision, 0.014),
    questions: 500,
    recorded,
    inUse: onQuestions(0.894, 0.197),
  });

  it('says the new model was not recorded because it misses its own target, and what the kept one does', () => {
    const text = formatCalibration(fromUse(0.966, false));
    expect(text).toMatch(/^not recorded: the new model misses its target of 97\.0% on held-out folds \(96\.6%\)/);
    expect(text).toContain('keeps the model it decides with now (on these questions: 89.4% precision, 19.7%');
    expect(text).toContain('--force records the new one anyway');
    expect(text).not.toContain('calibrate again after each ingest');
  });

  it('says the model in use does better when the new one meets its target but answers less', () => {
    expect(formatCalibration(fromUse(0.98, false))).toMatch(
      /^not recorded: the model the bot decides with now does better on these questions \(89\.4% precision/,
    );
  });

  it('names what was recorded and what it replaces', () => {
    const text = formatCalibration(fromUse(0.98, true));
    expect(text).toMatch(/^recorded with kb_v3 \(v3\); the worker now decides with it/);
    expect(text).toContain('the model it replaces, on the same questions: precision 89.4%, 19.7%');
  });
});
