import { CachingEmbedder, RejectedInputError } from '@answerbridge/core';
import {
  PostgresKnowledgeChangeLog,
  PostgresKnowledgeDrafts,
  PostgresKnowledgeRepository,
  type Pool,
} from '@answerbridge/database';
import {
  DraftPreviews,
  KnowledgeDrafts,
  readEntryInput,
  rollbackKnowledgeBase,
  type FaqEntry,
} from '@answerbridge/knowledge';
import { Router, json, type Request, type RequestHandler } from 'express';
import type { ConsoleContext } from './console-context';
import { wordedEntriesError } from './knowledge-entries-errors';
import { knowledgeMessages } from './knowledge-messages';
import { requireKnowledgeRole } from './knowledge-routes';

/** Entries listed at once at most (a page of the list); `offset` pages on. */
const MAX_LISTED = 500;
const MAX_SEARCH_LENGTH = 200;
const VERSIONS_SHOWN = 50;
/** One entry with its answer and 100 similar questions fits well within this. */
const ENTRY_BODY_LIMIT = '128kb';

/** Every word of an entry a search box should find it by, folded as people type (case, full-width forms). */
const fold = (s: string) => s.normalize('NFKC').toLowerCase();
const searchable = (e: FaqEntry) =>
  fold([e.question, ...e.similar, e.answer, e.category ?? '', ...e.tags].join('\u0000'));

function viewOf(req: Request): 'live' | 'draft' {
  const view = req.query['view'] ?? 'draft';
  if (view !== 'live' && view !== 'draft')
    throw new RejectedInputError('CONSOLE.BAD_INPUT', knowledgeMessages.badView, 400);
  return view;
}

function countOf(value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 0)
    throw new RejectedInputError('CONSOLE.BAD_INPUT', knowledgeMessages.badCount, 400);
  return Math.min(n, max);
}

function versionIdOf(req: Request): number {
  const id = Number(req.params['versionId']);
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new RejectedInputError('CONSOLE.BAD_INPUT', knowledgeMessages.badVersionId, 400);
  return id;
}

function wordingOf(body: unknown): string {
  const value = (body as Record<string, unknown> | undefined)?.['wording'];
  if (typeof value !== 'string' || !value.trim())
    throw new RejectedInputError('CONSOLE.BAD_INPUT', knowledgeMessages.entryFieldRequired('wording'), 400);
  return value;
}

/** A handler whose refusals from the knowledge library reach people in their words (knowledge-entries-errors.ts). */
const worded =
  (handler: RequestHandler): RequestHandler =>
  async (req, res, next) => {
    try {
      await handler(req, res, next);
    } catch (error) {
      const versionId = Number(req.params['versionId']);
      throw wordedEntriesError(error, Number.isSafeInteger(versionId) ? { versionId } : {});
    }
  };

/** Limit of the preview builder's passage cache: a draft rebuilt after one edit re-embeds only that edit. */
const PREVIEW_CACHE_ENTRIES = 50_000;

export interface KnowledgeDraftServices {
  repository: PostgresKnowledgeRepository;
  drafts: KnowledgeDrafts;
  /** Search indexes of the drafts, for hit testing against a draft (命中测试). */
  previews: DraftPreviews;
}

/** The drafts of every bot's knowledge base (PostgreSQL), shared by the 条目 tab and hit testing. */
export function knowledgeDraftServices(ctx: ConsoleContext, database: Pool): KnowledgeDraftServices {
  const repository = new PostgresKnowledgeRepository(database);
  // What is published while a draft is open (an approval from the review queue, an import, another editor's
  // draft) joins the draft through the change log (rebaseDraft); only an entry both changed is refused.
  const drafts = new KnowledgeDrafts({
    repository,
    drafts: new PostgresKnowledgeDrafts(database),
    changes: new PostgresKnowledgeChangeLog(database),
    store: ctx.knowledge.store,
    embedder: ctx.knowledge.embedder,
  });
  const previewEmbedder = new CachingEmbedder(ctx.knowledge.embedder, PREVIEW_CACHE_ENTRIES, { passages: true });
  return { repository, drafts, previews: new DraftPreviews(drafts, ctx.knowledge.store, previewEmbedder) };
}

/**
 * The 条目 tab's API (editors and admins): a bot's entries, live or as its draft has them, searchable; changes
 * to entries and their similar questions, kept in the draft (PostgreSQL) until someone publishes it after
 * seeing what it changes; the version history with who did what, and rollback to a version still indexed.
 */
export function knowledgeEntriesRoutes(
  ctx: ConsoleContext,
  database: Pool,
  { repository, drafts }: KnowledgeDraftServices,
): Router {
  const router = Router();
  const editor = requireKnowledgeRole();
  const changeLog = new PostgresKnowledgeChangeLog(database);
  const me = (req: Request) => req.session?.username ?? '';
  const knowledgeBaseOf = (req: Request) => {
    const botId = String(req.params['botId']);
    const knowledgeBase = ctx.knowledgeBaseFor(botId);
    if (!knowledgeBase) throw new RejectedInputError('CONSOLE.NOT_FOUND', knowledgeMessages.botNotFound(botId), 404);
    return knowledgeBase;
  };
  const base = '/api/knowledge/:botId';

  /** The entries (?view=draft: the draft's, the live ones when there is none; ?q= searches; ?offset=&limit=). */
  router.get(
    `${base}/entries`,
    editor,
    worded(async (req, res) => {
      const view = await drafts.entries(knowledgeBaseOf(req), viewOf(req));
      const q = req.query['q'];
      if (q !== undefined && (typeof q !== 'string' || q.length > MAX_SEARCH_LENGTH))
        throw new RejectedInputError('CONSOLE.BAD_INPUT', knowledgeMessages.badSearch(MAX_SEARCH_LENGTH), 400);
      const words = fold(q ?? '')
        .split(/\s+/)
        .filter(Boolean);
      const found = words.length
        ? view.entries.filter((e) => words.every((w) => searchable(e).includes(w)))
        : view.entries;
      const offset = countOf(req.query['offset'], 0, Number.MAX_SAFE_INTEGER);
      const limit = countOf(req.query['limit'], MAX_LISTED, MAX_LISTED);
      res.json({
        view: view.view,
        draft: view.draft,
        revision: view.revision,
        total: view.entries.length,
        found: found.length,
        entries: found.slice(offset, offset + limit),
      });
    }),
  );

  router.get(
    `${base}/entries/:entryId`,
    editor,
    worded(async (req, res) => {
      const view = await drafts.entries(knowledgeBaseOf(req), viewOf(req));
      const entryId = String(req.params['entryId']);
      const entry = view.entries.find((e) => e.id === entryId);
      if (!entry) throw new RejectedInputError('KNOWLEDGE.NO_SUCH_ENTRY', knowledgeMessages.noLiveEntry(entryId), 404);
      res.json({ view: view.view, entry });
    }),
  );

  /** A new entry in the draft (its id is made from its question). */
  router.post(
    `${base}/draft/entries`,
    editor,
    json({ limit: ENTRY_BODY_LIMIT }),
    worded(async (req, res) => {
      const { id: _ignored, ...input } = readEntryInput(req.body);
      const entry = await drafts.putEntry(knowledgeBaseOf(req), input, me(req));
      res.status(201).json({ entry, message: knowledgeMessages.savedToDraft });
    }),
  );

  router.put(
    `${base}/draft/entries/:entryId`,
    editor,
    json({ limit: ENTRY_BODY_LIMIT }),
    worded(async (req, res) => {
      const input = { ...readEntryInput(req.body), id: String(req.params['entryId']) };
      const entry = await drafts.putEntry(knowledgeBaseOf(req), input, me(req));
      res.json({ entry, message: knowledgeMessages.savedToDraft });
    }),
  );

  router.delete(
    `${base}/draft/entries/:entryId`,
    editor,
    worded(async (req, res) => {
      await drafts.deleteEntry(knowledgeBaseOf(req), String(req.params['entryId']), me(req));
      res.json({ message: knowledgeMessages.deletedInDraft });
    }),
  );

  /** One similar question more, or one fewer ({ wording }). */
  router.post(
    `${base}/draft/entries/:entryId/similar`,
    editor,
    json({ limit: '8kb' }),
    worded(async (req, res) => {
      const entry = await drafts.addPhrasing(
        knowledgeBaseOf(req),
        String(req.params['entryId']),
        wordingOf(req.body),
        me(req),
      );
      res.json({ entry, message: knowledgeMessages.savedToDraft });
    }),
  );
  router.post(
    `${base}/draft/entries/:entryId/similar/remove`,
    editor,
    json({ limit: '8kb' }),
    worded(async (req, res) => {
      const entry = await drafts.removePhrasing(
        knowledgeBaseOf(req),
        String(req.params['entryId']),
        wordingOf(req.body),
        me(req),
      );
      res.json({ entry, message: knowledgeMessages.savedToDraft });
    }),
  );

  /** What publishing the draft would change: shown before anyone may publish it. */
  router.get(
    `${base}/draft/diff`,
    editor,
    worded(async (req, res) => {
      res.json(await drafts.diff(knowledgeBaseOf(req)));
    }),
  );

  router.post(
    `${base}/draft/publish`,
    editor,
    worded(async (req, res) => {
      const knowledgeBase = knowledgeBaseOf(req);
      const { version, plan } = await drafts.publish(knowledgeBase, me(req));
      ctx.logger.info(
        { event: 'knowledge_published', knowledgeBase, versionId: version.id, number: version.number, by: me(req) },
        'knowledge draft published',
      );
      res.json({
        version,
        message: knowledgeMessages.publishedMessage(plan.added.length, plan.changed.length, plan.removed.length),
      });
    }),
  );

  router.delete(
    `${base}/draft`,
    editor,
    worded(async (req, res) => {
      await drafts.discard(knowledgeBaseOf(req));
      res.json({ message: knowledgeMessages.discardedMessage });
    }),
  );

  /** The publications, newest first, each saying whether its index is still there to roll back to. */
  router.get(
    `${base}/versions`,
    editor,
    worded(async (req, res) => {
      const knowledgeBase = knowledgeBaseOf(req);
      const [versions, indexed] = await Promise.all([
        repository.versions(knowledgeBase, VERSIONS_SHOWN),
        ctx.knowledge.store.listVersions(knowledgeBase),
      ]);
      const byCollection = new Map(indexed.map((v) => [v.collection, v]));
      res.json({
        versions: versions.map((v) => {
          const index = v.collection ? byCollection.get(v.collection) : undefined;
          return { ...v, live: index?.active ?? false, indexed: index !== undefined };
        }),
      });
    }),
  );

  router.get(
    `${base}/versions/:versionId/changes`,
    editor,
    worded(async (req, res) => {
      const knowledgeBase = knowledgeBaseOf(req);
      const versionId = versionIdOf(req);
      if (!(await repository.versions(knowledgeBase, 1_000)).some((v) => v.id === versionId))
        throw new RejectedInputError('KNOWLEDGE.VERSION_NOT_FOUND', knowledgeMessages.noSuchVersion(versionId), 404);
      res.json({ versionId, changes: await changeLog.changesOf(knowledgeBase, versionId) });
    }),
  );

  router.post(
    `${base}/versions/:versionId/rollback`,
    editor,
    worded(async (req, res) => {
      const knowledgeBase = knowledgeBaseOf(req);
      const versionId = versionIdOf(req);
      const done = await rollbackKnowledgeBase(
        { repository, store: ctx.knowledge.store },
        knowledgeBase,
        { publication: versionId },
        me(req),
        (to) => `console rollback to v${to.version}`,
      );
      ctx.logger.info(
        { event: 'knowledge_rolled_back', knowledgeBase, to: done.to.version, from: done.from.version, by: me(req) },
        'knowledge base rolled back',
      );
      res.json({
        from: done.from,
        to: done.to,
        version: done.recorded,
        message: knowledgeMessages.rolledBackMessage(done.to.version),
      });
    }),
  );
  return router;
}
