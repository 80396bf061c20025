import type { EscalationSettings } from '@answerbridge/config';
import {
  PostgresFaqDrafts,
  PostgresKnowledgeRepository,
  PostgresLearnedPhrasings,
  type Pool,
} from '@answerbridge/database';
import {
  FaqReview,
  recordAdditions,
  type FaqDraft,
  type FaqEntry,
  type LearnedPhrasing,
} from '@answerbridge/knowledge';
import { RedisReviewLegacy, type Redis } from '@answerbridge/redis';
import { retentionMs } from './escalation-services';
import type { KnowledgeServices } from './knowledge-services';

/**
 * The review queue as configured, for the worker (which proposes what it learns) and the console (where
 * editors approve): drafts in PostgreSQL for DATA_RETENTION_DAYS; what is approved becomes part of the recorded
 * entries (a publication by the approver) and is put into the live index at once.
 */
export function createFaqReview(
  config: EscalationSettings,
  database: Pool,
  knowledge: Pick<KnowledgeServices, 'store' | 'embedder'>,
): FaqReview {
  return new FaqReview({
    store: knowledge.store,
    embedder: knowledge.embedder,
    drafts: new PostgresFaqDrafts(database, retentionMs(config)),
    repository: new PostgresKnowledgeRepository(database),
    keepDecidedForMs: retentionMs(config),
  });
}

/** What moveReviewQueueFromRedis moved (counts of what PostgreSQL did not have yet). */
export interface ReviewQueueMoved {
  drafts: number;
  learnedPhrasings: number;
  /** Publications that recorded saved entries or phrasings among a knowledge base's entries. */
  publications: number;
  /** Redis keys deleted once all of it was stored. */
  keysDeleted: number;
}

/**
 * Moves what the review queue kept in Redis before PostgreSQL held it, once: drafts (with the time they had
 * left), approved phrasings, and approved saved entries, which join the recorded entries of their knowledge
 * base as a publication (with the phrasings). Whatever PostgreSQL already has stays as it is. The Redis keys
 * are deleted afterwards: nothing writes them any more, and an erased draft must not come back at the next
 * start. When a step fails nothing is deleted, and the next start tries again.
 */
export async function moveReviewQueueFromRedis(
  config: EscalationSettings,
  redis: Redis,
  database: Pool,
  knowledge: Pick<KnowledgeServices, 'store'>,
): Promise<ReviewQueueMoved> {
  const legacy = new RedisReviewLegacy(redis, config.QUEUE_PREFIX);
  const data = await legacy.read<FaqDraft, FaqEntry, LearnedPhrasing>();
  const moved: ReviewQueueMoved = { drafts: 0, learnedPhrasings: 0, publications: 0, keysDeleted: 0 };
  const drafts = new PostgresFaqDrafts(database, retentionMs(config));
  for (const { draft, expiresInMs } of data.drafts) if (await drafts.adopt(draft, expiresInMs)) moved.drafts += 1;
  const phrasings = new PostgresLearnedPhrasings(database);
  for (const [knowledgeBase, list] of data.learnedPhrasings)
    for (const p of list) if (await phrasings.adopt(knowledgeBase, p)) moved.learnedPhrasings += 1;
  const repository = new PostgresKnowledgeRepository(database);
  const knowledgeBases = new Set([...data.savedEntries.keys(), ...data.learnedPhrasings.keys()]);
  for (const knowledgeBase of knowledgeBases) {
    const version = await recordAdditions({ repository, store: knowledge.store }, knowledgeBase, {
      entries: data.savedEntries.get(knowledgeBase) ?? [],
      phrasings: data.learnedPhrasings.get(knowledgeBase) ?? [],
      replaceEntries: false,
      by: 'answerbridge',
      source: '从 Redis 迁入的已审核条目与问法 / approved entries and phrasings moved from Redis',
    });
    if (version) moved.publications += 1;
  }
  if (data.keys.length) moved.keysDeleted = await legacy.forget(data.keys);
  return moved;
}
