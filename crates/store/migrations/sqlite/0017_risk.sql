-- Threats, risks and their treatment (第7, 第11) (sqlite). Keep in step with
-- ../postgres/0017_risk.sql.
--
-- Risks are computed per PROFILE, not per asset: assets that share kind,
-- scheme and levels, segment, owning unit, system, personal information / My
-- Number and location kind share their threats and risks, so a register of a
-- million assets has a few thousand profiles. An asset whose threats a person
-- decided on (added or dismissed one) gets a profile of its own (asset_id set).
-- Profiles and pairs are kept (never deleted) so that a treatment stays tied to
-- its pair: a profile no asset has any more has asset_count 0, a pair that no
-- longer applies has active = false.
CREATE TABLE risk_profiles (
    id INTEGER PRIMARY KEY,
    profile_key TEXT NOT NULL UNIQUE,
    asset_id BIGINT,
    kind TEXT NOT NULL,
    scheme TEXT NOT NULL,
    confidentiality TEXT NOT NULL,
    integrity TEXT NOT NULL,
    availability TEXT NOT NULL,
    segment_id BIGINT,
    owner_unit_id BIGINT NOT NULL,
    system_id BIGINT,
    personal_info BOOLEAN NOT NULL,
    my_number BOOLEAN NOT NULL,
    location_kind TEXT NOT NULL,
    is_top BOOLEAN NOT NULL,
    importance BIGINT NOT NULL,
    approach TEXT NOT NULL,
    asset_count BIGINT NOT NULL,
    computed_at TEXT NOT NULL
);
CREATE INDEX risk_profiles_unit ON risk_profiles(owner_unit_id, id);

-- One threat of one profile: its inherent and residual risk under the active
-- matrix. The profile's unit, level, count and the treatment are copied here
-- so that a filtered, sorted page of the register reads one table by an index.
CREATE TABLE risk_pairs (
    id INTEGER PRIMARY KEY,
    profile_id BIGINT NOT NULL REFERENCES risk_profiles(id),
    threat_code TEXT NOT NULL,
    owner_unit_id BIGINT NOT NULL,
    is_top BOOLEAN NOT NULL,
    asset_count BIGINT NOT NULL,
    importance BIGINT NOT NULL,
    impact BIGINT NOT NULL,
    likelihood BIGINT NOT NULL,
    residual_likelihood BIGINT NOT NULL,
    inherent_value BIGINT NOT NULL,
    residual_value BIGINT NOT NULL,
    band TEXT NOT NULL,
    -- Share of the countering controls carried out where the profile is, 0–100.
    control_effect BIGINT NOT NULL,
    active BOOLEAN NOT NULL,
    -- none, or the treatment's option and state.
    treatment TEXT NOT NULL DEFAULT 'none',
    treatment_state TEXT NOT NULL DEFAULT 'none',
    UNIQUE (profile_id, threat_code)
);
CREATE INDEX risk_pairs_value ON risk_pairs(active, residual_value, id);
CREATE INDEX risk_pairs_unit ON risk_pairs(owner_unit_id, active, residual_value, id);
CREATE INDEX risk_pairs_threat ON risk_pairs(threat_code, active, residual_value, id);
CREATE INDEX risk_pairs_treatment ON risk_pairs(treatment_state, active, residual_value, id);

-- The security office's decisions on the threats of one asset or system:
-- target_kind 'asset' or 'system'; decision confirm, add or dismiss.
CREATE TABLE threat_decisions (
    id INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    threat_code TEXT NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    UNIQUE (target_kind, target_id, threat_code)
);

-- The treatment of one pair (reduce, accept, transfer, avoid). state: planned,
-- pending (an acceptance awaiting approval), accepted, revoked.
CREATE TABLE risk_treatments (
    id INTEGER PRIMARY KEY,
    pair_id BIGINT NOT NULL UNIQUE REFERENCES risk_pairs(id),
    option TEXT NOT NULL,
    state TEXT NOT NULL,
    owner_user_id BIGINT NOT NULL REFERENCES users(id),
    due_on TEXT,
    controls TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    -- The residual risk when the treatment was chosen.
    residual_value BIGINT NOT NULL,
    requested_by BIGINT NOT NULL REFERENCES users(id),
    approved_by BIGINT REFERENCES users(id),
    approved_at TEXT,
    expires_on TEXT,
    revoked_by BIGINT REFERENCES users(id),
    revoked_at TEXT,
    revoke_reason TEXT NOT NULL DEFAULT '',
    revision BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX risk_treatments_expiry ON risk_treatments(state, expires_on);

-- Matrices the city defines (the built-in 3×3 and 5×5 live in
-- catalogs/risk-matrices.toml); definition is the matrix as JSON.
CREATE TABLE risk_matrices (
    code TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
