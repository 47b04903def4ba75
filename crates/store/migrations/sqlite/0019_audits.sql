-- Audits and self-inspections (第10) (sqlite). Keep in step with
-- ../postgres/0019_audits.sql.
--
-- Checklists: a template the security office edits (frozen = false), or a
-- frozen copy made when a campaign opens (frozen = true, copied_from the
-- template), so later edits never change past answers. source names what the
-- items were drawn from: 'controls' (the control catalogue, provision
-- control:CODE) or 'policy' (a standards document in force, provision CODE#KEY).
CREATE TABLE checklists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    frozen BOOLEAN NOT NULL,
    copied_from BIGINT REFERENCES checklists(id),
    revision BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX checklists_frozen ON checklists(frozen, id);

-- One item of a checklist, in order (position). method: interview, document,
-- on_site, technical. answers: the answers allowed, space separated codes of
-- mamori_core::audit::Answer (done partial not_done not_applicable).
-- chapter: the standards chapter (0: none), for the scores per chapter.
CREATE TABLE checklist_items (
    id INTEGER PRIMARY KEY,
    checklist_id BIGINT NOT NULL REFERENCES checklists(id),
    position BIGINT NOT NULL,
    provision TEXT NOT NULL,
    chapter BIGINT NOT NULL,
    question TEXT NOT NULL,
    mandatory BOOLEAN NOT NULL,
    evidence_hint TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL,
    answers TEXT NOT NULL,
    UNIQUE (checklist_id, position)
);

-- A self-inspection campaign (自己点検): its frozen checklist, what it covers
-- (target_kind 'unit' or 'system'), the deadline (YYYY-MM-DD, answers after
-- it are refused) and whether it is open.
CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    checklist_id BIGINT NOT NULL REFERENCES checklists(id),
    target_kind TEXT NOT NULL,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL,
    item_count BIGINT NOT NULL,
    opened_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- One unit (or system) of a campaign: state not_started, in_progress,
-- submitted; revision counts the saves (a stale save is refused); answered and
-- score are kept up to date by each save so that progress and results pages
-- read one row per unit. score: the sum of the answers' points (done 2,
-- partial 1, not_done 0), over 2 × the items answered other than not_applicable.
CREATE TABLE inspection_targets (
    id INTEGER PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    unit_id BIGINT REFERENCES units(id),
    system_id BIGINT REFERENCES information_systems(id),
    state TEXT NOT NULL,
    revision BIGINT NOT NULL,
    answered BIGINT NOT NULL DEFAULT 0,
    points BIGINT NOT NULL DEFAULT 0,
    applicable BIGINT NOT NULL DEFAULT 0,
    submitted_at TEXT,
    submitted_by TEXT,
    returned_note TEXT NOT NULL DEFAULT '',
    reminded_at TEXT,
    reminders BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX inspection_targets_by ON inspection_targets(inspection_id, state, id);
CREATE INDEX inspection_targets_unit ON inspection_targets(unit_id, inspection_id);
CREATE INDEX inspection_targets_system ON inspection_targets(system_id, inspection_id);

-- One answer of one target to one item of the campaign's checklist.
CREATE TABLE inspection_answers (
    target_id BIGINT NOT NULL REFERENCES inspection_targets(id),
    item_id BIGINT NOT NULL REFERENCES checklist_items(id),
    answer TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    answered_by TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (target_id, item_id)
);
CREATE INDEX inspection_answers_item ON inspection_answers(item_id, answer);
