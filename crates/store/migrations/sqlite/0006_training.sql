-- Training (第8(2) 教育・訓練) (sqlite). Keep in step with ../postgres/0006_training.sql.
-- Courses, assignments of a course to a target with a due date, one request per
-- person materialised at assignment time, and completions (entered, self-declared
-- or imported from an e-learning system).

CREATE TABLE training_courses (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    title_en TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    -- mamori_core::training::CourseKind
    kind TEXT NOT NULL,
    -- How long a completion stays valid; NULL: for good.
    valid_months BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- target_kind: everyone, role (target = guideline role code), unit (target = unit
-- id, the unit and below), employment_type (target = its code).
-- counts_from: the first completion date that counts (due_on less the course's
-- validity); NULL: any completion counts.
CREATE TABLE training_assignments (
    id INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES training_courses(id),
    target_kind TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    due_on TEXT NOT NULL,
    counts_from TEXT,
    note TEXT NOT NULL DEFAULT '',
    assigned_by TEXT NOT NULL,
    assigned_at TEXT NOT NULL
);
CREATE INDEX training_assignments_course ON training_assignments(course_id);

-- Each completion of a course by a person. source: entered, self, import.
CREATE TABLE training_completions (
    id INTEGER PRIMARY KEY,
    course_id BIGINT NOT NULL REFERENCES training_courses(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    completed_on TEXT NOT NULL,
    source TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (user_id, course_id, completed_on)
);

-- One request per person and assignment; unit_id is the person's unit when
-- assigned; completed_on is set from the completions that count.
CREATE TABLE training_requests (
    assignment_id BIGINT NOT NULL REFERENCES training_assignments(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    unit_id BIGINT REFERENCES units(id),
    due_on TEXT NOT NULL,
    completed_on TEXT,
    PRIMARY KEY (assignment_id, user_id)
);
CREATE INDEX training_requests_unit ON training_requests(unit_id, due_on);
CREATE INDEX training_requests_user ON training_requests(user_id, completed_on);
