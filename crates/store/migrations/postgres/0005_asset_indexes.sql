-- Keep in step with ../sqlite/0005_asset_indexes.sql.
-- One unit's register in number order (staff's own view, a page deep in it)
-- and by name, each without sorting the whole unit. The scope's is_top test is
-- checked on the rows these give.
DROP INDEX assets_unit;
CREATE INDEX assets_unit ON assets(owner_unit_id, id);
CREATE INDEX assets_unit_name ON assets(owner_unit_id, name, id);
