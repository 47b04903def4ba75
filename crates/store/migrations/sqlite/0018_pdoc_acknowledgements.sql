-- Acknowledgement campaigns for a version of a policy document kept as
-- versions (第9, 第4) (sqlite). Keep in step with ../postgres/0018_pdoc_acknowledgements.sql.
-- A campaign asks for one text: a revision (附則 row) of the built-in
-- catalogue (revision_id) or a version of a policy document (pdoc_version_id),
-- exactly one of the two. A version opens its campaign by itself when it comes
-- into force, for a document marked as needing acknowledgement; at most one
-- campaign a version.
-- SQLite cannot drop NOT NULL in place: the table is rebuilt, its foreign keys
-- checked at the end of the migration's transaction (ack_requests refers to it).
PRAGMA defer_foreign_keys = ON;
CREATE TABLE ack_campaigns_new (
    id INTEGER PRIMARY KEY,
    revision_id BIGINT REFERENCES policy_revisions(id),
    title TEXT NOT NULL,
    due_on TEXT,
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    pdoc_version_id BIGINT REFERENCES pdoc_versions(id),
    CHECK ((revision_id IS NULL) <> (pdoc_version_id IS NULL))
);
INSERT INTO ack_campaigns_new (id, revision_id, title, due_on, opened_by, opened_at)
    SELECT id, revision_id, title, due_on, opened_by, opened_at FROM ack_campaigns;
DROP TABLE ack_campaigns;
ALTER TABLE ack_campaigns_new RENAME TO ack_campaigns;
CREATE UNIQUE INDEX ack_campaigns_pdoc ON ack_campaigns(pdoc_version_id);
