import { AnswerbridgeError, ConflictError, NotFoundError } from '@answerbridge/core';

export class DraftNotFoundError extends NotFoundError {
  constructor(readonly knowledgeBase: string) {
    super('KNOWLEDGE.NO_DRAFT', `knowledge base ${knowledgeBase} has no draft`);
  }
}

export class DraftEntryNotFoundError extends NotFoundError {
  constructor(
    readonly knowledgeBase: string,
    readonly entryId: string,
  ) {
    super('KNOWLEDGE.NO_SUCH_ENTRY', `the draft of ${knowledgeBase} has no entry ${entryId}`);
  }
}

/** Publishing would change nothing, or leave the knowledge base without entries. */
export class DraftNotPublishableError extends ConflictError {
  constructor(readonly why: 'unchanged' | 'empty') {
    super(
      'KNOWLEDGE.DRAFT_NOT_PUBLISHABLE',
      why === 'unchanged' ? 'the draft changes nothing' : 'the draft has no entries',
    );
  }
}

/** Other editors kept saving the same draft while this change was retried. */
export class DraftBusyError extends ConflictError {
  constructor(readonly knowledgeBase: string) {
    super('KNOWLEDGE.DRAFT_BUSY', `the draft of ${knowledgeBase} kept changing while this was saved: try again`);
  }
}

/**
 * Entries the draft changed one way and a publication since (an approval, an import, another editor's draft)
 * changed another: the draft cannot take both. Everything else published meanwhile joins the draft by itself.
 */
export class DraftConflictError extends ConflictError {
  constructor(
    readonly knowledgeBase: string,
    readonly conflicts: { entryId: string; question: string }[],
  ) {
    super(
      'KNOWLEDGE.DRAFT_CONFLICT',
      `the draft of ${knowledgeBase} and a publication since both changed: ${conflicts.map((c) => c.question).join(', ')}`,
    );
  }
}

/**
 * The draft's entries are recorded (a version marked failed), but its search index could not be built:
 * askers are still answered from the previous version. The draft goes on from the recorded entries, and
 * publishing it again builds the index.
 */
export class IndexBuildFailedError extends AnswerbridgeError {
  constructor(
    readonly knowledgeBase: string,
    readonly reason: string,
  ) {
    super(
      'KNOWLEDGE.INDEX_FAILED',
      `the entries of ${knowledgeBase} are recorded, but the search index was not built (${reason}): askers are answered from the previous version; publish again`,
      true,
    );
  }

  override get httpStatus(): number {
    return 503;
  }
}
