import { z } from 'zod';
import { FaqParseError, entryIdFor, type FaqEntry } from './faq-entry';

const JsonlEntry = z.object({
  id: z.string().min(1).optional(),
  question: z.string().min(1),
  answer: z.string().min(1),
  similar: z.array(z.string()).default([]),
  category: z.string().optional(),
  tags: z.array(z.string()).default([]),
});

/** One JSON object per line: {id?, question, answer, similar?, category?, tags?} (the eval sets' format). */
export function parseFaqJsonl(text: string, source: string): FaqEntry[] {
  const entries: FaqEntry[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new FaqParseError(source, i + 1, 'not a JSON object');
    }
    const parsed = JsonlEntry.safeParse(raw);
    if (!parsed.success) throw new FaqParseError(source, i + 1, parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '));
    const e = parsed.data;
    entries.push({ id: e.id ?? entryIdFor(e.question), question: e.question, similar: e.similar, answer: e.answer, ...(e.category ? { category: e.category } : {}), tags: e.tags });
  });
  return entries;
}
