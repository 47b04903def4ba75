//! Authorization for Mamori: one Cedar policy set (shipped in `policies/`, readable
//! and extensible by an administrator) and one narrow entry point,
//! [`Authorizer::check`], asked by every page, API route and export.

use cedar_policy::{
    Authorizer as CedarAuthorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName,
    EntityUid, PolicySet, Request, RestrictedExpression, Schema, ValidationMode, Validator,
};
use mamori_core::org::ScopeKind;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// The built-in policy text.
pub const BUILTIN_POLICY: &str = include_str!("../policies/mamori.cedar");
/// The schema every policy is validated against.
pub const SCHEMA: &str = include_str!("../policies/mamori.cedarschema");

/// Why the policy set could not be built.
#[derive(Debug, thiserror::Error)]
pub enum AuthzError {
    #[error("the authorization schema is invalid: {0}")]
    Schema(String),
    #[error("the policy file {file} cannot be parsed: {message}")]
    Parse { file: String, message: String },
    #[error("the policy file {file} does not fit the schema: {message}")]
    Invalid { file: String, message: String },
}

/// Why a permission could not be decided: an entity or request that does not
/// fit the schema, or a policy that failed to evaluate.
#[derive(Debug, thiserror::Error)]
#[error("authorization could not be decided: {0}")]
pub struct DecideError(pub String);

impl DecideError {
    fn of(e: impl std::fmt::Display) -> DecideError {
        DecideError(e.to_string())
    }
}

/// Something a user may ask to do. Each names one Cedar action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    View,
    ReadPolicy,
    ReadCatalog,
    ReadUnits,
    ManageCatalog,
    ManageSettings,
    ReadUsers,
    ManageUsers,
    ManageUnits,
    ReadEvents,
    VerifyLog,
    ImportAssets,
    ExportAssets,
    CreateAsset,
    RunNetcheck,
    ReadAsset,
    WriteAsset,
    ManageRoles,
    ManageAcknowledgements,
    Acknowledge,
    ReadAckStatus,
    ReadPerson,
    ManagePerson,
    ReadUnitStatus,
    AuditUnit,
    ApproveRequest,
    ManageTraining,
    ReadTrainingStatus,
    DeclareTraining,
    RecordTraining,
    // Policy documents (第9).
    CreatePolicyDocument,
    ReadPolicyDocument,
    EditPolicyDocument,
    ReviewPolicyDocument,
    ApprovePolicyDocument,
    // Information systems and control status (issue 13, part 1).
    ManageSystems,
    EditSystem,
    ReadControlStatus,
    SetControlStatus,
    // Risk analysis and treatment (第7, 第11; issue 13 part 2).
    ReadRisk,
    TreatRisk,
    ManageRisk,
    // --- Audits and self-inspections (第10; issue 14) ---
    ManageAudits,
    ReadAuditResults,
    AnswerInspection,
    ReadInspection,
    // --- operations (issue 15) ---
    ReportIncident,
    ReadIncident,
    HandleIncident,
    RequestException,
    ReadException,
    // --- audit2 ---
    RaiseFinding,
    ReadFinding,
    PlanFinding,
    ReportFinding,
    VerifyFinding,
    CloseFinding,
    OrderAudit,
    // --- ops2 ---
    RequestPermission,
    ReadPermission,
    ReturnPermission,
    RecordViolation,
    ReadViolation,
    ManageContractors,
    ReadContractors,
    ManagePlans,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::ReadPolicy => "read_policy",
            Action::ReadCatalog => "read_catalog",
            Action::ReadUnits => "read_units",
            Action::ManageCatalog => "manage_catalog",
            Action::ManageSettings => "manage_settings",
            Action::ReadUsers => "read_users",
            Action::ManageUsers => "manage_users",
            Action::ManageUnits => "manage_units",
            Action::ReadEvents => "read_events",
            Action::VerifyLog => "verify_log",
            Action::ImportAssets => "import_assets",
            Action::ExportAssets => "export_assets",
            Action::CreateAsset => "create_asset",
            Action::RunNetcheck => "run_netcheck",
            Action::ReadAsset => "read_asset",
            Action::WriteAsset => "write_asset",
            Action::ManageRoles => "manage_roles",
            Action::ManageAcknowledgements => "manage_acknowledgements",
            Action::Acknowledge => "acknowledge",
            Action::ReadAckStatus => "read_ack_status",
            Action::ReadPerson => "read_person",
            Action::ManagePerson => "manage_person",
            Action::ReadUnitStatus => "read_unit_status",
            Action::AuditUnit => "audit_unit",
            Action::ApproveRequest => "approve_request",
            Action::ManageTraining => "manage_training",
            Action::ReadTrainingStatus => "read_training_status",
            Action::DeclareTraining => "declare_training",
            Action::RecordTraining => "record_training",
            Action::CreatePolicyDocument => "create_policy_document",
            Action::ReadPolicyDocument => "read_policy_document",
            Action::EditPolicyDocument => "edit_policy_document",
            Action::ReviewPolicyDocument => "review_policy_document",
            Action::ApprovePolicyDocument => "approve_policy_document",
            Action::ManageSystems => "manage_systems",
            Action::EditSystem => "edit_system",
            Action::ReadControlStatus => "read_control_status",
            Action::SetControlStatus => "set_control_status",
            Action::ReadRisk => "read_risk",
            Action::TreatRisk => "treat_risk",
            Action::ManageRisk => "manage_risk",
            Action::ManageAudits => "manage_audits",
            Action::ReadAuditResults => "read_audit_results",
            Action::AnswerInspection => "answer_inspection",
            Action::ReadInspection => "read_inspection",
            Action::ReportIncident => "report_incident",
            Action::ReadIncident => "read_incident",
            Action::HandleIncident => "handle_incident",
            Action::RequestException => "request_exception",
            Action::ReadException => "read_exception",
            // --- audit2 ---
            Action::RaiseFinding => "raise_finding",
            Action::ReadFinding => "read_finding",
            Action::PlanFinding => "plan_finding",
            Action::ReportFinding => "report_finding",
            Action::VerifyFinding => "verify_finding",
            Action::CloseFinding => "close_finding",
            Action::OrderAudit => "order_audit",
            // --- ops2 ---
            Action::RequestPermission => "request_permission",
            Action::ReadPermission => "read_permission",
            Action::ReturnPermission => "return_permission",
            Action::RecordViolation => "record_violation",
            Action::ReadViolation => "read_violation",
            Action::ManageContractors => "manage_contractors",
            Action::ReadContractors => "read_contractors",
            Action::ManagePlans => "manage_plans",
        }
    }
}

/// Who asks: a user, their system roles, the ids of their unit and its
/// ancestors (root first; empty for a user without a unit), and the guideline roles
/// they hold today with the id of each one's scope (a unit id for unit-scoped roles,
/// an information system's id for system-scoped ones, 0 for the whole organisation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub roles: Vec<String>,
    pub unit_lineage: Vec<i64>,
    pub scoped_roles: Vec<(String, i64)>,
}

impl Principal {
    pub fn unit(&self) -> Option<i64> {
        self.unit_lineage.last().copied()
    }
}

/// What the action is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// Mamori as a whole.
    App,
    /// A member of staff as a record: the lineage of their unit (root first).
    Person { id: i64, unit_lineage: Vec<i64> },
    /// A unit of the organisation: its lineage (root first, ending with itself).
    Unit { lineage: Vec<i64> },
    /// A request that someone must approve: who asked, and the lineage of the unit
    /// it is about.
    Request {
        id: i64,
        requester: i64,
        unit_lineage: Vec<i64>,
    },
    /// An information asset: its id, the lineage of its owning unit (root first), and
    /// whether it is at the top confidentiality level.
    Asset {
        id: i64,
        owner_lineage: Vec<i64>,
        top: bool,
    },
    /// A policy document (第9), as one of its versions: its level and
    /// readership (`everyone`, `staff`, `unit`), the lineage of the unit it
    /// belongs to (empty: none), the information system it belongs to (0: none),
    /// whether the version is a draft (or under review), and who drafted it (0:
    /// the system).
    PolicyDocument {
        id: i64,
        level: String,
        readership: String,
        unit_lineage: Vec<i64>,
        system: i64,
        draft: bool,
        drafter: i64,
    },
    /// An information system (第2(2)): its id and the lineage of its owning
    /// unit (empty: none).
    InformationSystem { id: i64, unit_lineage: Vec<i64> },
    /// A control's status in one scope: `city`, `unit` (the unit's lineage) or
    /// `system` (the system's id and its owning unit's lineage).
    ControlStatus {
        scope: String,
        unit_lineage: Vec<i64>,
        system: i64,
    },
    /// A request to accept a risk above the city's threshold (a `Request` of
    /// kind `risk_acceptance`): who asked, and the lineage of the unit whose
    /// assets the risk is about.
    RiskAcceptance {
        id: i64,
        requester: i64,
        unit_lineage: Vec<i64>,
    },
    // --- operations (issue 15) ---
    /// An information security incident: who reported it and the lineage of
    /// the unit it was reported in.
    Incident {
        id: i64,
        reporter: i64,
        unit_lineage: Vec<i64>,
    },
    /// An exception to the standards (a `Request` of kind `exception`): who
    /// asked, and the lineage of the unit it is for.
    Exception {
        id: i64,
        requester: i64,
        unit_lineage: Vec<i64>,
    },
    // --- audit2 ---
    /// A finding: the lineage of the unit concerned, the system (0: none) and
    /// the owner of its corrective action (0: none yet).
    Finding {
        id: i64,
        unit_lineage: Vec<i64>,
        system: i64,
        owner: i64,
    },
    // --- ops2 ---
    /// A permission asked for (持ち出し, a private device, software, a device
    /// to connect; a `Request` of kind `permission`): who asked, and the
    /// lineage of their unit.
    Permission {
        id: i64,
        requester: i64,
        unit_lineage: Vec<i64>,
    },
}

/// A request of a particular kind (`risk_acceptance`, `exception`) as an
/// entity: who asked, its unit and its kind.
fn kind_request(
    entities: &mut HashMap<String, Entity>,
    id: String,
    requester: i64,
    unit_lineage: &[i64],
    kind: &str,
) -> Result<EntityUid, DecideError> {
    let unit = unit_or_none(unit_lineage, entities);
    let request = uid("Mamori::Request", id);
    let attrs = HashMap::from([
        (
            "unit".to_string(),
            RestrictedExpression::new_entity_uid(unit),
        ),
        (
            "requester".to_string(),
            RestrictedExpression::new_entity_uid(uid("Mamori::User", requester)),
        ),
        (
            "kind".to_string(),
            RestrictedExpression::new_string(kind.to_string()),
        ),
    ]);
    entities.insert(
        "request".into(),
        Entity::new(request.clone(), attrs, HashSet::new()).map_err(DecideError::of)?,
    );
    Ok(request)
}

/// The policy set and the means to ask it.
pub struct Authorizer {
    policies: PolicySet,
    schema: Schema,
    sources: Vec<(String, String)>,
    cedar: CedarAuthorizer,
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorizer")
            .field(
                "files",
                &self.sources.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

fn type_name(name: &str) -> EntityTypeName {
    // The names are constants of this file; a failure is a programming error caught
    // by the unit tests.
    EntityTypeName::from_str(name).unwrap_or_else(|_| unreachable!("invalid entity type {name}"))
}

fn uid(kind: &str, id: impl ToString) -> EntityUid {
    EntityUid::from_type_name_and_id(type_name(kind), EntityId::new(id.to_string()))
}

/// The units of a lineage as entities, and the last one's uid (a placeholder unit
/// when the lineage is empty).
fn unit_or_none(lineage: &[i64], entities: &mut HashMap<String, Entity>) -> EntityUid {
    unit_entities(lineage, entities);
    match lineage.last() {
        Some(u) => uid("Mamori::Unit", u),
        None => {
            let none = uid("Mamori::Unit", "none");
            entities.insert(
                "unit:none".into(),
                Entity::new_no_attrs(none.clone(), HashSet::new()),
            );
            none
        }
    }
}

/// Units as entities, each `in` its parent.
fn unit_entities(lineage: &[i64], out: &mut HashMap<String, Entity>) {
    for (i, id) in lineage.iter().enumerate() {
        let parents: HashSet<EntityUid> = match i {
            0 => HashSet::new(),
            _ => HashSet::from([uid("Mamori::Unit", lineage[i - 1])]),
        };
        out.entry(format!("unit:{id}"))
            .or_insert_with(|| Entity::new_no_attrs(uid("Mamori::Unit", id), parents));
    }
}

impl Authorizer {
    /// The built-in policy set alone.
    pub fn builtin() -> Result<Authorizer, AuthzError> {
        Authorizer::with_extra(&[])
    }

    /// The built-in policy set plus an administrator's own files (name, text).
    pub fn with_extra(extra: &[(String, String)]) -> Result<Authorizer, AuthzError> {
        let (schema, _) =
            Schema::from_cedarschema_str(SCHEMA).map_err(|e| AuthzError::Schema(e.to_string()))?;
        let mut sources = vec![(
            "mamori.cedar (built in)".to_string(),
            BUILTIN_POLICY.to_string(),
        )];
        sources.extend(extra.iter().cloned());
        let mut policies = PolicySet::new();
        let validator = Validator::new(schema.clone());
        for (file, text) in &sources {
            let set = PolicySet::from_str(text).map_err(|e| AuthzError::Parse {
                file: file.clone(),
                message: format!("{e:?}"),
            })?;
            let result = validator.validate(&set, ValidationMode::Strict);
            if !result.validation_passed() {
                let message = result
                    .validation_errors()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(AuthzError::Invalid {
                    file: file.clone(),
                    message,
                });
            }
            for policy in set.policies() {
                // Policies from different files may share ids: give each file its own prefix.
                let id = cedar_policy::PolicyId::new(format!("{file}#{}", policy.id()));
                policies
                    .add(policy.new_id(id))
                    .map_err(|e| AuthzError::Parse {
                        file: file.clone(),
                        message: e.to_string(),
                    })?;
            }
        }
        Ok(Authorizer {
            policies,
            schema,
            sources,
            cedar: CedarAuthorizer::new(),
        })
    }

    /// The policy files in force, for the administrator's page.
    pub fn sources(&self) -> &[(String, String)] {
        &self.sources
    }

    /// May `principal` do `action` on `resource`? Denies on any error, which is
    /// logged; [`Authorizer::decide`] gives the error to the caller.
    pub fn check(&self, principal: &Principal, action: Action, resource: &Resource) -> bool {
        match self.decide(principal, action, resource) {
            Ok(allowed) => allowed,
            Err(e) => {
                tracing::error!(error = %e, action = action.name(), "authorization failed");
                false
            }
        }
    }

    /// May `principal` do `action` on `resource`? An error building the request
    /// or evaluating a policy is returned, not taken for a denial.
    pub fn decide(
        &self,
        principal: &Principal,
        action: Action,
        resource: &Resource,
    ) -> Result<bool, DecideError> {
        let mut entities: HashMap<String, Entity> = HashMap::new();
        unit_entities(&principal.unit_lineage, &mut entities);
        let mut attrs = HashMap::new();
        if let Some(unit) = principal.unit() {
            attrs.insert(
                "unit".to_string(),
                RestrictedExpression::new_entity_uid(uid("Mamori::Unit", unit)),
            );
        }
        let mut manages = Vec::new();
        let mut managed_units = Vec::new();
        let mut systems = Vec::new();
        let mut manages_systems = Vec::new();
        let mut role_codes: Vec<&str> = principal.roles.iter().map(String::as_str).collect();
        for (role, scope) in &principal.scoped_roles {
            match mamori_core::org::guideline_role(role).map(|r| r.scope) {
                Ok(ScopeKind::Organisation) => role_codes.push(role),
                Ok(ScopeKind::Unit) => {
                    managed_units.push(*scope);
                    manages.push(RestrictedExpression::new_entity_uid(uid(
                        "Mamori::Unit",
                        scope,
                    )));
                }
                Ok(ScopeKind::System) => {
                    systems.push(RestrictedExpression::new_long(*scope));
                    if role == mamori_core::org::SYSTEM_MANAGER_ROLE {
                        manages_systems.push(RestrictedExpression::new_long(*scope));
                    }
                }
                Err(_) => {}
            }
        }
        attrs.insert(
            "manages".to_string(),
            RestrictedExpression::new_set(manages),
        );
        attrs.insert(
            "systems".to_string(),
            RestrictedExpression::new_set(systems),
        );
        attrs.insert(
            "manages_systems".to_string(),
            RestrictedExpression::new_set(manages_systems),
        );
        let mut role_uids = HashSet::new();
        for role in role_codes {
            let r = uid("Mamori::Role", role);
            entities.insert(
                format!("role:{role}"),
                Entity::new_no_attrs(r.clone(), HashSet::new()),
            );
            role_uids.insert(r);
        }
        let user_uid = uid("Mamori::User", principal.user_id);
        entities.insert(
            "user".into(),
            Entity::new(user_uid.clone(), attrs, role_uids).map_err(DecideError::of)?,
        );
        let resource_uid = match resource {
            Resource::Person { id, unit_lineage } => {
                let unit = unit_or_none(unit_lineage, &mut entities);
                let person = uid("Mamori::Person", id);
                let attrs = HashMap::from([(
                    "unit".to_string(),
                    RestrictedExpression::new_entity_uid(unit),
                )]);
                entities.insert(
                    "person".into(),
                    Entity::new(person.clone(), attrs, HashSet::new()).map_err(DecideError::of)?,
                );
                person
            }
            Resource::Unit { lineage } => unit_or_none(lineage, &mut entities),
            Resource::Request {
                id,
                requester,
                unit_lineage,
            } => {
                let unit = unit_or_none(unit_lineage, &mut entities);
                let request = uid("Mamori::Request", id);
                let attrs = HashMap::from([
                    (
                        "unit".to_string(),
                        RestrictedExpression::new_entity_uid(unit),
                    ),
                    (
                        "requester".to_string(),
                        RestrictedExpression::new_entity_uid(uid("Mamori::User", requester)),
                    ),
                ]);
                entities.insert(
                    "request".into(),
                    Entity::new(request.clone(), attrs, HashSet::new()).map_err(DecideError::of)?,
                );
                request
            }
            Resource::RiskAcceptance {
                id,
                requester,
                unit_lineage,
            } => kind_request(
                &mut entities,
                format!("risk-{id}"),
                *requester,
                unit_lineage,
                "risk_acceptance",
            )?,
            Resource::Exception {
                id,
                requester,
                unit_lineage,
            } => kind_request(
                &mut entities,
                format!("exception-{id}"),
                *requester,
                unit_lineage,
                "exception",
            )?,
            // --- ops2 ---
            Resource::Permission {
                id,
                requester,
                unit_lineage,
            } => kind_request(
                &mut entities,
                format!("permission-{id}"),
                *requester,
                unit_lineage,
                "permission",
            )?,
            Resource::Incident {
                id,
                reporter,
                unit_lineage,
            } => {
                let unit = unit_or_none(unit_lineage, &mut entities);
                let incident = uid("Mamori::Incident", id);
                let attrs = HashMap::from([
                    (
                        "unit".to_string(),
                        RestrictedExpression::new_entity_uid(unit),
                    ),
                    (
                        "reporter".to_string(),
                        RestrictedExpression::new_entity_uid(uid("Mamori::User", reporter)),
                    ),
                ]);
                entities.insert(
                    "incident".into(),
                    Entity::new(incident.clone(), attrs, HashSet::new())
                        .map_err(DecideError::of)?,
                );
                incident
            }
            // --- audit2 ---
            Resource::Finding {
                id,
                unit_lineage,
                system,
                owner,
            } => {
                let unit = unit_or_none(unit_lineage, &mut entities);
                let finding = uid("Mamori::Finding", id);
                let attrs = HashMap::from([
                    (
                        "unit".to_string(),
                        RestrictedExpression::new_entity_uid(unit),
                    ),
                    (
                        "system".to_string(),
                        RestrictedExpression::new_long(*system),
                    ),
                    (
                        "owner".to_string(),
                        RestrictedExpression::new_entity_uid(uid("Mamori::User", owner)),
                    ),
                ]);
                entities.insert(
                    "finding".into(),
                    Entity::new(finding.clone(), attrs, HashSet::new()).map_err(DecideError::of)?,
                );
                finding
            }
            Resource::App => {
                let app = uid("Mamori::App", "mamori");
                entities.insert(
                    "app".into(),
                    Entity::new_no_attrs(app.clone(), HashSet::new()),
                );
                app
            }
            Resource::Asset {
                id,
                owner_lineage,
                top,
            } => {
                unit_entities(owner_lineage, &mut entities);
                let owner = match owner_lineage.last() {
                    Some(u) => uid("Mamori::Unit", u),
                    None => {
                        let none = uid("Mamori::Unit", "none");
                        entities.insert(
                            "unit:none".into(),
                            Entity::new_no_attrs(none.clone(), HashSet::new()),
                        );
                        none
                    }
                };
                let asset = uid("Mamori::Asset", id);
                let attrs = HashMap::from([
                    (
                        "owner".to_string(),
                        RestrictedExpression::new_entity_uid(owner),
                    ),
                    ("top".to_string(), RestrictedExpression::new_bool(*top)),
                ]);
                entities.insert(
                    "asset".into(),
                    Entity::new(asset.clone(), attrs, HashSet::new()).map_err(DecideError::of)?,
                );
                asset
            }
            Resource::PolicyDocument {
                id,
                level,
                readership,
                unit_lineage,
                system,
                draft,
                drafter,
            } => {
                let unit = unit_or_none(unit_lineage, &mut entities);
                let doc = uid("Mamori::PolicyDocument", id);
                let attrs = HashMap::from([
                    (
                        "level".to_string(),
                        RestrictedExpression::new_string(level.clone()),
                    ),
                    (
                        "readership".to_string(),
                        RestrictedExpression::new_string(readership.clone()),
                    ),
                    (
                        "unit".to_string(),
                        RestrictedExpression::new_entity_uid(unit),
                    ),
                    (
                        "system".to_string(),
                        RestrictedExpression::new_long(*system),
                    ),
                    ("draft".to_string(), RestrictedExpression::new_bool(*draft)),
                    (
                        "drafter".to_string(),
                        RestrictedExpression::new_entity_uid(uid("Mamori::User", drafter)),
                    ),
                ]);
                entities.insert(
                    "policy_document".into(),
                    Entity::new(doc.clone(), attrs, HashSet::new()).map_err(DecideError::of)?,
                );
                doc
            }
            Resource::InformationSystem { id, unit_lineage } => {
                let unit = unit_or_none(unit_lineage, &mut entities);
                let system = uid("Mamori::InformationSystem", id);
                let attrs = HashMap::from([
                    (
                        "unit".to_string(),
                        RestrictedExpression::new_entity_uid(unit),
                    ),
                    ("system".to_string(), RestrictedExpression::new_long(*id)),
                ]);
                entities.insert(
                    "information_system".into(),
                    Entity::new(system.clone(), attrs, HashSet::new()).map_err(DecideError::of)?,
                );
                system
            }
            Resource::ControlStatus {
                scope,
                unit_lineage,
                system,
            } => {
                let unit = unit_or_none(unit_lineage, &mut entities);
                let status = uid("Mamori::ControlStatus", format!("{scope}:{system}"));
                let attrs = HashMap::from([
                    (
                        "scope".to_string(),
                        RestrictedExpression::new_string(scope.clone()),
                    ),
                    (
                        "unit".to_string(),
                        RestrictedExpression::new_entity_uid(unit),
                    ),
                    (
                        "system".to_string(),
                        RestrictedExpression::new_long(*system),
                    ),
                ]);
                entities.insert(
                    "control_status".into(),
                    Entity::new(status.clone(), attrs, HashSet::new()).map_err(DecideError::of)?,
                );
                status
            }
        };
        // Managed units not named by the resource: known by id alone (added last, so
        // that a lineage given above keeps its parents).
        for unit in managed_units {
            entities
                .entry(format!("unit:{unit}"))
                .or_insert_with(|| Entity::new_no_attrs(uid("Mamori::Unit", unit), HashSet::new()));
        }
        let entities = Entities::from_entities(entities.into_values(), Some(&self.schema))
            .map_err(DecideError::of)?;
        let request = Request::new(
            user_uid,
            uid("Mamori::Action", action.name()),
            resource_uid,
            Context::empty(),
            Some(&self.schema),
        )
        .map_err(DecideError::of)?;
        let response = self
            .cedar
            .is_authorized(&request, &self.policies, &entities);
        if let Some(e) = response.diagnostics().errors().next() {
            return Err(DecideError(e.to_string()));
        }
        Ok(response.decision() == Decision::Allow)
    }

    /// Which owning units' assets a principal may read, as a filter for lists: asked
    /// of the policy itself, by probing an asset of a unit foreign to the principal
    /// and then each unit of the organisation (`all_units`: (id, lineage)).
    pub fn asset_scope(&self, principal: &Principal, all_units: &[(i64, Vec<i64>)]) -> AssetScope {
        self.asset_scope_for(principal, Action::ReadAsset, all_units)
    }

    /// [`Authorizer::asset_scope`] for another action on assets (`write_asset`:
    /// the assets an import may create or change).
    pub fn asset_scope_for(
        &self,
        principal: &Principal,
        action: Action,
        all_units: &[(i64, Vec<i64>)],
    ) -> AssetScope {
        let probe = |lineage: Vec<i64>, top: bool| {
            self.check(
                principal,
                action,
                &Resource::Asset {
                    id: 0,
                    owner_lineage: lineage,
                    top,
                },
            )
        };
        let foreign = vec![i64::MIN];
        let mut scope = AssetScope {
            units: None,
            top_units: None,
        };
        if !probe(foreign.clone(), false) {
            scope.units = Some(
                all_units
                    .iter()
                    .filter(|(_, l)| probe(l.clone(), false))
                    .map(|(id, _)| *id)
                    .collect(),
            );
        }
        if !probe(foreign, true) {
            scope.top_units = Some(
                all_units
                    .iter()
                    .filter(|(_, l)| probe(l.clone(), true))
                    .map(|(id, _)| *id)
                    .collect(),
            );
        }
        scope
    }
}

impl Authorizer {
    /// The units whose staff a principal may list: `None` for everyone (read_users
    /// on Mamori), else the units (`all_units`: (id, lineage)) whose members the
    /// policy lets them read (read_person), e.g. a 情報セキュリティ管理者's section.
    pub fn person_scope(
        &self,
        principal: &Principal,
        all_units: &[(i64, Vec<i64>)],
    ) -> Option<Vec<i64>> {
        if self.check(principal, Action::ReadUsers, &Resource::App) {
            return None;
        }
        Some(
            all_units
                .iter()
                .filter(|(_, lineage)| {
                    self.check(
                        principal,
                        Action::ReadPerson,
                        &Resource::Person {
                            id: 0,
                            unit_lineage: lineage.clone(),
                        },
                    )
                })
                .map(|(id, _)| *id)
                .collect(),
        )
    }
}

/// The owning units whose assets a principal may read. `None` means every unit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssetScope {
    /// Units whose assets below the top confidentiality level are visible.
    pub units: Option<Vec<i64>>,
    /// Units whose top-confidentiality assets are visible.
    pub top_units: Option<Vec<i64>>,
}

// --- h17ui: the 権限 page's table (see matrix.rs) ---
impl Action {
    /// Every action, in the order of the enum.
    pub const ALL: [Action; 66] = [
        Action::View,
        Action::ReadPolicy,
        Action::ReadCatalog,
        Action::ReadUnits,
        Action::ManageCatalog,
        Action::ManageSettings,
        Action::ReadUsers,
        Action::ManageUsers,
        Action::ManageUnits,
        Action::ReadEvents,
        Action::VerifyLog,
        Action::ImportAssets,
        Action::ExportAssets,
        Action::CreateAsset,
        Action::RunNetcheck,
        Action::ReadAsset,
        Action::WriteAsset,
        Action::ManageRoles,
        Action::ManageAcknowledgements,
        Action::Acknowledge,
        Action::ReadAckStatus,
        Action::ReadPerson,
        Action::ManagePerson,
        Action::ReadUnitStatus,
        Action::AuditUnit,
        Action::ApproveRequest,
        Action::ManageTraining,
        Action::ReadTrainingStatus,
        Action::DeclareTraining,
        Action::RecordTraining,
        Action::CreatePolicyDocument,
        Action::ReadPolicyDocument,
        Action::EditPolicyDocument,
        Action::ReviewPolicyDocument,
        Action::ApprovePolicyDocument,
        Action::ManageSystems,
        Action::EditSystem,
        Action::ReadControlStatus,
        Action::SetControlStatus,
        Action::ReadRisk,
        Action::TreatRisk,
        Action::ManageRisk,
        Action::ManageAudits,
        Action::ReadAuditResults,
        Action::AnswerInspection,
        Action::ReadInspection,
        Action::ReportIncident,
        Action::ReadIncident,
        Action::HandleIncident,
        Action::RequestException,
        Action::ReadException,
        Action::RaiseFinding,
        Action::ReadFinding,
        Action::PlanFinding,
        Action::ReportFinding,
        Action::VerifyFinding,
        Action::CloseFinding,
        Action::OrderAudit,
        Action::RequestPermission,
        Action::ReadPermission,
        Action::ReturnPermission,
        Action::RecordViolation,
        Action::ReadViolation,
        Action::ManageContractors,
        Action::ReadContractors,
        Action::ManagePlans,
    ];

    /// The action in Japanese, for the 権限 page.
    pub fn name_ja(self) -> &'static str {
        match self {
            Action::View => "閲覧",
            Action::ReadPolicy => "基本方針・対策基準を読む",
            Action::ReadCatalog => "脅威・対策の一覧を読む",
            Action::ReadUnits => "組織を見る",
            Action::ManageCatalog => "脅威・対策・格付けを管理",
            Action::ManageSettings => "設定・権限を管理",
            Action::ReadUsers => "ユーザーを見る",
            Action::ManageUsers => "ユーザーを管理",
            Action::ManageUnits => "組織を管理",
            Action::ReadEvents => "イベントログを見る",
            Action::VerifyLog => "ログの改ざん検査",
            Action::ImportAssets => "台帳の取込み",
            Action::ExportAssets => "台帳の出力",
            Action::CreateAsset => "資産の登録",
            Action::RunNetcheck => "ファイアウォール検証",
            Action::ReadAsset => "資産を見る",
            Action::WriteAsset => "資産を変更",
            Action::ManageRoles => "役割の任命",
            Action::ManageAcknowledgements => "確認（誓約）の依頼",
            Action::Acknowledge => "確認（誓約）する",
            Action::ReadAckStatus => "確認状況を見る",
            Action::ReadPerson => "職員情報を見る",
            Action::ManagePerson => "職員情報を変更",
            Action::ReadUnitStatus => "所属の状況を見る",
            Action::AuditUnit => "所属を監査する",
            Action::ApproveRequest => "格付け変更などの承認",
            Action::ManageTraining => "研修の管理",
            Action::ReadTrainingStatus => "研修の受講状況を見る",
            Action::DeclareTraining => "受講を申告する",
            Action::RecordTraining => "修了を記録する",
            Action::CreatePolicyDocument => "規程文書の作成",
            Action::ReadPolicyDocument => "規程文書を読む",
            Action::EditPolicyDocument => "規程文書の編集",
            Action::ReviewPolicyDocument => "規程文書の審査・意見",
            Action::ApprovePolicyDocument => "規程文書の承認",
            Action::ManageSystems => "情報システムの管理",
            Action::EditSystem => "情報システムの変更",
            Action::ReadControlStatus => "対策状況を見る",
            Action::SetControlStatus => "対策状況を記録",
            Action::ReadRisk => "リスクを見る",
            Action::TreatRisk => "リスク対応を決める",
            Action::ManageRisk => "リスク評価の管理",
            Action::ManageAudits => "自己点検の管理",
            Action::ReadAuditResults => "点検結果を見る",
            Action::AnswerInspection => "自己点検に回答",
            Action::ReadInspection => "自己点検を見る",
            Action::ReportIncident => "インシデントの報告",
            Action::ReadIncident => "インシデントを見る",
            Action::HandleIncident => "インシデントの対応",
            Action::RequestException => "例外措置の申請",
            Action::ReadException => "例外措置を見る",
            Action::RaiseFinding => "指摘事項の登録",
            Action::ReadFinding => "指摘事項を見る",
            Action::PlanFinding => "是正措置の計画",
            Action::ReportFinding => "是正の完了報告",
            Action::VerifyFinding => "是正の確認",
            Action::CloseFinding => "指摘事項の完了",
            Action::OrderAudit => "臨時監査の指示",
            Action::RequestPermission => "許可の申請",
            Action::ReadPermission => "許可申請を見る",
            Action::ReturnPermission => "返却の記録",
            Action::RecordViolation => "違反の記録",
            Action::ReadViolation => "違反を見る",
            Action::ManageContractors => "委託先の管理",
            Action::ReadContractors => "委託先を見る",
            Action::ManagePlans => "緊急時対応計画の管理",
        }
    }

    /// The action in English, for the 権限 page.
    pub fn name_en(self) -> &'static str {
        match self {
            Action::View => "View",
            Action::ReadPolicy => "Read the policy",
            Action::ReadCatalog => "Read the catalogues",
            Action::ReadUnits => "See the units",
            Action::ManageCatalog => "Manage the catalogues",
            Action::ManageSettings => "Manage settings and permissions",
            Action::ReadUsers => "See the users",
            Action::ManageUsers => "Manage users",
            Action::ManageUnits => "Manage units",
            Action::ReadEvents => "Read the event log",
            Action::VerifyLog => "Verify the log",
            Action::ImportAssets => "Import the register",
            Action::ExportAssets => "Export the register",
            Action::CreateAsset => "Register an asset",
            Action::RunNetcheck => "Check a firewall",
            Action::ReadAsset => "Read an asset",
            Action::WriteAsset => "Change an asset",
            Action::ManageRoles => "Assign roles",
            Action::ManageAcknowledgements => "Open acknowledgements",
            Action::Acknowledge => "Acknowledge",
            Action::ReadAckStatus => "See acknowledgement status",
            Action::ReadPerson => "Read a member of staff",
            Action::ManagePerson => "Change a member of staff",
            Action::ReadUnitStatus => "See a unit's state",
            Action::AuditUnit => "Audit a unit",
            Action::ApproveRequest => "Approve a request",
            Action::ManageTraining => "Manage training",
            Action::ReadTrainingStatus => "See training status",
            Action::DeclareTraining => "Declare a training",
            Action::RecordTraining => "Record a completion",
            Action::CreatePolicyDocument => "Create a policy document",
            Action::ReadPolicyDocument => "Read a policy document",
            Action::EditPolicyDocument => "Edit a policy document",
            Action::ReviewPolicyDocument => "Review a policy document",
            Action::ApprovePolicyDocument => "Approve a policy document",
            Action::ManageSystems => "Manage information systems",
            Action::EditSystem => "Edit an information system",
            Action::ReadControlStatus => "Read control status",
            Action::SetControlStatus => "Set control status",
            Action::ReadRisk => "Read risks",
            Action::TreatRisk => "Treat a risk",
            Action::ManageRisk => "Manage risk analysis",
            Action::ManageAudits => "Manage self-inspections",
            Action::ReadAuditResults => "Read inspection results",
            Action::AnswerInspection => "Answer a self-inspection",
            Action::ReadInspection => "Read a self-inspection",
            Action::ReportIncident => "Report an incident",
            Action::ReadIncident => "Read an incident",
            Action::HandleIncident => "Handle an incident",
            Action::RequestException => "Ask for an exception",
            Action::ReadException => "Read an exception",
            Action::RaiseFinding => "Raise a finding",
            Action::ReadFinding => "Read a finding",
            Action::PlanFinding => "Plan a corrective action",
            Action::ReportFinding => "Report a correction done",
            Action::VerifyFinding => "Verify a correction",
            Action::CloseFinding => "Close a finding",
            Action::OrderAudit => "Order an audit",
            Action::RequestPermission => "Ask for a permission",
            Action::ReadPermission => "Read a permission",
            Action::ReturnPermission => "Record a return",
            Action::RecordViolation => "Record a violation",
            Action::ReadViolation => "Read violations",
            Action::ManageContractors => "Manage contractors",
            Action::ReadContractors => "Read contractors",
            Action::ManagePlans => "Manage emergency plans",
        }
    }

    /// The area the 権限 page shows the action under.
    pub fn area(self) -> matrix::Area {
        match self {
            Action::View => matrix::Area::Basics,
            Action::ReadPolicy => matrix::Area::Basics,
            Action::ReadCatalog => matrix::Area::Basics,
            Action::ReadUnits => matrix::Area::Organisation,
            Action::ManageCatalog => matrix::Area::Basics,
            Action::ManageSettings => matrix::Area::Basics,
            Action::ReadUsers => matrix::Area::Organisation,
            Action::ManageUsers => matrix::Area::Organisation,
            Action::ManageUnits => matrix::Area::Organisation,
            Action::ReadEvents => matrix::Area::Basics,
            Action::VerifyLog => matrix::Area::Basics,
            Action::ImportAssets => matrix::Area::Assets,
            Action::ExportAssets => matrix::Area::Assets,
            Action::CreateAsset => matrix::Area::Assets,
            Action::RunNetcheck => matrix::Area::Systems,
            Action::ReadAsset => matrix::Area::Assets,
            Action::WriteAsset => matrix::Area::Assets,
            Action::ManageRoles => matrix::Area::Organisation,
            Action::ManageAcknowledgements => matrix::Area::Organisation,
            Action::Acknowledge => matrix::Area::Organisation,
            Action::ReadAckStatus => matrix::Area::Organisation,
            Action::ReadPerson => matrix::Area::Organisation,
            Action::ManagePerson => matrix::Area::Organisation,
            Action::ReadUnitStatus => matrix::Area::Organisation,
            Action::AuditUnit => matrix::Area::Audits,
            Action::ApproveRequest => matrix::Area::Assets,
            Action::ManageTraining => matrix::Area::Training,
            Action::ReadTrainingStatus => matrix::Area::Training,
            Action::DeclareTraining => matrix::Area::Training,
            Action::RecordTraining => matrix::Area::Training,
            Action::CreatePolicyDocument => matrix::Area::PolicyDocuments,
            Action::ReadPolicyDocument => matrix::Area::PolicyDocuments,
            Action::EditPolicyDocument => matrix::Area::PolicyDocuments,
            Action::ReviewPolicyDocument => matrix::Area::PolicyDocuments,
            Action::ApprovePolicyDocument => matrix::Area::PolicyDocuments,
            Action::ManageSystems => matrix::Area::Systems,
            Action::EditSystem => matrix::Area::Systems,
            Action::ReadControlStatus => matrix::Area::Systems,
            Action::SetControlStatus => matrix::Area::Systems,
            Action::ReadRisk => matrix::Area::Assets,
            Action::TreatRisk => matrix::Area::Assets,
            Action::ManageRisk => matrix::Area::Assets,
            Action::ManageAudits => matrix::Area::Audits,
            Action::ReadAuditResults => matrix::Area::Audits,
            Action::AnswerInspection => matrix::Area::Audits,
            Action::ReadInspection => matrix::Area::Audits,
            Action::ReportIncident => matrix::Area::Operations,
            Action::ReadIncident => matrix::Area::Operations,
            Action::HandleIncident => matrix::Area::Operations,
            Action::RequestException => matrix::Area::Operations,
            Action::ReadException => matrix::Area::Operations,
            Action::RaiseFinding => matrix::Area::Audits,
            Action::ReadFinding => matrix::Area::Audits,
            Action::PlanFinding => matrix::Area::Audits,
            Action::ReportFinding => matrix::Area::Audits,
            Action::VerifyFinding => matrix::Area::Audits,
            Action::CloseFinding => matrix::Area::Audits,
            Action::OrderAudit => matrix::Area::Audits,
            Action::RequestPermission => matrix::Area::Operations,
            Action::ReadPermission => matrix::Area::Operations,
            Action::ReturnPermission => matrix::Area::Operations,
            Action::RecordViolation => matrix::Area::Operations,
            Action::ReadViolation => matrix::Area::Operations,
            Action::ManageContractors => matrix::Area::Operations,
            Action::ReadContractors => matrix::Area::Operations,
            Action::ManagePlans => matrix::Area::Operations,
        }
    }
}

pub mod matrix;

#[cfg(test)]
mod tests;
