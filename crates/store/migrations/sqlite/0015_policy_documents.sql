-- Policy documents as versioned texts (第9, 附則) (sqlite). Keep in step with
-- ../postgres/0015_policy_documents.sql.
-- A document (the basic policy, the standards, a procedure), its versions
-- (draft → review → approved → in force → superseded), each version's
-- provisions (a tree in reading order, each with the stable key that follows it
-- from version to version) and the review comments on a version.

CREATE TABLE pdoc_documents (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    -- mamori_core::policy_doc::Level: basic, standard, procedure
    level TEXT NOT NULL,
    title TEXT NOT NULL,
    -- The unit or information system a procedure belongs to (NULL: city-wide).
    unit_id BIGINT REFERENCES units(id),
    system_id BIGINT REFERENCES information_systems(id),
    -- mamori_core::policy_doc::Readership: everyone, staff, unit
    readership TEXT NOT NULL,
    needs_acknowledgement BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- state: draft, review, approved, in_force, superseded. revision counts the
-- saves of a draft (a save names the revision it read: a stale save is refused).
-- drafted_by_user: who made the draft (NULL: the system, e.g. the CLI), who may
-- not approve it.
CREATE TABLE pdoc_versions (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES pdoc_documents(id),
    number BIGINT NOT NULL,
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    based_on BIGINT,
    drafted_by_user BIGINT REFERENCES users(id),
    drafted_by TEXT NOT NULL,
    effective_on TEXT,
    approved_by_user BIGINT REFERENCES users(id),
    approval_body TEXT,
    decision_number TEXT,
    approved_on TEXT,
    approved_at TEXT,
    revision BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (document_id, number)
);

-- One provision of a version; ordinal is its place in reading order, parent_key
-- the key of the provision it stands under (NULL: at the top), links a JSON
-- array of CODE#KEY it implements or follows.
CREATE TABLE pdoc_provisions (
    id INTEGER PRIMARY KEY,
    version_id BIGINT NOT NULL REFERENCES pdoc_versions(id),
    pkey TEXT NOT NULL,
    parent_key TEXT,
    ordinal BIGINT NOT NULL,
    depth BIGINT NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    heading TEXT NOT NULL,
    body TEXT NOT NULL,
    links TEXT NOT NULL,
    UNIQUE (version_id, pkey)
);
CREATE INDEX pdoc_provisions_order ON pdoc_provisions(version_id, ordinal);

-- Review comments on a provision of a version (provision_key NULL: the whole
-- version), answered and resolved.
CREATE TABLE pdoc_comments (
    id INTEGER PRIMARY KEY,
    version_id BIGINT NOT NULL REFERENCES pdoc_versions(id),
    provision_key TEXT,
    author_user BIGINT REFERENCES users(id),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    resolved BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX pdoc_comments_version ON pdoc_comments(version_id, id);
