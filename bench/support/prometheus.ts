/** The few Prometheus text-format readings a benchmark needs: histogram sums, counts and buckets. */
export interface HistogramReading {
  sum: number;
  count: number;
  /** Cumulative counts by upper bound (seconds), Infinity last. */
  buckets: Map<number, number>;
}

function labelsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1] ?? ''] = m[2] ?? '';
  return out;
}

/**
 * A histogram's readings per value of `byLabel`, summed over every other label (outcomes, services) and
 * over all the texts given (one per process: gateway and each worker).
 */
export function histogramsBy(texts: string[], name: string, byLabel: string): Map<string, HistogramReading> {
  const out = new Map<string, HistogramReading>();
  const entry = (key: string) => {
    let h = out.get(key);
    if (!h) out.set(key, (h = { sum: 0, count: 0, buckets: new Map() }));
    return h;
  };
  for (const text of texts)
    for (const line of text.split('\n')) {
      const m = /^(\w+)\{([^}]*)\}\s+(\S+)/.exec(line);
      if (!m || !m[1]?.startsWith(name)) continue;
      const labels = labelsOf(m[2] ?? '');
      const key = labels[byLabel];
      if (key === undefined) continue;
      const value = Number(m[3]);
      const h = entry(key);
      if (m[1] === `${name}_sum`) h.sum += value;
      else if (m[1] === `${name}_count`) h.count += value;
      else if (m[1] === `${name}_bucket`) {
        const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
        h.buckets.set(le, (h.buckets.get(le) ?? 0) + value);
      }
    }
  return out;
}

/** What happened between two readings of the same histograms. */
export function histogramDelta(
  before: Map<string, HistogramReading>,
  after: Map<string, HistogramReading>,
): Map<string, HistogramReading> {
  const out = new Map<string, HistogramReading>();
  for (const [key, a] of after) {
    const b = before.get(key);
    const buckets = new Map([...a.buckets].map(([le, n]) => [le, n - (b?.buckets.get(le) ?? 0)] as const));
    out.set(key, { sum: a.sum - (b?.sum ?? 0), count: a.count - (b?.count ?? 0), buckets });
  }
  return out;
}

/** The q-quantile (seconds) by linear interpolation inside the bucket it falls in, as histogram_quantile does. */
export function histogramQuantile(h: HistogramReading, q: number): number | null {
  if (h.count <= 0) return null;
  const bounds = [...h.buckets.keys()].sort((x, y) => x - y);
  const rank = q * h.count;
  let lower = 0;
  let below = 0;
  for (const le of bounds) {
    const n = h.buckets.get(le) ?? 0;
    if (n >= rank) {
      if (le === Infinity) return lower;
      return lower + ((le - lower) * (rank - below)) / Math.max(1, n - below);
    }
    lower = le;
    below = n;
  }
  return lower;
}
