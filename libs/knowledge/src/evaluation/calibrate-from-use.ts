import { entriesOfVersion } from '../active-entries';
import { createHash } from 'node:crypto';
import { thresholdModel, type ConfidenceModel } from '@answerbridge/answering';
import {
  AnswerbridgeError,
  CachingEmbedder,
  KnowledgeBaseNotFoundError,
  type Embedder,
  type VectorStore,
} from '@answerbridge/core';
import type { Fusion, SearchMode } from '../fuse-candidates';
import { mergeLearnedPhrasings, normalizedWording, type LearnedPhrasing } from '../learned-phrasing';
import type { KnowledgeBaseCalibration } from './calibrate-knowledge-base';
import type { EvalQuery } from './eval-queries';
import { evaluateKnowledgeBase } from './evaluate-knowledge-base';
import { fitConfidenceModel, type LabelledMatch } from './fit-confidence';
import { policyMetrics, type PolicyMetrics } from './policy-metrics';

export interface CalibrateFromUseOptions {
  targetPrecision: number;
  /** The bot's search: the questions are searched as its worker searches. */
  mode: SearchMode;
  fusion: Fusion;
  /** @defaultValue 5 */
  folds?: number;
  /**
   * Share of entries left out of each fold's knowledge base: their learned questions become questions the
   * knowledge base does not answer, so the model also learns what a near miss looks like. @defaultValue 0.2
   */
  leaveOut?: number;
  onProgress?: (fold: number, folds: number) => void;
  /**
   * The model the bot decides with now. It is kept, and the new one not recorded, when on these same held-out
   * questions it meets the target and answers more of them directly than the new one is expected to.
   */
  inUse?: ConfidenceModel;
  /** Record the new model even when the one in use does better on these questions. */
  force?: boolean;
}

export interface CalibrationFromUse extends KnowledgeBaseCalibration {
  questions: number;
  /** Whether the new model was recorded (the worker decides with it) or the one in use was kept. */
  recorded: boolean;
  /** What the model in use does on the same held-out questions, when one was given. */
  inUse: PolicyMetrics | null;
}

/** Below this many learned questions a calibration says more about chance than about the knowledge base. */
export const MIN_LEARNED_FOR_CALIBRATION = 100;

/**
 * Whether the model in use stays. An uncalibrated stand-in never does. A calibrated one stays when the new model
 * misses its own target held out (nothing better was found: learned wordings are the hard residue, and on
 * Banking77 a model fitted on them expected 96.6% while answering 2.8% of them, and would have taken the bot from
 * 58% of questions answered to 11%: bench/quality/LEARNING.md), or when on the same held-out questions it
 * answers some directly, meets the new target, and answers a larger share of in-scope ones than the new model
 * is expected to.
 */
export function keepsModelInUse(
  inUse: ConfidenceModel,
  inUseOnQuestions: PolicyMetrics | null,
  fitted: ConfidenceModel,
): boolean {
  if (!inUse.calibrated) return false;
  if ((fitted.expected?.precision ?? 0) < fitted.targetPrecision) return true;
  if (inUseOnQuestions === null || inUseOnQuestions.answered === 0) return false;
  return (
    inUseOnQuestions.precision >= fitted.targetPrecision && inUseOnQuestions.coverage > (fitted.expected?.coverage ?? 0)
  );
}

const bucket = (text: string, n: number) => createHash('sha1').update(text).digest().readUInt32BE(0) % n;

/**
 * Fits a knowledge base's confidence model on what it learned from use: the askers' own wordings that a
 * pick or an agent tied to an entry are labelled questions in the words real askers use. Each is searched
 * against a copy of the knowledge base that does not hold it (k folds), and each fold also leaves a share
 * of entries out, so their questions stand for the near misses a knowledge base meets. The model is
 * recorded with the active version, as `kb calibrate` records one: the worker decides with it.
 */
export async function calibrateFromUse(
  store: VectorStore,
  embedder: Embedder,
  knowledgeBase: string,
  phrasings: LearnedPhrasing[],
  options: CalibrateFromUseOptions,
): Promise<CalibrationFromUse> {
  const folds = options.folds ?? 5;
  const leaveOut = options.leaveOut ?? 0.2;
  const version = (await store.listVersions(knowledgeBase)).find((v) => v.active);
  if (!version) throw new KnowledgeBaseNotFoundError(knowledgeBase);
  const learnedKeys = new Set(phrasings.map((p) => `${p.entryId}\u0000${normalizedWording(p.text)}`));
  // The live version already holds approved phrasings as rows: they are the held-out questions here, not phrasings.
  const entries = (await entriesOfVersion(store, version.collection, knowledgeBase)).map((e) => ({
    ...e,
    similar: e.similar.filter((s) => !learnedKeys.has(`${e.id}\u0000${normalizedWording(s)}`)),
  }));
  const ids = new Set(entries.map((e) => e.id));
  const usable = phrasings.filter((p) => ids.has(p.entryId));
  if (usable.length < MIN_LEARNED_FOR_CALIBRATION)
    throw new AnswerbridgeError(
      'KNOWLEDGE.TOO_FEW_TO_CALIBRATE',
      `too few questions learned from use to calibrate ${knowledgeBase}: ${usable.length} (need ${MIN_LEARNED_FOR_CALIBRATION}); approve more learned phrasings, or calibrate on a labelled file`,
      false,
    );
  // Every fold's knowledge base is embedded from the same texts: embed each once.
  const cached = new CachingEmbedder(embedder, entries.length * 4 + usable.length * 2 + 1_000, { passages: true });
  const cases: LabelledMatch[] = [];
  for (let fold = 0; fold < folds; fold++) {
    options.onProgress?.(fold, folds);
    const out = new Set(entries.filter((e) => bucket(`${fold}:${e.id}`, 1_000) < leaveOut * 1_000).map((e) => e.id));
    const held = usable.filter((p) => bucket(p.id, folds) === fold);
    const kept = usable.filter((p) => bucket(p.id, folds) !== fold && !out.has(p.entryId));
    const foldEntries = mergeLearnedPhrasings(
      entries.filter((e) => !out.has(e.id)),
      kept,
    ).entries;
    const queries: EvalQuery[] = held.map((p) => ({
      query: p.text,
      expectedId: out.has(p.entryId) ? null : p.entryId,
      kind: out.has(p.entryId) ? 'left-out entry' : 'learned',
    }));
    const evaluation = await evaluateKnowledgeBase(store, cached, foldEntries, queries, {
      modes: [options.mode],
      fusion: options.fusion,
      // Only the ranked lists are read here; the model is fitted on them below.
      confidence: thresholdModel(1, 1),
      keywordThreshold: Number.POSITIVE_INFINITY,
      dropAfter: true,
    });
    for (const o of evaluation.modes[0]?.outcomes ?? []) cases.push({ ranked: o.ranked, expectedId: o.expectedId });
  }
  const model = fitConfidenceModel(cases, {
    targetPrecision: options.targetPrecision,
    fittedOn: `${usable.length} questions learned from use on ${knowledgeBase} v${version.version} (${folds} folds, ${Math.round(leaveOut * 100)}% of entries left out per fold), ${options.mode} search`,
  });
  // Learned wordings are the questions the bot did not answer directly: the hard residue. A model fitted on them
  // alone can be far stricter than the one in use (bench/quality/LEARNING.md), so it replaces that one only when
  // the one in use misses the target on these questions, or answers fewer of them than the new one is expected to.
  const inUse = options.inUse ? policyMetrics(options.inUse, cases) : null;
  const keep = !options.force && options.inUse !== undefined && keepsModelInUse(options.inUse, inUse, model);
  if (!keep) await store.recordConfidence(version.collection, JSON.stringify(model));
  return {
    version: keep ? version : { ...version, calibrated: true },
    model,
    policy: policyMetrics(model, cases),
    questions: usable.length,
    recorded: !keep,
    inUse,
  };
}
