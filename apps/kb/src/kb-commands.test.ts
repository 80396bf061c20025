import { describe, expect, it } from 'vitest';
import type { VersionDiff, VersionedEntry } from '@answerbridge/knowledge';
import { formatDiff } from './kb-commands';

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
