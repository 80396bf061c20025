import type { IndexedQuestion } from '@answerbridge/core';

/**
 * An entry's prototype is the mean direction of its questions' (unit) vectors: a question is scored against
 * the whole entry and not only against its single closest wording (bench/quality: +3 points top-1 on
 * Banking77 and on the Chinese sample). No row holds it. Its cosine with a query q is
 *
 *   q · Σv̂ᵢ / |Σv̂ᵢ| = (Σ cosᵢ) / |Σv̂ᵢ|,
 *
 * the sum of the query's cosines with the entry's questions over a length fixed at indexing time. So each
 * question row carries, in its meta, how many questions its entry has and that length; the search's own
 * cosines give the rest. Extra rows would have joined the keyword index and moved every BM25 score.
 */
export interface PrototypeStats {
  /** How many questions of the entry went into the prototype. */
  questions: number;
  /** |Σv̂ᵢ| over those questions' unit vectors. */
  norm: number;
}

export const PROTOTYPE_META_KEY = 'prototype';

/** The stats a question row carries (null: a row added after its version was built, or an older version). */
export function prototypeStatsOf(meta: Record<string, unknown>): PrototypeStats | null {
  const stats = meta[PROTOTYPE_META_KEY];
  if (typeof stats !== 'object' || stats === null) return null;
  const { questions, norm } = stats as Record<string, unknown>;
  return typeof questions === 'number' && typeof norm === 'number' && questions > 0 && norm > 0
    ? { questions, norm }
    : null;
}

/** A row's meta without prototype stats: for a row that did not go into its entry's prototype. */
export function withoutPrototypeStats(meta: Record<string, unknown>): Record<string, unknown> {
  const { [PROTOTYPE_META_KEY]: _stats, ...rest } = meta;
  return rest;
}

/**
 * Holds each entry's rows until all its questions are embedded (they may span embedding batches), then
 * releases them stamped with the entry's prototype stats. `expected` counts each entry's questions.
 */
export class EntryRowsAssembler {
  private readonly pending = new Map<string, IndexedQuestion[]>();

  constructor(private readonly expected: ReadonlyMap<string, number>) {}

  /** The rows of every entry these rows complete, ready to insert. */
  add(rows: readonly IndexedQuestion[]): IndexedQuestion[] {
    const ready: IndexedQuestion[] = [];
    for (const row of rows) {
      const held = [...(this.pending.get(row.entryId) ?? []), row];
      if (held.length < (this.expected.get(row.entryId) ?? 1)) {
        this.pending.set(row.entryId, held);
        continue;
      }
      this.pending.delete(row.entryId);
      ready.push(...stamped(held));
    }
    return ready;
  }

  /** Entries still waiting for questions: none once every batch is in. */
  get waiting(): number {
    return this.pending.size;
  }
}

function stamped(rows: IndexedQuestion[]): IndexedQuestion[] {
  const dimension = rows[0]?.vector.length ?? 0;
  const sum = new Array<number>(dimension).fill(0);
  for (const row of rows) {
    const length = Math.sqrt(row.vector.reduce((s, x) => s + x * x, 0)) || 1;
    for (let i = 0; i < dimension; i++) sum[i] = (sum[i] ?? 0) + (row.vector[i] ?? 0) / length;
  }
  const norm = Math.sqrt(sum.reduce((s, x) => s + x * x, 0));
  if (!(norm > 0)) return rows;
  const stats: PrototypeStats = { questions: rows.length, norm };
  return rows.map((row) => ({ ...row, meta: { ...row.meta, [PROTOTYPE_META_KEY]: stats } }));
}

/** Each entry's question count, from its questions in index order. */
export function questionCounts(questions: readonly { entry: { id: string } }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const q of questions) counts.set(q.entry.id, (counts.get(q.entry.id) ?? 0) + 1);
  return counts;
}
