import { NotFoundError, type CollectionVersion, type VectorStore } from '@answerbridge/core';

export interface VersionedEntry {
  entryId: string;
  question: string;
  questions: string[];
  answer: string;
  /**
   * For entries saved from the console: who saved and who approved them. `savedBy` is null for entries
   * saved before that was recorded (tagged saved-by-agent, names unknown).
   */
  savedFromConsole?: { savedBy: string | null; approvedBy: string | null };
}

export interface VersionDiff {
  from: CollectionVersion;
  to: CollectionVersion;
  added: VersionedEntry[];
  removed: VersionedEntry[];
  changed: {
    before: VersionedEntry;
    after: VersionedEntry;
    answerChanged: boolean;
    questionsAdded: string[];
    questionsRemoved: string[];
  }[];
  unchanged: number;
}

export class VersionNotFoundError extends NotFoundError {
  constructor(message: string) {
    super('KNOWLEDGE.VERSION_NOT_FOUND', message);
  }
}

function savedFromConsole(meta: Record<string, unknown>): VersionedEntry['savedFromConsole'] {
  const provenance = meta.provenance as Record<string, unknown> | null | undefined;
  const name = (v: unknown) => (typeof v === 'string' && v ? v : null);
  if (provenance && typeof provenance === 'object')
    return { savedBy: name(provenance.savedBy), approvedBy: name(provenance.approvedBy) };
  return Array.isArray(meta.tags) && meta.tags.includes('saved-by-agent')
    ? { savedBy: null, approvedBy: null }
    : undefined;
}

async function entriesOf(store: VectorStore, version: CollectionVersion): Promise<Map<string, VersionedEntry>> {
  const rows = await store.readVersion(version.collection, version.knowledgeBase);
  const entries = new Map<string, VersionedEntry>();
  for (const row of rows) {
    const entry = entries.get(row.entryId) ?? {
      entryId: row.entryId,
      question: typeof row.meta.question === 'string' ? row.meta.question : row.text,
      questions: [],
      answer: row.answer,
    };
    const saved = entry.savedFromConsole ?? savedFromConsole(row.meta);
    if (saved) entry.savedFromConsole = saved;
    entry.questions.push(row.text);
    entries.set(row.entryId, entry);
  }
  for (const e of entries.values()) e.questions.sort();
  return entries;
}

function pick(
  versions: CollectionVersion[],
  wanted: number | undefined,
  fallback: CollectionVersion | undefined,
  what: string,
): CollectionVersion {
  const found = wanted === undefined ? fallback : versions.find((v) => v.version === wanted);
  if (!found)
    throw new VersionNotFoundError(
      wanted === undefined
        ? `no ${what} version`
        : `no version v${wanted}; there are ${versions.map((v) => `v${v.version}`).join(', ') || 'none'}`,
    );
  return found;
}

/** What changed between two versions (default: the one before the active one, and the active one). */
export async function diffVersions(
  store: VectorStore,
  knowledgeBase: string,
  fromVersion?: number,
  toVersion?: number,
): Promise<VersionDiff> {
  const versions = await store.listVersions(knowledgeBase);
  const active = versions.find((v) => v.active);
  const to = pick(versions, toVersion, active, 'active');
  const from = pick(
    versions,
    fromVersion,
    [...versions].reverse().find((v) => v.version < to.version),
    'earlier',
  );
  const [before, after] = await Promise.all([entriesOf(store, from), entriesOf(store, to)]);
  const diff: VersionDiff = { from, to, added: [], removed: [], changed: [], unchanged: 0 };
  for (const [id, b] of before) if (!after.has(id)) diff.removed.push(b);
  for (const [id, a] of after) {
    const b = before.get(id);
    if (!b) {
      diff.added.push(a);
      continue;
    }
    const questionsAdded = a.questions.filter((q) => !b.questions.includes(q));
    const questionsRemoved = b.questions.filter((q) => !a.questions.includes(q));
    const answerChanged = a.answer !== b.answer;
    if (answerChanged || questionsAdded.length || questionsRemoved.length)
      diff.changed.push({ before: b, after: a, answerChanged, questionsAdded, questionsRemoved });
    else diff.unchanged++;
  }
  return diff;
}

/** Points the knowledge base back at an earlier version (default: the newest one before the active one). */
export async function rollbackVersion(
  store: VectorStore,
  knowledgeBase: string,
  toVersion?: number,
): Promise<{ from: CollectionVersion; to: CollectionVersion }> {
  const versions = await store.listVersions(knowledgeBase);
  const active = pick(
    versions,
    undefined,
    versions.find((v) => v.active),
    'active',
  );
  const target = pick(
    versions,
    toVersion,
    [...versions].reverse().find((v) => v.version < active.version),
    'earlier',
  );
  if (target.collection === active.collection) throw new VersionNotFoundError(`v${target.version} is already active`);
  await store.activate(knowledgeBase, target.collection);
  return { from: active, to: target };
}
