-- Operations, part 2 (issue 15): permissions (許可申請), violations (違反)
-- (sqlite). Keep in step with ../postgres/0023_outsourcing.sql.

-- A permission asked for: kind take_out, private_device, install_software,
-- connect_device; what (free text), the assets it concerns (space-separated
-- ids), from starts_on until until_on. unit_id: the requester's unit, whose
-- managers decide. state: pending, granted, refused, returned.
CREATE TABLE permissions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    what TEXT NOT NULL,
    reason TEXT NOT NULL,
    assets TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    until_on TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id),
    requester_id BIGINT NOT NULL REFERENCES users(id),
    state TEXT NOT NULL,
    decided_by BIGINT REFERENCES users(id),
    decided_at TEXT,
    decision_note TEXT NOT NULL,
    returned_on TEXT,
    returned_by BIGINT REFERENCES users(id),
    return_note TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX permissions_state ON permissions(state, until_on, id);
CREATE INDEX permissions_unit ON permissions(unit_id, state, id);
CREATE INDEX permissions_requester ON permissions(requester_id, id);

-- A recorded violation of the policy: what, when found and by whom (a name),
-- who committed it (a person, optional) and their unit, what was done
-- (instruction, suspension, other), and the incident or audit finding it
-- belongs to (finding_id: no foreign key, the findings table is another
-- area's).
CREATE TABLE violations (
    id INTEGER PRIMARY KEY,
    what TEXT NOT NULL,
    found_on TEXT NOT NULL,
    found_by TEXT NOT NULL,
    offender_id BIGINT REFERENCES users(id),
    unit_id BIGINT REFERENCES units(id),
    action TEXT NOT NULL,
    action_note TEXT NOT NULL,
    incident_id BIGINT REFERENCES incidents(id),
    finding_id BIGINT,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX violations_unit ON violations(unit_id, found_on, id);
CREATE INDEX violations_found ON violations(found_on, id);

-- A contractor (委託先): what it does for the city, the information systems
-- it works on (space-separated ids), the highest confidentiality level it
-- handles, where the data is kept. criteria_met: the codes of the selection
-- criteria (catalogs/contractor-criteria.toml) it meets; criteria_note: why.
CREATE TABLE contractors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    business TEXT NOT NULL,
    systems TEXT NOT NULL,
    highest_class TEXT NOT NULL,
    data_location TEXT NOT NULL,
    criteria_met TEXT NOT NULL,
    criteria_note TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX contractors_name ON contractors(name, id);

-- A contract with a contractor: the clauses it contains (space-separated
-- codes of catalogs/contract-requirements.toml).
CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    contractor_id BIGINT NOT NULL REFERENCES contractors(id),
    title TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    clauses TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX contracts_contractor ON contracts(contractor_id, id);

-- The contractor's staff on the city's work (委託先従事者): a user of Mamori
-- or a name.
CREATE TABLE contractor_staff (
    id INTEGER PRIMARY KEY,
    contractor_id BIGINT NOT NULL REFERENCES contractors(id),
    user_id BIGINT REFERENCES users(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX contractor_staff_contractor ON contractor_staff(contractor_id, id);

-- A periodic assessment of a contractor: when, the result, the follow-up, and
-- when the next one is due.
CREATE TABLE contractor_assessments (
    id INTEGER PRIMARY KEY,
    contractor_id BIGINT NOT NULL REFERENCES contractors(id),
    assessed_on TEXT NOT NULL,
    result TEXT NOT NULL,
    follow_up TEXT NOT NULL,
    next_due TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX contractor_assessments_contractor ON contractor_assessments(contractor_id, next_due);

-- An external service (外部サービス, e.g. a cloud service): who provides it
-- (a contractor, optional), what it is used for, the systems, the highest
-- confidentiality level, the data location, its ISMAP registration, and
-- whether it is approved for the α' model (alpha_prime).
CREATE TABLE external_services (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    contractor_id BIGINT REFERENCES contractors(id),
    cloud BOOLEAN NOT NULL,
    purpose TEXT NOT NULL,
    systems TEXT NOT NULL,
    highest_class TEXT NOT NULL,
    data_location TEXT NOT NULL,
    ismap BOOLEAN NOT NULL,
    ismap_id TEXT NOT NULL,
    alpha_prime BOOLEAN NOT NULL,
    revision BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX external_services_name ON external_services(name, id);

-- An emergency response plan (緊急時対応計画) for one threat category of 第7
-- (cyber_attack, disaster, infrastructure_outage, staff_shortage): whom to
-- call, the steps, the information systems it covers (space-separated ids).
CREATE TABLE emergency_plans (
    id INTEGER PRIMARY KEY,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    contacts TEXT NOT NULL,
    steps TEXT NOT NULL,
    systems TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX emergency_plans_category ON emergency_plans(category, id);

-- A drill of a plan: when, and what was learned.
CREATE TABLE emergency_drills (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES emergency_plans(id),
    held_on TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX emergency_drills_plan ON emergency_drills(plan_id, held_on);

-- The plan an incident followed.
ALTER TABLE incidents ADD COLUMN plan_id BIGINT REFERENCES emergency_plans(id);
