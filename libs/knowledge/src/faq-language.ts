import type { FaqEntry } from './faq-entry';

/** The two languages the measured defaults (search settings, confidence models, thresholds) are kept for. */
export type Language = 'zh' | 'en';

/** Han ideographs (with extensions and compatibility forms), kana and hangul: the text is read as Chinese. */
const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[\u{20000}-\u{2fa1f}]/u;

/**
 * Whether a text is written in Chinese (any CJK character) or not. The local embedder routes texts by the same
 * rule (scripts/local-embedder/serve.py), so a text's language here is the space its vector lives in.
 */
export function textLanguage(text: string): Language {
  return CJK.test(text) ? 'zh' : 'en';
}

/**
 * The language a question is decided in: the bot's when the bots file sets one, otherwise the question's own (the
 * local embedder reads a text by its script, so that language's confidence model knows its cosines' scale); a
 * message without text is the product's default, Chinese. The worker, the console and `kb ask` all decide this way.
 */
export function questionLanguage(text: string, botLanguage?: Language): Language {
  return botLanguage ?? (text.trim() ? textLanguage(text) : 'zh');
}

/**
 * The language of a FAQ, for the measured search settings and confidence model of a set nobody labelled:
 * Chinese when at least half of its entries ask in Chinese (an empty one too: the product's default), otherwise
 * English.
 */
export function faqLanguage(entries: Pick<FaqEntry, 'question'>[]): Language {
  const chinese = entries.filter((e) => textLanguage(e.question) === 'zh').length;
  return chinese * 2 >= entries.length ? 'zh' : 'en';
}
