import { describe, expect, it } from 'vitest';
import { entriesMessages, entriesText } from './knowledge-entries-messages';
import { importMessages, importText } from './knowledge-import-messages';
import { joinCatalogs, knowledgeMessages, knowledgeText } from './knowledge-messages';

describe("the knowledge page's catalogs", () => {
  it('refuses a word defined by two catalogs, naming it', () => {
    expect(() => joinCatalogs({ similarCount: '{n} 个相似问题' }, { similarCount: '相似问题 {n} 个' })).toThrow(
      /"similarCount" twice/,
    );
  });

  it("joins every tab's words, each with its own text", () => {
    for (const [key, text] of Object.entries({ ...entriesText, ...importText }))
      expect(knowledgeText[key as keyof typeof knowledgeText]).toBe(text);
    for (const key of Object.keys({ ...entriesMessages, ...importMessages }))
      expect(knowledgeMessages).toHaveProperty(key);
  });
});
