import type { z } from 'zod';
import { FaqParseError } from './faq-entry';

/** Parses JSON Lines against a schema, naming the file and line of the first bad one. Blank lines are skipped. */
export function parseJsonLines<S extends z.ZodType>(text: string, source: string, schema: S): z.infer<S>[] {
  const out: z.infer<S>[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new FaqParseError(source, i + 1, 'not a JSON object');
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success)
      throw new FaqParseError(
        source,
        i + 1,
        parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '),
      );
    out.push(parsed.data);
  });
  return out;
}
