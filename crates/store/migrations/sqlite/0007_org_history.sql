-- Organisation import and unit history (sqlite). Keep in step with ../postgres/0007_org_history.sql.
-- The HR system's staff number (職員番号), matched on re-import; and a unit's end:
-- abolished on a date (units.active = FALSE), merged into another unit or not.

ALTER TABLE users ADD COLUMN staff_number TEXT;
CREATE UNIQUE INDEX users_staff_number ON users(staff_number);

ALTER TABLE units ADD COLUMN abolished_on TEXT;
ALTER TABLE units ADD COLUMN merged_into BIGINT REFERENCES units(id);
