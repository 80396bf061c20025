import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

let twoCharacterWords: ReadonlySet<string> | null = null;

/**
 * The two-character words of jieba's dictionary (the one Milvus's jieba analyzer segments BM25 text with):
 * about 114,000 of them, read once from @node-rs/jieba's dict.txt (MIT; only the file is used, not the
 * segmenter). Lines are "word frequency part-of-speech".
 */
export function chineseTwoCharacterWords(): ReadonlySet<string> {
  if (twoCharacterWords) return twoCharacterWords;
  const file = createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt');
  const words = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const space = line.indexOf(' ');
    const word = space === -1 ? line.trim() : line.slice(0, space);
    if ([...word].length === 2) words.add(word);
  }
  twoCharacterWords = words;
  return words;
}
