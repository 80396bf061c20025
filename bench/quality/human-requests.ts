/**
 * bench/quality/human-requests: how well requests for a person are recognized, on the phrasings the
 * classifier was built from and on a set written apart from it (by someone who never saw the classifier).
 *
 *   npx tsx bench/quality/human-requests.ts
 *
 * Writes bench/quality/HUMAN-REQUESTS.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isRequestForPerson } from '@answerbridge/answering';
import { workspaceRoot } from '@answerbridge/testing';

interface Phrasing {
  text: string;
  human: boolean;
  lang: 'zh' | 'en';
  note?: string;
}

const load = (file: string): Phrasing[] =>
  readFileSync(path.join(workspaceRoot, 'data/intents', file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Phrasing);

const pct = (x: number) => (100 * x).toFixed(1);
const sections: string[] = [];
for (const [label, file] of [
  ['built from', 'human-requests.jsonl'],
  ['held out', 'human-requests-heldout.jsonl'],
] as const) {
  const rows: string[] = [];
  const misses: string[] = [];
  for (const lang of ['zh', 'en'] as const) {
    const set = load(file).filter((p) => p.lang === lang);
    const said = set.filter((p) => isRequestForPerson(p.text));
    const positives = set.filter((p) => p.human);
    const right = said.filter((p) => p.human).length;
    rows.push(`| ${lang} | ${positives.length} | ${set.length - positives.length} | ${pct(right / positives.length)} | ${pct(said.length ? right / said.length : 1)} |`);
    for (const p of set) if (isRequestForPerson(p.text) !== p.human) misses.push(`- ${p.human ? 'missed' : 'false alarm'} (${lang}): ${p.text}${p.note ? ` — ${p.note}` : ''}`);
  }
  sections.push(`## ${label} (\`data/intents/${file}\`)\n\n| language | requests | look-alikes | recall | precision |\n|---|---:|---:|---:|---:|\n${rows.join('\n')}\n\n${misses.length ? `Errors:\n\n${misses.join('\n')}` : 'No errors.'}\n`);
}
const report = `# bench/quality — requests for a person

\`isRequestForPerson\` (libs/answering/src/human-request.ts): phrases of what people type to reach a person, and of
what only looks like it (questions about the bot, 人工智能, human resources…). Recall: requests recognized;
precision: of the messages taken for requests, the share that were. A missed request is not lost: the message
is searched as a question and, unless an entry answers it, suggested or handed over; "are you human?" taken
for a request sends a person who was not asked for.

${sections.join('\n')}
The held-out set was written without seeing the classifier, and measured once as it stood. Its misses are
printed above and must not be fixed by adding their words: that would turn it into a built-from set. What
they show: roles (财务/售后/销售/值班经理, supervisor, account manager), callbacks, typos and pinyin (转人宫,
rengong, tlk to agnet) and indirect wording — what phrase lists do not reach and embedding prototypes should.

Reproduce: \`npx tsx bench/quality/human-requests.ts\`
`;
writeFileSync(path.join(workspaceRoot, 'bench/quality/HUMAN-REQUESTS.md'), report);
console.log(report);
