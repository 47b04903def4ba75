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
