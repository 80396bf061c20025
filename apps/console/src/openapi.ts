/** The admin/inbox API, described for other tools (served at /api/openapi.json). */
const conversationId = { name: 'id', in: 'path', required: true, description: 'conversation id, URL-encoded (e.g. wecom%2Fbot%2Fuser)', schema: { type: 'string' } };
const ok = { '200': { description: 'done' }, '401': { description: 'not logged in' }, '403': { description: 'missing CSRF token or not allowed' }, '404': { description: 'no such conversation' }, '409': { description: 'state does not allow it (claimed by someone else, already resolved…)' } };
const csrf = [{ session: [], csrf: [] }];

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Answerbridge console API', version: '1.0.0', description: 'Agent inbox and admin operations. Log in, then send the session cookie and, for POSTs, the X-CSRF-Token returned by /api/login or /api/me.' },
  components: {
    securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'ab_session' }, csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' } },
    schemas: {
      Session: { type: 'object', properties: { username: { type: 'string' }, displayName: { type: 'string' }, role: { enum: ['agent', 'admin'] }, csrf: { type: 'string' } } },
      Conversation: {
        type: 'object',
        properties: {
          conversationId: { type: 'string' },
          channel: { type: 'string' },
          botId: { type: 'string' },
          asker: { type: 'string' },
          question: { type: 'string' },
          reason: { type: 'string' },
          state: { enum: ['waiting', 'with-agent', 'resolved'] },
          agentId: { type: ['string', 'null'] },
          escalatedAt: { type: 'integer' },
          waitingSeconds: { type: 'integer' },
          candidates: { type: 'array', items: { type: 'object', properties: { entryId: { type: 'string' }, question: { type: 'string' }, answer: { type: 'string' }, confidence: { type: ['number', 'null'] } } } },
        },
      },
      Entry: { type: 'object', properties: { id: { type: 'string' }, at: { type: 'integer' }, from: { enum: ['asker', 'bot', 'agent', 'system'] }, text: { type: 'string' }, agentId: { type: 'string' }, delivery: { enum: ['queued', 'sent', 'failed'] } } },
    },
  },
  paths: {
    '/api/login': { post: { summary: 'Log in', requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } } } } }, responses: { '200': { description: 'session', content: { 'application/json': { schema: { $ref: '#/components/schemas/Session' } } } }, '401': { description: 'wrong credentials' } } } },
    '/api/logout': { post: { summary: 'Log out', security: csrf, responses: ok } },
    '/api/me': { get: { summary: 'The current session', security: [{ session: [] }], responses: { '200': { description: 'session' }, '401': { description: 'not logged in' } } } },
    '/api/conversations': { get: { summary: 'Open escalations, oldest first', security: [{ session: [] }], responses: { '200': { description: 'waiting and with-agent lists', content: { 'application/json': { schema: { type: 'object', properties: { waiting: { type: 'array', items: { $ref: '#/components/schemas/Conversation' } }, withAgent: { type: 'array', items: { $ref: '#/components/schemas/Conversation' } } } } } } } } } },
    '/api/conversations/{id}': { get: { summary: 'A conversation with its history and the bot candidates', parameters: [conversationId], security: [{ session: [] }], responses: ok } },
    '/api/conversations/{id}/claim': { post: { summary: 'Claim a waiting conversation (exactly one agent wins)', parameters: [conversationId], security: csrf, responses: ok } },
    '/api/conversations/{id}/reply': { post: { summary: 'Reply to the asker through their channel', parameters: [conversationId], security: csrf, requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['text'], properties: { text: { type: 'string', maxLength: 2000 } } } } } }, responses: { ...ok, '202': { description: 'queued; delivery status follows', content: { 'application/json': { schema: { $ref: '#/components/schemas/Entry' } } } } } } },
    '/api/conversations/{id}/resolve': { post: { summary: 'Resolve: the bot answers the next question', parameters: [conversationId], security: csrf, responses: ok } },
    '/api/conversations/{id}/handback': { post: { summary: 'Hand the conversation back to the bot', parameters: [conversationId], security: csrf, responses: ok } },
    '/api/conversations/{id}/transfer': { post: { summary: 'Transfer to another agent', parameters: [conversationId], security: csrf, requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['to'], properties: { to: { type: 'string' } } } } } }, responses: ok } },
    '/api/conversations/{id}/save-faq': { post: { summary: 'Save a question and answer as an FAQ entry of the bot (searchable at once)', parameters: [conversationId], security: csrf, requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['question', 'answer'], properties: { question: { type: 'string' }, answer: { type: 'string' } } } } } }, responses: { ...ok, '201': { description: 'saved' } } } },
    '/api/agents': { get: { summary: 'Console accounts (for transfers)', security: [{ session: [] }], responses: { '200': { description: 'accounts' } } } },
    '/api/admin/queues': { get: { summary: 'Queue depths by state (admins)', security: [{ session: [] }], responses: { '200': { description: 'counts per queue' }, '403': { description: 'admins only' } } } },
    '/api/admin/dead-letters': { get: { summary: 'Jobs that failed for good, newest first (admins)', security: [{ session: [] }], responses: { '200': { description: 'dead letters' }, '403': { description: 'admins only' } } } },
    '/api/admin/dead-letters/{queue}/{id}/replay': { post: { summary: 'Put a dead letter back in its queue (admins)', parameters: [{ name: 'queue', in: 'path', required: true, schema: { type: 'string' } }, { name: 'id', in: 'path', required: true, schema: { type: 'string' } }], security: csrf, responses: { '200': { description: 'queued again' }, '403': { description: 'admins only' }, '404': { description: 'no such failed job' } } } },
    '/api/events': { get: { summary: 'Server-sent events: escalated, claimed, message, delivery, resolved, transferred', security: [{ session: [] }], responses: { '200': { description: 'text/event-stream' } } } },
  },
} as const;
