import { assess, verdictOf } from '@answerbridge/answering';
import { type KbSettings } from '@answerbridge/config';
import { AnswerbridgeError } from '@answerbridge/core';
import {
  calibrateKnowledgeBase,
  calibrateFromUse,
  type CalibrationFromUse,
  diffVersions,
  loadEvalQueries,
  readFaqFile,
  prepareImport,
  publishEntries,
  rebuildIndex,
  recordedEntries,
  type ImportMode,
  type ImportPlan,
  type KeptKnowledge,
  type KnowledgeBaseCalibration,
  rollbackKnowledgeBase,
  questionLanguage,
  type IngestResult,
  type VersionDiff,
  type Rebuilt,
  type VersionedEntry,
} from '@answerbridge/knowledge';
import { createKnowledgeServices } from '@answerbridge/pipeline';
import {
  PostgresKnowledgeRepository,
  PostgresLearnedPhrasings,
  PostgresSavedEntries,
  openDatabase,
} from '@answerbridge/database';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { CollectionVersion } from '@answerbridge/vector-store';
import cliProgress from 'cli-progress';
import { KnowledgeAnnouncer } from './knowledge-announcer';

/** The command line was wrong: the message says what to type instead (exit status 2). */
export class UsageError extends AnswerbridgeError {
  constructor(message: string) {
    super('KB.USAGE', message, false);
  }
}

function knowledgeBaseOf(config: KbSettings, botId: string): string {
  const bot = config.bots.find((b) => b.id === botId);
  if (!bot)
    throw new UsageError(
      `unknown bot "${botId}"; configured bots: ${config.bots.map((b) => b.id).join(', ')} (in ${config.BOTS_FILE})`,
    );
  return bot.knowledgeBase ?? bot.id;
}

/** The knowledge services of one command, announcing what it changes to the running workers. */
const services = (config: KbSettings) => createKnowledgeServices(config, { changes: new KnowledgeAnnouncer(config) });

/**
 * Entries saved from conversations ("save as FAQ") and approved are recorded entries (PostgreSQL) whose
 * provenance names who saved them; approved phrasings learned from use are kept beside them. Both join every
 * ingest, so a reindex from the FAQ file (even --replace) does not lose them, nor who saved and approved them.
 * Drafts do not.
 */
async function savedEntriesOf(config: KbSettings, knowledgeBase: string): Promise<KeptKnowledge> {
  // A database that cannot be used stops here with its own words (the ingest would need it anyway).
  const db = await openDatabase(config.DATABASE_URL, { applicationName: 'answerbridge-kb', max: 2 });
  try {
    const [entries, phrasings] = await Promise.all([
      new PostgresSavedEntries(db).list(knowledgeBase),
      new PostgresLearnedPhrasings(db).list(knowledgeBase),
    ]);
    return { entries, phrasings };
  } finally {
    await db.end();
  }
}

/** The bar a terminal shows while questions are embedded (none when output is not a terminal, or --quiet). */
function embeddingProgress(show: boolean): cliProgress.SingleBar | null {
  return show
    ? new cliProgress.SingleBar(
        { format: 'embedding {bar} {value}/{total} questions', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
}

export interface IngestCommandOptions {
  /** Draw a progress bar on stderr (a terminal, and not --quiet). */
  showProgress: boolean;
  /** Keep the entries agents saved and the phrasings learned from use (false: --without-saved). @defaultValue true */
  withSaved?: boolean;
  /** How the file meets the live entries; only `replace` removes any. @defaultValue 'upsert' */
  mode?: ImportMode;
  /** Say what would change, and build nothing. */
  dryRun?: boolean;
  /** Who publishes, as recorded with the version (--by). @defaultValue the OS user */
  by?: string;
}

export interface IngestCommandResult {
  plan: ImportPlan;
  /** The version built; null for a dry run. */
  result: IngestResult | null;
  /**
   * Entries planned on that came from the active index version, because the database had none of this knowledge
   * base yet (the first ingest after upgrading records them); 0 when the database had them.
   */
  fromIndex: number;
  saved: number;
  learned: number;
  learnedWithoutEntry: number;
}

export async function ingestCommand(
  config: KbSettings,
  file: string,
  botId: string,
  { showProgress, withSaved = true, mode = 'upsert', dryRun = false, by }: IngestCommandOptions,
): Promise<IngestCommandResult> {
  const knowledgeBase = knowledgeBaseOf(config, botId);
  const fromFile = await readFaqFile(file);
  const kept = withSaved ? await savedEntriesOf(config, knowledgeBase) : { entries: [], phrasings: [] };
  const { embedder, store } = services(config);
  // PostgreSQL is the system of record: the plan starts from its entries, the publication is written there
  // first (one transaction), and the index version is built from exactly those entries.
  const db = await openDatabase(config.DATABASE_URL, { applicationName: 'answerbridge-kb', max: 2 });
  const repository = new PostgresKnowledgeRepository(db);
  const bar = embeddingProgress(showProgress && !dryRun);
  try {
    await store.ready();
    const current = await recordedEntries(repository, store, knowledgeBase);
    // The same preparation as the console's 导入 (prepareImport): saved entries and learned phrasings join.
    const { plan, entries, saved, learned, learnedWithoutEntry } = prepareImport(current.entries, fromFile, kept, mode);
    const counts = {
      saved,
      learned,
      learnedWithoutEntry,
      fromIndex: current.from === 'index' ? current.entries.length : 0,
    };
    if (dryRun) return { plan, result: null, ...counts };
    bar?.start(
      entries.reduce((n, e) => n + 1 + e.similar.length, 0),
      0,
    );
    const { result } = await publishEntries(
      { repository, store, embedder },
      {
        knowledgeBase,
        basedOn: current.revision,
        entries,
        plan,
        by: by ?? userInfo().username,
        source: `kb ingest ${path.basename(file)}`,
        mode,
      },
      { onProgress: (p) => bar?.update(p.embedded) },
    );
    return { plan, result, ...counts };
  } finally {
    bar?.stop();
    await store.close();
    await db.end();
  }
}

/** What an import changes, for people: counts, then each entry added, changed or removed (at most `limit` lines). */
export function formatImportPlan(plan: ImportPlan, limit = 20): string {
  const lines = [
    `${plan.mode}: ${plan.added.length} added, ${plan.changed.length} changed, ${plan.removed.length} removed, ` +
      `${plan.unchanged} unchanged` +
      (plan.skipped.length ? ` (${plan.skipped.length} in the file already there, left as they are)` : ''),
    ...plan.added.map((e) => `+ ${e.question}`),
    ...plan.changed.map(
      (c) =>
        `~ ${c.after.question}` +
        ` (${[
          c.answerChanged ? 'answer' : '',
          c.questionsAdded.length ? `+${c.questionsAdded.length} questions` : '',
          c.questionsRemoved.length ? `-${c.questionsRemoved.length} questions` : '',
          c.detailsChanged ? 'details' : '',
        ]
          .filter(Boolean)
          .join(', ')})`,
    ),
    ...plan.removed.map((e) => `- ${e.question}`),
  ];
  const [summary, ...each] = lines;
  return [summary, ...each.slice(0, limit), ...(each.length > limit ? [`… and ${each.length - limit} more`] : [])].join(
    '\n',
  );
}

export async function searchCommand(config: KbSettings, botId: string, question: string, limit: number) {
  const knowledgeBase = knowledgeBaseOf(config, botId);
  const { store, searcherFor, searchFor, policyFor, calibrationFor } = services(config);
  const language = questionLanguage(question, config.bots.find((b) => b.id === botId)?.language);
  try {
    await store.ready();
    const candidates = await searcherFor(language).search(knowledgeBase, question, limit);
    const policy = policyFor(language, await calibrationFor(knowledgeBase));
    // In keyword mode confidences are BM25 scores: compare them with the keyword threshold, as the worker does.
    if (searchFor(language).mode === 'keyword') {
      const top = candidates[0]?.confidence ?? 0;
      return {
        candidates,
        verdict: `${top >= policy.keywordFallbackThreshold ? 'answer' : 'hand over'}: BM25 ${top.toFixed(2)} against the keyword threshold ${policy.keywordFallbackThreshold}`,
      };
    }
    const a = assess(candidates, policy.confidence);
    const c = policy.confidence;
    const verdict = !a
      ? 'hand over: no match'
      : `${{ answer: 'answer', suggest: 'suggest', escalate: 'hand over' }[verdictOf(a, c)]}: P(right) ${a.right.toFixed(3)} (answer at ${c.answerAt.toFixed(3)}), P(in top 3) ${a.inTop3.toFixed(3)} (suggest at ${c.suggestAt.toFixed(3)})${c.calibrated ? '' : ' — uncalibrated thresholds'}`;
    return { candidates, verdict };
  } finally {
    await store.close();
  }
}

/**
 * `kb calibrate <bot> --from-use`: fits the bot's model on the questions it learned from use (approved
 * phrasings), each searched against a copy of the knowledge base without it (calibrate-from-use.ts).
 */
export async function calibrateFromUseCommand(
  config: KbSettings,
  botId: string,
  targetPrecision: number,
  force = false,
): Promise<CalibrationFromUse> {
  const knowledgeBase = knowledgeBaseOf(config, botId);
  const { phrasings } = await savedEntriesOf(config, knowledgeBase);
  const { store, embedder, searchFor, policyFor, calibrationFor } = services(config);
  const language = config.bots.find((b) => b.id === botId)?.language ?? 'zh';
  const search = searchFor(language);
  try {
    await store.ready();
    if (!(await store.listVersions(knowledgeBase)).some((v) => v.active))
      throw new UsageError(`bot ${botId} has no active knowledge base yet: run kb ingest first`);
    // What the worker decides with now: the knowledge base's recorded model, else the shipped one.
    const inUse = policyFor(language, await calibrationFor(knowledgeBase)).confidence;
    return await calibrateFromUse(store, embedder, knowledgeBase, phrasings, {
      targetPrecision,
      mode: search.mode,
      fusion: search.fusion,
      inUse,
      force,
    });
  } finally {
    await store.close();
  }
}

export async function calibrateCommand(
  config: KbSettings,
  botId: string,
  queriesFile: string,
  targetPrecision: number,
): Promise<KnowledgeBaseCalibration> {
  const knowledgeBase = knowledgeBaseOf(config, botId);
  const { store, searcherFor } = services(config);
  const language = config.bots.find((b) => b.id === botId)?.language ?? 'zh';
  try {
    await store.ready();
    const active = (await store.listVersions(knowledgeBase)).find((v) => v.active);
    if (!active) throw new UsageError(`bot ${botId} has no active knowledge base yet: run kb ingest first`);
    const ids = new Set((await store.readVersion(active.collection, knowledgeBase)).map((r) => r.entryId));
    return await calibrateKnowledgeBase(
      store,
      searcherFor(language),
      knowledgeBase,
      loadEvalQueries(queriesFile, ids),
      { targetPrecision },
    );
  } finally {
    await store.close();
  }
}

export function formatCalibration(c: KnowledgeBaseCalibration | CalibrationFromUse): string {
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(1)}%`);
  const e = c.model.expected;
  const inUse = 'inUse' in c ? c.inUse : null;
  const kept = 'recorded' in c && !c.recorded;
  return [
    kept
      ? (e?.precision ?? 0) < c.model.targetPrecision
        ? `not recorded: the new model misses its target of ${pct(c.model.targetPrecision)} on held-out folds (${pct(e?.precision)}), so the worker keeps the model it decides with now (on these questions: ${pct(inUse?.precision)} precision, ${pct(inUse?.coverage)} of in-scope questions answered directly); --force records the new one anyway`
        : `not recorded: the model the bot decides with now does better on these questions (${pct(inUse?.precision)} precision, ${pct(inUse?.coverage)} of in-scope questions answered directly), so the worker keeps it; --force records the new one anyway`
      : `recorded with ${c.version.collection} (v${c.version.version}); the worker now decides with it: answer at P(right) ≥ ${c.model.answerAt.toFixed(3)}, suggest at P(in top 3) ≥ ${c.model.suggestAt.toFixed(3)}`,
    e
      ? `on held-out folds: precision of direct answers ${pct(e.precision)} (95% interval ${pct(e.low)}–${pct(e.high)}), ${pct(e.coverage)} of in-scope questions answered directly, ${pct(e.unanswerableAnswered)} of unanswerable ones answered, target ${pct(c.model.targetPrecision)} met in ${e.foldsMet} of ${e.folds} folds`
      : '',
    `on these questions: ${c.policy.answered} answered directly, ${c.policy.suggested} suggestion lists, self-service ${pct(c.policy.selfService)}`,
    inUse && !kept
      ? `the model it replaces, on the same questions: precision ${pct(inUse.precision)}, ${pct(inUse.coverage)} of in-scope questions answered directly`
      : '',
    kept ? '' : 'a new kb ingest makes a new version, which starts without it: calibrate again after each ingest',
  ]
    .filter(Boolean)
    .join('\n');
}

export async function versionsCommand(config: KbSettings, botId: string): Promise<CollectionVersion[]> {
  const { store } = services(config);
  try {
    await store.ready();
    return await store.listVersions(knowledgeBaseOf(config, botId));
  } finally {
    await store.close();
  }
}

export async function diffCommand(config: KbSettings, botId: string, from?: number, to?: number): Promise<VersionDiff> {
  const { store } = services(config);
  try {
    await store.ready();
    return await diffVersions(store, knowledgeBaseOf(config, botId), from, to);
  } finally {
    await store.close();
  }
}

/** Makes an earlier index version active again, and records its entries in the database as the current ones. */
export async function rollbackCommand(config: KbSettings, botId: string, to?: number, by?: string) {
  const knowledgeBase = knowledgeBaseOf(config, botId);
  const { store } = services(config);
  const db = await openDatabase(config.DATABASE_URL, { applicationName: 'answerbridge-kb', max: 2 });
  try {
    await store.ready();
    const done = await rollbackKnowledgeBase(
      { repository: new PostgresKnowledgeRepository(db), store },
      knowledgeBase,
      to === undefined ? undefined : { indexVersion: to },
      by ?? userInfo().username,
    );
    return done;
  } finally {
    await store.close();
    await db.end();
  }
}

/**
 * A new search-index version built from the entries PostgreSQL records, made active: after Milvus lost its
 * data, or for another embedding model. Recorded as a publication that changes no entry.
 */
export async function reindexCommand(
  config: KbSettings,
  botId: string,
  { showProgress, by }: { showProgress: boolean; by?: string },
): Promise<Rebuilt> {
  const knowledgeBase = knowledgeBaseOf(config, botId);
  const { embedder, store } = services(config);
  const db = await openDatabase(config.DATABASE_URL, { applicationName: 'answerbridge-kb', max: 2 });
  const bar = embeddingProgress(showProgress);
  try {
    await store.ready();
    const repository = new PostgresKnowledgeRepository(db);
    const recorded = await repository.current(knowledgeBase);
    bar?.start(recorded?.entries.reduce((n, e) => n + 1 + e.similar.length, 0) ?? 0, 0);
    const rebuilt = await rebuildIndex(
      { repository, store, embedder },
      knowledgeBase,
      by ?? userInfo().username,
      '重建检索索引（kb reindex）',
      { onProgress: (p) => bar?.update(p.embedded) },
    );
    if (!rebuilt)
      throw new UsageError(
        `PostgreSQL records no entries of ${botId} yet: run kb ingest first (reindex rebuilds the search index from them)`,
      );
    return rebuilt;
  } finally {
    bar?.stop();
    await store.close();
    await db.end();
  }
}

/** Who put a console-saved entry in: " (saved by agent1, approved by admin)"; nothing for entries from FAQ files. */
export function savedBySuffix(entry: VersionedEntry): string {
  const saved = entry.savedFromConsole;
  if (!saved) return '';
  if (!saved.savedBy) return ' (saved from the console; who saved it was not recorded)';
  if (!saved.approvedBy) return ` (saved by ${saved.savedBy}, not approved)`;
  return saved.approvedBy === saved.savedBy
    ? ` (saved and approved by ${saved.savedBy})`
    : ` (saved by ${saved.savedBy}, approved by ${saved.approvedBy})`;
}

export function formatDiff(diff: VersionDiff): string {
  const lines = [
    `v${diff.from.version} → v${diff.to.version}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`,
  ];
  for (const e of diff.added) lines.push(`+ ${e.question}${savedBySuffix(e)}`);
  for (const e of diff.removed) lines.push(`- ${e.question}${savedBySuffix(e)}`);
  for (const c of diff.changed) {
    lines.push(`~ ${c.after.question}${savedBySuffix(c.after)}`);
    if (c.answerChanged) lines.push(`    answer: ${c.before.answer.slice(0, 60)} → ${c.after.answer.slice(0, 60)}`);
    for (const q of c.questionsAdded) lines.push(`    + question: ${q}`);
    for (const q of c.questionsRemoved) lines.push(`    - question: ${q}`);
  }
  return lines.join('\n');
}
