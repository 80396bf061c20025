import { channelRegistry } from '@answerbridge/pipeline';
import { userPaths } from './user-openapi';
import { importPaths } from './knowledge-import-openapi';
import { entriesPaths } from './knowledge-entries-openapi';

/** The admin/inbox API, described for other tools (served at /api/openapi.json). */
const conversationId = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'conversation id, URL-encoded (e.g. wecom%2Fbot%2Fuser)',
  schema: { type: 'string' },
};
const ok = {
  '200': { description: 'done' },
  '401': { description: 'not logged in' },
  '403': { description: 'missing CSRF token or not allowed' },
  '404': { description: 'no such conversation' },
  '409': { description: 'state does not allow it (claimed by someone else, already resolved…)' },
};
const csrf = [{ session: [], csrf: [] }];
const quickReplyId = { name: 'quickReplyId', in: 'path', required: true, schema: { type: 'string' } };
const quickReplyBody = {
  type: 'object',
  required: ['title', 'text'],
  properties: {
    title: { type: 'string', maxLength: 40, description: 'one line' },
    text: { type: 'string', maxLength: 2000, description: 'may break lines' },
  },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Answerbridge console API',
    version: '1.0.0',
    description:
      'Agent inbox and admin operations. Log in, then send the session cookie and, for POSTs, the X-CSRF-Token returned by /api/login or /api/me.',
  },
  components: {
    securitySchemes: {
      session: { type: 'apiKey', in: 'cookie', name: 'ab_session' },
      csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
    },
    schemas: {
      Session: {
        type: 'object',
        properties: {
          username: { type: 'string' },
          displayName: { type: 'string' },
          role: { enum: ['agent', 'editor', 'admin'] },
          csrf: { type: 'string' },
        },
      },
      Conversation: {
        type: 'object',
        properties: {
          conversationId: { type: 'string' },
          channel: { type: 'string' },
          botId: { type: 'string' },
          asker: { type: 'string' },
          chatType: { enum: ['direct', 'group'] },
          group: {
            type: ['string', 'null'],
            description: "the group's id (DingTalk openConversationId) in a group chat",
          },
          question: { type: 'string' },
          reason: { type: 'string', description: 'why the bot handed over (asked-for-human, answer-not-helpful, …)' },
          state: { enum: ['waiting', 'with-agent', 'resolved'] },
          agentId: { type: ['string', 'null'] },
          escalatedAt: { type: 'integer' },
          claimedAt: { type: ['integer', 'null'] },
          resolvedAt: { type: ['integer', 'null'] },
          waitingSeconds: { type: 'integer' },
          candidates: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                entryId: { type: 'string' },
                question: { type: 'string' },
                answer: { type: 'string' },
                confidence: { type: ['number', 'null'] },
              },
            },
          },
        },
      },
      FaqDraft: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          kind: { enum: ['entry', 'phrasing'], description: 'a new entry (新条目) or new words of an entry (新问法)' },
          source: {
            enum: ['picked-suggestion', 'agent-link', 'unanswered-queue'],
            description: 'how a phrasing was learned: the asker picked the entry from a list, or an agent linked it',
          },
          status: { enum: ['pending', 'approving', 'approved', 'rejected'] },
          knowledgeBase: { type: 'string' },
          botId: { type: 'string' },
          conversationId: { type: 'string' },
          question: { type: 'string' },
          answer: { type: 'string' },
          savedBy: { type: 'string' },
          savedAt: { type: 'integer' },
          decidedBy: { type: 'string' },
          decidedAt: { type: 'integer' },
          rejectReason: { type: 'string' },
          entryId: { type: 'string', description: 'the live entry it became (an entry draft), or the entry it joins' },
        },
      },
      Turn: {
        type: 'object',
        description: "one turn with the bot before the handover: the asker's message or the bot's reply",
        properties: {
          id: { type: 'string' },
          messageId: { type: 'string', description: "the asker's message this turn belongs to" },
          at: { type: 'integer' },
          from: { enum: ['asker', 'bot'] },
          text: { type: 'string' },
          decision: { type: 'string', description: "the bot's turns: answer, suggest, escalate, …" },
          confidence: {
            type: ['number', 'null'],
            description: 'the probability the answer is right (0..1), or a keyword score above 1',
          },
        },
      },
      QuickReply: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          title: { type: 'string', maxLength: 40 },
          text: { type: 'string', maxLength: 2000 },
          updatedBy: { type: 'string' },
          updatedAt: { type: 'integer' },
        },
      },
      Entry: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          at: { type: 'integer' },
          from: { enum: ['asker', 'bot', 'agent', 'system'] },
          text: { type: 'string' },
          agentId: { type: 'string' },
          delivery: { enum: ['queued', 'sent', 'failed'] },
        },
      },
    },
  },
  paths: {
    '/api/login': {
      post: {
        summary: 'Log in',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['username', 'password'],
                properties: { username: { type: 'string' }, password: { type: 'string' } },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'session',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Session' } } },
          },
          '401': { description: 'wrong credentials' },
          '429': {
            description:
              'too many failed logins for this account or from this address (CONSOLE.LOGIN_THROTTLED); the right password is refused too until Retry-After seconds have passed',
            headers: { 'Retry-After': { schema: { type: 'integer' } } },
          },
        },
      },
    },
    '/api/logout': { post: { summary: 'Log out', security: csrf, responses: ok } },
    '/api/me': {
      get: {
        summary: 'The current session',
        security: [{ session: [] }],
        responses: { '200': { description: 'session' }, '401': { description: 'not logged in' } },
      },
    },
    '/api/conversations': {
      get: {
        summary: 'Open escalations, oldest first',
        security: [{ session: [] }],
        responses: {
          '200': {
            description: 'waiting and with-agent lists',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    waiting: { type: 'array', items: { $ref: '#/components/schemas/Conversation' } },
                    withAgent: { type: 'array', items: { $ref: '#/components/schemas/Conversation' } },
                  },
                },
              },
            },
          },
        },
      },
    },
    '/api/conversations/{id}': {
      get: {
        summary: 'A conversation with its history and the bot candidates',
        description:
          "`history`: the handover's own entries (the asker, the bot, agents, notes). `earlier`: the conversation's last turns with the bot before it (kept 20 per conversation for DATA_RETENTION_DAYS, erased with the person), without the message that triggered the handover, which is in `history`.",
        parameters: [conversationId],
        security: [{ session: [] }],
        responses: {
          ...ok,
          '200': {
            description: 'the conversation',
            content: {
              'application/json': {
                schema: {
                  allOf: [
                    { $ref: '#/components/schemas/Conversation' },
                    {
                      type: 'object',
                      properties: {
                        history: { type: 'array', items: { $ref: '#/components/schemas/Entry' } },
                        earlier: { type: 'array', items: { $ref: '#/components/schemas/Turn' } },
                      },
                    },
                  ],
                },
              },
            },
          },
        },
      },
    },
    '/api/conversations/{id}/claim': {
      post: {
        summary: 'Claim a waiting conversation (exactly one agent wins)',
        parameters: [conversationId],
        security: csrf,
        responses: ok,
      },
    },
    '/api/conversations/{id}/reply': {
      post: {
        summary: 'Reply to the asker through their channel',
        parameters: [conversationId],
        security: csrf,
        requestBody: {
          content: {
            'application/json': {
              schema: { type: 'object', required: ['text'], properties: { text: { type: 'string', maxLength: 2000 } } },
            },
          },
        },
        responses: {
          ...ok,
          '202': {
            description: 'queued; delivery status follows',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Entry' } } },
          },
        },
      },
    },
    '/api/conversations/{id}/resolve': {
      post: {
        summary: 'Resolve: the bot answers the next question',
        parameters: [conversationId],
        security: csrf,
        responses: ok,
      },
    },
    '/api/conversations/{id}/handback': {
      post: {
        summary: 'Hand the conversation back to the bot',
        parameters: [conversationId],
        security: csrf,
        responses: ok,
      },
    },
    '/api/conversations/{id}/transfer': {
      post: {
        summary: 'Transfer to another agent',
        parameters: [conversationId],
        security: csrf,
        requestBody: {
          content: {
            'application/json': {
              schema: { type: 'object', required: ['to'], properties: { to: { type: 'string' } } },
            },
          },
        },
        responses: ok,
      },
    },
    '/api/conversations/{id}/save-faq': {
      post: {
        summary:
          "Save a question and answer from a conversation you hold (admins: any). An agent's save is a draft the bot does not use until an admin approves it; an admin's save is live at once",
        parameters: [conversationId],
        security: csrf,
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['question', 'answer'],
                properties: {
                  question: { type: 'string', maxLength: 500 },
                  answer: { type: 'string', maxLength: 8000 },
                },
              },
            },
          },
        },
        responses: {
          ...ok,
          '201': {
            description:
              'status "draft" (waiting for review) or "live" (an admin saved it), with the draft and a message to show',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    status: { enum: ['draft', 'live'] },
                    draft: { $ref: '#/components/schemas/FaqDraft' },
                    message: { type: 'string' },
                  },
                },
              },
            },
          },
          '403': {
            description: 'missing CSRF token, or the conversation is held by another agent (CONSOLE.NOT_HOLDER)',
          },
          '409': { description: 'the conversation is not with an agent (claim it first)' },
        },
      },
    },
    '/api/conversations/{id}/entry-candidates': {
      get: {
        summary:
          "Entries of the bot's live knowledge base that may answer what the asker wrote, searched as the bot searches (its language's mode): the top 5, for linking the asker's words to one (holder or admin)",
        parameters: [
          conversationId,
          {
            name: 'q',
            in: 'query',
            required: false,
            description: "What to look up (1–200 characters); without it, the asker's last question",
            schema: { type: 'string', maxLength: 200 },
          },
        ],
        security: [{ session: [] }],
        responses: {
          '200': {
            description:
              "the entries (percent: 匹配度, null when the scores are BM25 ones), the asker's messages and the one proposed to learn (the handover's question, or the question before a 转人工)",
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    q: { type: 'string' },
                    keywordOnly: { type: 'boolean' },
                    entries: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          entryId: { type: 'string' },
                          question: { type: 'string' },
                          excerpt: { type: 'string' },
                          score: { type: 'number' },
                          percent: { type: ['integer', 'null'] },
                        },
                      },
                    },
                    messages: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          id: { type: 'string' },
                          at: { type: 'integer' },
                          text: { type: 'string' },
                          question: { type: 'boolean' },
                          trigger: { type: 'boolean' },
                        },
                      },
                    },
                    toLearn: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
          '400': { description: 'q empty or longer than 200 characters (CONSOLE.BAD_INPUT, said in words)' },
          '403': { description: 'the conversation is held by another agent (CONSOLE.NOT_HOLDER)' },
          '404': { description: 'no such conversation' },
          '409': { description: 'the conversation is not with an agent (claim it first)' },
        },
      },
    },
    '/api/conversations/{id}/link-entry': {
      post: {
        summary:
          "Say which existing entry answers what the asker wrote: the words become one more similar question of it. An agent's link is a 新问法 draft for review; an admin's is live at once",
        parameters: [conversationId],
        security: csrf,
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['entryId', 'question'],
                properties: { entryId: { type: 'string' }, question: { type: 'string', maxLength: 200 } },
              },
            },
          },
        },
        responses: {
          '200': { description: 'status "live": the entry already has these words (or the draft was already there)' },
          '201': { description: 'status "draft" (waiting for review) or "live" (an admin linked it), with a message' },
          '400': { description: 'bad input' },
          '403': { description: 'missing CSRF token, or the conversation is held by another agent' },
          '404': { description: 'no such entry in the live knowledge base (LEARNING.NO_SUCH_ENTRY)' },
          '409': { description: 'the conversation is not with an agent (claim it first)' },
        },
      },
    },
    '/api/agents': {
      get: {
        summary: 'Console accounts (for transfers)',
        security: [{ session: [] }],
        responses: { '200': { description: 'accounts' } },
      },
    },
    '/api/admin/queues': {
      get: {
        summary: 'Queue depths by state (admins)',
        security: [{ session: [] }],
        responses: { '200': { description: 'counts per queue' }, '403': { description: 'admins only' } },
      },
    },
    '/api/admin/dead-letters': {
      get: {
        summary: 'Jobs that failed for good, newest first (admins)',
        security: [{ session: [] }],
        responses: { '200': { description: 'dead letters' }, '403': { description: 'admins only' } },
      },
    },
    '/api/admin/dead-letters/{queue}/{id}/replay': {
      post: {
        summary: 'Put a dead letter back in its queue (admins)',
        parameters: [
          { name: 'queue', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        ],
        security: csrf,
        responses: {
          '200': { description: 'queued again' },
          '403': { description: 'admins only' },
          '404': { description: 'no such failed job' },
        },
      },
    },
    '/api/admin/faq-drafts': {
      get: {
        summary: 'FAQ drafts agents saved, waiting for review, oldest first (admins)',
        security: [{ session: [] }],
        responses: {
          '200': {
            description: 'pending drafts',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    drafts: { type: 'array', items: { $ref: '#/components/schemas/FaqDraft' } },
                    entries: {
                      type: 'object',
                      description:
                        'By draft id, for each phrasing draft: the live entry it joins (entryId, question, answer), or null when it is gone',
                    },
                  },
                },
              },
            },
          },
          '403': { description: 'admins only' },
        },
      },
    },
    '/api/admin/faq-drafts/{draftId}': {
      get: {
        summary: 'One FAQ draft, in any status (admins)',
        parameters: [{ name: 'draftId', in: 'path', required: true, schema: { type: 'string' } }],
        security: [{ session: [] }],
        responses: {
          '200': {
            description: 'the draft',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/FaqDraft' } } },
          },
          '403': { description: 'admins only' },
          '404': { description: 'no such draft' },
        },
      },
    },
    '/api/admin/faq-drafts/{draftId}/approve': {
      post: {
        summary:
          'Approve a draft: the bot answers with it at once, and every later kb ingest keeps it, recorded as saved by its agent and approved by you (admins)',
        parameters: [{ name: 'draftId', in: 'path', required: true, schema: { type: 'string' } }],
        security: csrf,
        responses: {
          '200': { description: 'live' },
          '403': { description: 'admins only, or missing CSRF token' },
          '404': { description: 'no such draft' },
          '409': { description: 'already approved or rejected' },
        },
      },
    },
    '/api/admin/faq-drafts/{draftId}/reject': {
      post: {
        summary: 'Reject a draft: it never goes live (admins)',
        parameters: [{ name: 'draftId', in: 'path', required: true, schema: { type: 'string' } }],
        security: csrf,
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: { type: 'object', properties: { reason: { type: 'string', maxLength: 500 } } },
            },
          },
        },
        responses: {
          '200': { description: 'rejected' },
          '403': { description: 'admins only, or missing CSRF token' },
          '404': { description: 'no such draft' },
          '409': { description: 'already approved or rejected' },
        },
      },
    },
    '/api/admin/personal-data/erase': {
      post: {
        summary: "Delete one person's data on request (PIPL; admins)",
        description:
          "Deletes, for the person a channel names `senderId` on bot `botId`: their escalations with their histories in every conversation of theirs (direct and, on DingTalk, each group), their entries in the decision log, and the bot's memory of their conversations. Refused with 409 while an agent holds one of their conversations (resolve it first; a waiting one is deleted). Answers with counts only; an audit log line records who asked and whose data.",
        security: csrf,
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['channel', 'botId', 'senderId'],
                properties: {
                  channel: { enum: channelRegistry.map((c) => c.name) },
                  botId: { type: 'string', maxLength: 128 },
                  senderId: {
                    type: 'string',
                    maxLength: 256,
                    description: "the platform's id of the person: WeCom UserID, DingTalk staffId (or senderId)",
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'deleted (counts are 0 when nothing was kept)',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    person: {
                      type: 'object',
                      properties: {
                        channel: { type: 'string' },
                        botId: { type: 'string' },
                        senderId: { type: 'string' },
                      },
                    },
                    deleted: {
                      type: 'object',
                      properties: {
                        conversations: { type: 'integer' },
                        escalations: { type: 'integer' },
                        historyEntries: { type: 'integer' },
                        decisions: { type: 'integer' },
                        conversationState: { type: 'integer' },
                        analyticsRows: { type: 'integer', description: 'analytics events and feedback (PostgreSQL)' },
                        drafts: { type: 'integer', description: "review-queue drafts of the person's conversations" },
                      },
                    },
                  },
                },
              },
            },
          },
          '400': { description: 'channel, botId or senderId missing or malformed (CONSOLE.BAD_INPUT)' },
          '401': { description: 'not logged in' },
          '403': { description: 'missing CSRF token, or not an admin' },
          '409': {
            description:
              'an agent holds one of their conversations (PERSONAL_DATA.WITH_AGENT, with heldConversations); nothing of it was deleted',
          },
        },
      },
    },
    '/api/quick-replies': {
      get: {
        summary: 'Quick replies (canned answers) agents insert into a reply, sorted by title',
        security: [{ session: [] }],
        responses: {
          '200': {
            description: 'the list',
            content: {
              'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/QuickReply' } } },
            },
          },
          '401': { description: 'not logged in' },
        },
      },
    },
    '/api/admin/quick-replies': {
      post: {
        summary: 'Add a quick reply (admins; at most 200)',
        security: csrf,
        requestBody: { content: { 'application/json': { schema: quickReplyBody } } },
        responses: {
          '201': {
            description: 'added',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/QuickReply' } } },
          },
          '400': { description: 'title or text missing, too long, or holding control characters (CONSOLE.BAD_INPUT)' },
          '403': { description: 'admins only, or missing CSRF token' },
          '409': { description: 'already 200 quick replies (CONSOLE.QUICK_REPLIES_FULL)' },
        },
      },
    },
    '/api/admin/quick-replies/{quickReplyId}': {
      post: {
        summary: 'Change a quick reply (admins)',
        parameters: [quickReplyId],
        security: csrf,
        requestBody: { content: { 'application/json': { schema: quickReplyBody } } },
        responses: {
          '200': {
            description: 'changed',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/QuickReply' } } },
          },
          '400': { description: 'title or text missing, too long, or holding control characters (CONSOLE.BAD_INPUT)' },
          '403': { description: 'admins only, or missing CSRF token' },
          '404': { description: 'no such quick reply (CONSOLE.NO_QUICK_REPLY)' },
        },
      },
    },
    '/api/admin/quick-replies/{quickReplyId}/delete': {
      post: {
        summary: 'Delete a quick reply (admins)',
        parameters: [quickReplyId],
        security: csrf,
        responses: {
          '200': { description: 'deleted' },
          '403': { description: 'admins only, or missing CSRF token' },
          '404': { description: 'no such quick reply (CONSOLE.NO_QUICK_REPLY)' },
        },
      },
    },
    '/api/knowledge/bots': {
      get: {
        summary:
          'The bots, each with its knowledge base, language and live version number (null before the first import) (editors and admins)',
        security: [{ session: [] }],
        responses: {
          '200': { description: '{ bots: [{ id, channel, knowledgeBase, language, activeVersion }] }' },
          '403': { description: 'editors and admins only (CONSOLE.FORBIDDEN)' },
        },
      },
    },
    '/api/knowledge/{botId}/hit-test': {
      post: {
        summary:
          'Hit testing (命中测试): decide a question as the worker would in a new conversation (same search, person recognition, calibration and policy) without recording, learning or replying; the decision, why in words, the thresholds and the ranked candidates (editors and admins)',
        parameters: [{ name: 'botId', in: 'path', required: true, schema: { type: 'string' } }],
        security: csrf,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['question'],
                properties: {
                  question: { type: 'string', minLength: 1, maxLength: 500 },
                  against: {
                    enum: ['live', 'draft'],
                    description:
                      'draft: search the bot’s draft (indexed apart on demand) as it will answer once published; live without a draft',
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description:
              '{ question, searched: live | draft, decision: { kind, reason, entryId, reply, confidence, inTop3, evidence, suggestions, explanation }, thresholds: { answer, suggest, calibrated, keyword }, search, candidates: [{ rank, entryId, question, matchedQuestion, answer, score, dense, keyword, confidence }] }',
          },
          '400': { description: 'no question, longer than 500 characters, or a bad against (CONSOLE.BAD_INPUT)' },
          '403': { description: 'editors and admins only (CONSOLE.FORBIDDEN), or missing CSRF token' },
          '404': { description: 'no such bot (CONSOLE.NOT_FOUND)' },
        },
      },
    },
    '/api/events': {
      get: {
        summary:
          'Server-sent events: escalated, claimed, message, delivery, resolved, transferred; evicted (then closed) when the session opens more than CONSOLE_MAX_EVENT_STREAMS_PER_SESSION streams',
        security: [{ session: [] }],
        responses: { '200': { description: 'text/event-stream' } },
      },
    },
    ...userPaths,
    ...importPaths,
    ...entriesPaths,
  },
} as const;
