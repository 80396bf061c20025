/**
 * How much of a question the entry's own text never mentions: a near miss asks for something on the entry's
 * topic that its questions and answer do not talk about ("年假没休完能折现吗" against the annual-leave entry:
 * 折现 appears nowhere in it), while a question the entry answers, however colloquial, mostly reuses its
 * words, or the answer's ("收发室几点关门": the parcel entry's answer gives the mail room's hours). An embedding
 * scores both alike; this share tells them apart (bench/quality/CONFIDENCE.md). Linear in the texts' length;
 * the only I/O is reading jieba's dictionary once (chinese-words.ts).
 */
import { chineseTwoCharacterWords } from './chinese-words';

/** English words that carry no need of their own. */
const STOP_WORDS = new Set(
  'a an and are am as at be by can could do does did for from get got have has how i in is it its me my no not of on or our so that the their there this to was we what when where which who why will with would you your'.split(
    ' ',
  ),
);

/** An English word without its plainest inflection, so "cards" meets "card" and "activated" meets "activate". */
function stem(word: string): string {
  for (const suffix of ['ing', 'ed', 'es', 's'])
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) return word.slice(0, -suffix.length);
  return word;
}

const CJK_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/gu;
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * The terms of a text: for Chinese, each pair of neighbouring characters (a lone character stands for
 * itself), as Chinese has no spaces and most words are two characters; for other scripts, words without
 * stop words, stemmed.
 */
export function termsOf(text: string): Set<string> {
  const lower = text.toLowerCase();
  const terms = new Set<string>();
  for (const [run] of lower.matchAll(CJK_RUN)) {
    const chars = [...run];
    if (chars.length === 1) terms.add(run);
    for (let i = 0; i + 1 < chars.length; i++) terms.add(`${chars[i] ?? ''}${chars[i + 1] ?? ''}`);
  }
  for (const [word] of lower.replace(CJK_RUN, ' ').matchAll(WORD)) if (!STOP_WORDS.has(word)) terms.add(stem(word));
  return terms;
}

/**
 * How much a pair of neighbouring Chinese characters that is not a word counts. Pairing characters is how the
 * terms do without a segmenter, and many pairs straddle two words ("密码想换" gives 码想; "的怎" in
 * "…的怎么…"): none of an entry's texts mention them, whatever the question asks, so counted fully they
 * made every colloquial question look like a near miss. A pair that is a word of jieba's dictionary (折现,
 * 丧假, 附件) counts fully. Measured on the Chinese sets (bench/quality/CONFIDENCE.md): pairs at ½ rather than 1
 * raised held-out coverage at the 0.97 target from 22% to about 35%; anywhere from 0.15 to 0.5 did about as
 * well, ignoring them (0) lost precision.
 */
export const NON_WORD_PAIR_WEIGHT = 0.5;

const CJK_PAIR = /^[\u3400-\u9fff\uf900-\ufaff]{2}$/u;

/** A term's weight in the shares below: a Chinese character pair that is no word counts NON_WORD_PAIR_WEIGHT. */
export function termWeight(term: string): number {
  return CJK_PAIR.test(term) && !chineseTwoCharacterWords().has(term) ? NON_WORD_PAIR_WEIGHT : 1;
}

/** A question's terms with their weights: what `uncoveredShare` reads, weighed once per question. */
export function weightedTermsOf(question: string): ReadonlyMap<string, number> {
  return new Map([...termsOf(question)].map((term) => [term, termWeight(term)]));
}

/**
 * The weighted share of the question's terms found in none of the texts, estimated as
 * (uncovered + 1) / (terms + 2): a question of one or two terms ("密码") says little about whether the entry
 * covers what is asked, so its share stays near ½ instead of reading 0 as "fully covered" (measured on the
 * Chinese sets: a vague "密码" had been answered directly; with the estimate it gets the list of closest
 * questions, and held-out coverage rose a point). A question without terms is ½.
 */
export function uncoveredShare(question: string | ReadonlyMap<string, number>, texts: readonly string[]): number {
  // The weighted terms themselves when the caller measures one question against several entries.
  const asked = typeof question === 'string' ? weightedTermsOf(question) : question;
  const covered = new Set<string>();
  for (const text of texts) for (const term of termsOf(text)) covered.add(term);
  let uncovered = 0;
  let total = 0;
  for (const [term, weight] of asked) {
    total += weight;
    if (!covered.has(term)) uncovered += weight;
  }
  return (uncovered + 1) / (total + 2);
}
