-- The status of each control where it applies (第8) (sqlite). Keep in step with
-- ../postgres/0016_control_status.sql.
-- A control's status is kept city-wide, per unit or per information system:
-- scope_kind is 'city' (scope_id 0), 'unit' (scope_id: units.id) or 'system'
-- (scope_id: information_systems.id). control_code names a control of the
-- built-in catalogue or one of the city's own. state is
-- mamori_core::control::Implementation (implemented, partial, not_implemented,
-- not_applicable); reason is required for not_applicable. revision counts the
-- saves (a save names the revision it read: a stale save is refused).
-- The risk register (0017) reads this table to derive likelihood; the audit
-- area reads it as context. Evidence lives in tables of its own.
CREATE TABLE control_status (
    id INTEGER PRIMARY KEY,
    control_code TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    owner_user_id BIGINT REFERENCES users(id),
    due_on TEXT,
    comment TEXT NOT NULL DEFAULT '',
    revision BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (control_code, scope_kind, scope_id)
);
CREATE INDEX control_status_scope ON control_status(scope_kind, scope_id, control_code);

-- Information systems as a register (第2(2)): the vendor or service the system
-- runs on (free text until vendors exist), go-live and end dates, the day it was
-- retired (retired systems stay readable, read-only), and a revision for edits.
ALTER TABLE information_systems ADD COLUMN vendor TEXT NOT NULL DEFAULT '';
ALTER TABLE information_systems ADD COLUMN go_live_on TEXT;
ALTER TABLE information_systems ADD COLUMN ends_on TEXT;
ALTER TABLE information_systems ADD COLUMN retired_on TEXT;
ALTER TABLE information_systems ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;

-- The city's own controls live in `controls` with builtin = false (codes C-<serial>).
-- Applicability: asset kinds, confidentiality levels and segment ids (space
-- separated; empty: any) and personal information ('any', 'yes', 'no').
ALTER TABLE controls ADD COLUMN applies_kinds TEXT NOT NULL DEFAULT '';
ALTER TABLE controls ADD COLUMN applies_levels TEXT NOT NULL DEFAULT '';
ALTER TABLE controls ADD COLUMN applies_segments TEXT NOT NULL DEFAULT '';
ALTER TABLE controls ADD COLUMN applies_personal TEXT NOT NULL DEFAULT 'any';
ALTER TABLE controls ADD COLUMN retired_on TEXT;
ALTER TABLE controls ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;

-- Evidence (証跡): a file (kept in the database, so that a backup, a restore and
-- a transaction hold the record and its bytes together) or a link (http/https).
-- sha256 is written into the event log. An evidence belongs to records through
-- evidence_links (owner_kind 'control_status' here; the audit area adds
-- 'self_inspection_answer' and so on), so that other areas reuse the table.
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL DEFAULT '',
    media_type TEXT NOT NULL DEFAULT '',
    size BIGINT NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL DEFAULT '',
    content BLOB,
    url TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE evidence_links (
    evidence_id BIGINT NOT NULL REFERENCES evidence(id),
    owner_kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, evidence_id)
);
