-- The information-asset register (SQLite). Keep in step with ../postgres/0002_assets.sql.
-- Ids of assets are given by the store (the next id is taken under the event-log
-- head lock), so that batch imports know every id without relying on the order
-- of RETURNING rows.

-- Network segments (第2(14)): the network-resilience work extends this table.
CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL DEFAULT '',
    -- mynumber, lgwan, internet, or a city's own role.
    role TEXT NOT NULL,
    -- Address ranges, one CIDR or range a line.
    ranges TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE information_systems (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    owner_unit_id BIGINT REFERENCES units(id),
    segment_id BIGINT REFERENCES segments(id),
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX information_systems_unit ON information_systems(owner_unit_id);

CREATE TABLE assets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_unit_id BIGINT NOT NULL REFERENCES units(id),
    administrator TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    system_id BIGINT REFERENCES information_systems(id),
    segment_id BIGINT REFERENCES segments(id),
    personal_info BOOLEAN NOT NULL,
    my_number BOOLEAN NOT NULL,
    retention TEXT NOT NULL DEFAULT '',
    -- The scheme the levels belong to, and the level codes.
    scheme TEXT NOT NULL,
    confidentiality TEXT NOT NULL,
    integrity TEXT NOT NULL,
    availability TEXT NOT NULL,
    label TEXT NOT NULL,
    confidentiality_rank BIGINT NOT NULL,
    -- At the strictest confidentiality level of its scheme: visible only to
    -- the owning unit and the security office.
    is_top BOOLEAN NOT NULL,
    -- Consistency checks the asset fails (codes, space-separated), computed on
    -- write and recomputed when the active scheme changes.
    flagged BOOLEAN NOT NULL,
    flags TEXT NOT NULL DEFAULT '',
    lifecycle TEXT NOT NULL,
    disposed_on TEXT,
    disposal_method TEXT,
    disposal_confirmed_by TEXT,
    notes TEXT NOT NULL DEFAULT '',
    -- Lowercased, width-folded name, description, administrator, location,
    -- retention and notes, for free-text search with LIKE.
    search_text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Owning unit first: staff see their own unit, and the scope filter is a list of units.
CREATE INDEX assets_unit ON assets(owner_unit_id, is_top, id);
CREATE INDEX assets_unit_conf ON assets(owner_unit_id, confidentiality, id);
CREATE INDEX assets_conf ON assets(confidentiality, id);
CREATE INDEX assets_flagged ON assets(flagged, owner_unit_id, id);
CREATE INDEX assets_kind ON assets(kind, id);
CREATE INDEX assets_segment ON assets(segment_id, id);
CREATE INDEX assets_system ON assets(system_id);
CREATE INDEX assets_lifecycle ON assets(lifecycle, id);
CREATE INDEX assets_top ON assets(is_top, id);
CREATE INDEX assets_name ON assets(name, id);
CREATE INDEX assets_updated ON assets(updated_at, id);

-- Free-text search: an FTS5 index of trigrams over search_text (external
-- content: the text lives in assets only), kept in step by triggers. A search
-- word of three or more characters is looked up here; a shorter one is matched
-- with LIKE over search_text.
CREATE VIRTUAL TABLE assets_fts USING fts5(
    search_text, content = 'assets', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER assets_fts_insert AFTER INSERT ON assets BEGIN
    INSERT INTO assets_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER assets_fts_delete AFTER DELETE ON assets BEGIN
    INSERT INTO assets_fts (assets_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER assets_fts_update AFTER UPDATE OF search_text ON assets BEGIN
    INSERT INTO assets_fts (assets_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO assets_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
