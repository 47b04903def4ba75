-- Keep in step with ../postgres/0010_segment_interfaces.sql.
-- One record of the segments for the asset register and the network checker:
-- the device interfaces or zones that face a segment (one a line), as the
-- segments file gives them.
ALTER TABLE segments ADD COLUMN interfaces TEXT NOT NULL DEFAULT '';
