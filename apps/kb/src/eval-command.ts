import { writeFileSync } from 'node:fs';
import type { AppConfig } from '@answerbridge/config';
import { evaluateKnowledgeBase, loadEvalQueries, loadFaqFile, type Evaluation, type SearchMode } from '@answerbridge/knowledge';
import cliProgress from 'cli-progress';
import { createKnowledgeServices } from '@answerbridge/pipeline';

export interface EvalCommandOptions {
  modes: SearchMode[];
  targetPrecision: number;
  targetOutOfScopeRejection: number;
  errorsFile: string;
  showProgress: boolean;
  /** Which language's search settings hybrid uses. */
  language: 'zh' | 'en';
}

export async function evalCommand(config: AppConfig, faqFile: string, queriesFile: string, options: EvalCommandOptions): Promise<Evaluation> {
  const entries = loadFaqFile(faqFile);
  const queries = loadEvalQueries(queriesFile, new Set(entries.map((e) => e.id)));
  const { embedder, store, thresholds, searchFor } = createKnowledgeServices(config);
  const search = searchFor(options.language);
  const bar = options.showProgress ? new cliProgress.SingleBar({ format: 'evaluating {bar} {value}/{total}', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  try {
    await store.ready();
    bar?.start(queries.length * options.modes.length, 0);
    const evaluation = await evaluateKnowledgeBase(store, embedder, entries, queries, {
      modes: options.modes,
      fusion: search.fusion,
      answerThreshold: thresholds.answer,
      targetPrecision: options.targetPrecision,
      targetOutOfScopeRejection: options.targetOutOfScopeRejection,
      onProgress: (done) => bar?.update(done),
    });
    const errors = evaluation.modes.flatMap((m) =>
      m.outcomes
        .filter((o) => (o.expectedId !== null && o.rank !== 1) || (o.expectedId === null && o.confidence >= thresholds.answer))
        .map((o) => ({ mode: m.mode, ...o })),
    );
    writeFileSync(options.errorsFile, errors.map((e) => JSON.stringify(e)).join('\n') + (errors.length ? '\n' : ''));
    return evaluation;
  } finally {
    bar?.stop();
    await store.close();
  }
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : (100 * x).toFixed(1));
const num = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));

export function formatEvaluation(e: Evaluation, answerThreshold: number, withCalibration: boolean): string {
  const lines = [
    `${e.entries} entries, ${e.queries} queries (${e.modes[0]?.retrieval.inScope ?? 0} in scope, ${e.modes[0]?.retrieval.outOfScope ?? 0} out of scope), profile ${e.profile}`,
    '',
    'mode     top-1  top-3  top-5    MRR | at threshold ' + answerThreshold.toFixed(3) + ': precision coverage OOS-rejected | AUROC',
  ];
  for (const m of e.modes) {
    const r = m.retrieval;
    const c = m.configured;
    lines.push(
      `${m.mode.padEnd(8)} ${pct(r.top1).padStart(5)}  ${pct(r.top3).padStart(5)}  ${pct(r.top5).padStart(5)}  ${num(r.mrr)} |` +
        `${pct(c.answerPrecision).padStart(24)} ${pct(c.coverage).padStart(8)} ${pct(c.outOfScopeRejection).padStart(12)} | ${num(m.auroc)}`,
    );
  }
  if (!withCalibration) return lines.join('\n');
  lines.push('', 'calibration (lowest answer threshold reaching the target precision and out-of-scope rejection):');
  for (const m of e.modes) {
    const cal = m.calibration;
    lines.push(
      cal.answerThreshold === null
        ? `${m.mode.padEnd(8)} no threshold reaches precision ${pct(cal.targetPrecision)}% with ${pct(cal.targetOutOfScopeRejection)}% of out-of-scope questions refused`
        : `${m.mode.padEnd(8)} answer ≥ ${num(cal.answerThreshold)}: precision ${pct(cal.atAnswer?.answerPrecision)}%, coverage ${pct(cal.atAnswer?.coverage)}%, OOS rejected ${pct(cal.atAnswer?.outOfScopeRejection)}%` +
            `; suggest ≥ ${num(cal.suggestThreshold)}`,
    );
  }
  return lines.join('\n');
}
