import { AnswerbridgeError, ConflictError, KnowledgeChangedError, RejectedInputError } from '@answerbridge/core';
import {
  DraftBusyError,
  DraftEntryNotFoundError,
  DraftNotFoundError,
  DraftNotPublishableError,
  EntryInputError,
  IndexBuildFailedError,
  IndexVersionGoneError,
  DraftConflictError,
  VersionAlreadyActiveError,
  VersionNotFoundError,
} from '@answerbridge/knowledge';
import { knowledgeMessages } from './knowledge-messages';

/**
 * The knowledge library's refusals (worded in English for logs and the CLI) in the words of the page's people,
 * with the same status: what is wrong and what to do. Anything else is passed on as it is.
 */
export function wordedEntriesError(error: unknown, context: { versionId?: number } = {}): unknown {
  const m = knowledgeMessages;
  if (error instanceof EntryInputError) {
    const words =
      error.problem === 'taken' && error.takenBy
        ? m.wordingTaken(error.takenBy.wording, error.takenBy.question)
        : error.problem === 'required'
          ? m.entryFieldRequired(error.field)
          : error.problem === 'too-long'
            ? m.entryFieldTooLong(error.field, error.limit ?? 0)
            : error.problem === 'too-many'
              ? m.entryFieldTooMany(error.field, error.limit ?? 0)
              : m.entryFieldNotText(error.field);
    return new RejectedInputError('CONSOLE.BAD_INPUT', words, 400);
  }
  if (error instanceof DraftNotFoundError) return new RejectedInputError('KNOWLEDGE.NO_DRAFT', m.noDraft, 404);
  if (error instanceof DraftEntryNotFoundError)
    return new RejectedInputError('KNOWLEDGE.NO_SUCH_ENTRY', m.noDraftEntry(error.entryId), 404);
  if (error instanceof KnowledgeChangedError) return new ConflictError('KNOWLEDGE.CHANGED', m.draftStale);
  if (error instanceof DraftNotPublishableError)
    return new ConflictError(
      'KNOWLEDGE.DRAFT_NOT_PUBLISHABLE',
      error.why === 'empty' ? m.draftEmpty : m.draftUnchanged,
    );
  if (error instanceof IndexBuildFailedError) return new IndexNotBuilt(m.indexFailed(error.reason));
  if (error instanceof DraftConflictError)
    return new ConflictError('KNOWLEDGE.DRAFT_CONFLICT', m.draftConflict(error.conflicts.map((c) => c.question)));
  if (error instanceof DraftBusyError) return new ConflictError('KNOWLEDGE.DRAFT_BUSY', m.draftBusy);
  if (error instanceof IndexVersionGoneError)
    return new ConflictError('KNOWLEDGE.VERSION_GONE', m.versionGone(context.versionId ?? 0));
  if (error instanceof VersionAlreadyActiveError) return new ConflictError('KNOWLEDGE.VERSION_ACTIVE', m.versionActive);
  if (error instanceof VersionNotFoundError)
    return new RejectedInputError('KNOWLEDGE.VERSION_NOT_FOUND', m.noSuchVersion(context.versionId ?? 0), 404);
  return error;
}

/** 503 in words: the publication is recorded, its search index is not built yet. */
class IndexNotBuilt extends AnswerbridgeError {
  constructor(message: string) {
    super('KNOWLEDGE.INDEX_FAILED', message, true);
  }

  override get httpStatus(): number {
    return 503;
  }
}
