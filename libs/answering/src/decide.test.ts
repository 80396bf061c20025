import { describe, expect, it } from 'vitest';
import { decide, needsSearch } from './decide';

const policy = { answerThreshold: 0.9, fallbackMessage: 'FALLBACK', nonTextMessage: 'TEXT ONLY' };
const c = (entryId: string, score: number) => ({ entryId, question: `q-${entryId}`, answer: `answer-${entryId}`, score });

describe('decide', () => {
  it('answers verbatim with the best candidate at or above the threshold', () => {
    const d = decide({ kind: 'text', text: 'x' }, [c('a', 0.85), c('b', 0.9)], policy);
    expect(d).toEqual({ kind: 'answer', reply: 'answer-b', entryId: 'b', topScore: 0.9, scores: [{ entryId: 'a', score: 0.85 }, { entryId: 'b', score: 0.9 }] });
  });

  it('falls back below the threshold and with no candidates, recording the top score', () => {
    expect(decide({ kind: 'text', text: 'x' }, [c('a', 0.8999)], policy)).toMatchObject({ kind: 'fallback', reply: 'FALLBACK', topScore: 0.8999 });
    expect(decide({ kind: 'text', text: 'x' }, [], policy)).toMatchObject({ kind: 'fallback', reply: 'FALLBACK', topScore: null });
  });

  it('asks for text when a message has none, and ignores events', () => {
    expect(decide({ kind: 'image', text: '' }, [], policy)).toMatchObject({ kind: 'unreadable', reply: 'TEXT ONLY' });
    expect(decide({ kind: 'voice', text: '  ' }, [], policy)).toMatchObject({ kind: 'unreadable' });
    expect(decide({ kind: 'event', text: '' }, [], policy)).toMatchObject({ kind: 'ignore', reply: null });
  });

  it('searches only for messages with text', () => {
    expect(needsSearch({ kind: 'text', text: '年假' })).toBe(true);
    expect(needsSearch({ kind: 'voice', text: '年假' })).toBe(true);
    expect(needsSearch({ kind: 'image', text: '' })).toBe(false);
    expect(needsSearch({ kind: 'event', text: 'x' })).toBe(false);
  });
});
