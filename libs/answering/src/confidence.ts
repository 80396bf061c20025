/**
 * How sure the bot is that its best knowledge-base match is right: a probability, not a raw cosine.
 *
 * A cosine alone cannot say it: an unrelated question can score high on a short entry, and two close
 * entries ("转账多久到账" / "转账一直在处理中") score alike for a question only one of them answers. So the
 * evidence is several signals of one ranked list — the best cosine, its margin to the best *other* entry,
 * whether word matching (BM25) agrees, how many of the entry's phrasings match — combined by logistic
 * models fitted on labelled questions (libs/knowledge fits them, cross-validated). Pure: no I/O.
 */

/** What the evidence is read from: the ranked candidates of one search, best first. */
export interface RankedMatch {
  entryId: string;
  /** Best cosine of the entry's questions, when the dense search saw it. */
  dense: number | null;
  /** Best BM25 score of the entry's questions, when the keyword search saw it. */
  keyword: number | null;
  /** How many of the entry's questions scored close to its best (several phrasings agreeing). */
  phrasings?: number;
  /** The reranker's score, when one rescored the list (a probability for Qwen3-Reranker). */
  rerank?: number | null;
  /** The share of the question's terms the entry's texts never mention (0 when not measured). */
  uncovered?: number;
}

/**
 * Every feature the evidence has; a model names the ones it reads, in its own order. `uncovered` is the
 * share of the question's terms none of the entry's texts mention (a near miss asks for what the entry does
 * not talk about; libs/knowledge measures it). `logMargin` is the
 * margin on a log scale: a lead's evidence has diminishing returns (0.001 → 0.01 says far more than 0.1 →
 * 0.11), and a model on it stays monotone, unlike one with squares or products of features, which can lower
 * P(right) for a clearer lead than any it was fitted on (a small FAQ of unrelated entries).
 */
export const EVIDENCE_FEATURES = [
  'dense',
  'margin',
  'logMargin',
  'keywordShare',
  'keywordAgrees',
  'phrasings',
  'rerank',
  'uncovered',
] as const;
export type EvidenceFeature = (typeof EVIDENCE_FEATURES)[number];
export type MatchEvidence = Record<EvidenceFeature, number>;

/**
 * A lead this small counts as no lead on the log scale (log of 0 is not a number). On Banking77 0.001–0.005
 * answered within a point of each other (bench/quality/CONFIDENCE.md).
 */
export const LEAD_FLOOR = 0.002;

/** How many candidates the evidence looks at: what the search hands the policy. */
export const EVIDENCE_DEPTH = 5;

/**
 * The evidence about the top candidate of a ranked list (null when the list is empty). Only the first
 * EVIDENCE_DEPTH candidates are read, so fitting (on evaluation lists) and serving see the same thing.
 */
export function evidenceOf(ranked: readonly RankedMatch[]): MatchEvidence | null {
  const list = ranked.slice(0, EVIDENCE_DEPTH);
  const top = list[0];
  if (!top) return null;
  const dense = top.dense ?? 0;
  const others = list.slice(1).map((c) => c.dense ?? 0);
  const runnerUp = others.length ? Math.max(...others) : 0;
  const keywordScores = list.map((c) => c.keyword ?? 0);
  const bestKeyword = Math.max(...keywordScores);
  const topKeyword = top.keyword ?? 0;
  const margin = dense - runnerUp;
  return {
    dense,
    margin,
    logMargin: Math.log(Math.max(margin, 0) + LEAD_FLOOR),
    keywordShare: bestKeyword > 0 ? topKeyword / bestKeyword : 0,
    keywordAgrees: bestKeyword > 0 && topKeyword >= bestKeyword ? 1 : 0,
    phrasings: Math.min(top.phrasings ?? 1, 3),
    rerank: top.rerank ?? 0,
    uncovered: top.uncovered ?? 0,
  };
}

/** A logistic model over standardized features: P = σ(bias + Σ weightᵢ · (xᵢ − meanᵢ) / scaleᵢ). */
export interface LogisticModel {
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

export function logisticProbability(model: LogisticModel, x: readonly number[]): number {
  let z = model.bias;
  for (let i = 0; i < model.weights.length; i++)
    z += (model.weights[i] ?? 0) * (((x[i] ?? 0) - (model.mean[i] ?? 0)) / (model.scale[i] || 1));
  return 1 / (1 + Math.exp(-z));
}

/** What a calibration promised on the questions it was fitted on, measured on held-out folds. */
export interface ExpectedPrecision {
  /** Precision of direct answers on held-out questions, with a 95% interval. */
  precision: number;
  low: number;
  high: number;
  /** Share of in-scope questions answered directly. */
  coverage: number;
  /** Share of questions the knowledge base does not answer (near misses, out of scope) answered anyway. */
  unanswerableAnswered: number | null;
  /** Outer cross-validation: folds whose held-out precision met the target, of all folds. */
  foldsMet: number;
  folds: number;
  queries: number;
}

/**
 * A fitted confidence model: P(the top entry is right) decides a direct answer, P(the right entry is
 * among the first three) decides whether a "did you mean" list is worth showing.
 */
export interface ConfidenceModel {
  features: EvidenceFeature[];
  right: LogisticModel;
  inTop3: LogisticModel;
  /** Answer directly when P(right) ≥ this: chosen on a lower confidence bound of held-out precision. */
  answerAt: number;
  /** Offer suggestions when P(right entry in the top three) ≥ this; below, hand over to a person. */
  suggestAt: number;
  /** The precision the answer threshold was chosen for. */
  targetPrecision: number;
  /** False for a stand-in built from cosine thresholds (no labelled questions behind it). */
  calibrated: boolean;
  /** What it was fitted on, for people reading the record. */
  fittedOn: string;
  expected: ExpectedPrecision | null;
}

export interface Assessment {
  /** P(the top entry answers the question). */
  right: number;
  /** P(the entry that answers it is among the first three). */
  inTop3: number;
  evidence: MatchEvidence;
}

export function assess(ranked: readonly RankedMatch[], model: ConfidenceModel): Assessment | null {
  const evidence = evidenceOf(ranked);
  if (!evidence) return null;
  const x = model.features.map((f) => evidence[f]);
  return { right: logisticProbability(model.right, x), inTop3: logisticProbability(model.inTop3, x), evidence };
}

/** What the probabilities call for: the one rule the policy, `kb eval` and `kb search` all apply. */
export function verdictOf(assessment: Assessment, model: ConfidenceModel): 'answer' | 'suggest' | 'escalate' {
  if (assessment.right >= model.answerAt) return 'answer';
  return assessment.inTop3 >= model.suggestAt ? 'suggest' : 'escalate';
}

/**
 * The stand-in for a model profile (or reranker) nobody has fitted yet: the profile's cosine thresholds turned into a
 * steep curve on the top cosine (P = 0.5 at the threshold), so behaviour matches plain thresholds. It is
 * marked uncalibrated: its "probabilities" are not measured, and `kb calibrate` should replace it.
 */
export function thresholdModel(
  answerCosine: number,
  suggestCosine: number,
  feature: 'dense' | 'rerank' = 'dense',
): ConfidenceModel {
  const steep = (at: number): LogisticModel => ({ mean: [at], scale: [0.005], weights: [1], bias: 0 });
  return {
    features: [feature],
    right: steep(answerCosine),
    inTop3: steep(suggestCosine),
    answerAt: 0.5,
    suggestAt: 0.5,
    targetPrecision: 0,
    calibrated: false,
    fittedOn: `${feature === 'dense' ? 'cosine' : 'reranker'} thresholds ${answerCosine} / ${suggestCosine} (not calibrated)`,
    expected: null,
  };
}
