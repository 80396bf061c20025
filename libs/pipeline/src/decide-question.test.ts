import { describe, expect, it } from 'vitest';
import { defaultMessages, emptyMemory, thresholdModel } from '@answerbridge/answering';
import { KnowledgeSearcher, ingestKnowledgeBase, type Language } from '@answerbridge/knowledge';
import { createLogger } from '@answerbridge/observability';
import { FakeEmbedder, InMemoryVectorStore } from '@answerbridge/testing';
import { decideQuestion, type DecideQuestionDeps } from './decide-question';

/** Which language's settings a question is decided with: the bot's when the bots file sets one, else its own. */
describe('decideQuestion: the language a question is decided in', () => {
  async function deps(botLanguage: Language | undefined) {
    const store = new InMemoryVectorStore();
    const embedder = new FakeEmbedder();
    await ingestKnowledgeBase(store, embedder, 'kb', [
      {
        id: 'vpn',
        question: 'VPN 连不上怎么办',
        similar: ['The VPN will not connect'],
        answer: '重启客户端。',
        tags: [],
      },
    ]);
    const searcher = new KnowledgeSearcher(store, embedder, {
      mode: 'dense',
      fusion: { method: 'rrf', k: 60 },
      depth: 10,
    });
    const asked: { searched: Language[]; policies: Language[] } = { searched: [], policies: [] };
    const d: DecideQuestionDeps = {
      languageOf: () => botLanguage,
      searcherFor: (language) => (asked.searched.push(language), searcher),
      policyFor: (language) => (
        asked.policies.push(language),
        {
          confidence: thresholdModel(0.95, 0.6),
          maxSuggestions: 3,
          maxSuggestionsInARow: 2,
          keywordFallbackThreshold: language === 'zh' ? 16 : Number.POSITIVE_INFINITY,
          messages: defaultMessages,
        }
      ),
      calibrationFor: async () => null,
      logger: createLogger({ name: 'test', level: 'silent' }),
    };
    return { d, asked };
  }
  const ask = (d: DecideQuestionDeps, text: string) =>
    decideQuestion(d, { botId: 'b', knowledgeBase: 'kb', question: { kind: 'text', text }, memory: emptyMemory });

  it('reads a question by its script when the bot sets no language', async () => {
    const { d, asked } = await deps(undefined);
    await ask(d, 'the VPN will not connect');
    await ask(d, 'VPN连不上');
    expect(asked.searched).toEqual(['en', 'zh']);
    expect(asked.policies).toEqual(['en', 'zh']);
  });

  it("keeps the bot's language when the bots file sets one, whatever the question's script", async () => {
    const { d, asked } = await deps('zh');
    await ask(d, 'the VPN will not connect');
    expect(asked).toEqual({ searched: ['zh'], policies: ['zh'] });
  });
});
