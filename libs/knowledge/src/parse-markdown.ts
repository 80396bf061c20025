import { FaqParseError, entryIdFor, type FaqEntry } from './faq-entry';

const QUESTION_HEADING = /[?？]\s*$/;

/**
 * Markdown, split by headings. A heading phrased as a question ("## 年假有几天？") is an FAQ entry
 * whose answer is the text under it; any other heading starts a document section (kind "doc") named
 * by its heading path ("员工手册 > 假期 > 年假"). A "#" title is the category of what follows.
 */
export function parseFaqMarkdown(text: string, source: string): FaqEntry[] {
  const entries: FaqEntry[] = [];
  let category: string | undefined;
  const path: string[] = [];
  let current: { title: string; level: number; line: number; body: string[] } | null = null;
  let inFence = false;
  const flush = () => {
    if (!current) return;
    const answer = current.body.join('\n').trim();
    const isQuestion = QUESTION_HEADING.test(current.title);
    if (!answer) {
      // An empty section is only a parent heading of its subsections; an empty question is an error.
      if (isQuestion) throw new FaqParseError(source, current.line, `heading "${current.title}" has no answer text`);
      current = null;
      return;
    }
    const question = isQuestion
      ? current.title
      : [...path.slice(0, current.level - 1).filter(Boolean), current.title].join(' > ');
    entries.push({
      id: entryIdFor(question),
      kind: isQuestion ? 'faq' : 'doc',
      question,
      similar: [],
      answer,
      ...(category ? { category } : {}),
      tags: [],
    });
    current = null;
  };
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
      const heading = inFence ? null : /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
      if (heading) {
        flush();
        const level = heading[1]?.length ?? 1;
        const title = heading[2] ?? '';
        path.length = level - 1;
        path[level - 1] = title;
        if (level === 1) category = title || undefined;
        current = { title, level, line: i + 1, body: [] };
        return;
      }
      current?.body.push(line);
    });
  flush();
  return entries;
}
