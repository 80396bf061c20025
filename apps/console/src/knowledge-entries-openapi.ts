/** The 条目 tab's API (knowledge-entries-routes.ts), for the console's OpenAPI document. */
const csrf = [{ session: [], csrf: [] }];
const read = [{ session: [] }];
const botId = { name: 'botId', in: 'path', required: true, schema: { type: 'string' } };
const entryId = { name: 'entryId', in: 'path', required: true, schema: { type: 'string' } };
const versionId = {
  name: 'versionId',
  in: 'path',
  required: true,
  description: 'a publication id (knowledge_versions.id, as GET …/versions lists them)',
  schema: { type: 'integer', minimum: 1 },
};
const view = {
  name: 'view',
  in: 'query',
  description: 'draft (default: the draft, or the live entries when there is none) or live',
  schema: { enum: ['draft', 'live'] },
};
const entry = {
  type: 'object',
  required: ['question', 'answer'],
  properties: {
    question: { type: 'string', minLength: 1, maxLength: 200 },
    answer: { type: 'string', minLength: 1, maxLength: 8000 },
    similar: {
      type: 'array',
      maxItems: 100,
      items: { type: 'string', maxLength: 200 },
      description: 'similar questions (相似问题); blanks, repeats and the question itself are dropped',
    },
    category: { type: 'string', maxLength: 50 },
    tags: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 30 } },
  },
};
const entryBody = { required: true, content: { 'application/json': { schema: entry } } };
const wordingBody = {
  required: true,
  content: {
    'application/json': {
      schema: { type: 'object', required: ['wording'], properties: { wording: { type: 'string', maxLength: 200 } } },
    },
  },
};
const refused = {
  '403': { description: 'editors and admins only (CONSOLE.FORBIDDEN), or missing CSRF token' },
  '404': {
    description: 'no such bot, draft or entry (CONSOLE.NOT_FOUND, KNOWLEDGE.NO_DRAFT, KNOWLEDGE.NO_SUCH_ENTRY)',
  },
};
const badEntry = {
  '400': {
    description:
      'an empty or too long field, too many similar questions or tags, or a wording another entry has (CONSOLE.BAD_INPUT)',
  },
  '413': { description: 'body over 128 kB (CONSOLE.TOO_LARGE)' },
};
const saved = { description: '{ entry, message }: saved in the draft; askers see it once the draft is published' };

export const entriesPaths = {
  '/api/knowledge/{botId}/entries': {
    get: {
      summary:
        "A bot's entries, as its draft has them or live, searched by every word of ?q= in the question, similar questions, answer, category and tags (editors and admins)",
      parameters: [
        botId,
        view,
        { name: 'q', in: 'query', schema: { type: 'string', maxLength: 200 } },
        { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 500 } },
      ],
      security: read,
      responses: {
        '200': {
          description:
            '{ view, draft: { basedOn, edits, createdBy, createdAt, updatedBy, updatedAt } | null, revision, total, found, entries: [{ id, question, similar, answer, category, tags }] }',
        },
        '400': { description: 'bad view, q, offset or limit (CONSOLE.BAD_INPUT)' },
        ...refused,
      },
    },
  },
  '/api/knowledge/{botId}/entries/{entryId}': {
    get: {
      summary: 'One entry, as the draft has it or live',
      parameters: [botId, entryId, view],
      security: read,
      responses: { '200': { description: '{ view, entry }' }, ...refused },
    },
  },
  '/api/knowledge/{botId}/draft/entries': {
    post: {
      summary: 'A new entry in the draft (the draft is started from the live entries if there is none)',
      parameters: [botId],
      security: csrf,
      requestBody: entryBody,
      responses: { '201': saved, ...badEntry, ...refused },
    },
  },
  '/api/knowledge/{botId}/draft/entries/{entryId}': {
    put: {
      summary: "Replaces the draft's entry (its question, answer, similar questions, category and tags)",
      parameters: [botId, entryId],
      security: csrf,
      requestBody: entryBody,
      responses: { '200': saved, ...badEntry, ...refused },
    },
    delete: {
      summary: 'Deletes the entry in the draft',
      parameters: [botId, entryId],
      security: csrf,
      responses: { '200': { description: '{ message }' }, ...refused },
    },
  },
  '/api/knowledge/{botId}/draft/entries/{entryId}/similar': {
    post: {
      summary: 'Adds one similar question to the entry in the draft (nothing if it has that wording)',
      parameters: [botId, entryId],
      security: csrf,
      requestBody: wordingBody,
      responses: { '200': saved, ...badEntry, ...refused },
    },
  },
  '/api/knowledge/{botId}/draft/entries/{entryId}/similar/remove': {
    post: {
      summary: 'Removes one similar question from the entry in the draft',
      parameters: [botId, entryId],
      security: csrf,
      requestBody: wordingBody,
      responses: { '200': saved, ...refused },
    },
  },
  '/api/knowledge/{botId}/draft/diff': {
    get: {
      summary: 'What publishing the draft would change against the live entries',
      parameters: [botId],
      security: read,
      responses: {
        '200': {
          description:
            '{ draft, revision, stale (someone published since: publishing is refused), added, changed: [{ before, after, fields, questionsAdded, questionsRemoved }], removed, unchanged, entryCount }',
        },
        ...refused,
      },
    },
  },
  '/api/knowledge/{botId}/draft/publish': {
    post: {
      summary:
        'Publishes the draft: the entries are recorded (PostgreSQL), a new search-index version is built and made live, and the draft is dropped',
      parameters: [botId],
      security: csrf,
      responses: {
        '200': {
          description: '{ version: { id, number, collection, publishedBy, added, changed, removed, … }, message }',
        },
        '409': {
          description:
            'someone published since the draft was started (KNOWLEDGE.CHANGED: discard it), or it changes nothing or empties the knowledge base (KNOWLEDGE.DRAFT_NOT_PUBLISHABLE)',
        },
        ...refused,
      },
    },
  },
  '/api/knowledge/{botId}/draft': {
    delete: {
      summary: 'Discards the draft (the live entries are untouched)',
      parameters: [botId],
      security: csrf,
      responses: { '200': { description: '{ message }' }, ...refused },
    },
  },
  '/api/knowledge/{botId}/versions': {
    get: {
      summary: 'The version history, newest first: who published, when, how (mode, source) and what it changed',
      parameters: [botId],
      security: read,
      responses: {
        '200': {
          description:
            '{ versions: [{ id, status, number, collection, source, mode, publishedBy, createdAt, publishedAt, entryCount, added, changed, removed, failure, live, indexed }] }',
        },
        ...refused,
      },
    },
  },
  '/api/knowledge/{botId}/versions/{versionId}/changes': {
    get: {
      summary: 'What one version did to each entry, with the entry before and after',
      parameters: [botId, versionId],
      security: read,
      responses: {
        '200': { description: '{ versionId, changes: [{ entryId, change, before, after, changedBy, changedAt }] }' },
        ...refused,
      },
    },
  },
  '/api/knowledge/{botId}/versions/{versionId}/rollback': {
    post: {
      summary:
        "Makes an earlier version live again (its search index becomes the alias's; nothing is re-embedded) and records it as a rollback",
      parameters: [botId, versionId],
      security: csrf,
      responses: {
        '200': { description: '{ from, to, version, message }' },
        '409': {
          description:
            'its search index is gone (KNOWLEDGE.VERSION_GONE) or it is live already (KNOWLEDGE.VERSION_ACTIVE)',
        },
        ...refused,
      },
    },
  },
};
