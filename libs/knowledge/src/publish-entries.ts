import type {
  CollectionVersion,
  Embedder,
  KnowledgeRepository,
  KnowledgeVersionRecord,
  PublicationMode,
  VectorStore,
} from '@answerbridge/core';
import { activeEntries, entriesOfVersion } from './active-entries';
import type { FaqEntry } from './faq-entry';
import { planImport, type ImportPlan } from './import/import-plan';
import { ingestKnowledgeBase, type IngestOptions, type IngestResult } from './ingest-knowledge-base';

export interface RecordedEntries {
  entries: FaqEntry[];
  /** The revision to publish on (null: nothing was ever published to the system of record). */
  revision: number | null;
  /** database: the system of record; index: the active search-index version (the first run after upgrading). */
  from: 'database' | 'index';
}

/**
 * A knowledge base's entries as they are: the system of record's; where it has none yet (a knowledge base built
 * before it existed), those of the active search-index version, so the first publication imports them.
 */
export async function recordedEntries(
  repository: KnowledgeRepository,
  store: VectorStore,
  knowledgeBase: string,
): Promise<RecordedEntries> {
  const recorded = await repository.current(knowledgeBase);
  if (recorded) return { entries: recorded.entries, revision: recorded.revision, from: 'database' };
  return { entries: await activeEntries(store, knowledgeBase), revision: null, from: 'index' };
}

export interface Publication {
  knowledgeBase: string;
  /** What the changes were planned on (RecordedEntries.revision). */
  basedOn: number | null;
  /** Every entry of the knowledge base after it (the plan's, with learned phrasings merged). */
  entries: FaqEntry[];
  plan: Pick<ImportPlan, 'added' | 'changed' | 'removed'>;
  by: string;
  source: string;
  mode: PublicationMode;
}

export interface Published {
  version: KnowledgeVersionRecord;
  result: IngestResult;
}

/**
 * Publishes a knowledge base: the entries and what changed are written to the system of record first (one
 * transaction, refused when someone published meanwhile), then the search-index version is built from those
 * same entries and recorded against it. When the build fails the entries stay recorded, the version is marked
 * failed, and the error is passed on: the next publication builds from what is recorded.
 */
export async function publishEntries(
  deps: { repository: KnowledgeRepository; store: VectorStore; embedder: Embedder },
  p: Publication,
  options: IngestOptions = {},
): Promise<Published> {
  const version = await deps.repository.publish({
    knowledgeBase: p.knowledgeBase,
    basedOn: p.basedOn,
    entries: p.entries,
    added: p.plan.added,
    changed: p.plan.changed.map((c) => ({ before: c.before, after: c.after })),
    removed: p.plan.removed,
    by: p.by,
    source: p.source,
    mode: p.mode,
  });
  let result: IngestResult;
  try {
    result = await ingestKnowledgeBase(deps.store, deps.embedder, p.knowledgeBase, p.entries, options);
  } catch (error) {
    await deps.repository.markFailed(version.id, (error as Error).message).catch(() => undefined);
    throw error;
  }
  await deps.repository.markBuilt(version.id, {
    number: result.version.version,
    collection: result.version.collection,
  });
  return {
    version: { ...version, status: 'published', number: result.version.version, collection: result.version.collection },
    result,
  };
}

/**
 * Records a rollback of the search index (an earlier version made active again) as a publication of that
 * version's entries, so the system of record says what askers are answered from, and the next `kb ingest`
 * plans on it. Nothing is recorded for a knowledge base the system of record has never had.
 */
export async function recordRollback(
  deps: { repository: KnowledgeRepository; store: VectorStore },
  knowledgeBase: string,
  to: CollectionVersion,
  by: string,
  source = `kb rollback to v${to.version}`,
): Promise<KnowledgeVersionRecord | null> {
  const current = await deps.repository.current(knowledgeBase);
  if (!current) return null;
  const entries = await entriesOfVersion(deps.store, to.collection, knowledgeBase);
  const plan = planImport(current.entries, entries, 'replace');
  const version = await deps.repository.publish({
    knowledgeBase,
    basedOn: current.revision,
    entries: plan.entries,
    added: plan.added,
    changed: plan.changed.map((c) => ({ before: c.before, after: c.after })),
    removed: plan.removed,
    by,
    source,
    mode: 'rollback',
  });
  await deps.repository.markBuilt(version.id, { number: to.version, collection: to.collection });
  return { ...version, status: 'published', number: to.version, collection: to.collection };
}

/** What a rebuild did: the publication it was recorded as (null: nothing recorded to rebuild from). */
export interface Rebuilt {
  entries: number;
  published: Published;
}

/**
 * Builds a new search-index version from the entries the system of record holds, and makes it active: after
 * Milvus lost its data, or to search with another embedding model. It is recorded as a publication that changes
 * no entry (source `reason`), so the history says when and by whom the index was rebuilt. Null when nothing was
 * ever recorded for the knowledge base: there is nothing to rebuild from.
 */
export async function rebuildIndex(
  deps: { repository: KnowledgeRepository; store: VectorStore; embedder: Embedder },
  knowledgeBase: string,
  by: string,
  reason: string,
  options: IngestOptions = {},
): Promise<Rebuilt | null> {
  const recorded = await deps.repository.current(knowledgeBase);
  if (!recorded) return null;
  const published = await publishEntries(
    deps,
    {
      knowledgeBase,
      basedOn: recorded.revision,
      entries: recorded.entries,
      plan: { added: [], changed: [], removed: [] },
      by,
      source: reason,
      mode: 'replace',
    },
    options,
  );
  return { entries: recorded.entries.length, published };
}
