-- Acknowledgement campaigns for a version of a policy document kept as
-- versions (第9, 第4) (postgres). Keep in step with ../sqlite/0018_pdoc_acknowledgements.sql.
-- A campaign asks for one text: a revision (附則 row) of the built-in
-- catalogue (revision_id) or a version of a policy document (pdoc_version_id),
-- exactly one of the two. A version opens its campaign by itself when it comes
-- into force, for a document marked as needing acknowledgement; at most one
-- campaign a version.
ALTER TABLE ack_campaigns ALTER COLUMN revision_id DROP NOT NULL;
ALTER TABLE ack_campaigns ADD COLUMN pdoc_version_id BIGINT REFERENCES pdoc_versions(id);
ALTER TABLE ack_campaigns ADD CONSTRAINT ack_campaigns_one_text
    CHECK ((revision_id IS NULL) <> (pdoc_version_id IS NULL));
CREATE UNIQUE INDEX ack_campaigns_pdoc ON ack_campaigns(pdoc_version_id);
