import { randomBytes } from 'node:crypto';
import { KnowledgeChangedError, type KnowledgeRepository } from '@answerbridge/core';
import {
  PostgresKnowledgeRepository,
  PostgresLearnedPhrasings,
  PostgresSavedEntries,
  type Pool,
} from '@answerbridge/database';
import {
  FaqParseError,
  IMPORT_MODES,
  prepareImport,
  publishEntries,
  readFaqImport,
  recordedEntries,
  type FaqEntry,
  type ImportMode,
  type ImportPlan,
  type KeptKnowledge,
} from '@answerbridge/knowledge';
import { RedisKeyValueStore, type Redis } from '@answerbridge/redis';
import { Router, json, raw, type Request, type Response } from 'express';
import type { ConsoleContext } from './console-context';
import { issueInWords } from './knowledge-import-messages';
import { issuesOf, previewOf } from './knowledge-import-preview';
import { knowledgeMessages } from './knowledge-messages';
import { requireKnowledgeRole } from './knowledge-routes';

/** An FAQ file is a few hundred kB; a bigger upload is refused before it is read. */
export const MAX_IMPORT_UPLOAD_BYTES = 5 * 1024 * 1024;
/** How long a preview can be published: time to read it, short enough that it rarely goes stale. */
export const IMPORT_PREVIEW_TTL_MS = 30 * 60_000;
const MAX_FILE_NAME = 200;

/** A preview as kept in Redis until it is published or expires: exactly what publishing it will write. */
interface StoredPreview {
  botId: string;
  knowledgeBase: string;
  mode: ImportMode;
  fileName: string;
  /** Who previewed it: only they publish it. */
  by: string;
  /**
   * The revision of the system of record the plan was made on: publishEntries refuses when it moved. That covers
   * what an import keeps too (saved entries, learned wordings): an approval is recorded as a publication.
   */
  basedOn: number | null;
  entries: FaqEntry[];
  plan: Pick<ImportPlan, 'added' | 'changed' | 'removed'>;
}

function refuse(res: Response, status: number, error: string, message: string, extra: object = {}): void {
  res.status(status).json({ error, message, ...extra });
}

/**
 * 导入 (import) for the knowledge pages: a file's bytes in, a preview out (what will be added, changed and removed,
 * and every row that cannot be imported), kept in Redis so any console replica can publish it; then publishing
 * it, exactly as previewed, unless the knowledge base changed meanwhile. The preparation is `prepareImport`,
 * the one `kb ingest` uses; the publication is `publishEntries` (PostgreSQL first, then the search index).
 */
export function knowledgeImportRoutes(ctx: ConsoleContext, services: { redis: Redis; database: Pool }): Router {
  const router = Router();
  const editor = requireKnowledgeRole();
  const previews = new RedisKeyValueStore(services.redis, `${ctx.config.QUEUE_PREFIX}:console-import`);
  const repository: KnowledgeRepository = new PostgresKnowledgeRepository(services.database);
  const savedEntries = new PostgresSavedEntries(services.database);
  const phrasings = new PostgresLearnedPhrasings(services.database);
  /** What every import keeps (as `kb ingest` does): approved entries saved from conversations, learned wordings. */
  const keptKnowledge = async (knowledgeBase: string): Promise<KeptKnowledge> => {
    const [entries, learned] = await Promise.all([savedEntries.list(knowledgeBase), phrasings.list(knowledgeBase)]);
    return { entries, phrasings: learned };
  };
  const botOf = (req: Request) => {
    const botId = String(req.params['botId']);
    const knowledgeBase = ctx.knowledgeBaseFor(botId);
    return knowledgeBase ? { botId, knowledgeBase } : null;
  };
  /** A file over the cap is refused by its declared length, before a byte of it is read. */
  const notTooLarge = (req: Request, res: Response, next: () => void) => {
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > MAX_IMPORT_UPLOAD_BYTES) {
      res.set('connection', 'close');
      return refuse(res, 413, 'CONSOLE.TOO_LARGE', knowledgeMessages.importTooLarge(MAX_IMPORT_UPLOAD_BYTES / 2 ** 20));
    }
    next();
  };
  const readBytes = raw({ type: () => true, limit: MAX_IMPORT_UPLOAD_BYTES });
  /** The body parser's own refusal (a body sent without its length that grows past the cap), in our words. */
  const bytesOf = (req: Request, res: Response, next: (error?: unknown) => void) =>
    readBytes(req, res, (error?: unknown) => {
      if ((error as { type?: string } | undefined)?.type === 'entity.too.large')
        return refuse(
          res,
          413,
          'CONSOLE.TOO_LARGE',
          knowledgeMessages.importTooLarge(MAX_IMPORT_UPLOAD_BYTES / 2 ** 20),
        );
      next(error);
    });

  router.post('/api/knowledge/:botId/import/preview', editor, notTooLarge, bytesOf, async (req, res) => {
    const bot = botOf(req);
    if (!bot) return refuse(res, 404, 'CONSOLE.NOT_FOUND', knowledgeMessages.botNotFound(String(req.params['botId'])));
    const name = typeof req.query['name'] === 'string' ? req.query['name'].trim() : '';
    if (!name || name.length > MAX_FILE_NAME)
      return refuse(res, 400, 'CONSOLE.BAD_INPUT', knowledgeMessages.importNoName);
    const mode = (req.query['mode'] ?? 'upsert') as ImportMode;
    if (!IMPORT_MODES.includes(mode))
      return refuse(res, 400, 'CONSOLE.BAD_INPUT', knowledgeMessages.importBadMode(String(mode)));
    const bytes = Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : new Uint8Array();
    if (bytes.byteLength === 0) return refuse(res, 400, 'CONSOLE.BAD_INPUT', knowledgeMessages.importEmpty);
    let read;
    try {
      read = await readFaqImport(bytes, name);
    } catch (error) {
      if (!(error instanceof FaqParseError)) throw error;
      return refuse(
        res,
        400,
        'CONSOLE.BAD_FILE',
        knowledgeMessages.importUnreadable(error.source, issueInWords(error.detail)),
      );
    }
    if (read.entries.length === 0)
      return refuse(res, 400, 'CONSOLE.BAD_FILE', knowledgeMessages.importNoRows(read.source), {
        issues: issuesOf(read),
      });
    const [current, kept] = await Promise.all([
      recordedEntries(repository, ctx.knowledge.store, bot.knowledgeBase),
      keptKnowledge(bot.knowledgeBase),
    ]);
    const prepared = prepareImport(current.entries, read.entries, kept, mode);
    const previewId = randomBytes(18).toString('base64url');
    const stored: StoredPreview = {
      ...bot,
      mode,
      fileName: read.source,
      by: req.session!.username,
      basedOn: current.revision,
      entries: prepared.entries,
      plan: { added: prepared.plan.added, changed: prepared.plan.changed, removed: prepared.plan.removed },
    };
    await previews.set(`preview:${previewId}`, JSON.stringify(stored), IMPORT_PREVIEW_TTL_MS);
    ctx.logger.info(
      { event: 'knowledge_import_previewed', botId: bot.botId, mode, file: read.source, by: stored.by },
      'knowledge import previewed',
    );
    res.json({
      previewId,
      expiresAt: Date.now() + IMPORT_PREVIEW_TTL_MS,
      basedOn: current.revision,
      ...previewOf(read, prepared, current.from === 'index' ? current.entries.length : 0),
    });
  });

  router.post('/api/knowledge/:botId/import/publish', editor, json({ limit: '4kb' }), async (req, res) => {
    const bot = botOf(req);
    if (!bot) return refuse(res, 404, 'CONSOLE.NOT_FOUND', knowledgeMessages.botNotFound(String(req.params['botId'])));
    const previewId = (req.body as Record<string, unknown> | undefined)?.['previewId'];
    if (typeof previewId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(previewId))
      return refuse(res, 400, 'CONSOLE.BAD_INPUT', knowledgeMessages.importNoPreviewId);
    const key = `preview:${previewId}`;
    const raw = await previews.get(key);
    const stored = raw ? (JSON.parse(raw) as StoredPreview) : null;
    // Another editor's preview, or one of another bot, is as good as none: it is not theirs to publish.
    if (!stored || stored.botId !== bot.botId || stored.by !== req.session!.username)
      return refuse(res, 410, 'CONSOLE.PREVIEW_GONE', knowledgeMessages.importPreviewGone);
    // Taken once: a second click (or replica) finds it gone instead of publishing it twice.
    if (!(await previews.deleteIfEquals(key, raw!)))
      return refuse(res, 410, 'CONSOLE.PREVIEW_GONE', knowledgeMessages.importPreviewGone);
    let published;
    try {
      published = await publishEntries(
        { repository, store: ctx.knowledge.store, embedder: ctx.knowledge.embedder },
        {
          knowledgeBase: bot.knowledgeBase,
          basedOn: stored.basedOn,
          entries: stored.entries,
          plan: stored.plan,
          by: req.session!.username,
          source: `控制台导入 ${stored.fileName}`,
          mode: stored.mode,
        },
      );
    } catch (error) {
      if (error instanceof KnowledgeChangedError)
        return refuse(res, 409, 'CONSOLE.KNOWLEDGE_CHANGED', knowledgeMessages.importChangedMeanwhile);
      throw error;
    }
    const { version } = published;
    ctx.logger.info(
      {
        event: 'knowledge_import_published',
        botId: bot.botId,
        mode: stored.mode,
        version: version.number,
        by: version.publishedBy,
      },
      'knowledge import published',
    );
    res.json({
      version: {
        number: version.number,
        collection: version.collection,
        entryCount: version.entryCount,
        added: version.added,
        changed: version.changed,
        removed: version.removed,
        publishedBy: version.publishedBy,
        source: version.source,
        mode: version.mode,
      },
      message: knowledgeMessages.importPublished(version.number, version.added, version.changed, version.removed),
    });
  });
  return router;
}
