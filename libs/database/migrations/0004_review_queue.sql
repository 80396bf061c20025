-- The review queue moves here from Redis (issue 14): FAQ drafts and the phrasings learned from use.
-- A draft holds what an asker wrote, so it lives only for the retention, as its Redis key did: expires_at is
-- when it goes (pending ones DATA_RETENTION_DAYS after they were saved, decided ones as long after the decision);
-- one past it is treated as gone and the retention sweep deletes it.
ALTER TABLE faq_drafts ADD COLUMN expires_at timestamptz NOT NULL DEFAULT 'infinity';
CREATE INDEX faq_drafts_expires ON faq_drafts (expires_at);

-- An editor adding a group of unanswered questions (未解决问题) to an entry is a third way of learning a phrasing.
ALTER TABLE faq_drafts DROP CONSTRAINT faq_drafts_source_check;
ALTER TABLE faq_drafts ADD CONSTRAINT faq_drafts_source_check
  CHECK (source IN ('picked-suggestion', 'agent-link', 'unanswered-queue'));
ALTER TABLE learned_phrasings DROP CONSTRAINT learned_phrasings_source_check;
ALTER TABLE learned_phrasings ADD CONSTRAINT learned_phrasings_source_check
  CHECK (source IN ('picked-suggestion', 'agent-link', 'unanswered-queue'));
