-- Operations (第8(4)): information security incidents with their reporting
-- line, timeline and the reports owed; exceptions to the standards (例外措置)
-- (sqlite). Keep in step with ../postgres/0020_operations.sql.

-- One incident. unit_id: the unit it was reported in (the reporter's); step:
-- how far up the reporting line it has been escalated (administrator,
-- manager, chief, ciso). The personal-data facts decide the reports owed
-- (rules in catalogs/reporting-deadlines.toml, counted from noticed_at's day in JST).
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    noticed_at TEXT NOT NULL,
    place TEXT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id),
    reporter_id BIGINT NOT NULL REFERENCES users(id),
    step TEXT NOT NULL,
    personal_info BOOLEAN NOT NULL,
    my_number BOOLEAN NOT NULL,
    sensitive BOOLEAN NOT NULL,
    financial BOOLEAN NOT NULL,
    wrongful BOOLEAN NOT NULL,
    affected BIGINT,
    publication TEXT NOT NULL,
    publication_note TEXT NOT NULL,
    state TEXT NOT NULL,
    causes TEXT NOT NULL,
    lessons TEXT NOT NULL,
    measures TEXT NOT NULL,
    closed_at TEXT,
    closed_by BIGINT REFERENCES users(id),
    revision BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX incidents_state ON incidents(state, id);
CREATE INDEX incidents_unit ON incidents(unit_id, state, id);
CREATE INDEX incidents_reporter ON incidents(reporter_id, id);

-- The assets and information systems an incident involves (target_kind asset
-- or system).
CREATE TABLE incident_links (
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    target_kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    PRIMARY KEY (incident_id, target_kind, target_id)
);

-- What happened to an incident, in order: reported, escalated (to step),
-- action, assessed, report_sent, closed; each with who and when.
CREATE TABLE incident_timeline (
    id INTEGER PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    step TEXT,
    note TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id)
);
CREATE INDEX incident_timeline_incident ON incident_timeline(incident_id, id);

-- A report or notification owed under a rule, recorded as sent.
CREATE TABLE incident_reports (
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    rule_code TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (incident_id, rule_code)
);

-- An exception: a deviation from a provision (CODE#KEY) or control, for a
-- scope of units, systems and assets (space-separated ids), until ends_on.
-- state: pending, approved, refused, withdrawn. renewed_from: the exception
-- this one renews.
CREATE TABLE exceptions (
    id INTEGER PRIMARY KEY,
    deviation TEXT NOT NULL,
    reason TEXT NOT NULL,
    compensating TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id),
    scope_units TEXT NOT NULL,
    scope_systems TEXT NOT NULL,
    scope_assets TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    state TEXT NOT NULL,
    requester_id BIGINT NOT NULL REFERENCES users(id),
    decided_by BIGINT REFERENCES users(id),
    decided_at TEXT,
    decision_note TEXT NOT NULL,
    renewed_from BIGINT REFERENCES exceptions(id),
    revision BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX exceptions_state ON exceptions(state, ends_on, id);
CREATE INDEX exceptions_unit ON exceptions(unit_id, state, id);
CREATE INDEX exceptions_requester ON exceptions(requester_id, id);
