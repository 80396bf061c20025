import {
  ConflictError,
  type CollectionVersion,
  type KnowledgeRepository,
  type KnowledgeVersionRecord,
  type VectorStore,
} from '@answerbridge/core';
import { VersionNotFoundError } from './knowledge-versions';
import { recordRollback } from './publish-entries';

/** The version asked for was published, but its search-index collection is no longer there (pruned or lost). */
export class IndexVersionGoneError extends ConflictError {
  constructor(
    readonly knowledgeBase: string,
    readonly collection: string | null,
  ) {
    super(
      'KNOWLEDGE.VERSION_GONE',
      collection
        ? `the search index of that version (${collection}) no longer exists: it cannot be made live again; publish its entries anew instead`
        : 'that version was never built into the search index: it cannot be made live',
    );
  }
}

/** The version asked for is the live one already. */
export class VersionAlreadyActiveError extends ConflictError {
  constructor(readonly to: CollectionVersion) {
    super('KNOWLEDGE.VERSION_ACTIVE', `v${to.version} is already active`);
  }
}

/** Which earlier version: an index version number (kb rollback --to N), a recorded publication (the console), or the one before the active one. */
export type RollbackTarget = { indexVersion: number } | { publication: number } | undefined;

export interface RolledBack {
  from: CollectionVersion;
  to: CollectionVersion;
  /** The rollback as recorded in the system of record (null when it has never had this knowledge base). */
  recorded: KnowledgeVersionRecord | null;
}

/**
 * Makes an earlier version of a knowledge base live again: its search-index collection becomes the alias's
 * (nothing is re-embedded), then its entries are recorded as the current ones, a publication of mode rollback,
 * so the history says who did it and the next change is planned on what askers are answered from.
 */
export async function rollbackKnowledgeBase(
  deps: { repository: KnowledgeRepository; store: VectorStore },
  knowledgeBase: string,
  target: RollbackTarget,
  by: string,
  source: (to: CollectionVersion) => string = (to) => `kb rollback to v${to.version}`,
): Promise<RolledBack> {
  const versions = await deps.store.listVersions(knowledgeBase);
  const active = versions.find((v) => v.active);
  if (!active) throw new VersionNotFoundError(`${knowledgeBase} has no active version to roll back from`);
  let to: CollectionVersion | undefined;
  if (target === undefined) {
    to = [...versions].reverse().find((v) => v.version < active.version);
    if (!to) throw new VersionNotFoundError(`no version before the active v${active.version}`);
  } else if ('indexVersion' in target) {
    to = versions.find((v) => v.version === target.indexVersion);
    if (!to)
      throw new VersionNotFoundError(
        `no version v${target.indexVersion}; there are ${versions.map((v) => `v${v.version}`).join(', ') || 'none'}`,
      );
  } else {
    const publication = (await deps.repository.versions(knowledgeBase, 1_000)).find((v) => v.id === target.publication);
    if (!publication) throw new VersionNotFoundError(`${knowledgeBase} has no version ${target.publication}`);
    to = versions.find((v) => v.collection === publication.collection);
    if (!to) throw new IndexVersionGoneError(knowledgeBase, publication.collection);
  }
  if (to.collection === active.collection) throw new VersionAlreadyActiveError(to);
  await deps.store.activate(knowledgeBase, to.collection);
  const recorded = await recordRollback(deps, knowledgeBase, to, by, source(to));
  return { from: active, to, recorded };
}
