import { describe, expect, it } from 'vitest';
import { thresholdModel, type ConfidenceModel } from './confidence';
import {
  decide,
  defaultMessages,
  emptyMemory,
  needsSearch,
  type AnswerPolicy,
  type ConversationMemory,
} from './decide';
import { classifyIntent } from './intents';

const policy: AnswerPolicy = {
  confidence: thresholdModel(0.9, 0.8),
  maxSuggestions: 3,
  maxSuggestionsInARow: 2,
  keywordFallbackThreshold: 12,
  messages: defaultMessages,
};
const c = (entryId: string, confidence: number) => ({
  entryId,
  question: `q-${entryId}`,
  answer: `answer-${entryId}`,
  confidence,
  score: confidence,
  dense: confidence,
  keyword: null,
});
const text = (t: string) => ({ kind: 'text' as const, text: t });

describe('decide', () => {
  it('answers verbatim with the top candidate at or above the answer threshold, recording every score', () => {
    const d = decide(text('年假几天'), [c('b', 0.9), c('a', 0.85)], emptyMemory, policy);
    expect(d).toMatchObject({ kind: 'answer', reason: 'above-answer-threshold', reply: 'answer-b', entryId: 'b' });
    expect(d.confidence).toBeCloseTo(0.5);
    expect(d.assessment?.evidence).toMatchObject({ dense: 0.9, margin: expect.closeTo(0.05) as number });
    expect(d.scores).toEqual([
      { entryId: 'b', confidence: 0.9, score: 0.9 },
      { entryId: 'a', confidence: 0.85, score: 0.85 },
    ]);
    expect(d.memory).toEqual({ pendingSuggestions: [], suggestionsInARow: 0, lastKind: 'answer' });
  });

  it('answers a question worded exactly as one of the top entry`s questions, whatever the scores (an approved wording)', () => {
    const approved = { ...c('a', 0.86), matchedQuestion: '显示器闪屏了 找谁修一下' };
    const d = decide(text('显示器闪屏了，找谁修一下？'), [approved, c('b', 0.85)], emptyMemory, policy);
    expect(d).toMatchObject({ kind: 'answer', reason: 'same-wording', reply: 'answer-a', entryId: 'a' });
    // Another wording of it is held to the model: between the thresholds, a list.
    expect(decide(text('显示器闪屏找谁'), [approved, c('b', 0.85)], emptyMemory, policy).kind).toBe('suggest');
    // Only the top entry's wording counts, and an empty message matches nothing.
    expect(decide(text('q-b'), [approved, { ...c('b', 0.85), matchedQuestion: 'q-b' }], emptyMemory, policy).kind).toBe(
      'suggest',
    );
    expect(decide(text('？'), [{ ...approved, matchedQuestion: '' }], emptyMemory, policy).reason).not.toBe(
      'same-wording',
    );
  });

  it('suggests the top three questions between the thresholds, and remembers them', () => {
    const d = decide(text('密码'), [c('a', 0.88), c('b', 0.85), c('x', 0.79), c('y', 0.7)], emptyMemory, policy);
    expect(d.kind).toBe('suggest');
    expect(d.reply).toBe(`${defaultMessages.suggestHeader}\n1. q-a\n2. q-b\n3. q-x\n${defaultMessages.suggestFooter}`);
    expect(d.memory.pendingSuggestions.map((s) => s.entryId)).toEqual(['a', 'b', 'x']);
    expect(d.memory.suggestionsInARow).toBe(1);
  });

  it('with a fitted model, the same top cosine is answered when it stands apart and suggested when a neighbour is as close', () => {
    // P(right) grows with the cosine and, more steeply, with the margin to the best other entry.
    const fitted: ConfidenceModel = {
      ...thresholdModel(0.9, 0.8),
      features: ['dense', 'margin'],
      right: { mean: [0.9, 0.03], scale: [0.02, 0.02], weights: [1, 3], bias: 0 },
      inTop3: { mean: [0.85], scale: [0.02], weights: [1], bias: 0 },
      answerAt: 0.97,
      suggestAt: 0.5,
      calibrated: true,
    };
    const withModel = { ...policy, confidence: fitted };
    const apart = decide(text('年假几天'), [c('leave', 0.93), c('sick', 0.8)], emptyMemory, withModel);
    expect(apart).toMatchObject({ kind: 'answer', entryId: 'leave' });
    expect(apart.confidence).toBeGreaterThanOrEqual(0.97);
    const close = decide(text('假期几天'), [c('leave', 0.93), c('sick', 0.925)], emptyMemory, withModel);
    expect(close).toMatchObject({ kind: 'suggest', reason: 'between-thresholds' });
    expect(close.confidence).toBeLessThan(0.97);
  });

  it('answers a number picked from the pending suggestions (full-width digits too) without searching', () => {
    const memory: ConversationMemory = {
      pendingSuggestions: [
        { entryId: 'a', question: 'q-a', answer: 'A' },
        { entryId: 'b', question: 'q-b', answer: 'B' },
      ],
      suggestionsInARow: 1,
      lastKind: 'suggest',
    };
    expect(needsSearch(text('2'), memory)).toBe(false);
    expect(decide(text(' ２。'), [], memory, policy)).toMatchObject({
      kind: 'answer',
      reason: 'picked-suggestion',
      reply: 'B',
      entryId: 'b',
    });
    // A number with nothing pending is just a question.
    expect(needsSearch(text('3'), memory)).toBe(true);
  });

  it("learns the asker's wording from a pick: the question the list was offered for, tied to the picked entry", () => {
    const offered = decide(text('假期有几天'), [c('leave', 0.88), c('sick', 0.85)], emptyMemory, policy);
    expect(offered.kind).toBe('suggest');
    expect(offered.learned).toBeNull();
    expect(offered.memory.suggestedFor).toBe('假期有几天');
    const picked = decide(text('1'), [], offered.memory, policy);
    expect(picked).toMatchObject({ kind: 'answer', reason: 'picked-suggestion', entryId: 'leave' });
    expect(picked.learned).toEqual({ question: '假期有几天', entryId: 'leave' });
    // A list remembered from before this field existed teaches nothing, and the memory is cleared after a pick.
    const old: ConversationMemory = { ...offered.memory, suggestedFor: undefined };
    expect(decide(text('1'), [], old, policy).learned).toBeNull();
    expect(picked.memory.suggestedFor).toBeUndefined();
  });

  it('escalates below the suggest threshold and with no candidates, carrying the candidates', () => {
    const d = decide(text('天气'), [c('a', 0.7), c('b', 0.6)], emptyMemory, policy);
    expect(d).toMatchObject({ kind: 'escalate', reason: 'below-suggest-threshold', reply: defaultMessages.escalate });
    expect(d.suggestions.map((s) => s.entryId)).toEqual(['a', 'b']);
    expect(decide(text('x'), [], emptyMemory, policy)).toMatchObject({ kind: 'escalate', reason: 'no-candidates' });
  });

  it('escalates after repeated suggestions without a pick', () => {
    const memory: ConversationMemory = {
      pendingSuggestions: [{ entryId: 'a', question: 'q', answer: 'A' }],
      suggestionsInARow: 2,
      lastKind: 'suggest',
    };
    expect(decide(text('还是密码的问题'), [c('a', 0.85)], memory, policy)).toMatchObject({
      kind: 'escalate',
      reason: 'repeated-suggestions',
    });
  });

  it('escalates a question whose embedding resembles a request for a person, even with a good match', () => {
    expect(
      decide(
        { ...text("I'd rather chat with one of your staff"), resemblesPersonRequest: true },
        [c('a', 0.99)],
        emptyMemory,
        policy,
      ),
    ).toMatchObject({ kind: 'escalate', reason: 'asked-for-human' });
    // A greeting stays a greeting whatever its embedding resembles.
    expect(decide({ ...text('你好'), resemblesPersonRequest: true }, [], emptyMemory, policy)).toMatchObject({
      kind: 'greeting',
    });
  });

  it('escalates on an explicit request for a person, even with a good match', () => {
    expect(decide(text('我要转人工'), [c('a', 0.99)], emptyMemory, policy)).toMatchObject({
      kind: 'escalate',
      reason: 'asked-for-human',
      reply: defaultMessages.handover,
    });
    expect(needsSearch(text('转人工'))).toBe(false);
  });

  it('escalates "没用" right after an answer, but treats it as a question otherwise', () => {
    const afterAnswer: ConversationMemory = { ...emptyMemory, lastKind: 'answer' };
    expect(needsSearch(text('没用'), afterAnswer)).toBe(false);
    expect(decide(text('没用！'), [], afterAnswer, policy)).toMatchObject({
      kind: 'escalate',
      reason: 'answer-not-helpful',
      reply: defaultMessages.notHelpful,
    });
    expect(needsSearch(text('没用'), emptyMemory)).toBe(true);
  });

  it('with the embedder down, answers only strong BM25 matches and otherwise escalates, never suggesting', () => {
    expect(
      decide(text('VPN 连不上'), [c('vpn', 14.2), c('wifi', 3)], emptyMemory, policy, 'keyword-fallback'),
    ).toMatchObject({ kind: 'answer', reason: 'keyword-fallback', entryId: 'vpn' });
    expect(decide(text('网络'), [c('vpn', 5)], emptyMemory, policy, 'keyword-fallback')).toMatchObject({
      kind: 'escalate',
      reason: 'embedder-unavailable',
    });
    expect(decide(text('x'), [], emptyMemory, policy, 'keyword-fallback')).toMatchObject({
      kind: 'escalate',
      reason: 'embedder-unavailable',
    });
  });

  it('holds BM25 scores to the keyword threshold when keyword search is the configured mode', () => {
    expect(decide(text('VPN'), [c('vpn', 13)], emptyMemory, policy, 'keyword-only')).toMatchObject({
      kind: 'answer',
      reason: 'above-answer-threshold',
    });
    expect(decide(text('VPN'), [c('vpn', 5)], emptyMemory, policy, 'keyword-only')).toMatchObject({
      kind: 'escalate',
      reason: 'below-suggest-threshold',
    });
  });

  it('escalates when the search itself failed for good', () => {
    expect(decide(text('年假'), [], emptyMemory, policy, 'failed')).toMatchObject({
      kind: 'escalate',
      reason: 'search-unavailable',
    });
  });

  it('greets and thanks without searching', () => {
    expect(needsSearch(text('你好'))).toBe(false);
    expect(decide(text('您好！'), [], emptyMemory, policy)).toMatchObject({
      kind: 'greeting',
      reply: defaultMessages.greeting,
    });
    expect(decide(text('谢谢~'), [], emptyMemory, policy)).toMatchObject({
      kind: 'thanks',
      reply: defaultMessages.thanks,
    });
  });

  it('asks for text when a message has none, and ignores events while keeping memory', () => {
    expect(decide({ kind: 'image', text: '' }, [], emptyMemory, policy)).toMatchObject({
      kind: 'unreadable',
      reply: defaultMessages.nonText,
    });
    const memory: ConversationMemory = {
      pendingSuggestions: [{ entryId: 'a', question: 'q', answer: 'A' }],
      suggestionsInARow: 1,
      lastKind: 'suggest',
    };
    const d = decide({ kind: 'event', text: '' }, [], memory, policy);
    expect(d).toMatchObject({ kind: 'ignore', reply: null });
    expect(d.memory).toBe(memory);
  });
});

describe('classifyIntent', () => {
  it.each([
    ['你好', 'greeting'],
    ['Hello!', 'greeting'],
    ['你好，年假有几天', 'question'],
    ['谢谢', 'thanks'],
    ['帮我转人工客服', 'human'],
    ['I want to talk to a person', 'human'],
    ['人工智能是什么', 'question'],
    ['没用', 'unhelpful'],
    ['2', 'pick'],
    ['12', 'question'],
  ])('%s → %s', (input, kind) => {
    expect(classifyIntent(input).kind).toBe(kind);
  });
});
