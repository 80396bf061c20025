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
  const text = readFileSync(file, 'utf8');
  // Walked line by line without splitting: only the words kept become strings (splitting made 350,000 lines and
  // cost the process ~40 MB of memory at start for a 5.5 MB set).
  for (let start = 0; start < text.length;) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const space = text.indexOf(' ', start);
    const wordEnd = space === -1 || space > end ? end : space;
    // Two characters are two or (outside the Basic Multilingual Plane) up to four UTF-16 units.
    if (wordEnd - start >= 2 && wordEnd - start <= 4) {
      const word = text.slice(start, wordEnd).trim();
      if ([...word].length === 2) words.add(word);
    }
    start = end + 1;
  }
  twoCharacterWords = words;
  return words;
}
