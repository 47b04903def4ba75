-- The address ranges (CIDR, v4 or v6, one a line) an external service is
-- reached at: a service approved for the α' model may then be named as a
-- flow's destination in the segments file (`destination = "service:<name>"`).
ALTER TABLE external_services ADD COLUMN ranges TEXT NOT NULL DEFAULT '';

-- What the service names of a check's segments file resolved to (JSON: name,
-- service id, ranges, line), as they were when the check ran.
ALTER TABLE netcheck_runs ADD COLUMN resolved_services TEXT NOT NULL DEFAULT '[]';
