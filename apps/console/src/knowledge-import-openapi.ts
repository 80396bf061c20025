/** The knowledge import API (knowledge-import-routes.ts), for the console's OpenAPI document. */
const csrf = [{ session: [], csrf: [] }];
const botId = { name: 'botId', in: 'path', required: true, schema: { type: 'string' } };
const issue = {
  type: 'object',
  properties: {
    line: {
      type: ['integer', 'null'],
      description: '1-based line (CSV, text) or row (spreadsheet); null: the whole file',
    },
    sheet: { type: ['string', 'null'], description: 'the worksheet, for .xlsx' },
    message: { type: 'string', description: 'what is wrong, Chinese first' },
  },
};
const entry = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    question: { type: 'string' },
    answer: { type: 'string', description: 'cut at 600 characters' },
    similar: { type: 'array', items: { type: 'string' } },
    category: { type: ['string', 'null'] },
    tags: { type: 'array', items: { type: 'string' } },
  },
};
const refusal = (description: string) => ({ description });

export const importPaths = {
  '/api/knowledge/{botId}/import/preview': {
    post: {
      summary:
        'Import preview (导入): read an FAQ file (.xlsx, .csv in UTF-8 with or without BOM or GBK/GB18030, .docx, .md, .jsonl, .txt) and say what publishing it would change, without changing anything; the preview is kept for 30 minutes (editors and admins)',
      parameters: [
        botId,
        {
          name: 'name',
          in: 'query',
          required: true,
          description: 'the file name; its extension says the format',
          schema: { type: 'string', maxLength: 200 },
        },
        {
          name: 'mode',
          in: 'query',
          description:
            'replace: the file becomes the whole knowledge base (entries it lacks are removed, except those agents saved); upsert: update by id, else by canonical question, add the rest, remove nothing; append: add only what matches nothing',
          schema: { enum: ['upsert', 'replace', 'append'], default: 'upsert' },
        },
      ],
      security: csrf,
      requestBody: {
        required: true,
        description: "the file's bytes, at most 5 MB",
        content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
      },
      responses: {
        '200': {
          description:
            'the preview: { previewId, expiresAt, basedOn, mode, file: { name, format, encoding }, counts: { rows, added, changed, removed, unchanged, skipped, total, issues, saved, learned, learnedWithoutEntry, fromIndex }, changesNothing, added: [entry], changed: [{ id, question, fields: [{ field, before, after }], questionsAdded, questionsRemoved }], removed: [entry], skipped: [{ id, question }], issues: [issue] }; lists stop at 300 items, counts do not',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  previewId: { type: 'string' },
                  added: { type: 'array', items: entry },
                  removed: { type: 'array', items: entry },
                  issues: { type: 'array', items: issue },
                },
              },
            },
          },
        },
        '400': refusal(
          'no file name, an unknown mode, an empty file, a format it cannot read (unknown extension, binary or garbled text, not the format its name says) (CONSOLE.BAD_INPUT, CONSOLE.BAD_FILE), or no valid row (CONSOLE.BAD_FILE, with issues): nothing changed',
        ),
        '403': refusal('editors and admins only (CONSOLE.FORBIDDEN), or missing CSRF token'),
        '404': refusal('no such bot (CONSOLE.NOT_FOUND)'),
        '413': refusal('the file is larger than 5 MB, refused before it is read (CONSOLE.TOO_LARGE)'),
      },
    },
  },
  '/api/knowledge/{botId}/import/publish': {
    post: {
      summary:
        'Publish a preview exactly as previewed: the entries go to PostgreSQL, then a new search-index version is built and made live; recorded as source "控制台导入 <file name>" by the signed-in user (editors and admins, the one who previewed it)',
      parameters: [botId],
      security: csrf,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { type: 'object', required: ['previewId'], properties: { previewId: { type: 'string' } } },
          },
        },
      },
      responses: {
        '200': {
          description:
            '{ version: { number, collection, entryCount, added, changed, removed, publishedBy, source, mode }, message }',
        },
        '400': refusal('no previewId (CONSOLE.BAD_INPUT)'),
        '403': refusal('editors and admins only (CONSOLE.FORBIDDEN), or missing CSRF token'),
        '404': refusal('no such bot (CONSOLE.NOT_FOUND)'),
        '409': refusal(
          'the knowledge base was published, or its saved entries or learned phrasings changed, since the preview: preview again (CONSOLE.KNOWLEDGE_CHANGED); nothing changed',
        ),
        '410': refusal('the preview expired, was published already, or is not yours (CONSOLE.PREVIEW_GONE)'),
      },
    },
  },
};
