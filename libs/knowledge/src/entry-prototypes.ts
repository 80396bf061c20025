import { PROTOTYPE_META_KEY, prototypePk, type IndexedQuestion } from '@answerbridge/core';

/**
 * Collects the vectors of each entry's questions, batch after batch, into one prototype row per entry:
 * the normalized mean of its question vectors (see `isEntryPrototype` in libs/core). An entry's
 * questions may arrive in different embedding batches, so the rows come out once all are in.
 */
export class EntryPrototypes {
  private readonly sums = new Map<string, { first: IndexedQuestion; sum: number[] }>();

  add(rows: readonly IndexedQuestion[]): void {
    for (const row of rows) {
      if (row.vector.length === 0) continue;
      const acc = this.sums.get(row.entryId) ?? { first: row, sum: new Array<number>(row.vector.length).fill(0) };
      for (let i = 0; i < row.vector.length; i++) acc.sum[i] = (acc.sum[i] ?? 0) + (row.vector[i] ?? 0);
      this.sums.set(row.entryId, acc);
    }
  }

  rows(): IndexedQuestion[] {
    return [...this.sums.values()].map(({ first, sum }) => {
      const norm = Math.sqrt(sum.reduce((s, x) => s + x * x, 0));
      const question = first.meta.question;
      return {
        pk: prototypePk(first.entryId),
        entryId: first.entryId,
        // The canonical question, for people reading a search's raw hits; keyword search never sees it.
        text: typeof question === 'string' ? question : first.text,
        answer: first.answer,
        meta: { ...first.meta, canonical: false, [PROTOTYPE_META_KEY]: true },
        vector: norm > 0 ? sum.map((x) => x / norm) : sum,
      };
    });
  }
}
