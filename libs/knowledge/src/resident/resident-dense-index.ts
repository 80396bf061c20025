import type { SearchHit } from '@answerbridge/core';

/** One row held in memory: what a dense hit returns, without its vector (that lives in the matrix). */
export interface ResidentRow {
  pk: string;
  entryId: string;
  text: string;
  answer: string;
  meta: Record<string, unknown>;
}

export interface ResidentIndexOptions {
  /**
   * Up to this many rows a search compares the question with every row (exact, as FLAT). Beyond it the
   * rows are partitioned (inverted lists on k-means centroids) and a search scans the closest lists.
   * 20,000 rows × 384 dimensions take about 5 ms on one core (bench/search).
   */
  exactMaxRows: number;
  /** Share of the rows a partitioned search scans at least (the closest lists first). */
  probeShare: number;
}

export const defaultResidentIndexOptions: ResidentIndexOptions = { exactMaxRows: 20_000, probeShare: 0.2 };

/** Work done between two yields to the event loop while partitioning, in multiply-adds. */
const WORK_PER_SLICE = 4_000_000;

/** Lets pending I/O run: partitioning 100,000 rows is seconds of arithmetic in the worker's own thread. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A bounded min-heap of the best `limit` scores: a search keeps the top rows without sorting all of them.
 * Ties keep the row seen first.
 */
class TopScores {
  private readonly scores: Float64Array;
  private readonly rows: Int32Array;
  size = 0;

  constructor(readonly limit: number) {
    this.scores = new Float64Array(Math.max(1, limit));
    this.rows = new Int32Array(Math.max(1, limit));
  }

  /** The score a row must beat to enter (−∞ while there is room). */
  get floor(): number {
    return this.size < this.limit ? Number.NEGATIVE_INFINITY : (this.scores[0] ?? Number.NEGATIVE_INFINITY);
  }

  offer(row: number, score: number): void {
    if (this.limit <= 0) return;
    if (this.size < this.limit) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if ((this.scores[parent] ?? 0) <= score) break;
        this.scores[i] = this.scores[parent] ?? 0;
        this.rows[i] = this.rows[parent] ?? 0;
        i = parent;
      }
      this.scores[i] = score;
      this.rows[i] = row;
      return;
    }
    if (score <= (this.scores[0] ?? 0)) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && (this.scores[right] ?? 0) < (this.scores[left] ?? 0) ? right : left;
      if ((this.scores[child] ?? 0) >= score) break;
      this.scores[i] = this.scores[child] ?? 0;
      this.rows[i] = this.rows[child] ?? 0;
      i = child;
    }
    this.scores[i] = score;
    this.rows[i] = row;
  }

  /** Best first. */
  ranked(): { row: number; score: number }[] {
    const out: { row: number; score: number }[] = [];
    for (let i = 0; i < this.size; i++) out.push({ row: this.rows[i] ?? 0, score: this.scores[i] ?? 0 });
    return out.sort((a, b) => b.score - a.score || a.row - b.row);
  }
}

/**
 * Inverted lists: each row under its closest centroid. The rows are stored list after list, so a list is a
 * range of the matrix, read front to back. Rows added later stay outside, in the tail.
 */
interface Partitions {
  centroids: Float32Array;
  /** List c holds rows starts[c] up to starts[c + 1]. */
  starts: Int32Array;
  /** Rows partitioned; rows from here on are scanned exactly by every search. */
  covered: number;
}

/**
 * The dense vectors of one knowledge-base version held in the worker's memory, searched by cosine like
 * Milvus's COSINE metric (vectors are normalized once, on the way in). Exact up to `exactMaxRows`; above
 * that an inverted-file index over k-means centroids, which scans the lists closest to the question.
 */
export class ResidentDenseIndex {
  private matrix: Float32Array;
  private rows: ResidentRow[] = [];
  private readonly pks = new Set<string>();
  /** One copy of each entry's answer: every question row of an entry carries the same (up to 64 KB) text. */
  private readonly answers = new Map<string, string>();
  private partitions: Partitions | null = null;
  private readonly options: ResidentIndexOptions;

  /** `capacity`: the rows expected, when known (a version's row count), so the matrix is allocated once. */
  constructor(
    readonly dimension: number,
    options: Partial<ResidentIndexOptions> = {},
    capacity = 1024,
  ) {
    this.options = { ...defaultResidentIndexOptions, ...options };
    this.matrix = new Float32Array(dimension * Math.max(1, capacity));
  }

  get size(): number {
    return this.rows.length;
  }

  /** Bytes held by the vectors (the rows' text is on top of this). */
  get vectorBytes(): number {
    return this.matrix.byteLength;
  }

  has(pk: string): boolean {
    return this.pks.has(pk);
  }

  /** Appends rows (a key already held is skipped). Returns how many were added. */
  add(rows: (ResidentRow & { vector: readonly number[] })[]): number {
    let added = 0;
    for (const { vector, ...row } of rows) {
      if (this.pks.has(row.pk)) continue;
      if (vector.length !== this.dimension)
        throw new RangeError(`row ${row.pk} has ${vector.length} dimensions, the index ${this.dimension}`);
      const at = this.rows.length * this.dimension;
      if (at + this.dimension > this.matrix.length) {
        // A quarter more each time: rows added to a live version come one approval at a time.
        const grown = new Float32Array(Math.max(Math.ceil(this.matrix.length * 1.25), at + this.dimension * 64));
        grown.set(this.matrix);
        this.matrix = grown;
      }
      let norm = 0;
      for (const x of vector) norm += x * x;
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < this.dimension; j++) this.matrix[at + j] = (vector[j] ?? 0) * scale;
      const known = this.answers.get(row.entryId);
      if (known === row.answer) row.answer = known;
      else this.answers.set(row.entryId, row.answer);
      this.rows.push(row);
      this.pks.add(row.pk);
      added++;
    }
    return added;
  }

  get partitioned(): boolean {
    return this.partitions !== null;
  }

  /**
   * Partitions the rows held now when there are more than `exactMaxRows` (otherwise exact search is
   * fast enough and nothing is built). Spherical k-means on a sample, √rows lists; yields to the event
   * loop between slices of work so the process keeps answering while it builds.
   */
  async partition(): Promise<void> {
    const n = this.rows.length;
    if (n <= this.options.exactMaxRows) return;
    const d = this.dimension;
    const lists = Math.min(1024, Math.max(16, Math.round(Math.sqrt(n))));
    // Every row's place in the sample is fixed by a stride, so the same rows build the same index.
    const sampleSize = Math.min(n, lists * 40);
    const stride = n / sampleSize;
    const sample = Array.from({ length: sampleSize }, (_, i) => Math.floor(i * stride));
    const centroids = new Float32Array(lists * d);
    for (let c = 0; c < lists; c++) {
      const from = (sample[Math.floor((c * sampleSize) / lists)] ?? 0) * d;
      centroids.set(this.matrix.subarray(from, from + d), c * d);
    }
    const assignment = new Int32Array(sampleSize);
    for (let iteration = 0; iteration < 6; iteration++) {
      await this.assign(centroids, lists, sample, assignment);
      const sums = new Float64Array(lists * d);
      for (let i = 0; i < sampleSize; i++) {
        const c = assignment[i] ?? 0;
        const from = (sample[i] ?? 0) * d;
        for (let j = 0; j < d; j++) sums[c * d + j] = (sums[c * d + j] ?? 0) + (this.matrix[from + j] ?? 0);
      }
      for (let c = 0; c < lists; c++) {
        let norm = 0;
        for (let j = 0; j < d; j++) norm += (sums[c * d + j] ?? 0) ** 2;
        // An empty list keeps its centroid: it may still attract rows outside the sample.
        if (norm === 0) continue;
        const scale = 1 / Math.sqrt(norm);
        for (let j = 0; j < d; j++) centroids[c * d + j] = (sums[c * d + j] ?? 0) * scale;
      }
    }
    const everyRow = Array.from({ length: n }, (_, i) => i);
    const owner = new Int32Array(n);
    await this.assign(centroids, lists, everyRow, owner);
    const starts = new Int32Array(lists + 1);
    for (let i = 0; i < n; i++) starts[(owner[i] ?? 0) + 1] = (starts[(owner[i] ?? 0) + 1] ?? 0) + 1;
    for (let c = 0; c < lists; c++) starts[c + 1] = (starts[c + 1] ?? 0) + (starts[c] ?? 0);
    // Rows move into list order; rows added while this ran keep their order after them.
    const matrix = new Float32Array(this.rows.length * d);
    const rows: ResidentRow[] = new Array<ResidentRow>(this.rows.length);
    const next = starts.slice(0, lists);
    for (let i = 0; i < n; i++) {
      const c = owner[i] ?? 0;
      const at = next[c] ?? 0;
      next[c] = at + 1;
      matrix.set(this.matrix.subarray(i * d, (i + 1) * d), at * d);
      rows[at] = this.rows[i] as ResidentRow;
    }
    matrix.set(this.matrix.subarray(n * d, this.rows.length * d), n * d);
    for (let i = n; i < this.rows.length; i++) rows[i] = this.rows[i] as ResidentRow;
    this.matrix = matrix;
    this.rows = rows;
    this.partitions = { centroids, starts, covered: n };
  }

  /** Puts each of `which` rows under its closest centroid. */
  private async assign(centroids: Float32Array, lists: number, which: number[], out: Int32Array): Promise<void> {
    const d = this.dimension;
    const m = this.matrix;
    const perSlice = Math.max(1, Math.floor(WORK_PER_SLICE / (lists * d)));
    for (let i = 0; i < which.length; i++) {
      const from = (which[i] ?? 0) * d;
      let best = 0;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < lists; c++) {
        const score = dotAt(m, from, centroids, c * d, d);
        if (score > bestScore) {
          bestScore = score;
          best = c;
        }
      }
      out[i] = best;
      if ((i + 1) % perSlice === 0) await yieldToEventLoop();
    }
  }

  /** The `limit` rows closest to `vector`, best first, scored by cosine. */
  search(vector: readonly number[], limit: number): SearchHit[] {
    if (vector.length !== this.dimension)
      throw new RangeError(`question vector has ${vector.length} dimensions, the index ${this.dimension}`);
    const d = this.dimension;
    const query = new Float32Array(d);
    let norm = 0;
    for (const x of vector) norm += x * x;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < d; j++) query[j] = (vector[j] ?? 0) * scale;
    const top = new TopScores(Math.min(limit, this.rows.length));
    const partitions = this.partitions;
    if (!partitions) this.scan(query, 0, this.rows.length, top);
    else {
      for (const c of this.closestLists(query, partitions, limit))
        this.scan(query, partitions.starts[c] ?? 0, partitions.starts[c + 1] ?? 0, top);
      this.scan(query, partitions.covered, this.rows.length, top);
    }
    return top.ranked().map(({ row, score }) => {
      const r = this.rows[row] as ResidentRow;
      return { entryId: r.entryId, text: r.text, answer: r.answer, meta: r.meta, score };
    });
  }

  /** The lists to scan: closest centroids first, until `probeShare` of the rows (and 4× the limit) are covered. */
  private closestLists(query: Float32Array, partitions: Partitions, limit: number): number[] {
    const d = this.dimension;
    const { centroids, starts } = partitions;
    const order = Array.from({ length: starts.length - 1 }, (_, c) => ({ c, s: dotAt(query, 0, centroids, c * d, d) }));
    order.sort((a, b) => b.s - a.s);
    const wanted = Math.max(partitions.covered * this.options.probeShare, limit * 4);
    const chosen: number[] = [];
    let covered = 0;
    for (const { c } of order) {
      chosen.push(c);
      covered += (starts[c + 1] ?? 0) - (starts[c] ?? 0);
      if (covered >= wanted) break;
    }
    return chosen;
  }

  private scan(query: Float32Array, from: number, to: number, top: TopScores): void {
    for (let r = from; r < to; r++) top.offer(r, this.dot(query, r));
  }

  private dot(query: Float32Array, row: number): number {
    return dotAt(this.matrix, row * this.dimension, query, 0, this.dimension);
  }
}

/** The dot product of `d` floats of `a` from `aAt` and of `b` from `bAt`, four lanes at a time. */
function dotAt(a: Float32Array, aAt: number, b: Float32Array, bAt: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    s0 += (a[aAt + j] ?? 0) * (b[bAt + j] ?? 0);
    s1 += (a[aAt + j + 1] ?? 0) * (b[bAt + j + 1] ?? 0);
    s2 += (a[aAt + j + 2] ?? 0) * (b[bAt + j + 2] ?? 0);
    s3 += (a[aAt + j + 3] ?? 0) * (b[bAt + j + 3] ?? 0);
  }
  for (; j < d; j++) s0 += (a[aAt + j] ?? 0) * (b[bAt + j] ?? 0);
  return s0 + s1 + s2 + s3;
}
