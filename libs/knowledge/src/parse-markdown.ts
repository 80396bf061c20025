import { FaqParseError, entryIdFor, type FaqEntry } from './faq-entry';

/**
 * Markdown Q&A: every "##" (or deeper) heading is a question and the text under it, up to the next
 * heading, its answer. A "#" title names the category of the headings below it.
 */
export function parseFaqMarkdown(text: string, source: string): FaqEntry[] {
  const entries: FaqEntry[] = [];
  let category: string | undefined;
  let current: { question: string; line: number; body: string[] } | null = null;
  let inFence = false;
  const flush = () => {
    if (!current) return;
    const answer = current.body.join('\n').trim();
    if (!answer) throw new FaqParseError(source, current.line, `heading "${current.question}" has no answer text`);
    entries.push({ id: entryIdFor(current.question), question: current.question, similar: [], answer, ...(category ? { category } : {}), tags: [] });
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
        const title = heading[2] ?? '';
        if (heading[1] === '#') category = title || undefined;
        else current = { question: title, line: i + 1, body: [] };
        return;
      }
      current?.body.push(line);
    });
  flush();
  return entries;
}
