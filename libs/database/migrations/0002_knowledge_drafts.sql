-- The working draft (草稿) of each knowledge base (issue 14): the console's editors change entries here, and
-- nothing reaches askers until someone publishes it (a new row of knowledge_versions, then the draft is dropped).
CREATE TABLE knowledge_drafts (
  knowledge_base text PRIMARY KEY REFERENCES knowledge_bases (name),
  -- The knowledge_versions id the draft was started from (null: none was recorded yet, the entries came from
  -- the search index). Publishing a draft planned on an older one is refused: someone published meanwhile.
  based_on bigint,
  -- Every entry as the draft has it, in order: [{id, kind, question, similar, answer, category, tags, provenance}].
  entries jsonb NOT NULL CHECK (jsonb_typeof(entries) = 'array'),
  -- Saves so far: a save is made on a count, and refused when another save came in between (two editors).
  edits integer NOT NULL CHECK (edits > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL
);
