-- Findings (指摘事項) and their corrective actions (第10; issue 14 part 2)
-- (sqlite). Keep in step with ../postgres/0022_audit_findings.sql.

-- One finding. source_kind: manual, inspection (a mandatory item answered
-- not_done), audit, netcheck (a violation of a firewall check, source_ref
-- naming its file:line). source_key makes raising idempotent (one finding per
-- source). unit_id: the unit concerned (for a system: its owning unit).
-- state: open, action_planned, done, verified, closed. owner_id: the owner of
-- the corrective action; verified_by must differ from owner_id.
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    severity TEXT NOT NULL,
    provision TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id),
    system_id BIGINT REFERENCES information_systems(id),
    description TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_key TEXT,
    source_ref TEXT NOT NULL,
    state TEXT NOT NULL,
    action_plan TEXT NOT NULL,
    owner_id BIGINT REFERENCES users(id),
    due_on TEXT,
    done_note TEXT NOT NULL,
    done_at TEXT,
    verified_by BIGINT REFERENCES users(id),
    verified_at TEXT,
    closed_by BIGINT REFERENCES users(id),
    closed_at TEXT,
    raised_by BIGINT REFERENCES users(id),
    revision BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (source_key)
);
CREATE INDEX findings_state ON findings(state, due_on, id);
CREATE INDEX findings_unit ON findings(unit_id, state, id);
CREATE INDEX findings_owner ON findings(owner_id, state, id);

-- What happened to a finding, in order: raised, planned, done, verified,
-- returned (the verifier sent the action back), closed, note.
CREATE TABLE finding_notes (
    id INTEGER PRIMARY KEY,
    finding_id BIGINT NOT NULL REFERENCES findings(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id)
);
CREATE INDEX finding_notes_finding ON finding_notes(finding_id, id);

-- A mandatory item answered not_done that the security office decided not to
-- raise as a finding, with the reason.
CREATE TABLE finding_waivers (
    inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    target_id BIGINT NOT NULL REFERENCES inspection_targets(id),
    item_id BIGINT NOT NULL REFERENCES checklist_items(id),
    reason TEXT NOT NULL,
    waived_by BIGINT REFERENCES users(id),
    waived_at TEXT NOT NULL,
    PRIMARY KEY (target_id, item_id)
);
CREATE INDEX finding_waivers_inspection ON finding_waivers(inspection_id);

-- Audits (監査): a multi-year programme, its yearly plans, and audits with
-- their scope (space-separated unit ids, system ids, standards chapters),
-- period (YYYY-MM-DD), status (planned, in_progress, reported, closed) and
-- frozen checklist copy. plan_id null: an ad-hoc audit ordered by the CISO
-- (ordered_by).
CREATE TABLE audit_programmes (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    first_year BIGINT NOT NULL,
    last_year BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);

CREATE TABLE audit_plans (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES audit_programmes(id),
    fiscal_year BIGINT NOT NULL,
    notes TEXT NOT NULL,
    UNIQUE (programme_id, fiscal_year)
);

CREATE TABLE audits (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT REFERENCES audit_plans(id),
    title TEXT NOT NULL,
    scope_units TEXT NOT NULL,
    scope_systems TEXT NOT NULL,
    scope_chapters TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    status TEXT NOT NULL,
    checklist_id BIGINT REFERENCES checklists(id),
    ordered_by BIGINT REFERENCES users(id),
    revision BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX audits_plan ON audits(plan_id, id);

-- The auditors of an audit: a user of Mamori (user_id), or an external
-- auditor recorded by name and firm (external = true, user_id null).
CREATE TABLE audit_auditors (
    id INTEGER PRIMARY KEY,
    audit_id BIGINT NOT NULL REFERENCES audits(id),
    user_id BIGINT REFERENCES users(id),
    name TEXT NOT NULL,
    firm TEXT NOT NULL,
    external BOOLEAN NOT NULL
);
CREATE INDEX audit_auditors_audit ON audit_auditors(audit_id, id);

-- The result of one checklist item in an audit: conforming, nonconforming,
-- observation, not_applicable; the evidence seen (text and a link).
CREATE TABLE audit_results (
    audit_id BIGINT NOT NULL REFERENCES audits(id),
    item_id BIGINT NOT NULL REFERENCES checklist_items(id),
    result TEXT NOT NULL,
    evidence TEXT NOT NULL,
    evidence_link TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (audit_id, item_id)
);
