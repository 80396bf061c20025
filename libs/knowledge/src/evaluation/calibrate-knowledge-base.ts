import { EVIDENCE_DEPTH, EVIDENCE_FEATURES, type ConfidenceModel } from '@answerbridge/answering';
import { KnowledgeBaseNotFoundError, type CollectionVersion, type VectorStore } from '@answerbridge/core';
import { z } from 'zod';
import type { KnowledgeSearcher } from '../knowledge-searcher';
import type { EvalQuery } from './eval-queries';
import { fitConfidenceModel } from './fit-confidence';
import { policyMetrics, type PolicyMetrics } from './policy-metrics';

const Logistic = z.object({
  mean: z.array(z.number()),
  scale: z.array(z.number()),
  weights: z.array(z.number()),
  bias: z.number(),
});
const ConfidenceModelSchema = z.object({
  features: z.array(z.enum(EVIDENCE_FEATURES)).min(1),
  right: Logistic,
  inTop3: Logistic,
  answerAt: z.number(),
  suggestAt: z.number(),
  targetPrecision: z.number(),
  calibrated: z.boolean(),
  fittedOn: z.string(),
  expected: z
    .object({
      precision: z.number(),
      low: z.number(),
      high: z.number(),
      coverage: z.number(),
      unanswerableAnswered: z.number().nullable(),
      foldsMet: z.number(),
      folds: z.number(),
      queries: z.number(),
    })
    .nullable(),
});

/** A mean, a scale and a weight per feature the model reads. */
function wellFormed(model: z.infer<typeof Logistic>, features: number): boolean {
  return model.mean.length === features && model.scale.length === features && model.weights.length === features;
}

/** A recorded model read back; null when it is not one (then the bot keeps its default, and says so). */
export function parseConfidenceModel(json: string): ConfidenceModel | null {
  try {
    const parsed = ConfidenceModelSchema.safeParse(JSON.parse(json));
    if (!parsed.success) return null;
    const { features, right, inTop3 } = parsed.data;
    return wellFormed(right, features.length) && wellFormed(inTop3, features.length) ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface KnowledgeBaseCalibration {
  version: CollectionVersion;
  model: ConfidenceModel;
  /** What the policy does with the model on the same questions (in-sample; `model.expected` is held out). */
  policy: PolicyMetrics;
}

/**
 * Fits a confidence model on labelled questions searched exactly as the worker searches this knowledge base
 * (its active version, the bot's search settings), and records it with that version: from then on the worker
 * decides with it. Another ingest makes another version, which starts without one.
 */
export async function calibrateKnowledgeBase(
  store: VectorStore,
  searcher: KnowledgeSearcher,
  knowledgeBase: string,
  queries: EvalQuery[],
  options: { targetPrecision: number },
): Promise<KnowledgeBaseCalibration> {
  const version = (await store.listVersions(knowledgeBase)).find((v) => v.active);
  if (!version) throw new KnowledgeBaseNotFoundError(knowledgeBase);
  const lists = await searcher.searchMany(
    knowledgeBase,
    queries.map((q) => q.query),
    EVIDENCE_DEPTH,
  );
  const cases = queries.map((q, i) => ({
    ranked: lists[i] ?? [],
    expectedId: q.expectedId,
    ...(q.kind ? { kind: q.kind } : {}),
  }));
  const model = fitConfidenceModel(cases, {
    targetPrecision: options.targetPrecision,
    fittedOn: `${queries.length} labelled questions on ${knowledgeBase} v${version.version}`,
  });
  await store.recordConfidence(version.collection, JSON.stringify(model));
  return { version: { ...version, calibrated: true }, model, policy: policyMetrics(model, cases) };
}
