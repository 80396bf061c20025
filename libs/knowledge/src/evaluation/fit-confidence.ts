import {
  EVIDENCE_FEATURES,
  evidenceOf,
  logisticProbability,
  type ConfidenceModel,
  type EvidenceFeature,
  type ExpectedPrecision,
  type LogisticModel,
  type RankedMatch,
} from '@answerbridge/answering';
import { AnswerbridgeError } from '@answerbridge/core';

/** One labelled question: the candidates the search ranked for it, and the entry that answers it. */
export interface LabelledMatch {
  ranked: RankedMatch[];
  /** null: the knowledge base does not answer it (out of scope, or a near miss on a neighbouring need). */
  expectedId: string | null;
}

export interface FitOptions {
  /** Precision of direct answers to aim for, e.g. 0.97. */
  targetPrecision: number;
  /**
   * Offer "did you mean" when P(the right entry is among the first three) is at least this. A list is cheap (the
   * asker picks one, or asks for a person) and a fair reply to a near miss too; an in-scope question handed to a
   * person although its entry was among the first three costs an agent. A list of unrelated questions to an
   * out-of-scope one helps nobody, so the threshold is where few of those get one: at 0.2 the shipped models
   * self-served 94.7% of the Chinese set's in-scope questions (88.8% at 0.3) with a list for 5 of its 50
   * out-of-scope ones (3 at 0.3), and on CLINC150's domains, knowledge bases the English model never saw, 83%
   * instead of 75%, with a list for 4.5% of the out-of-scope questions instead of 2.4%
   * (bench/quality/CONFIDENCE.md, "The suggestion threshold").
   * @defaultValue 0.2
   */
  suggestAt?: number;
  /**
   * Cross-validation folds. @defaultValue 10 with at least 10 questions per fold, else 5: each model is
   * then fitted on nine tenths of the questions, and a fold's precision is judged on enough of them.
   */
  folds?: number;
  /**
   * How many standard errors below the observed precision the lower bound sits when thresholds are chosen
   * (Wilson score): 0.5 is a one-sided 69% bound, 1.645 a 95% one. Measured on the shipped sets
   * (bench/quality/CONFIDENCE.md), higher values gave up most direct answers without making held-out precision
   * surer: on a few hundred questions the bound, not the model, decides. @defaultValue 0.5
   */
  z?: number;
  /** Shuffles the folds. @defaultValue 1 */
  seed?: number;
  /** Said in the record: what the questions were. */
  fittedOn: string;
}

type Options = Required<Omit<FitOptions, 'fittedOn'>>;

/** The default suggestion threshold (FitOptions.suggestAt says how it was chosen). */
export const SUGGEST_AT = 0.2;

interface Sample {
  x: number[];
  right: boolean;
  inTop3: boolean;
  inScope: boolean;
}

/**
 * The model forms a fitting tries, as the features each reads: the margin as it is, or on a log scale
 * (diminishing returns of a clearer lead). The reranker's score is read only when the lists were reranked.
 */
function formsFor(matches: LabelledMatch[]): EvidenceFeature[][] {
  const reranked = matches.some((m) => m.ranked.some((c) => c.rerank !== undefined && c.rerank !== null));
  const read = EVIDENCE_FEATURES.filter((f) => f !== 'rerank' || reranked);
  return [read.filter((f) => f !== 'logMargin'), read.filter((f) => f !== 'margin')];
}

function samplesOf(matches: LabelledMatch[], features: EvidenceFeature[]): Sample[] {
  return matches.flatMap((m): Sample[] => {
    const evidence = evidenceOf(m.ranked);
    if (!evidence) return [];
    const rank = m.expectedId === null ? -1 : m.ranked.findIndex((c) => c.entryId === m.expectedId);
    return [
      {
        x: features.map((f) => evidence[f]),
        right: rank === 0,
        inTop3: rank >= 0 && rank < 3,
        inScope: m.expectedId !== null,
      },
    ];
  });
}

/** Solves A·v = b by Gaussian elimination with partial pivoting (A is small: features + 1). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] ?? 0]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]?.[c] ?? 0) > Math.abs(m[pivot]?.[c] ?? 0)) pivot = r;
    [m[c], m[pivot]] = [m[pivot] ?? [], m[c] ?? []];
    const head = m[c] ?? [];
    for (let r = 0; r < n; r++) {
      const row = m[r] ?? [];
      if (r === c || !head[c]) continue;
      const f = (row[c] ?? 0) / (head[c] ?? 1);
      for (let k = c; k <= n; k++) row[k] = (row[k] ?? 0) - f * (head[k] ?? 0);
    }
  }
  return m.map((row, i) => (row[n] ?? 0) / (row[i] || 1));
}

/**
 * L2-regularized logistic regression on standardized features, by Newton's method. The penalty keeps
 * weights finite when a small set happens to separate perfectly.
 */
export function fitLogistic(xs: number[][], ys: boolean[], l2 = 1): LogisticModel {
  const d = xs[0]?.length ?? 0;
  const mean = Array.from({ length: d }, (_, j) => xs.reduce((s, x) => s + (x[j] ?? 0), 0) / (xs.length || 1));
  const scale = Array.from(
    { length: d },
    (_, j) => Math.sqrt(xs.reduce((s, x) => s + ((x[j] ?? 0) - (mean[j] ?? 0)) ** 2, 0) / (xs.length || 1)) || 1,
  );
  const zs = xs.map((x) => [1, ...x.map((v, j) => (v - (mean[j] ?? 0)) / (scale[j] ?? 1))]);
  let w = new Array<number>(d + 1).fill(0);
  for (let iteration = 0; iteration < 100; iteration++) {
    const gradient = new Array<number>(d + 1).fill(0);
    const hessian = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    zs.forEach((z, i) => {
      const p = 1 / (1 + Math.exp(-z.reduce((s, v, j) => s + v * (w[j] ?? 0), 0)));
      const error = p - (ys[i] ? 1 : 0);
      const weight = Math.max(p * (1 - p), 1e-9);
      for (let a = 0; a <= d; a++) {
        gradient[a] = (gradient[a] ?? 0) + error * (z[a] ?? 0);
        const row = hessian[a] ?? [];
        for (let b = 0; b <= d; b++) row[b] = (row[b] ?? 0) + weight * (z[a] ?? 0) * (z[b] ?? 0);
      }
    });
    for (let a = 1; a <= d; a++) {
      gradient[a] = (gradient[a] ?? 0) + l2 * (w[a] ?? 0);
      const row = hessian[a] ?? [];
      row[a] = (row[a] ?? 0) + l2;
    }
    const step = solve(hessian, gradient);
    w = w.map((v, i) => v - (step[i] ?? 0));
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  return { mean, scale, weights: w.slice(1), bias: w[0] ?? 0 };
}

/** Wilson score interval bound: `z` standard errors below (z > 0) or above (z < 0) the observed k/n. */
export function wilsonBound(k: number, n: number, z: number): number {
  if (n === 0) return z > 0 ? 0 : 1;
  const p = k / n;
  const centre = p + (z * z) / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return Math.min(1, Math.max(0, (centre - spread) / (1 + (z * z) / n)));
}

/**
 * The lowest probability threshold whose answered set has a precision lower bound at or above the target
 * (so the most questions are answered while the bound holds); above 1 when none does (never answer).
 */
function chooseThreshold(scored: { p: number; ok: boolean }[], target: number, z: number): number {
  const sorted = [...scored].sort((a, b) => b.p - a.p);
  let threshold = 1.000001;
  let ok = 0;
  for (let i = 0; i < sorted.length; i++) {
    const here = sorted[i];
    if (!here) break;
    ok += here.ok ? 1 : 0;
    const boundary = i + 1 === sorted.length || (sorted[i + 1]?.p ?? -1) < here.p;
    if (boundary && wilsonBound(ok, i + 1, z) >= target) threshold = here.p;
  }
  return threshold;
}

function shuffledFolds(n: number, k: number, seed: number): number[][] {
  let state = seed >>> 0 || 1;
  const random = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  return Array.from({ length: k }, (_, f) => order.filter((_, i) => i % k === f));
}

interface Fitted {
  right: LogisticModel;
  inTop3: LogisticModel;
  answerAt: number;
  suggestAt: number;
}

/** Both models on all of `samples`; the answer threshold from out-of-fold predictions (never from their own). */
function fitWithThresholds(samples: Sample[], options: Options): Fitted {
  const fit = (of: Sample[], label: (s: Sample) => boolean) =>
    fitLogistic(
      of.map((s) => s.x),
      of.map(label),
    );
  const right = fit(samples, (s) => s.right);
  const inTop3 = fit(samples, (s) => s.inTop3);
  const outOfFold = samples.map(() => 0);
  for (const fold of shuffledFolds(samples.length, options.folds, options.seed)) {
    const held = new Set(fold);
    const r = fit(
      samples.filter((_, i) => !held.has(i)),
      (s) => s.right,
    );
    for (const i of fold) {
      const s = samples[i];
      if (s) outOfFold[i] = logisticProbability(r, s.x);
    }
  }
  const answerAt = chooseThreshold(
    samples.map((s, i) => ({ p: outOfFold[i] ?? 0, ok: s.right })),
    options.targetPrecision,
    options.z,
  );
  return { right, inTop3, answerAt, suggestAt: options.suggestAt };
}

/**
 * What fitting on these samples will do on new questions: the whole fitting, thresholds included, is
 * cross-validated (fit on k−1 folds, answer the held-out one).
 */
function heldOutPrecision(samples: Sample[], options: Options): { expected: ExpectedPrecision; answeredRight: number } {
  let answered = 0;
  let correct = 0;
  let inScopeAnswered = 0;
  let unanswerableAnswered = 0;
  let foldsMet = 0;
  for (const fold of shuffledFolds(samples.length, options.folds, options.seed + 1)) {
    const held = new Set(fold);
    const fitted = fitWithThresholds(
      samples.filter((_, i) => !held.has(i)),
      options,
    );
    const test = fold.flatMap((i) => (samples[i] ? [samples[i]] : []));
    const picked = test.filter((s) => logisticProbability(fitted.right, s.x) >= fitted.answerAt);
    const ok = picked.filter((s) => s.right).length;
    answered += picked.length;
    correct += ok;
    inScopeAnswered += picked.filter((s) => s.inScope).length;
    unanswerableAnswered += picked.filter((s) => !s.inScope).length;
    if (picked.length === 0 || ok / picked.length >= options.targetPrecision) foldsMet++;
  }
  const inScope = samples.filter((s) => s.inScope).length;
  const unanswerable = samples.length - inScope;
  return {
    expected: {
      precision: answered ? correct / answered : 1,
      low: wilsonBound(correct, answered, 1.96),
      high: wilsonBound(correct, answered, -1.96),
      coverage: inScope ? inScopeAnswered / inScope : 0,
      unanswerableAnswered: unanswerable ? unanswerableAnswered / unanswerable : null,
      foldsMet,
      folds: options.folds,
      queries: samples.length,
    },
    answeredRight: correct,
  };
}

type HeldOut = ReturnType<typeof heldOutPrecision>;

/**
 * Of two held-out results, whether the second is better: meeting the target precision first, then more
 * questions answered right (on a tie the first is kept: the simpler form comes first).
 */
function improves(kept: HeldOut, other: HeldOut, target: number): boolean {
  const keptMeets = kept.expected.precision >= target;
  const otherMeets = other.expected.precision >= target;
  if (keptMeets !== otherMeets) return otherMeets;
  return keptMeets ? other.answeredRight > kept.answeredRight : other.expected.precision > kept.expected.precision;
}

/**
 * Fits a confidence model on labelled questions and says what it will do on new ones: thresholds are
 * chosen on out-of-fold predictions against a lower confidence bound of precision, and the whole fitting
 * is itself cross-validated to report the expected precision with an interval and how often the target
 * held. Each model form (the margin as it is, or on a log scale) is cross-validated so, and the one that
 * answers more held-out questions right at the target is kept (Banking77's thousands of questions chose the
 * log scale, the Chinese sample's two hundred the plain margin: bench/quality/CONFIDENCE.md).
 */
export function fitConfidenceModel(matches: LabelledMatch[], fit: FitOptions): ConfidenceModel {
  const options = { suggestAt: SUGGEST_AT, folds: matches.length >= 100 ? 10 : 5, z: 0.5, seed: 1, ...fit };
  let chosen: { features: EvidenceFeature[]; samples: Sample[]; heldOut: HeldOut } | null = null;
  for (const features of formsFor(matches)) {
    const samples = samplesOf(matches, features);
    if (
      samples.length < options.folds * 4 ||
      samples.filter((s) => s.right).length < 5 ||
      samples.filter((s) => !s.right).length < 5
    ) {
      throw new AnswerbridgeError(
        'KNOWLEDGE.TOO_FEW_TO_CALIBRATE',
        `too few labelled questions to calibrate: ${samples.length} (need at least ${options.folds * 4}, with at least 5 answered right and 5 not)`,
        false,
      );
    }
    const heldOut = heldOutPrecision(samples, options);
    if (!chosen || improves(chosen.heldOut, heldOut, options.targetPrecision)) chosen = { features, samples, heldOut };
  }
  if (!chosen) throw new AnswerbridgeError('KNOWLEDGE.NO_MODEL_FORM', 'no confidence model form to fit', false);
  const final = fitWithThresholds(chosen.samples, options);
  return {
    features: chosen.features,
    right: final.right,
    inTop3: final.inTop3,
    answerAt: final.answerAt,
    suggestAt: final.suggestAt,
    targetPrecision: options.targetPrecision,
    calibrated: true,
    fittedOn: options.fittedOn,
    expected: chosen.heldOut.expected,
  };
}
