/**
 * Summarizes a V8 CPU profile of the gateway (`BENCH_PROFILE=1 npm run bench:gateway` writes them to
 * /tmp/prof): where the samples fall, by self time and by inclusive time per function, in ms and share.
 *
 *   npx tsx bench/gateway/profile-summary.ts /tmp/prof/CPU.*.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
const file = positionals[0];
if (!file) throw new Error('give the .cpuprofile file to summarize (BENCH_PROFILE=1 writes them to /tmp/prof)');
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const top = Number(values.top);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;

/** Which package a frame belongs to: npm packages stay external in the build, so their paths name them. */
function owner(n: ProfileNode): string {
  const url = n.callFrame.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.includes('dist/apps/')) return 'answerbridge (bundled app and libs)';
  if (url.startsWith('node:')) return 'node core (JS)';
  if (url) return `other: ${url.split('/').pop()}`;
  return n.callFrame.functionName || '(native)';
}

const self = new Map<string, number>();
const byOwner = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
for (const [i, id] of profile.samples.entries()) {
  const us = profile.timeDeltas[i] ?? 0;
  total += us;
  const leaf = byId.get(id);
  if (!leaf) continue;
  self.set(label(leaf), (self.get(label(leaf)) ?? 0) + us);
  byOwner.set(owner(leaf), (byOwner.get(owner(leaf)) ?? 0) + us);
  // Each function once per sample, however deep it recurses.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at);
    if (!node) break;
    const l = label(node);
    if (!seen.has(l)) inclusive.set(l, (inclusive.get(l) ?? 0) + us);
    seen.add(l);
  }
}

const table = (title: string, m: Map<string, number>) =>
  `${title}\n| ms | share | function |\n|---:|---:|---|\n` +
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, us]) => `| ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)}% | \`${k}\` |`)
    .join('\n');

console.log(`Profile: ${(total / 1e6).toFixed(1)} s sampled\n`);
console.log(table('Self time by package', byOwner));
console.log();
console.log(table('Self time', self));
console.log();
console.log(table('Inclusive time', inclusive));
