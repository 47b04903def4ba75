-- Keep in step with ../postgres/0014_sessions_and_throttle.sql.
--
-- Sessions: the database keeps the SHA-256 of a session id (the cookie keeps
-- the id), and the user a session belongs to, so that all of a user's sessions
-- can be ended. Sessions written before this migration kept their ids as they
-- were and cannot be found by their hash: they are dropped, and everyone signs
-- in again after the upgrade.
DROP TABLE sessions;
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT,
    data TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Sign-in throttling by user name and client address, counted in one
-- statement per attempt (see Store::sign_in): `failures` attempts not followed
-- by a success, `wait_ms` the wait after the last one, `next_at_ms` (Unix
-- milliseconds) when the next attempt may be checked.
DROP TABLE login_failures;
CREATE TABLE login_throttle (
    username TEXT NOT NULL,
    remote TEXT NOT NULL,
    failures BIGINT NOT NULL,
    wait_ms BIGINT NOT NULL,
    next_at_ms BIGINT NOT NULL,
    last_at_ms BIGINT NOT NULL,
    PRIMARY KEY (username, remote)
);
CREATE INDEX login_throttle_last ON login_throttle(last_at_ms);

-- A new password or a deactivation ends every session and API token of the
-- user, whichever path changes the row (the pages, the API, the HR import).
CREATE TRIGGER users_end_sessions AFTER UPDATE OF active, password_hash ON users
FOR EACH ROW
WHEN (OLD.active AND NOT NEW.active) OR (OLD.password_hash IS NOT NEW.password_hash)
BEGIN
    DELETE FROM sessions WHERE user_id = NEW.id;
    DELETE FROM api_tokens WHERE user_id = NEW.id;
END;
