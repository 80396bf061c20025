-- Analytics from the decision log (issue 14, part 5). The worker keeps writing its decisions to a Redis stream
-- (an answer never waits on PostgreSQL); the console copies the stream into analytics_events, one copier at a
-- time, and keeps its place here. Feedback on answers (the WeCom AI bot's 准确/不准确) comes through the same
-- stream and lands in analytics_feedback, one row per answered message.

-- Where the copy of each decision log stands: the id of the last stream entry copied. Moved in the same
-- transaction as the rows it copied, so a crash repeats nothing and skips nothing.
CREATE TABLE analytics_cursor (
  -- The log's key prefix (QUEUE_PREFIX): deployments sharing a database keep their own place.
  log text PRIMARY KEY CHECK (log <> ''),
  last_id text NOT NULL CHECK (last_id ~ '^[0-9]+-[0-9]+$'),
  -- How many entries the stream had ever been given up to last_id (Redis's entries-added), when known: the
  -- entries added since that are gone without being copied were lost (trimmed while the copier was away).
  added bigint CHECK (added >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Entries lost that way, in all.
  lost bigint NOT NULL DEFAULT 0
);

-- The stream entry each row came from: a row can never be copied twice, whatever happens.
ALTER TABLE analytics_events ADD COLUMN log_id text;
CREATE UNIQUE INDEX analytics_events_log_id ON analytics_events (log_id);
-- Feedback finds its decision by the message id.
CREATE INDEX analytics_events_message ON analytics_events (bot_id, message_id) WHERE message_id IS NOT NULL;

-- A person's verdict on one answer; a later verdict replaces an earlier one, 取消 (cancelled) withdraws it.
CREATE TABLE analytics_feedback (
  bot_id text NOT NULL,
  -- The decision's message id (analytics_events.message_id): the feedback id the channel set on the reply.
  message_id text NOT NULL,
  channel text NOT NULL,
  conversation_id text NOT NULL,
  verdict text NOT NULL CHECK (verdict IN ('accurate', 'inaccurate', 'cancelled')),
  content text,
  reasons integer[] NOT NULL DEFAULT '{}',
  occurred_at timestamptz NOT NULL,
  log_id text NOT NULL,
  PRIMARY KEY (bot_id, message_id)
);
CREATE INDEX analytics_feedback_time ON analytics_feedback (occurred_at);
CREATE INDEX analytics_feedback_conversation ON analytics_feedback (conversation_id);
