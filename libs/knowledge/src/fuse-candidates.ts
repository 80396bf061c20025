import type { SearchHit } from '@answerbridge/core';
import { prototypeStatsOf, type PrototypeStats } from './entry-prototypes';

export type SearchMode = 'dense' | 'keyword' | 'hybrid';

export type Fusion = { method: 'rrf'; k: number } | { method: 'weighted'; denseWeight: number };

export interface Candidate {
  entryId: string;
  /** The indexed question that matched best (canonical or similar). */
  matchedQuestion: string;
  /** The entry's canonical question. */
  question: string;
  answer: string;
  meta: Record<string, unknown>;
  /** Ranking score of the mode used (cosine, BM25, or fused). */
  score: number;
  /** Best cosine similarity of the entry's questions, when the dense search saw it. */
  dense: number | null;
  /** Best BM25 score of the entry's questions, when the keyword search saw it. */
  keyword: number | null;
  /** How many of the entry's questions the dense search found within PHRASING_BAND of its best. */
  phrasings: number;
  /** The reranker's score, when a reranker rescored the list. */
  rerank?: number;
  /**
   * The share of the question's terms that none of the entry's texts the search saw (its matched questions,
   * canonical question and answer) mention; set on the candidates the answer policy reads.
   */
  uncovered?: number;
  /**
   * What thresholds compare against: the dense cosine of the entry (comparable across queries and
   * knowledge bases, unlike BM25 or fused scores); in keyword mode, the BM25 score.
   */
  confidence: number;
}

interface EntryScores {
  hit: SearchHit;
  dense: number | null;
  keyword: number | null;
  phrasings: number;
}

/** Questions of one entry this close to its best cosine count as phrasings that agree. */
export const PHRASING_BAND = 0.02;

function phrasingCounts(denseHits: SearchHit[], best: Map<string, SearchHit>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const h of denseHits) {
    const top = best.get(h.entryId);
    if (top && h.score >= top.score - PHRASING_BAND) counts.set(h.entryId, (counts.get(h.entryId) ?? 0) + 1);
  }
  return counts;
}

function bestPerEntry(hits: SearchHit[]): Map<string, SearchHit> {
  const best = new Map<string, SearchHit>();
  for (const h of hits) {
    const prev = best.get(h.entryId);
    if (!prev || h.score > prev.score) best.set(h.entryId, h);
  }
  return best;
}

/** One entry per FAQ entry, with its best question per list, in list order (best first). */
function perEntry(best: Map<string, SearchHit>): SearchHit[] {
  return [...best.values()].sort((a, b) => b.score - a.score);
}

/**
 * How much of an entry's dense score its prototype (the mean of its questions' vectors, see
 * entry-prototypes.ts) carries; the rest is its closest question. Measured on Banking77 and the Chinese
 * sample (bench/quality): 0.5 raises top-1 by about 3 points on both over the closest question alone, and
 * separates right answers from wrong ones at least as well.
 */
export const PROTOTYPE_WEIGHT = 0.5;

/**
 * Each entry's dense score: its closest question blended with its prototype's cosine, which is the sum of
 * the query's cosines with the entry's questions over the length the rows carry. Questions the list did
 * not reach scored at most the list's weakest cosine, and are counted at it. An entry reached only by rows
 * that carry no stats (wordings approved since the version was built) gets the weakest cosine as its
 * prototype's; a version built before prototypes (no stats at all) scores by the closest question alone.
 */
function entryScores(bestQuestion: Map<string, SearchHit>, denseHits: SearchHit[]): SearchHit[] {
  const ranked = perEntry(bestQuestion);
  const withStats = denseHits.filter((h) => prototypeStatsOf(h.meta));
  if (withStats.length === 0) return ranked;
  const floor = Math.min(...denseHits.map((h) => h.score));
  const sums = new Map<string, { cosines: number; seen: number; stats: PrototypeStats }>();
  for (const h of withStats) {
    const stats = prototypeStatsOf(h.meta);
    if (!stats) continue;
    const acc = sums.get(h.entryId) ?? { cosines: 0, seen: 0, stats };
    acc.cosines += h.score;
    acc.seen += 1;
    sums.set(h.entryId, acc);
  }
  return ranked
    .map((hit) => {
      const acc = sums.get(hit.entryId);
      const prototype = acc
        ? (acc.cosines + Math.max(0, acc.stats.questions - acc.seen) * floor) / acc.stats.norm
        : floor;
      return { ...hit, score: (1 - PROTOTYPE_WEIGHT) * hit.score + PROTOTYPE_WEIGHT * prototype };
    })
    .sort((a, b) => b.score - a.score);
}

function minMax(values: number[]): (v: number) => number {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return (v) => (hi > lo ? (v - lo) / (hi - lo) : 1);
}

/**
 * Merges dense and keyword hits into ranked candidates (pure). RRF uses ranks only, so it needs no
 * score calibration between cosine and BM25; the weighted fusion min-max-normalizes each list per query.
 */
export function fuseCandidates(
  denseHits: SearchHit[],
  keywordHits: SearchHit[],
  mode: SearchMode,
  fusion: Fusion,
): Candidate[] {
  const bestDense = bestPerEntry(denseHits);
  const dense = entryScores(bestDense, denseHits);
  const keyword = perEntry(bestPerEntry(keywordHits));
  const phrasings = phrasingCounts(denseHits, bestDense);
  const entries = new Map<string, EntryScores>();
  for (const h of dense)
    entries.set(h.entryId, { hit: h, dense: h.score, keyword: null, phrasings: phrasings.get(h.entryId) ?? 1 });
  for (const h of keyword) {
    const e = entries.get(h.entryId);
    if (e) e.keyword = h.score;
    else entries.set(h.entryId, { hit: h, dense: null, keyword: h.score, phrasings: 0 });
  }
  // An entry the dense list did not reach scores no higher than the weakest dense hit it did reach.
  const denseFloor = dense.length ? Math.min(...dense.map((h) => h.score)) : 0;
  const denseRank = new Map(dense.map((h, i) => [h.entryId, i + 1]));
  const keywordRank = new Map(keyword.map((h, i) => [h.entryId, i + 1]));
  const normDense = minMax(dense.map((h) => h.score));
  const normKeyword = minMax(keyword.map((h) => h.score));

  const scored = [...entries.values()].flatMap((e): Candidate[] => {
    let score: number;
    if (mode === 'dense') {
      if (e.dense === null) return [];
      score = e.dense;
    } else if (mode === 'keyword') {
      if (e.keyword === null) return [];
      score = e.keyword;
    } else if (fusion.method === 'rrf') {
      const dr = denseRank.get(e.hit.entryId);
      const kr = keywordRank.get(e.hit.entryId);
      score = (dr ? 1 / (fusion.k + dr) : 0) + (kr ? 1 / (fusion.k + kr) : 0);
    } else {
      score =
        fusion.denseWeight * (e.dense === null ? 0 : normDense(e.dense)) +
        (1 - fusion.denseWeight) * (e.keyword === null ? 0 : normKeyword(e.keyword));
    }
    const meta = e.hit.meta;
    return [
      {
        entryId: e.hit.entryId,
        matchedQuestion: e.hit.text,
        question: typeof meta.question === 'string' ? meta.question : e.hit.text,
        answer: e.hit.answer,
        meta,
        score,
        dense: e.dense,
        keyword: e.keyword,
        phrasings: e.phrasings,
        confidence: mode === 'keyword' ? (e.keyword ?? 0) : (e.dense ?? denseFloor),
      },
    ];
  });
  return scored.sort((a, b) => b.score - a.score || b.confidence - a.confidence);
}
