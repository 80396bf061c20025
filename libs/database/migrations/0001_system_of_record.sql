-- The system of record (issue 14): console accounts and roles, knowledge entries and their versions, the
-- FAQ drafts under review, phrasings learned from use, and one analytics event per bot decision.
-- Milvus is the search index, rebuilt from knowledge_entries; Redis keeps queues and short-lived state.
-- Times are timestamptz; who did something is a console username or, for the kb CLI, an OS user (free text,
-- not a foreign key: a person may leave while what they did stays on record).

CREATE TABLE console_roles (
  name text PRIMARY KEY,
  -- Higher ranks may do what lower ones may: agent 10 < editor 20 < admin 30.
  rank integer NOT NULL UNIQUE,
  description text NOT NULL
);
INSERT INTO console_roles (name, rank, description) VALUES
  ('agent', 10, '客服：接入会话、回复、提交 FAQ 草稿 / answers conversations, submits FAQ drafts'),
  ('editor', 20, '知识编辑：审核草稿、编辑并发布知识库 / reviews drafts, edits and publishes knowledge'),
  ('admin', 30, '管理员：以上全部，并管理账号与运维 / all of the above, manages accounts and operations');

CREATE TABLE console_users (
  username text PRIMARY KEY CHECK (username ~ '^[a-z0-9_.-]{2,32}$'),
  display_name text NOT NULL CHECK (display_name <> ''),
  role text NOT NULL REFERENCES console_roles (name),
  password_hash text NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
  disabled boolean NOT NULL DEFAULT false,
  -- Sessions issued before this are no longer honoured (a password reset, a role change, disabling).
  sessions_valid_after timestamptz NOT NULL DEFAULT '-infinity',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);
CREATE INDEX console_users_role ON console_users (role) WHERE NOT disabled;

CREATE TABLE knowledge_bases (
  name text PRIMARY KEY CHECK (name <> ''),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The entries as people wrote them: what every Milvus version of the knowledge base is built from.
CREATE TABLE knowledge_entries (
  knowledge_base text NOT NULL REFERENCES knowledge_bases (name),
  id text NOT NULL CHECK (id <> ''),
  kind text NOT NULL DEFAULT 'faq' CHECK (kind IN ('faq', 'doc')),
  question text NOT NULL CHECK (question <> ''),
  similar_questions text[] NOT NULL DEFAULT '{}',
  answer text NOT NULL CHECK (answer <> ''),
  category text,
  tags text[] NOT NULL DEFAULT '{}',
  -- For an entry saved from a conversation: {savedBy, savedAt, approvedBy, approvedAt} (epoch ms).
  provenance jsonb,
  -- Its place in the knowledge base as last published (the order of the file it came from).
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  PRIMARY KEY (knowledge_base, id)
);
CREATE INDEX knowledge_entries_category ON knowledge_entries (knowledge_base, category);
CREATE INDEX knowledge_entries_updated ON knowledge_entries (knowledge_base, updated_at DESC);

-- One row per publication of a knowledge base: who, when, what it changed, and the Milvus version built.
CREATE TABLE knowledge_versions (
  id bigserial PRIMARY KEY,
  knowledge_base text NOT NULL REFERENCES knowledge_bases (name),
  -- building: the entries are written, the Milvus version not yet; published: it is active; failed: not built.
  status text NOT NULL DEFAULT 'building' CHECK (status IN ('building', 'published', 'failed')),
  -- The Milvus version number and collection (set once built).
  number integer,
  collection text,
  source text NOT NULL,
  mode text NOT NULL CHECK (mode IN ('upsert', 'append', 'replace', 'console', 'rollback')),
  published_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  entry_count integer NOT NULL CHECK (entry_count >= 0),
  added integer NOT NULL DEFAULT 0 CHECK (added >= 0),
  changed integer NOT NULL DEFAULT 0 CHECK (changed >= 0),
  removed integer NOT NULL DEFAULT 0 CHECK (removed >= 0),
  failure text
);
-- Not unique: an index rebuilt from scratch (Milvus data lost) numbers its versions from 1 again.
CREATE INDEX knowledge_versions_number ON knowledge_versions (knowledge_base, number) WHERE number IS NOT NULL;
CREATE INDEX knowledge_versions_recent ON knowledge_versions (knowledge_base, created_at DESC);

-- What each publication did to each entry, with the entry before and after: an entry's history.
CREATE TABLE knowledge_entry_changes (
  id bigserial PRIMARY KEY,
  version_id bigint NOT NULL REFERENCES knowledge_versions (id) ON DELETE CASCADE,
  knowledge_base text NOT NULL,
  entry_id text NOT NULL,
  change text NOT NULL CHECK (change IN ('added', 'changed', 'removed')),
  before jsonb,
  after jsonb,
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX knowledge_entry_changes_entry ON knowledge_entry_changes (knowledge_base, entry_id, changed_at DESC);
CREATE INDEX knowledge_entry_changes_version ON knowledge_entry_changes (version_id);

-- The review queue: an agent's "save as FAQ" (kind entry) or a wording to learn (kind phrasing), until an
-- editor decides. (Still kept in Redis by the console; moved here in the next step.)
CREATE TABLE faq_drafts (
  id text PRIMARY KEY,
  kind text NOT NULL DEFAULT 'entry' CHECK (kind IN ('entry', 'phrasing')),
  source text CHECK (source IN ('picked-suggestion', 'agent-link')),
  status text NOT NULL CHECK (status IN ('pending', 'approving', 'approved', 'rejected')),
  knowledge_base text NOT NULL REFERENCES knowledge_bases (name),
  bot_id text NOT NULL,
  conversation_id text NOT NULL,
  question text NOT NULL,
  answer text NOT NULL,
  -- The entry it became (an entry draft) or the entry it joins (a phrasing).
  entry_id text,
  saved_by text NOT NULL,
  saved_at timestamptz NOT NULL,
  decided_by text,
  decided_at timestamptz,
  reject_reason text
);
CREATE INDEX faq_drafts_pending ON faq_drafts (saved_at) WHERE status IN ('pending', 'approving');
CREATE INDEX faq_drafts_knowledge_base ON faq_drafts (knowledge_base, status, saved_at DESC);
CREATE INDEX faq_drafts_conversation ON faq_drafts (conversation_id);

-- Wordings an entry learned from use, once approved. (Still kept in Redis; moved here in the next step.)
CREATE TABLE learned_phrasings (
  id text PRIMARY KEY,
  knowledge_base text NOT NULL REFERENCES knowledge_bases (name),
  entry_id text NOT NULL,
  wording text NOT NULL CHECK (wording <> ''),
  source text NOT NULL CHECK (source IN ('picked-suggestion', 'agent-link')),
  saved_by text NOT NULL,
  saved_at timestamptz NOT NULL,
  approved_by text NOT NULL,
  approved_at timestamptz NOT NULL
);
CREATE INDEX learned_phrasings_entry ON learned_phrasings (knowledge_base, entry_id);

-- One row per bot decision (answered, suggested, handed over …) with what it scored. (The worker still
-- writes its decision log to Redis; written here in the next step.)
CREATE TABLE analytics_events (
  id bigserial PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  bot_id text NOT NULL,
  channel text NOT NULL,
  conversation_id text NOT NULL,
  message_id text,
  question text NOT NULL,
  decision text NOT NULL,
  reason text,
  knowledge_base text,
  entry_id text,
  confidence double precision,
  -- Thresholds, evidence and the candidates' scores, as the decision log keeps them.
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX analytics_events_bot_time ON analytics_events (bot_id, occurred_at DESC);
CREATE INDEX analytics_events_time ON analytics_events (occurred_at);
CREATE INDEX analytics_events_decision ON analytics_events (bot_id, decision, occurred_at DESC);
CREATE INDEX analytics_events_entry ON analytics_events (knowledge_base, entry_id, occurred_at DESC) WHERE entry_id IS NOT NULL;
CREATE INDEX analytics_events_conversation ON analytics_events (conversation_id);
