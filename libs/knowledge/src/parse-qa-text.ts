import { FaqParseError, entryIdFor, type FaqEntry } from './faq-entry';

const Q = /^\s*(?:Q|问)\s*[:：]\s*(.*)$/i;
const A = /^\s*(?:A|答)\s*[:：]\s*(.*)$/i;
const META = /^\s*(?:#\s*)?(id|category|tags|分类|标签)\s*[:：]\s*(.*)$/i;

/**
 * The tutorial's text format: "Q: …" lines (the first is the canonical question, further ones before
 * the answer are similar phrasings), then "A: …" whose text runs until the next "Q:". Optional
 * "id: …", "category: …" / "tags: a, b" lines inside an entry. Lines starting with "#" outside answers are comments.
 */
export function parseQaText(text: string, source: string): FaqEntry[] {
  const entries: FaqEntry[] = [];
  let questions: string[] = [];
  let answer: string[] | null = null;
  let category: string | undefined;
  let tags: string[] = [];
  let id: string | undefined;
  let startLine = 0;

  const finish = (line: number) => {
    if (questions.length === 0 && answer === null) return;
    if (answer === null) throw new FaqParseError(source, startLine, `question "${questions[0]}" has no "A:" line`);
    const [question = '', ...similar] = questions;
    entries.push({
      id: id ?? entryIdFor(question),
      question,
      similar,
      answer: answer.join('\n').trim(),
      ...(category ? { category } : {}),
      tags,
    });
    if (!entries.at(-1)?.answer) throw new FaqParseError(source, line, `question "${question}" has an empty answer`);
    questions = [];
    answer = null;
    category = undefined;
    tags = [];
    id = undefined;
  };

  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    const n = index + 1;
    const q = Q.exec(line);
    if (q) {
      if (answer !== null) finish(n);
      if (questions.length === 0) startLine = n;
      if (!q[1]?.trim()) throw new FaqParseError(source, n, 'empty question');
      questions.push(q[1].trim());
      return;
    }
    const meta = META.exec(line);
    if (meta && (questions.length > 0 || answer !== null)) {
      const key = meta[1]?.toLowerCase();
      if (key === 'id') {
        if (!/^[\w.:-]{1,100}$/.test(meta[2]?.trim() ?? ''))
          throw new FaqParseError(source, n, 'id: letters, digits, _ . : - (at most 100)');
        id = meta[2]?.trim();
      } else if (key === 'category' || key === '分类') category = meta[2]?.trim() || undefined;
      else
        tags = (meta[2] ?? '')
          .split(/[,，]/)
          .map((t) => t.trim())
          .filter(Boolean);
      return;
    }
    const a = A.exec(line);
    if (a) {
      if (questions.length === 0) throw new FaqParseError(source, n, '"A:" without a question before it');
      if (answer !== null) throw new FaqParseError(source, n, 'second "A:" for the same question');
      answer = [a[1] ?? ''];
      return;
    }
    if (answer !== null) answer.push(line);
    else if (line.trim() && !line.trim().startsWith('#')) {
      if (questions.length > 0) throw new FaqParseError(source, n, 'expected "A:" or another "Q:" after a question');
      throw new FaqParseError(source, n, 'expected a line starting with "Q:"');
    }
  });
  finish(lines.length);
  return entries;
}
