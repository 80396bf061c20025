import { PROTOTYPE_META_KEY, prototypePk, type IndexedQuestion } from '@answerbridge/core';
import type { FaqEntry } from './faq-entry';

/**
 * Collects the vectors of each entry's questions, batch after batch, into one prototype row per entry:
 * the normalized mean of its question vectors (see `isEntryPrototype` in libs/core). An entry's
 * questions may arrive in different embedding batches, so the rows come out once all are in.
 */
export class EntryPrototypes {
  private readonly sums = new Map<string, { entry: FaqEntry; sum: number[]; meta: Record<string, unknown> }>();

  add(rows: IndexedQuestion[], entries: readonly FaqEntry[]): void {
    const byId = new Map(entries.map((e) => [e.id, e]));
    for (const row of rows) {
      const entry = byId.get(row.entryId);
      if (!entry || row.vector.length === 0) continue;
      const acc = this.sums.get(entry.id) ?? {
        entry,
        sum: new Array<number>(row.vector.length).fill(0),
        meta: row.meta,
      };
      for (let i = 0; i < row.vector.length; i++) acc.sum[i] = (acc.sum[i] ?? 0) + (row.vector[i] ?? 0);
      this.sums.set(entry.id, acc);
    }
  }

  rows(): IndexedQuestion[] {
    return [...this.sums.values()].map(({ entry, sum, meta }) => {
      const norm = Math.sqrt(sum.reduce((s, x) => s + x * x, 0));
      return {
        pk: prototypePk(entry.id),
        entryId: entry.id,
        // The canonical question, for people reading a search's raw hits; keyword search never sees it.
        text: entry.question,
        answer: entry.answer,
        meta: { ...meta, canonical: false, [PROTOTYPE_META_KEY]: true },
        vector: norm > 0 ? sum.map((x) => x / norm) : sum,
      };
    });
  }
}
