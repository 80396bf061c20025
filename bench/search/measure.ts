/** Timing and process figures read from /proc (Linux), shared by the search bench's stages. */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function summarize(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    count: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
    meanMs: round(sorted.reduce((s, x) => s + x, 0) / (sorted.length || 1)),
  };
}

/** Runs `call` once per item, one at a time (the latency a single asker sees), and returns milliseconds. */
export async function timeEach<T, R>(
  items: T[],
  call: (item: T) => Promise<R>,
  onResult?: (item: T, result: R) => void,
): Promise<number[]> {
  const samples: number[] = [];
  for (const item of items) {
    const t0 = performance.now();
    const result = await call(item);
    samples.push(performance.now() - t0);
    onResult?.(item, result);
  }
  return samples;
}

export interface ProcessMemory {
  rssMiB: number;
  /** The high-water mark of the resident set since the process started. */
  peakRssMiB: number;
}

export function processMemory(pid: number | undefined): ProcessMemory {
  if (!pid) return { rssMiB: 0, peakRssMiB: 0 };
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rssMiB: Math.round(kib('VmRSS') / 1024), peakRssMiB: Math.round(kib('VmHWM') / 1024) };
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * Resolves once the process has used under 5% of a core for a whole second: Milvus Lite compacts
 * segments and builds their indexes on a background thread after a flush, and reports neither.
 * Returns the seconds waited.
 */
export async function waitUntilIdle(pid: number | undefined, timeoutMs = 600_000): Promise<number> {
  const started = performance.now();
  let last = cpuSeconds(pid);
  let at = performance.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const now = performance.now();
    if (now - at >= 1_000) {
      const used = cpuSeconds(pid);
      if ((used - last) / ((now - at) / 1000) < 0.05) return (now - started - (now - at)) / 1000;
      last = used;
      at = now;
    }
    if (now - started > timeoutMs) return (now - started) / 1000;
  }
}
