-- Organisation and staff obligations (sqlite). Keep in step with ../postgres/0003_organisation.sql.
-- Staff fields on users, the guideline's role assignments, and acknowledgements
-- (誓約) of policy revisions.

ALTER TABLE users ADD COLUMN employment_type TEXT NOT NULL DEFAULT 'regular';
ALTER TABLE users ADD COLUMN position TEXT NOT NULL DEFAULT '';

-- A guideline role (see mamori_core::org::GUIDELINE_ROLES) held by a user for a
-- scope: the whole organisation, a unit (and below), or one information system.
CREATE TABLE role_assignments (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id),
    system_id BIGINT,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX role_assignments_user ON role_assignments(user_id, starts_on);
CREATE INDEX role_assignments_unit ON role_assignments(unit_id);

-- An acknowledgement campaign: every active user is asked to confirm that they have
-- read one revision (附則) of a policy document.
CREATE TABLE ack_campaigns (
    id INTEGER PRIMARY KEY,
    revision_id BIGINT NOT NULL REFERENCES policy_revisions(id),
    title TEXT NOT NULL,
    due_on TEXT,
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL
);

-- One request per user and campaign; unit_id is the user's unit when asked.
CREATE TABLE ack_requests (
    campaign_id BIGINT NOT NULL REFERENCES ack_campaigns(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    unit_id BIGINT REFERENCES units(id),
    confirmed_at TEXT,
    PRIMARY KEY (campaign_id, user_id)
);
CREATE INDEX ack_requests_unit ON ack_requests(campaign_id, unit_id);
CREATE INDEX ack_requests_user ON ack_requests(user_id);
