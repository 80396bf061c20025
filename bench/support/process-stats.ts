import { readFileSync, readdirSync } from 'node:fs';

/** CPU seconds (user + system) one process has used so far, from /proc; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The process and everything it started (Milvus Lite's Python wrapper runs the server as a child). */
export function processTree(pid: number): number[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const tree = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      const parent = parentOf(p);
      if (!tree.has(p) && parent !== undefined && tree.has(parent)) {
        tree.add(p);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** CPU seconds of a process tree (its live members). */
export function treeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + cpuSeconds(p), 0);
}

/** Reads CPU time of named process trees, so a benchmark can say what each part cost per unit of work. */
export class CpuMeter {
  constructor(private readonly pids: Record<string, number | undefined>) {}

  /** The current CPU seconds of each named part (this process included as "bench"). */
  read(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) if (pid) out[name] = treeCpuSeconds(pid);
    const own = process.cpuUsage();
    out.bench = (own.user + own.system) / 1e6;
    return out;
  }

  /** CPU seconds each part spent between two readings. */
  static diff(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
    return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, Math.max(0, v - (before[k] ?? 0))]));
  }
}
