/**
 * bench/quality/unseen: what the confidence model does on a knowledge base it was not fitted on, the way it is
 * measured from outside (someone else's FAQ and questions), rather than on held-out questions of the one it was
 * fitted on (bench/quality/CONFIDENCE.md), whose entries it has seen.
 *
 *   npx tsx bench/quality/unseen.ts [--splits 8] [--clinc <oos-eval/data/data_full.json>]
 *
 * - Chinese: the sample's 36 entries are split in halves (seeded, `--splits` times, each half in turn): a model is
 *   fitted as bench/quality/confidence.ts fits the shipped one, on one half's questions (its labelled, help-desk
 *   and near-miss questions, and half of the out-of-scope ones) searched against that half alone, then decides
 *   the other half's questions against the other half. Half the data of the shipped model, so a pessimistic
 *   estimate of it; the spread across splits is the point.
 * - English, with --clinc (CLINC150, not shipped: clone https://github.com/clinc/oos-eval): the shipped model on
 *   each of CLINC150's ten domains as a FAQ (15 intents; the first four train wordings of each as its question and
 *   similar questions), asked the domain's test queries and 300 out-of-scope ones. The shipped model never saw
 *   CLINC150.
 *
 * Writes bench/quality/UNSEEN.md and unseen-results.json. Starts its own Milvus Lite and local embedder.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fittedConfidenceModels, type ConfidenceModel } from '@answerbridge/answering';
import { loadConfig } from '@answerbridge/config';
import { HttpEmbedder, resolveProfile } from '@answerbridge/embedding';
import {
  evaluateKnowledgeBase,
  fitConfidenceModel,
  loadFaqFile,
  policyMetrics,
  type EvalQuery,
  type FaqEntry,
  type PolicyCase,
  type PolicyMetrics,
} from '@answerbridge/knowledge';
import { keywordThresholds, searchDefaultsFor } from '@answerbridge/pipeline';
import { startLocalEmbedder, startMilvusLite, workspaceRoot } from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import { chineseSampleQueries, seeded } from './sample-sets';

const { values } = parseArgs({
  options: {
    splits: { type: 'string', default: '8' },
    clinc: { type: 'string' },
    target: { type: 'string', default: '0.97' },
  },
});
const target = Number(values.target);
const profileName = 'e5-minilm';
type LabelledQuery = EvalQuery & { kind: string; near?: string };

/** The sums behind a policy's figures, so that several knowledge bases' decisions add up. */
interface Tally {
  questions: number;
  inScope: number;
  answered: number;
  right: number;
  inScopeAnswered: number;
  selfServed: number;
  nearMisses: number;
  nearMissesAnswered: number;
  outOfScope: number;
  outOfScopeAnswered: number;
}
const emptyTally = (): Tally => ({
  questions: 0,
  inScope: 0,
  answered: 0,
  right: 0,
  inScopeAnswered: 0,
  selfServed: 0,
  nearMisses: 0,
  nearMissesAnswered: 0,
  outOfScope: 0,
  outOfScopeAnswered: 0,
});

/** The sums of one knowledge base's decisions; the questions carry kind in-scope, near-miss or out-of-scope. */
function tallyOf(m: PolicyMetrics): Tally {
  const kind = (k: string) => m.byKind[k] ?? { questions: 0, answered: 0, answeredRight: 0 };
  const inScope = kind('in-scope');
  return {
    questions: m.questions,
    inScope: inScope.questions,
    answered: m.answered,
    right: inScope.answeredRight,
    inScopeAnswered: inScope.answered,
    selfServed: Math.round(m.selfService * inScope.questions),
    nearMisses: kind('near-miss').questions,
    nearMissesAnswered: kind('near-miss').answered,
    outOfScope: kind('out-of-scope').questions,
    outOfScopeAnswered: kind('out-of-scope').answered,
  };
}

function add(a: Tally, b: Tally): Tally {
  return Object.fromEntries(
    Object.keys(a).map((k) => [k, a[k as keyof Tally] + b[k as keyof Tally]]),
  ) as unknown as Tally;
}

const pct = (k: number, n: number) => (n ? ((100 * k) / n).toFixed(1) : '—');
const rowOf = (label: string, t: Tally) =>
  `| ${label} | ${pct(t.right, t.answered)} | ${pct(t.inScopeAnswered, t.inScope)} | ${pct(t.nearMissesAnswered, t.nearMisses)} | ${pct(t.outOfScopeAnswered, t.outOfScope)} | ${pct(t.selfServed, t.inScope)} |`;
const header =
  '| knowledge base | precision of direct answers | in-scope answered directly | near misses answered | out of scope answered | self-service |\n|---|---:|---:|---:|---:|---:|';

const [milvus, localEmbedder] = await Promise.all([startMilvusLite(), startLocalEmbedder()]);
const store = new MilvusVectorStore({ address: milvus.address });
const profile = resolveProfile(profileName);
const embedder = new HttpEmbedder(profile, { baseUrl: localEmbedder.address, apiKey: 'none', timeoutMs: 120_000 });

/** Searches questions against a FAQ as the bot of that language does, in a temporary knowledge base. */
async function searched(entries: FaqEntry[], queries: LabelledQuery[], language: 'zh' | 'en'): Promise<PolicyCase[]> {
  const search = searchDefaultsFor(profileName, language);
  const evaluation = await evaluateKnowledgeBase(store, embedder, entries, queries, {
    modes: [search.mode],
    fusion: search.fusion,
    confidence: fittedConfidenceModels[profileName]?.[language] as ConfidenceModel,
    keywordThreshold: loadConfig().KEYWORD_FALLBACK_THRESHOLD ?? keywordThresholds[language],
    dropAfter: true,
  });
  return (evaluation.modes[0]?.outcomes ?? []).map((o, i) => ({
    ranked: o.ranked,
    expectedId: o.expectedId,
    kind: queries[i]?.kind ?? 'in-scope',
  }));
}

async function chineseHalves(splits: number): Promise<{ section: string; results: unknown }> {
  const entries = loadFaqFile(path.join(workspaceRoot, 'data/sample-faq.txt'));
  const nearOf = new Map<string, string>();
  for (const line of readFileSync(path.join(workspaceRoot, 'data/sample-near-miss.jsonl'), 'utf8').split('\n'))
    if (line.trim()) {
      const q = JSON.parse(line) as { query: string; near?: string };
      if (q.near) nearOf.set(q.query, q.near);
    }
  const queries: LabelledQuery[] = chineseSampleQueries(entries);
  const rows: string[] = [];
  const perSplit: unknown[] = [];
  let total = emptyTally();
  let met = 0;
  let runs = 0;
  for (let split = 1; split <= splits; split++) {
    const random = seeded(1_000 + split);
    const half = new Map(entries.map((e) => [e.id, random() < 0.5 ? 0 : 1]));
    // A question goes with its entry; a near miss with the entry it is near; an out-of-scope one by a coin.
    const sideOf = (q: LabelledQuery) => {
      const owner = q.expectedId ?? nearOf.get(q.query);
      return owner ? (half.get(owner) ?? 0) : random() < 0.5 ? 0 : 1;
    };
    const sides = queries.map(sideOf);
    for (const side of [0, 1]) {
      const fitEntries = entries.filter((e) => half.get(e.id) === side);
      const testEntries = entries.filter((e) => half.get(e.id) !== side);
      if (fitEntries.length < 5 || testEntries.length < 5) continue;
      const fitCases = await searched(
        fitEntries,
        queries.filter((_, i) => sides[i] === side),
        'zh',
      );
      let model: ConfidenceModel;
      try {
        model = fitConfidenceModel(fitCases, { targetPrecision: target, fittedOn: `half ${side} of split ${split}` });
      } catch (error) {
        rows.push(`| split ${split}, half ${side} → ${1 - side} | ${(error as Error).message} | | | | |`);
        continue;
      }
      const testCases = await searched(
        testEntries,
        queries.filter((_, i) => sides[i] !== side),
        'zh',
      );
      const metrics = policyMetrics(model, testCases);
      const tally = tallyOf(metrics);
      total = add(total, tally);
      runs++;
      if (tally.answered === 0 || tally.right / tally.answered >= target) met++;
      rows.push(
        rowOf(
          `split ${split}: fitted on ${fitEntries.length} entries, asked of the other ${testEntries.length}`,
          tally,
        ),
      );
      perSplit.push({
        split,
        side,
        fitEntries: fitEntries.length,
        testEntries: testEntries.length,
        answerAt: model.answerAt,
        metrics,
      });
      console.error(`zh split ${split} half ${side}: ${rowOf('', tally)}`);
    }
  }
  const section = `## Chinese: a model fitted on half the sample's entries, deciding the other half

${splits} seeded splits of the 36 entries into halves, each half in turn; the questions go with their entry, near misses
with the entry they are near, out-of-scope questions by a coin. Each model is fitted as the shipped one is (nested
cross-validation, Wilson bound z = 0.5, target ${target}), on about 170 questions.

${header}
${rows.join('\n')}
${rowOf(`**all ${runs}**`, total)}

The target was met on ${met} of ${runs} knowledge bases the model had not seen. Compare CONFIDENCE.md's held-out figure
for the shipped model (questions held out, entries seen): there the model knew every entry's wordings.`;
  return { section, results: { runs, met, total, perSplit } };
}

/** CLINC150's ten domains as FAQs: the shipped English model on knowledge bases it never saw. */
async function clincDomains(file: string): Promise<{ section: string; results: unknown }> {
  const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, [string, string][]>;
  const domainsFile = path.join(path.dirname(file), 'domains.json');
  const domains = JSON.parse(readFileSync(domainsFile, 'utf8')) as Record<string, string[]>;
  const train = new Map<string, string[]>();
  for (const [text, intent] of data.train ?? []) train.set(intent, [...(train.get(intent) ?? []), text]);
  const outOfScope = (data.oos_test ?? []).slice(0, 300).map(([text]) => text);
  const model = fittedConfidenceModels[profileName]?.en as ConfidenceModel;
  const rows: string[] = [];
  const perDomain: unknown[] = [];
  let total = emptyTally();
  let met = 0;
  for (const [domain, intents] of Object.entries(domains)) {
    const entries: FaqEntry[] = intents.map((intent) => {
      const [question = intent, ...similar] = train.get(intent) ?? [];
      return { id: `clinc:${intent}`, question, similar: similar.slice(0, 3), answer: '(placeholder)', tags: [] };
    });
    const queries: LabelledQuery[] = [
      ...(data.test ?? [])
        .filter(([, intent]) => intents.includes(intent))
        .map(([query, intent]) => ({ query, expectedId: `clinc:${intent}`, kind: 'in-scope' })),
      ...outOfScope.map((query) => ({ query, expectedId: null, kind: 'out-of-scope' })),
    ];
    const cases = await searched(entries, queries, 'en');
    const metrics = policyMetrics(model, cases);
    const tally = tallyOf(metrics);
    total = add(total, tally);
    if (tally.answered === 0 || tally.right / tally.answered >= target) met++;
    rows.push(rowOf(domain, tally));
    perDomain.push({ domain, metrics });
    console.error(`clinc ${domain}: ${rowOf('', tally)}`);
  }
  const section = `## English: the shipped model on CLINC150's ten domains

Each domain a FAQ of 15 entries (an intent's first four train wordings as its question and similar questions),
asked its 450 test queries and 300 of CLINC150's out-of-scope ones. The shipped English model (fitted on Banking77)
never saw CLINC150.

${header}
${rows.join('\n')}
${rowOf('**all ten**', total)}

The target was met on ${met} of ${Object.keys(domains).length} domains.`;
  return { section, results: { met, total, perDomain } };
}

try {
  await store.ready();
  const sections: string[] = [];
  const results: Record<string, unknown> = {};
  const zh = await chineseHalves(Number(values.splits));
  sections.push(zh.section);
  results.zh = zh.results;
  if (values.clinc) {
    const en = await clincDomains(values.clinc);
    sections.push(en.section);
    results.clinc = en.results;
  }
  const report = `# bench/quality — decisions on knowledge bases nobody fitted on

Run: ${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'} · the local embedder (profile \`${profileName}\`) · Milvus Lite · target precision ${target}.

CONFIDENCE.md holds questions out of the sets the models are fitted on; their entries stay. A company's own FAQ
is new in both: its entries, how its questions are worded, how close its entries sit. This report measures that.
Near misses: questions on an entry's topic that it does not answer.

${sections.join('\n\n')}

Reproduce: \`npx tsx bench/quality/unseen.ts --clinc <oos-eval/data/data_full.json>\`.
`;
  writeFileSync(path.join(workspaceRoot, 'bench/quality/UNSEEN.md'), report);
  writeFileSync(path.join(workspaceRoot, 'bench/quality/unseen-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(report);
} finally {
  await store.close();
  await Promise.all([milvus.stop(), localEmbedder.stop()]);
}
