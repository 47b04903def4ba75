-- Network resilience checks (強靱性の向上): the city's segments file and the history
-- of checks per device. Keep in step with ../postgres/0004_netcheck.sql.

CREATE TABLE netcheck_runs (
    id INTEGER PRIMARY KEY,
    device TEXT NOT NULL,
    files TEXT NOT NULL,
    model TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    clean BOOLEAN NOT NULL,
    complete BOOLEAN NOT NULL,
    violations BIGINT NOT NULL,
    shadowed BIGINT NOT NULL,
    config_sha256 TEXT NOT NULL,
    segments_toml TEXT NOT NULL,
    report_json TEXT NOT NULL
);
CREATE INDEX netcheck_runs_device ON netcheck_runs(device, id);
