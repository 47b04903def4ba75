-- Mamori foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql.
-- Timestamps are RFC 3339 UTC text made in Rust; dates are ISO text (YYYY-MM-DD).

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    parent_id BIGINT REFERENCES units(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);
CREATE INDEX units_path ON units(path);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    unit_id BIGINT REFERENCES units(id),
    password_hash TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX users_unit ON users(unit_id);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    remote TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(username, at);
CREATE INDEX login_failures_remote ON login_failures(remote, at);

CREATE TABLE events (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX events_entity ON events(entity, entity_id, seq);

CREATE TABLE event_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO event_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE policy_documents (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    level TEXT NOT NULL,
    parent_id BIGINT REFERENCES policy_documents(id),
    title TEXT NOT NULL,
    title_en TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE policy_articles (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES policy_documents(id),
    ordinal BIGINT NOT NULL,
    label TEXT NOT NULL,
    number BIGINT NOT NULL,
    heading TEXT NOT NULL,
    heading_en TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX policy_articles_doc ON policy_articles(document_id, ordinal);

CREATE TABLE policy_items (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES policy_articles(id),
    ordinal BIGINT NOT NULL,
    label TEXT NOT NULL,
    number BIGINT NOT NULL,
    heading TEXT,
    heading_en TEXT,
    body TEXT NOT NULL
);
CREATE INDEX policy_items_article ON policy_items(article_id, ordinal);

CREATE TABLE policy_revisions (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES policy_documents(id),
    ordinal BIGINT NOT NULL,
    label TEXT NOT NULL,
    effective TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX policy_revisions_doc ON policy_revisions(document_id, ordinal);

CREATE TABLE threat_categories (
    code TEXT PRIMARY KEY,
    article_item BIGINT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description TEXT NOT NULL,
    description_en TEXT NOT NULL
);

CREATE TABLE threats (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL REFERENCES threat_categories(code),
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description TEXT NOT NULL,
    description_en TEXT NOT NULL,
    generic BOOLEAN NOT NULL,
    builtin BOOLEAN NOT NULL
);
CREATE INDEX threats_category ON threats(category, code);

CREATE TABLE control_categories (
    code TEXT PRIMARY KEY,
    article_item BIGINT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description TEXT NOT NULL,
    description_en TEXT NOT NULL
);

CREATE TABLE standard_chapters (
    number BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE controls (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL REFERENCES control_categories(code),
    chapter BIGINT NOT NULL REFERENCES standard_chapters(number),
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description TEXT NOT NULL,
    builtin BOOLEAN NOT NULL
);
CREATE INDEX controls_category ON controls(category, code);

CREATE TABLE control_threats (
    control_id BIGINT NOT NULL REFERENCES controls(id),
    threat_id BIGINT NOT NULL REFERENCES threats(id),
    PRIMARY KEY (control_id, threat_id)
);

CREATE TABLE classification_schemes (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    definition TEXT NOT NULL,
    builtin BOOLEAN NOT NULL,
    updated_at TEXT NOT NULL
);
