//! The 権限 page's table of roles × actions, asked of the policy itself: for
//! each role a representative principal (a member of section 2 of department
//! 1, managing section 3 and information system 7 where the role is scoped)
//! and for each action representative resources (a record of a foreign unit,
//! of their own unit, of a unit they manage, their own record, …). Nothing
//! here says who may do what: change the policy and the table changes.

use crate::{Action, Authorizer, Principal, Resource};
use mamori_core::org::{GUIDELINE_ROLES, ScopeKind, SystemRole};

/// The principal's own user id, and someone else's.
const ME: i64 = 10;
const OTHER: i64 = 20;
/// The principal's unit (section 2 of department 1), the section they manage
/// (3), and a unit of another department.
const OWN_UNIT: [i64; 2] = [1, 2];
const MANAGED_UNIT: i64 = 3;
const FOREIGN_UNIT: [i64; 2] = [100, 101];
/// The information system they hold a role for, and another one.
const OWN_SYSTEM: i64 = 7;
const FOREIGN_SYSTEM: i64 = 99;

/// What limits a permission, in words on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Condition {
    /// Only records of their own unit (and below).
    OwnUnit,
    /// Only records of the units they manage (their guideline role's scope).
    ManagedUnits,
    /// Only the information systems they hold a role for.
    OwnSystems,
    /// Only their own records (what they asked, reported or own).
    OwnRecords,
    /// Only documents for all staff.
    StaffDocuments,
    /// Only the city-wide records.
    CityWide,
    /// Not their own (no self-approval, no self-verification).
    NotSelf,
    /// Not the assets at the top confidentiality level.
    NotTop,
    /// Not drafts.
    NotDraft,
    /// Not their own unit (no auditing one's own unit).
    NotOwnUnit,
}

impl Condition {
    pub fn code(self) -> &'static str {
        match self {
            Condition::OwnUnit => "own_unit",
            Condition::ManagedUnits => "managed_units",
            Condition::OwnSystems => "own_systems",
            Condition::OwnRecords => "own_records",
            Condition::StaffDocuments => "staff_documents",
            Condition::CityWide => "city_wide",
            Condition::NotSelf => "not_self",
            Condition::NotTop => "not_top",
            Condition::NotDraft => "not_draft",
            Condition::NotOwnUnit => "not_own_unit",
        }
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            Condition::OwnUnit => "自分の所属のみ",
            Condition::ManagedUnits => "所管する所属のみ",
            Condition::OwnSystems => "担当する情報システムのみ",
            Condition::OwnRecords => "本人のもののみ",
            Condition::StaffDocuments => "職員向けの文書のみ",
            Condition::CityWide => "全庁分のみ",
            Condition::NotSelf => "本人以外",
            Condition::NotTop => "機密性の最上位を除く",
            Condition::NotDraft => "下書きを除く",
            Condition::NotOwnUnit => "自分の所属以外",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Condition::OwnUnit => "own unit only",
            Condition::ManagedUnits => "units they manage only",
            Condition::OwnSystems => "their systems only",
            Condition::OwnRecords => "their own only",
            Condition::StaffDocuments => "documents for all staff only",
            Condition::CityWide => "city-wide only",
            Condition::NotSelf => "not their own",
            Condition::NotTop => "except the top confidentiality level",
            Condition::NotDraft => "except drafts",
            Condition::NotOwnUnit => "not their own unit",
        }
    }
}

/// One cell: allowed, allowed under conditions, or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Yes,
    Conditional(Vec<Condition>),
    No,
}

/// A role of the table: a system role, or a guideline role held by a member
/// of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRow {
    pub code: &'static str,
    pub name_ja: &'static str,
    pub name_en: &'static str,
    pub guideline: bool,
}

/// A column: an action (approving is one column per kind of request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub action: Action,
    /// The kind of request, for actions on requests of several kinds.
    pub kind: Option<&'static str>,
    pub area: Area,
}

impl Column {
    pub fn name_ja(&self) -> &'static str {
        match self.kind {
            Some("risk_acceptance") => "リスク受容の承認",
            Some("exception") => "例外措置の承認",
            Some("permission") => "許可申請の承認",
            _ => self.action.name_ja(),
        }
    }

    pub fn name_en(&self) -> &'static str {
        match self.kind {
            Some("risk_acceptance") => "Approve a risk acceptance",
            Some("exception") => "Approve an exception",
            Some("permission") => "Approve a permission",
            _ => self.action.name_en(),
        }
    }
}

/// The areas the columns are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    Basics,
    Organisation,
    Assets,
    Training,
    PolicyDocuments,
    Systems,
    Audits,
    Operations,
}

impl Area {
    pub const ALL: [Area; 8] = [
        Area::Basics,
        Area::Organisation,
        Area::Assets,
        Area::Training,
        Area::PolicyDocuments,
        Area::Systems,
        Area::Audits,
        Area::Operations,
    ];

    pub fn name_ja(self) -> &'static str {
        match self {
            Area::Basics => "基本・設定・記録",
            Area::Organisation => "組織・職員・確認",
            Area::Assets => "情報資産・リスク",
            Area::Training => "研修",
            Area::PolicyDocuments => "規程文書",
            Area::Systems => "情報システム・対策状況",
            Area::Audits => "監査・自己点検・指摘",
            Area::Operations => "運用（インシデント・例外・許可・委託）",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Area::Basics => "Basics, settings and the log",
            Area::Organisation => "Organisation, staff and acknowledgements",
            Area::Assets => "Information assets and risk",
            Area::Training => "Training",
            Area::PolicyDocuments => "Policy documents",
            Area::Systems => "Information systems and control status",
            Area::Audits => "Audits, self-inspections and findings",
            Area::Operations => "Operations (incidents, exceptions, permissions, contractors)",
        }
    }
}

/// The whole table.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub columns: Vec<Column>,
    pub rows: Vec<(RoleRow, Vec<Cell>)>,
}

impl Matrix {
    /// The cell of a role (by code) and a column (action and kind).
    pub fn cell(&self, role: &str, action: Action, kind: Option<&str>) -> Option<&Cell> {
        let col = self
            .columns
            .iter()
            .position(|c| c.action == action && c.kind == kind)?;
        let (_, cells) = self.rows.iter().find(|(r, _)| r.code == role)?;
        cells.get(col)
    }
}

/// Where a probed record is, and what it is, relative to the principal.
#[derive(Debug, Clone, Copy)]
struct Probe {
    place: Place,
    mine: bool,
    top: bool,
    draft: bool,
    staff_doc: bool,
    city: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Foreign,
    OwnUnit,
    ManagedUnit,
    OwnSystem,
}

const BROAD: Probe = Probe {
    place: Place::Foreign,
    mine: false,
    top: false,
    draft: false,
    staff_doc: false,
    city: false,
};

fn resource(kind: &str, request: Option<&str>, p: Probe) -> Resource {
    let lineage = match p.place {
        Place::Foreign | Place::OwnSystem => FOREIGN_UNIT.to_vec(),
        Place::OwnUnit => OWN_UNIT.to_vec(),
        Place::ManagedUnit => vec![OWN_UNIT[0], MANAGED_UNIT],
    };
    let system = if p.place == Place::OwnSystem {
        OWN_SYSTEM
    } else {
        FOREIGN_SYSTEM
    };
    let who = if p.mine { ME } else { OTHER };
    match kind {
        "Mamori::Asset" => Resource::Asset {
            id: 1,
            owner_lineage: lineage,
            top: p.top,
        },
        "Mamori::Person" => Resource::Person {
            id: who,
            unit_lineage: lineage,
        },
        "Mamori::Unit" => Resource::Unit { lineage },
        "Mamori::Request" => match request {
            Some("risk_acceptance") => Resource::RiskAcceptance {
                id: 1,
                requester: who,
                unit_lineage: lineage,
            },
            Some("exception") => Resource::Exception {
                id: 1,
                requester: who,
                unit_lineage: lineage,
            },
            Some("permission") => Resource::Permission {
                id: 1,
                requester: who,
                unit_lineage: lineage,
            },
            _ => Resource::Request {
                id: 1,
                requester: who,
                unit_lineage: lineage,
            },
        },
        "Mamori::PolicyDocument" => Resource::PolicyDocument {
            id: 1,
            level: "standard".into(),
            readership: if p.staff_doc { "staff" } else { "unit" }.into(),
            unit_lineage: lineage,
            system,
            draft: p.draft,
            drafter: who,
        },
        "Mamori::InformationSystem" => Resource::InformationSystem {
            id: system,
            unit_lineage: lineage,
        },
        "Mamori::ControlStatus" => Resource::ControlStatus {
            scope: if p.city {
                "city"
            } else if matches!(p.place, Place::OwnUnit | Place::ManagedUnit) {
                "unit"
            } else {
                "system"
            }
            .into(),
            unit_lineage: lineage,
            system,
        },
        "Mamori::Incident" => Resource::Incident {
            id: 1,
            reporter: who,
            unit_lineage: lineage,
        },
        "Mamori::Finding" => Resource::Finding {
            id: 1,
            unit_lineage: lineage,
            system,
            owner: who,
        },
        _ => Resource::App,
    }
}

/// The columns: every action, approving once per kind of request.
pub fn columns() -> Vec<Column> {
    let mut out = Vec::new();
    for area in Area::ALL {
        for action in Action::ALL.iter().copied().filter(|a| a.area() == area) {
            if action == Action::ApproveRequest {
                for kind in [
                    None,
                    Some("risk_acceptance"),
                    Some("exception"),
                    Some("permission"),
                ] {
                    out.push(Column { action, kind, area });
                }
            } else {
                let kind = match action {
                    Action::ReadException => Some("exception"),
                    Action::ReadPermission | Action::ReturnPermission => Some("permission"),
                    _ => None,
                };
                out.push(Column { action, kind, area });
            }
        }
    }
    out
}

/// The rows: the system roles, then the guideline roles (each held by a
/// member of staff).
pub fn rows() -> Vec<(RoleRow, Principal)> {
    let mut out: Vec<(RoleRow, Principal)> = SystemRole::ALL
        .iter()
        .map(|r| {
            (
                RoleRow {
                    code: r.code(),
                    name_ja: r.name_ja(),
                    name_en: r.name_en(),
                    guideline: false,
                },
                Principal {
                    user_id: ME,
                    roles: vec![r.code().to_string()],
                    unit_lineage: OWN_UNIT.to_vec(),
                    scoped_roles: Vec::new(),
                },
            )
        })
        .collect();
    for g in GUIDELINE_ROLES {
        let scope = match g.scope {
            ScopeKind::Organisation => 0,
            ScopeKind::Unit => MANAGED_UNIT,
            ScopeKind::System => OWN_SYSTEM,
        };
        out.push((
            RoleRow {
                code: g.code,
                name_ja: g.name_ja,
                name_en: g.name_en,
                guideline: true,
            },
            Principal {
                user_id: ME,
                roles: vec![SystemRole::Staff.code().to_string()],
                unit_lineage: OWN_UNIT.to_vec(),
                scoped_roles: vec![(g.code.to_string(), scope)],
            },
        ));
    }
    out
}

impl Authorizer {
    /// The resource types the schema says an action applies to.
    fn resource_kinds(&self, action: Action) -> Vec<String> {
        let action = crate::uid("Mamori::Action", action.name());
        self.schema
            .resources_for_action(&action)
            .map(|it| it.map(|t| t.to_string()).collect())
            .unwrap_or_default()
    }

    /// May the principal do this? One cell of the table.
    pub fn cell(&self, principal: &Principal, column: &Column) -> Cell {
        let kinds = self.resource_kinds(column.action);
        let cells: Vec<Cell> = kinds
            .iter()
            .map(|k| self.cell_of_kind(principal, column, k))
            .collect();
        if cells.is_empty() {
            return Cell::No;
        }
        if cells.iter().all(|c| *c == Cell::Yes) {
            return Cell::Yes;
        }
        let mut conds: Vec<Condition> = cells
            .iter()
            .flat_map(|c| match c {
                Cell::Conditional(v) => v.clone(),
                _ => Vec::new(),
            })
            .collect();
        conds.sort();
        conds.dedup();
        if conds.is_empty() {
            if cells.contains(&Cell::Yes) {
                Cell::Yes
            } else {
                Cell::No
            }
        } else {
            Cell::Conditional(conds)
        }
    }

    fn cell_of_kind(&self, principal: &Principal, column: &Column, kind: &str) -> Cell {
        let allowed =
            |p: Probe| self.check(principal, column.action, &resource(kind, column.kind, p));
        // What may stop an allowed record: its level, its state, its owner.
        let restrictions = |base: Probe, conds: &mut Vec<Condition>| {
            if !allowed(Probe { top: true, ..base }) {
                conds.push(Condition::NotTop);
            }
            if !allowed(Probe {
                draft: true,
                ..base
            }) {
                conds.push(Condition::NotDraft);
            }
            if !base.mine && !allowed(Probe { mine: true, ..base }) {
                conds.push(Condition::NotSelf);
            }
        };
        let mut conds = Vec::new();
        if allowed(BROAD) {
            restrictions(BROAD, &mut conds);
            if kind == "Mamori::Unit"
                && !allowed(Probe {
                    place: Place::OwnUnit,
                    ..BROAD
                })
            {
                conds.push(Condition::NotOwnUnit);
            }
            if conds.is_empty() {
                return Cell::Yes;
            }
        } else {
            let narrowings = [
                (
                    Condition::OwnUnit,
                    Probe {
                        place: Place::OwnUnit,
                        ..BROAD
                    },
                ),
                (
                    Condition::ManagedUnits,
                    Probe {
                        place: Place::ManagedUnit,
                        ..BROAD
                    },
                ),
                (
                    Condition::OwnSystems,
                    Probe {
                        place: Place::OwnSystem,
                        ..BROAD
                    },
                ),
                (
                    Condition::OwnRecords,
                    Probe {
                        mine: true,
                        ..BROAD
                    },
                ),
                (
                    Condition::StaffDocuments,
                    Probe {
                        staff_doc: true,
                        ..BROAD
                    },
                ),
                (
                    Condition::CityWide,
                    Probe {
                        city: true,
                        ..BROAD
                    },
                ),
            ];
            for (cond, probe) in narrowings {
                if allowed(probe) {
                    conds.push(cond);
                    restrictions(probe, &mut conds);
                }
            }
        }
        conds.sort();
        conds.dedup();
        if conds.is_empty() {
            Cell::No
        } else {
            Cell::Conditional(conds)
        }
    }

    /// The table of roles × actions, asked of the policy in force.
    pub fn matrix(&self) -> Matrix {
        let columns = columns();
        let rows = rows()
            .into_iter()
            .map(|(row, principal)| {
                let cells = columns.iter().map(|c| self.cell(&principal, c)).collect();
                (row, cells)
            })
            .collect();
        Matrix { columns, rows }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn every_action_of_the_schema_has_a_column() {
        let a = Authorizer::builtin().unwrap();
        let mut schema: Vec<String> = a
            .schema
            .actions()
            .map(|u| u.id().unescaped().to_string())
            .collect();
        schema.sort();
        let mut ours: Vec<String> = Action::ALL.iter().map(|a| a.name().to_string()).collect();
        ours.sort();
        assert_eq!(schema, ours, "Action::ALL lists every action of the schema");
        for action in Action::ALL {
            assert!(
                !a.resource_kinds(action).is_empty(),
                "{} applies to something",
                action.name()
            );
        }
    }

    #[test]
    fn cells_read_the_policy() {
        let m = Authorizer::builtin().unwrap().matrix();
        assert_eq!(m.rows.len(), SystemRole::ALL.len() + GUIDELINE_ROLES.len());
        assert_eq!(m.cell("admin", Action::ManageUsers, None), Some(&Cell::Yes));
        assert_eq!(m.cell("staff", Action::ManageUsers, None), Some(&Cell::No));
        assert_eq!(
            m.cell("staff", Action::ReadAsset, None),
            Some(&Cell::Conditional(vec![Condition::OwnUnit]))
        );
        assert_eq!(
            m.cell("auditor", Action::ReadAsset, None),
            Some(&Cell::Conditional(vec![Condition::NotTop]))
        );
        assert_eq!(
            m.cell("auditor", Action::AuditUnit, None),
            Some(&Cell::Conditional(vec![Condition::NotOwnUnit]))
        );
        assert_eq!(
            m.cell("security_administrator", Action::ApproveRequest, None),
            Some(&Cell::Conditional(vec![
                Condition::ManagedUnits,
                Condition::NotSelf
            ]))
        );
        assert_eq!(
            m.cell("ciso", Action::ApproveRequest, Some("risk_acceptance")),
            Some(&Cell::Conditional(vec![Condition::NotSelf]))
        );
        assert_eq!(
            m.cell("staff", Action::ReadIncident, None),
            Some(&Cell::Conditional(vec![Condition::OwnRecords]))
        );
        assert_eq!(
            m.cell("system_manager", Action::EditSystem, None),
            Some(&Cell::Conditional(vec![Condition::OwnSystems]))
        );
    }

    #[test]
    fn a_changed_policy_changes_the_table() {
        let before = Authorizer::builtin().unwrap().matrix();
        assert_eq!(
            before.cell("staff", Action::HandleIncident, None),
            Some(&Cell::No)
        );
        let extra = Authorizer::with_extra(&[(
            "unit-incidents.cedar".to_string(),
            "permit (principal in Mamori::Role::\"staff\", action == Mamori::Action::\"handle_incident\", resource is Mamori::Incident) when { principal has unit && resource.unit in principal.unit };".to_string(),
        )])
        .unwrap();
        assert_eq!(
            extra.matrix().cell("staff", Action::HandleIncident, None),
            Some(&Cell::Conditional(vec![Condition::OwnUnit]))
        );
    }
}
