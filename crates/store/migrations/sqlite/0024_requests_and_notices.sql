-- Classification changes proposed by staff and decided by the unit's
-- 情報セキュリティ管理者 (or the security office); notices in the app and by
-- mail (sqlite). Keep in step with ../postgres/0024_requests_and_notices.sql.

-- A proposed change of an asset's levels (格付けの変更の申請). state: pending,
-- approved, refused, withdrawn. old_*: the levels when it was proposed (an
-- approval is refused if they have changed since). pending_asset is the
-- asset's id while the request is pending and NULL after: its unique index
-- allows one pending request per asset.
CREATE TABLE classification_requests (
    id INTEGER PRIMARY KEY,
    asset_id BIGINT NOT NULL REFERENCES assets(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    requester_id BIGINT NOT NULL REFERENCES users(id),
    scheme TEXT NOT NULL,
    old_confidentiality TEXT NOT NULL,
    old_integrity TEXT NOT NULL,
    old_availability TEXT NOT NULL,
    new_confidentiality TEXT NOT NULL,
    new_integrity TEXT NOT NULL,
    new_availability TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    pending_asset BIGINT,
    decided_by BIGINT REFERENCES users(id),
    decided_at TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX classification_requests_pending ON classification_requests(pending_asset);
CREATE INDEX classification_requests_state ON classification_requests(state, unit_id, id);
CREATE INDEX classification_requests_requester ON classification_requests(requester_id, id);

-- A notice to one person (お知らせ): what it is about (kind), its text and
-- the page it links to. dedup: a key that keeps a reminder from being sent
-- twice (NULL: none). batch: the call that made it (its mail is queued with
-- it). read_at: when the person marked it read.
CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    dedup TEXT,
    batch TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notices_user ON notices(user_id, read_at, id);
CREATE UNIQUE INDEX notices_dedup ON notices(user_id, dedup);
CREATE INDEX notices_batch ON notices(batch);

-- Mail waiting to be sent through the city's SMTP server. state: pending,
-- sent, failed (given up after the last attempt). A failed attempt is retried
-- at next_attempt_at; last_error is shown to the administrator.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY,
    notice_id BIGINT REFERENCES notices(id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    next_attempt_at TEXT NOT NULL,
    sent_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt_at, id);
