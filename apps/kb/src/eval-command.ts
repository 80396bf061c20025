import { writeFileSync } from 'node:fs';
import type { KbSettings } from '@answerbridge/config';
import type { ConfidenceModel } from '@answerbridge/answering';
import {
  evaluateKnowledgeBase,
  faqLanguage,
  loadEvalQueries,
  readFaqFile,
  type Evaluation,
  type PolicyMetrics,
  type SearchMode,
} from '@answerbridge/knowledge';
import cliProgress from 'cli-progress';
import { createKnowledgeServices } from '@answerbridge/pipeline';

export interface EvalCommandOptions {
  modes: SearchMode[];
  /** Also fit a confidence model on these questions for this precision (`--calibrate`). */
  calibrateFor?: number;
  errorsFile: string;
  showProgress: boolean;
  /** Which language's search settings and confidence model: the bot's, or read from the FAQ when not given. */
  language?: 'zh' | 'en';
  /** Decide with this bot's knowledge base's own calibration (recorded by `kb calibrate`), as its worker does. */
  knowledgeBase?: string;
  /** Every query's outcome and decision, one JSON line each. */
  perQueryFile?: string;
  /** Keep the temporary index for a repeated evaluation of the same FAQ (default: removed). */
  keepIndex?: boolean;
}

export async function evalCommand(
  config: KbSettings,
  faqFile: string,
  queriesFile: string,
  options: EvalCommandOptions,
): Promise<Evaluation & { confidence: ConfidenceModel; language: 'zh' | 'en' }> {
  const entries = await readFaqFile(faqFile);
  const queries = loadEvalQueries(queriesFile, new Set(entries.map((e) => e.id)));
  const language = options.language ?? faqLanguage(entries);
  const { embedder, store, searchFor, policyFor, calibrationFor } = createKnowledgeServices(config);
  const search = searchFor(language);
  const bar = options.showProgress
    ? new cliProgress.SingleBar(
        { format: 'evaluating {bar} {value}/{total}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  try {
    await store.ready();
    const policy = policyFor(language, options.knowledgeBase ? await calibrationFor(options.knowledgeBase) : null);
    bar?.start(queries.length * options.modes.length, 0);
    const evaluation = await evaluateKnowledgeBase(store, embedder, entries, queries, {
      modes: options.modes,
      fusion: search.fusion,
      confidence: policy.confidence,
      keywordThreshold: policy.keywordFallbackThreshold,
      policy,
      dropAfter: !options.keepIndex,
      ...(options.calibrateFor === undefined ? {} : { calibrateFor: options.calibrateFor }),
      onProgress: (done) => bar?.update(done),
    });
    const errors = evaluation.modes.flatMap((m) =>
      m.outcomes
        .filter((o) => (o.expectedId !== null && o.rank !== 1) || o.expectedId === null)
        .map(({ ranked: _ranked, ...o }) => ({ mode: m.mode, ...o })),
    );
    writeFileSync(options.errorsFile, errors.map((e) => JSON.stringify(e)).join('\n') + (errors.length ? '\n' : ''));
    if (options.perQueryFile) {
      const all = evaluation.modes.flatMap((m) => m.outcomes.map(({ ranked: _r, ...o }) => ({ mode: m.mode, ...o })));
      writeFileSync(options.perQueryFile, all.map((o) => JSON.stringify(o)).join('\n') + '\n');
    }
    return { ...evaluation, confidence: policy.confidence, language };
  } finally {
    bar?.stop();
    await store.close();
  }
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : (100 * x).toFixed(1));
const num = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));

export function formatEvaluation(e: Evaluation & { language?: 'zh' | 'en' }, confidence: ConfidenceModel): string {
  const lines = [
    `${e.entries} entries, ${e.queries} queries (${e.modes[0]?.retrieval.inScope ?? 0} in scope, ${e.modes[0]?.retrieval.outOfScope ?? 0} the FAQ does not answer), profile ${e.profile}${e.language ? `, language ${e.language}` : ''}`,
    `confidence model: ${confidence.fittedOn}; answer at P(right) ≥ ${num(confidence.answerAt)}, suggest at P(in top 3) ≥ ${num(confidence.suggestAt)}`,
    '',
    'mode     top-1  top-3  top-5    MRR | answer policy: precision answered unanswerable-answered suggested self-service | AUROC',
  ];
  const policyLine = (p: PolicyMetrics) =>
    `${pct(p.precision).padStart(24)} ${pct(p.coverage).padStart(8)} ${pct(p.unanswerableAnswered).padStart(21)} ${String(p.suggested).padStart(9)} ${pct(p.selfService).padStart(12)}`;
  for (const m of e.modes) {
    const r = m.retrieval;
    lines.push(
      `${m.mode.padEnd(8)} ${pct(r.top1).padStart(5)}  ${pct(r.top3).padStart(5)}  ${pct(r.top5).padStart(5)}  ${num(r.mrr)} |${policyLine(m.policy)} | ${num(m.auroc)}`,
    );
  }
  for (const m of e.modes) {
    const d = m.decisions;
    if (!d) continue;
    lines.push(
      `${m.mode.padEnd(8)} as the bot decides: ${d.answered} answered directly (${d.answeredRight} right, precision ${pct(d.precision)}%), ${d.suggested} lists (${d.suggestedRight} holding the answer), ${d.escalated} handed over, ${d.other} greetings and the like; self-service ${pct(d.selfService)}% of in-scope; questions the FAQ does not answer answered: ${pct(d.unanswerableAnswered)}%`,
    );
  }
  const decided = e.modes[0]?.decisions;
  if (decided && Object.keys(decided.byKind).length > 1) {
    lines.push(
      '',
      `by kind (${e.modes[0]?.mode}, as the bot decides): questions answered answered-right suggested lists-right handed-over`,
    );
    for (const [kind, k] of Object.entries(decided.byKind))
      lines.push(
        `  ${kind.padEnd(18)} ${String(k.questions).padStart(5)} ${String(k.answered).padStart(8)} ${String(k.answeredRight).padStart(14)} ${String(k.suggested).padStart(9)} ${String(k.suggestedRight).padStart(11)} ${String(k.escalated).padStart(11)}`,
      );
  }
  const kinds = Object.keys(e.modes[0]?.policy.byKind ?? {});
  if (!decided && kinds.length > 1) {
    lines.push('', 'by kind (first mode): questions answered answered-right suggested escalated');
    for (const [kind, k] of Object.entries(e.modes[0]?.policy.byKind ?? {}))
      lines.push(
        `  ${kind.padEnd(18)} ${String(k.questions).padStart(5)} ${String(k.answered).padStart(8)} ${String(k.answeredRight).padStart(14)} ${String(k.suggested).padStart(9)} ${String(k.escalated).padStart(9)}`,
      );
  }
  for (const m of e.modes) {
    const cal = m.calibration;
    if (!cal) continue;
    if ('error' in cal) {
      lines.push('', `${m.mode}: no confidence model: ${cal.error}`);
      continue;
    }
    const x = cal.model.expected;
    lines.push(
      '',
      `${m.mode}: fitted for precision ${pct(cal.model.targetPrecision)}%: answer at P(right) ≥ ${num(cal.model.answerAt)}, suggest at ≥ ${num(cal.model.suggestAt)}`,
      x
        ? `  on held-out folds: precision ${pct(x.precision)}% (95% interval ${pct(x.low)}–${pct(x.high)}), ${pct(x.coverage)}% of in-scope answered directly, target met in ${x.foldsMet} of ${x.folds} folds`
        : '',
    );
  }
  return lines.join('\n');
}
