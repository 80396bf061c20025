import { AnswerbridgeError } from '@answerbridge/core';
import { entryIdFor, type FaqEntry } from '../faq-entry';
import { normalizedWording } from '../learned-phrasing';

/** What an editor sends for one entry: a new one (no id) or a change of the draft's entry with that id. */
export interface EntryInput {
  id?: string;
  question: string;
  answer: string;
  similar?: string[];
  category?: string;
  tags?: string[];
}

/** How long or how many: past these an entry is refused (a chat question, an answer people read in a chat). */
export const ENTRY_LIMITS = {
  question: 200,
  answer: 8_000,
  similar: 100,
  category: 50,
  tags: 20,
  tag: 30,
  id: 128,
} as const;

export type EntryField = 'id' | 'question' | 'answer' | 'similar' | 'category' | 'tags';
export type EntryProblem = 'required' | 'too-long' | 'too-many' | 'not-text' | 'taken';

/**
 * An entry an editor sent is not acceptable: which field and why (the console words it for people), and
 * for `taken` the entry that has that wording already.
 */
export class EntryInputError extends AnswerbridgeError {
  constructor(
    readonly field: EntryField,
    readonly problem: EntryProblem,
    readonly limit: number | null = null,
    readonly takenBy: { entryId: string; question: string; wording: string } | null = null,
  ) {
    super(
      'KNOWLEDGE.BAD_ENTRY',
      takenBy
        ? `"${takenBy.wording}" is already a question of entry ${takenBy.entryId} ("${takenBy.question}")`
        : `${field}: ${problem}${limit === null ? '' : ` (limit ${limit})`}`,
      false,
    );
  }

  override get httpStatus(): number {
    return 400;
  }
}

function text(value: unknown, field: EntryField, max: number, required: boolean): string {
  if (value === undefined || value === null) {
    if (required) throw new EntryInputError(field, 'required');
    return '';
  }
  if (typeof value !== 'string') throw new EntryInputError(field, 'not-text');
  const trimmed = value.trim();
  if (required && !trimmed) throw new EntryInputError(field, 'required');
  if (trimmed.length > max) throw new EntryInputError(field, 'too-long', max);
  return trimmed;
}

function list(value: unknown, field: EntryField, maxItems: number, maxLength: number): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new EntryInputError(field, 'not-text');
  const items = value.map((v) => text(v, field, maxLength, false)).filter(Boolean);
  // The same wording twice (spacing, case or full-width forms aside) is one.
  const seen = new Set<string>();
  const unique = items.filter((item) => {
    const key = normalizedWording(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length > maxItems) throw new EntryInputError(field, 'too-many', maxItems);
  return unique;
}

/**
 * Checks and tidies what an editor sent (an API body, so anything): text trimmed, lengths capped, empty and
 * repeated similar questions dropped (the canonical question among them too), tags likewise.
 */
export function readEntryInput(body: unknown): EntryInput {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const question = text(b['question'], 'question', ENTRY_LIMITS.question, true);
  const answer = text(b['answer'], 'answer', ENTRY_LIMITS.answer, true);
  const id = text(b['id'], 'id', ENTRY_LIMITS.id, false);
  const similar = list(b['similar'], 'similar', ENTRY_LIMITS.similar, ENTRY_LIMITS.question).filter(
    (q) => normalizedWording(q) !== normalizedWording(question),
  );
  const category = text(b['category'], 'category', ENTRY_LIMITS.category, false);
  const tags = list(b['tags'], 'tags', ENTRY_LIMITS.tags, ENTRY_LIMITS.tag);
  return { ...(id ? { id } : {}), question, answer, similar, ...(category ? { category } : {}), tags };
}

/**
 * Refuses a wording of `entry` that another entry of `entries` has already (it could then match either).
 * Wordings the entry had `before` are not checked again: a clash the knowledge base came with stays its own.
 */
export function wordingTaken(
  entries: FaqEntry[],
  entry: Pick<FaqEntry, 'id' | 'question' | 'similar'>,
  before?: Pick<FaqEntry, 'question' | 'similar'>,
): void {
  const had = new Set(before ? [before.question, ...before.similar].map(normalizedWording) : []);
  const mine = new Map<string, string>();
  for (const w of [entry.question, ...entry.similar])
    if (!had.has(normalizedWording(w))) mine.set(normalizedWording(w), w);
  for (const other of entries) {
    if (other.id === entry.id) continue;
    for (const wording of [other.question, ...other.similar]) {
      const clash = mine.get(normalizedWording(wording));
      if (clash !== undefined)
        throw new EntryInputError(clash === entry.question ? 'question' : 'similar', 'taken', null, {
          entryId: other.id,
          question: other.question,
          wording: clash,
        });
    }
  }
}

/** An id for a new entry: from its question as `kb ingest` makes them, unless another entry has that one. */
export function newEntryId(entries: FaqEntry[], question: string): string {
  const ids = new Set(entries.map((e) => e.id));
  const base = entryIdFor(question);
  let id = base;
  for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
  return id;
}
