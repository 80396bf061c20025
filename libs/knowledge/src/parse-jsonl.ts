import { z } from 'zod';
import { entryIdFor, type FaqEntry } from './faq-entry';
import { parseJsonLines } from './json-lines';

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
  return parseJsonLines(text, source, JsonlEntry).map((e) => ({
    id: e.id ?? entryIdFor(e.question),
    question: e.question,
    similar: e.similar,
    answer: e.answer,
    ...(e.category ? { category: e.category } : {}),
    tags: e.tags,
  }));
}
