//! The risk register (第7, 第11): profiles of assets that share their risks,
//! the pairs (profile × threat) with their inherent and residual risk, the
//! security office's threat decisions, treatments and their approval, and the
//! city's matrices. See migration 0017 for the tables.

use mamori_core::control::Implementation;
use mamori_core::problem::Problem;
use mamori_core::risk::{Facts, Model, ThreatDecision, ThreatRules};
use serde::{Deserialize, Serialize};
use sqlx::{Database, Encode, QueryBuilder, Type};
use std::collections::{BTreeMap, HashMap};

use crate::assets::{AssetScope, push_scope};
use crate::events::{Entity, Verb};
use crate::{Actor, Page, PageRequest, Store, StoreError, Tx, db_run, now_rfc3339, tx_run};

/// The setting naming the active matrix.
pub const ACTIVE_MATRIX: &str = "risk.active_matrix";
/// The prefix of the settings holding the approach of an asset group (asset kind).
pub const APPROACH_PREFIX: &str = "risk.approach.";
/// How many rows one statement writes while recomputing.
const BATCH: usize = 400;
/// Counting a filtered register stops here (the page says "more than").
pub const COUNT_LIMIT: i64 = 10_000;

/// What a recomputation did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RecomputeSummary {
    pub assets: i64,
    pub profiles: i64,
    pub pairs: i64,
    pub matrix: String,
}

/// One pair of the register as a page shows it.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct RiskRow {
    pub id: i64,
    pub profile_id: i64,
    pub threat_code: String,
    pub owner_unit_id: i64,
    pub unit_name: Option<String>,
    pub is_top: bool,
    pub asset_count: i64,
    pub importance: i64,
    pub impact: i64,
    pub likelihood: i64,
    pub residual_likelihood: i64,
    pub inherent_value: i64,
    pub residual_value: i64,
    pub band: String,
    pub control_effect: i64,
    pub active: bool,
    pub treatment: String,
    pub treatment_state: String,
    pub kind: String,
    pub scheme: String,
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
    pub system_id: Option<i64>,
    pub system_name: Option<String>,
    pub segment_id: Option<i64>,
    pub personal_info: bool,
    pub my_number: bool,
    pub location_kind: String,
    pub asset_id: Option<i64>,
    pub approach: String,
}

const ROW_COLUMNS: &str = "a.id, a.profile_id, a.threat_code, a.owner_unit_id, u.name AS unit_name, \
     a.is_top, a.asset_count, a.importance, a.impact, a.likelihood, a.residual_likelihood, \
     a.inherent_value, a.residual_value, a.band, a.control_effect, a.active, a.treatment, \
     a.treatment_state, p.kind, p.scheme, p.confidentiality, p.integrity, p.availability, \
     p.system_id, s.name AS system_name, p.segment_id, p.personal_info, p.my_number, \
     p.location_kind, p.asset_id, p.approach";
const ROW_JOINS: &str = "JOIN risk_profiles p ON p.id = a.profile_id \
     LEFT JOIN units u ON u.id = a.owner_unit_id \
     LEFT JOIN information_systems s ON s.id = p.system_id";

/// Filters of the register; each that is set must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskFilter {
    /// A unit and every unit below it.
    pub unit: Option<i64>,
    /// A band code of the active matrix.
    pub band: Option<String>,
    pub threat: Option<String>,
    /// A treatment state, or `none` (untreated).
    pub treatment: Option<String>,
    /// Residual risk at least this.
    pub min_value: Option<i64>,
    /// The assets of one information system.
    #[serde(default)]
    pub system: Option<i64>,
}

/// How the register is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskSortKey {
    #[default]
    Residual,
    Inherent,
    Threat,
    Assets,
    Unit,
}

impl RiskSortKey {
    pub fn parse(s: &str) -> Option<RiskSortKey> {
        match s {
            "residual" => Some(RiskSortKey::Residual),
            "inherent" => Some(RiskSortKey::Inherent),
            "threat" => Some(RiskSortKey::Threat),
            "assets" => Some(RiskSortKey::Assets),
            "unit" => Some(RiskSortKey::Unit),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            RiskSortKey::Residual => "residual",
            RiskSortKey::Inherent => "inherent",
            RiskSortKey::Threat => "threat",
            RiskSortKey::Assets => "assets",
            RiskSortKey::Unit => "unit",
        }
    }
    fn column(self) -> &'static str {
        match self {
            RiskSortKey::Residual => "residual_value",
            RiskSortKey::Inherent => "inherent_value",
            RiskSortKey::Threat => "threat_code",
            RiskSortKey::Assets => "asset_count",
            RiskSortKey::Unit => "owner_unit_id",
        }
    }
}

/// One cell of the heat map: how many pairs (and assets) sit at this
/// likelihood and impact.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct HeatCell {
    pub likelihood: i64,
    pub impact: i64,
    pub pairs: i64,
    pub assets: i64,
}

/// A decision of the security office on one threat of an asset or system.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct ThreatDecisionRow {
    pub id: i64,
    pub target_kind: String,
    pub target_id: i64,
    pub threat_code: String,
    pub decision: String,
    pub reason: String,
    pub decided_by: String,
    pub decided_at: String,
}

/// The treatment of one pair.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct Treatment {
    pub id: i64,
    pub pair_id: i64,
    pub option: String,
    pub state: String,
    pub owner_user_id: i64,
    pub owner_name: Option<String>,
    pub due_on: Option<String>,
    pub controls: String,
    pub note: String,
    pub residual_value: i64,
    pub requested_by: i64,
    pub requester_name: Option<String>,
    pub approved_by: Option<i64>,
    pub approver_name: Option<String>,
    pub approved_at: Option<String>,
    pub expires_on: Option<String>,
    pub revoked_by: Option<i64>,
    pub revoked_at: Option<String>,
    pub revoke_reason: String,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

const TREATMENT_SELECT: &str = "SELECT t.id, t.pair_id, t.option, t.state, t.owner_user_id, \
     o.display_name AS owner_name, t.due_on, t.controls, t.note, t.residual_value, t.requested_by, \
     r.display_name AS requester_name, t.approved_by, ap.display_name AS approver_name, \
     t.approved_at, t.expires_on, t.revoked_by, t.revoked_at, t.revoke_reason, t.revision, \
     t.created_at, t.updated_at FROM risk_treatments t \
     LEFT JOIN users o ON o.id = t.owner_user_id \
     LEFT JOIN users r ON r.id = t.requested_by \
     LEFT JOIN users ap ON ap.id = t.approved_by";

/// What a treatment is to become (checked by the operation).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TreatmentWrite {
    pub option: String,
    pub state: String,
    pub owner_user_id: i64,
    pub due_on: Option<String>,
    pub controls: Vec<String>,
    pub note: String,
    pub expires_on: Option<String>,
    pub requested_by: i64,
    pub residual_value: i64,
    /// The revision the form read (None: the pair has no treatment yet).
    pub revision: Option<i64>,
}

/// An asset of a profile, for the drill-down.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct ProfileAsset {
    pub id: i64,
    pub name: String,
    pub label: String,
    pub unit_name: Option<String>,
}

/// The status of every control where it is kept, and the units' lineages:
/// enough to answer "what is the status of control C where this asset is".
#[derive(Debug, Clone, Default)]
pub struct StatusBook {
    states: HashMap<(String, &'static str, i64), Implementation>,
    lineages: HashMap<i64, Vec<i64>>,
}

impl StatusBook {
    /// The status of a control for an asset of `unit` and `system`: the
    /// system's own if the asset belongs to one and it is set, else the unit's
    /// or the nearest unit above it, else the city-wide one.
    pub fn status(&self, control: &str, unit: i64, system: Option<i64>) -> Option<Implementation> {
        self.status_with_scope(control, unit, system)
            .map(|(s, _)| s)
    }

    /// The status and where it was found (`system`, `unit`, `city`).
    pub fn status_with_scope(
        &self,
        control: &str,
        unit: i64,
        system: Option<i64>,
    ) -> Option<(Implementation, &'static str)> {
        let key = |kind: &'static str, id: i64| (control.to_string(), kind, id);
        if let Some(s) = system.and_then(|s| self.states.get(&key("system", s))) {
            return Some((*s, "system"));
        }
        let lineage = self.lineages.get(&unit).map_or(&[][..], Vec::as_slice);
        for u in lineage.iter().rev() {
            if let Some(s) = self.states.get(&key("unit", *u)) {
                return Some((*s, "unit"));
            }
        }
        self.states.get(&key("city", 0)).map(|s| (*s, "city"))
    }
}

/// A group of assets read from the register.
#[derive(Debug, sqlx::FromRow)]
struct GroupRow {
    asset_id: Option<i64>,
    kind: String,
    scheme: String,
    confidentiality: String,
    integrity: String,
    availability: String,
    segment_id: Option<i64>,
    owner_unit_id: i64,
    system_id: Option<i64>,
    personal_info: bool,
    my_number: bool,
    location_kind: String,
    is_top: bool,
    segment_role: Option<String>,
    n: i64,
}

struct ProfileAcc {
    row: GroupRow,
    importance: u8,
    count: i64,
}

/// Pushes the location kind of `a.location` as SQL (a CASE over the rules'
/// words), so that a group and a drill-down agree with the rules.
fn push_location_kind<DB>(qb: &mut QueryBuilder<DB>, rules: &ThreatRules)
where
    DB: Database,
    String: for<'q> Encode<'q, DB> + Type<DB>,
{
    let mut any = false;
    for k in &rules.locations {
        let words: Vec<&String> = k.contains.iter().filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            continue;
        }
        if !any {
            qb.push("CASE");
            any = true;
        }
        qb.push(" WHEN ");
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                qb.push(" OR ");
            }
            qb.push("a.location LIKE ")
                .push_bind(format!("%{}%", like_escape(w)))
                .push(" ESCAPE '!'");
        }
        qb.push(" THEN ").push_bind(k.code.clone());
    }
    if any {
        qb.push(" ELSE 'office' END");
    } else {
        qb.push("'office'");
    }
}

fn like_escape(s: &str) -> String {
    s.replace('!', "!!").replace('%', "!%").replace('_', "!_")
}

const GROUP_COLUMNS: &str = "a.kind, a.scheme, a.confidentiality, a.integrity, a.availability, \
     a.segment_id, a.owner_unit_id, a.system_id, a.personal_info, a.my_number";

fn decision_of(s: &str) -> Option<ThreatDecision> {
    ThreatDecision::parse(s)
}

impl Store {
    /// Every control status with the units' lineages.
    pub async fn status_book(&self) -> Result<StatusBook, StoreError> {
        type StatusRow = (String, String, i64, String);
        let (rows, units): (Vec<StatusRow>, Vec<(i64, String)>) = db_run!(&self.db, |pool| {
            let rows = sqlx::query_as(
                "SELECT control_code, scope_kind, scope_id, state FROM control_status",
            )
            .fetch_all(pool)
            .await?;
            let units = sqlx::query_as("SELECT id, path FROM units")
                .fetch_all(pool)
                .await?;
            (rows, units)
        });
        let mut book = StatusBook::default();
        for (code, kind, id, state) in rows {
            let kind = match kind.as_str() {
                "city" => "city",
                "unit" => "unit",
                "system" => "system",
                _ => continue,
            };
            if let Ok(s) = state.parse::<Implementation>() {
                book.states.insert((code, kind, id), s);
            }
        }
        for (id, path) in units {
            book.lineages.insert(id, crate::units::parse_path(&path));
        }
        Ok(book)
    }

    /// The decisions on one asset's or system's threats, in the order made.
    pub async fn threat_decisions(
        &self,
        target_kind: &str,
        target_id: i64,
    ) -> Result<Vec<ThreatDecisionRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT id, target_kind, target_id, threat_code, decision, reason, decided_by, decided_at \
                 FROM threat_decisions WHERE target_kind = $1 AND target_id = $2 ORDER BY id",
            )
            .bind(target_kind)
            .bind(target_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Records (or replaces) a decision on one threat of an asset or system.
    pub async fn decide_threat(
        &self,
        actor: &Actor,
        target_kind: &str,
        target_id: i64,
        threat: &str,
        decision: ThreatDecision,
        reason: &str,
    ) -> Result<ThreatDecisionRow, StoreError> {
        let mut tx = self.db.begin().await?;
        let now = now_rfc3339();
        let before: Option<ThreatDecisionRow> = tx_run!(&mut tx, |c| {
            sqlx::query_as(
                "SELECT id, target_kind, target_id, threat_code, decision, reason, decided_by, decided_at \
                 FROM threat_decisions WHERE target_kind = $1 AND target_id = $2 AND threat_code = $3",
            )
            .bind(target_kind)
            .bind(target_id)
            .bind(threat)
            .fetch_optional(&mut *c)
            .await?
        });
        let after: ThreatDecisionRow = tx_run!(&mut tx, |c| {
            sqlx::query_as(
                "INSERT INTO threat_decisions (target_kind, target_id, threat_code, decision, reason, decided_by, decided_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (target_kind, target_id, threat_code) DO UPDATE SET \
                 decision = excluded.decision, reason = excluded.reason, \
                 decided_by = excluded.decided_by, decided_at = excluded.decided_at \
                 RETURNING id, target_kind, target_id, threat_code, decision, reason, decided_by, decided_at",
            )
            .bind(target_kind)
            .bind(target_id)
            .bind(threat)
            .bind(decision.code())
            .bind(reason)
            .bind(actor.label())
            .bind(&now)
            .fetch_one(&mut *c)
            .await?
        });
        tx.append_event(
            actor,
            Entity::ThreatDecision,
            format!("{target_kind}:{target_id}:{threat}"),
            if before.is_some() {
                Verb::Update
            } else {
                Verb::Create
            },
            before.as_ref(),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn group_rows(
        &self,
        rules: &ThreatRules,
        only_assets: Option<&[i64]>,
    ) -> Result<Vec<GroupRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new("SELECT ");
            match only_assets {
                Some(_) => qb.push("a.id AS asset_id, "),
                None => qb.push("NULL AS asset_id, "),
            };
            qb.push(GROUP_COLUMNS).push(", ");
            push_location_kind(&mut qb, rules);
            qb.push(
                " AS location_kind, a.is_top, s.role AS segment_role, COUNT(*) AS n \
                 FROM assets a LEFT JOIN segments s ON s.id = a.segment_id \
                 WHERE a.lifecycle <> 'disposed'",
            );
            match only_assets {
                Some(ids) => {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    qb.push(" AND a.id IN (");
                    let mut sep = qb.separated(", ");
                    for id in ids {
                        sep.push_bind(*id);
                    }
                    qb.push(")");
                }
                None => {
                    qb.push(
                        " AND a.id NOT IN (SELECT target_id FROM threat_decisions \
                         WHERE target_kind = 'asset' AND decision <> 'confirm')",
                    );
                }
            }
            qb.push(" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14");
            qb.build_query_as::<GroupRow>().fetch_all(pool).await?
        }))
    }

    /// Recomputes every profile and pair under `model`, in one transaction;
    /// `progress(done, total)` is called as pairs are written. One event
    /// records the recomputation with its figures.
    pub async fn recompute_risks(
        &self,
        actor: &Actor,
        model: &Model,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<RecomputeSummary, StoreError> {
        let book = self.status_book().await?;
        let decisions: Vec<(String, i64, String, String)> = db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT target_kind, target_id, threat_code, decision FROM threat_decisions ORDER BY id",
            )
            .fetch_all(pool)
            .await?
        });
        let mut by_system: HashMap<i64, Vec<(String, ThreatDecision)>> = HashMap::new();
        let mut by_asset: HashMap<i64, Vec<(String, ThreatDecision)>> = HashMap::new();
        for (kind, id, threat, d) in decisions {
            let Some(d) = decision_of(&d) else { continue };
            match kind.as_str() {
                "system" => by_system.entry(id).or_default().push((threat, d)),
                "asset" => by_asset.entry(id).or_default().push((threat, d)),
                _ => {}
            }
        }
        let overridden: Vec<i64> = by_asset
            .iter()
            .filter(|(_, ds)| ds.iter().any(|(_, d)| *d != ThreatDecision::Confirm))
            .map(|(id, _)| *id)
            .collect();
        let mut rows = self.group_rows(&model.rules, None).await?;
        rows.extend(self.group_rows(&model.rules, Some(&overridden)).await?);

        let mut profiles: BTreeMap<String, ProfileAcc> = BTreeMap::new();
        let mut assets = 0;
        for row in rows {
            assets += row.n;
            let key = match row.asset_id {
                Some(id) => format!("asset:{id}"),
                None => format!(
                    "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
                    row.kind,
                    row.scheme,
                    row.confidentiality,
                    row.integrity,
                    row.availability,
                    row.segment_id.map_or(String::new(), |s| s.to_string()),
                    row.owner_unit_id,
                    row.system_id.map_or(String::new(), |s| s.to_string()),
                    row.personal_info,
                    row.my_number,
                    row.location_kind
                ),
            };
            let importance = model.importance_of(
                &row.scheme,
                [&row.confidentiality, &row.integrity, &row.availability],
                row.personal_info,
                row.my_number,
            );
            let n = row.n;
            profiles
                .entry(key)
                .and_modify(|p| p.count += n)
                .or_insert(ProfileAcc {
                    row,
                    importance,
                    count: n,
                });
        }

        let now = now_rfc3339();
        let mut tx = self.db.begin().await?;
        tx_run!(&mut tx, |c| {
            sqlx::query("UPDATE risk_profiles SET asset_count = 0")
                .execute(&mut *c)
                .await?;
            sqlx::query("UPDATE risk_pairs SET active = FALSE, asset_count = 0")
                .execute(&mut *c)
                .await?;
        });
        let list: Vec<(&String, &ProfileAcc)> = profiles.iter().collect();
        let mut ids: HashMap<String, i64> = HashMap::new();
        for chunk in list.chunks(BATCH) {
            let got: Vec<(i64, String)> = tx_run!(&mut tx, |c| {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO risk_profiles (profile_key, asset_id, kind, scheme, confidentiality, \
                     integrity, availability, segment_id, owner_unit_id, system_id, personal_info, \
                     my_number, location_kind, is_top, importance, approach, asset_count, computed_at) ",
                );
                qb.push_values(chunk.iter(), |mut b, (key, p)| {
                    let r = &p.row;
                    b.push_bind((*key).clone())
                        .push_bind(r.asset_id)
                        .push_bind(r.kind.clone())
                        .push_bind(r.scheme.clone())
                        .push_bind(r.confidentiality.clone())
                        .push_bind(r.integrity.clone())
                        .push_bind(r.availability.clone())
                        .push_bind(r.segment_id)
                        .push_bind(r.owner_unit_id)
                        .push_bind(r.system_id)
                        .push_bind(r.personal_info)
                        .push_bind(r.my_number)
                        .push_bind(r.location_kind.clone())
                        .push_bind(r.is_top)
                        .push_bind(i64::from(p.importance))
                        .push_bind(model.approach(&r.kind).code())
                        .push_bind(p.count)
                        .push_bind(now.clone());
                });
                qb.push(
                    " ON CONFLICT (profile_key) DO UPDATE SET is_top = excluded.is_top, \
                     importance = excluded.importance, approach = excluded.approach, \
                     asset_count = excluded.asset_count, computed_at = excluded.computed_at \
                     RETURNING id, profile_key",
                );
                qb.build_query_as().fetch_all(&mut *c).await?
            });
            ids.extend(got.into_iter().map(|(id, k)| (k, id)));
        }

        // The pairs of every detailed profile.
        struct PairRow {
            profile_id: i64,
            unit: i64,
            top: bool,
            count: i64,
            importance: u8,
            f: mamori_core::risk::PairFigures,
        }
        let mut pairs: Vec<PairRow> = Vec::new();
        let empty = Vec::new();
        for (key, p) in &profiles {
            let r = &p.row;
            if model.approach(&r.kind) == mamori_core::risk::Approach::Baseline {
                continue;
            }
            let Some(&profile_id) = ids.get(key) else {
                continue;
            };
            let facts = Facts {
                kind: &r.kind,
                importance: p.importance,
                segment_role: r.segment_role.as_deref(),
                personal_info: r.personal_info,
                my_number: r.my_number,
                location: &r.location_kind,
                has_system: r.system_id.is_some(),
            };
            let mut ds: Vec<(String, ThreatDecision)> = r
                .system_id
                .and_then(|s| by_system.get(&s))
                .unwrap_or(&empty)
                .clone();
            if let Some(a) = r.asset_id {
                ds.extend(by_asset.get(&a).unwrap_or(&empty).iter().cloned());
            }
            for threat in model.threats(&facts, &ds) {
                let f = model.figures(&threat, p.importance, |c| {
                    book.status(c, r.owner_unit_id, r.system_id)
                });
                pairs.push(PairRow {
                    profile_id,
                    unit: r.owner_unit_id,
                    top: r.is_top,
                    count: p.count,
                    importance: p.importance,
                    f,
                });
            }
        }
        let total = pairs.len() as u64;
        let mut done = 0u64;
        progress(0, total);
        for chunk in pairs.chunks(BATCH) {
            tx_run!(&mut tx, |c| {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO risk_pairs (profile_id, threat_code, owner_unit_id, is_top, asset_count, \
                     importance, impact, likelihood, residual_likelihood, inherent_value, residual_value, \
                     band, control_effect, active) ",
                );
                qb.push_values(chunk.iter(), |mut b, p| {
                    b.push_bind(p.profile_id)
                        .push_bind(p.f.threat.clone())
                        .push_bind(p.unit)
                        .push_bind(p.top)
                        .push_bind(p.count)
                        .push_bind(i64::from(p.importance))
                        .push_bind(i64::from(p.f.impact))
                        .push_bind(i64::from(p.f.likelihood))
                        .push_bind(i64::from(p.f.residual_likelihood))
                        .push_bind(i64::from(p.f.inherent_value))
                        .push_bind(i64::from(p.f.residual_value))
                        .push_bind(p.f.band.clone())
                        .push_bind(i64::from(p.f.control_effect))
                        .push("TRUE");
                });
                qb.push(
                    " ON CONFLICT (profile_id, threat_code) DO UPDATE SET \
                     owner_unit_id = excluded.owner_unit_id, is_top = excluded.is_top, \
                     asset_count = excluded.asset_count, importance = excluded.importance, \
                     impact = excluded.impact, likelihood = excluded.likelihood, \
                     residual_likelihood = excluded.residual_likelihood, \
                     inherent_value = excluded.inherent_value, residual_value = excluded.residual_value, \
                     band = excluded.band, control_effect = excluded.control_effect, active = TRUE",
                );
                qb.build().execute(&mut *c).await?;
            });
            done += chunk.len() as u64;
            progress(done, total);
        }
        let summary = RecomputeSummary {
            assets,
            profiles: profiles.len() as i64,
            pairs: pairs.len() as i64,
            matrix: model.matrix.code.clone(),
        };
        tx.append_event(
            actor,
            Entity::RiskRegister,
            "register",
            Verb::Recompute,
            None::<&()>,
            Some(&summary),
        )
        .await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// One page of the register, counted up to [`COUNT_LIMIT`] (the flag: more match).
    pub async fn list_risks(
        &self,
        filter: &RiskFilter,
        sort: RiskSortKey,
        descending: bool,
        page: PageRequest,
        scope: &AssetScope,
    ) -> Result<(Page<RiskRow>, bool), StoreError> {
        let dir = if descending { "DESC" } else { "ASC" };
        let order = format!("a.{} {dir}, a.id {dir}", sort.column());
        let (items, total): (Vec<RiskRow>, i64) = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new("SELECT ");
            qb.push(ROW_COLUMNS)
                .push(" FROM (SELECT * FROM risk_pairs a WHERE a.active = TRUE");
            if !push_risk_conditions(&mut qb, filter, scope) {
                return Ok((
                    Page {
                        items: Vec::new(),
                        total: 0,
                    },
                    false,
                ));
            }
            qb.push(format_args!(" ORDER BY {order} LIMIT "))
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset())
                .push(format_args!(") a {ROW_JOINS} ORDER BY {order}"));
            let items: Vec<RiskRow> = qb.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM (SELECT 1 FROM risk_pairs a WHERE a.active = TRUE",
            );
            push_risk_conditions(&mut count, filter, scope);
            count.push(" LIMIT ").push_bind(COUNT_LIMIT + 1).push(") c");
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            (items, total)
        });
        Ok((
            Page {
                items,
                total: total.min(COUNT_LIMIT),
            },
            total > COUNT_LIMIT,
        ))
    }

    /// The heat map of the filtered register: residual likelihood × impact.
    pub async fn risk_heat(
        &self,
        filter: &RiskFilter,
        scope: &AssetScope,
    ) -> Result<Vec<HeatCell>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT a.residual_likelihood AS likelihood, a.impact, COUNT(*) AS pairs, \
                 CAST(COALESCE(SUM(a.asset_count), 0) AS BIGINT) AS assets FROM risk_pairs a WHERE a.active = TRUE",
            );
            if !push_risk_conditions(&mut qb, filter, scope) {
                return Ok(Vec::new());
            }
            qb.push(" GROUP BY a.residual_likelihood, a.impact");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// One pair (active or not), or NotFound.
    pub async fn risk(&self, id: i64) -> Result<RiskRow, StoreError> {
        let row: Option<RiskRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {ROW_COLUMNS} FROM risk_pairs a {ROW_JOINS} WHERE a.id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.ok_or_else(|| StoreError::not_found("risk", id))
    }

    /// The active pairs of the profile an asset belongs to (its own profile if
    /// overridden), found by the asset's facts.
    pub async fn risks_of_profile(&self, profile_id: i64) -> Result<Vec<RiskRow>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {ROW_COLUMNS} FROM risk_pairs a {ROW_JOINS} \
                 WHERE a.profile_id = $1 AND a.active = TRUE ORDER BY a.residual_value DESC, a.threat_code"
            )))
            .bind(profile_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The profile an asset belongs to, by its key (None until computed).
    pub async fn profile_of_asset(
        &self,
        asset_id: i64,
        rules: &ThreatRules,
    ) -> Result<Option<i64>, StoreError> {
        let own: Option<i64> = db_run!(&self.db, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM risk_profiles WHERE asset_id = $1 AND asset_count > 0",
            )
            .bind(asset_id)
            .fetch_optional(pool)
            .await?
        });
        if own.is_some() {
            return Ok(own);
        }
        let rows = self.group_rows(rules, Some(&[asset_id])).await?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        let key = format!(
            "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
            r.kind,
            r.scheme,
            r.confidentiality,
            r.integrity,
            r.availability,
            r.segment_id.map_or(String::new(), |s| s.to_string()),
            r.owner_unit_id,
            r.system_id.map_or(String::new(), |s| s.to_string()),
            r.personal_info,
            r.my_number,
            r.location_kind
        );
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_scalar("SELECT id FROM risk_profiles WHERE profile_key = $1")
                .bind(&key)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The assets of a profile the scope admits, one page.
    pub async fn profile_assets(
        &self,
        profile_id: i64,
        rules: &ThreatRules,
        scope: &AssetScope,
        page: PageRequest,
    ) -> Result<Page<ProfileAsset>, StoreError> {
        let p: Option<GroupRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT asset_id, kind, scheme, confidentiality, integrity, availability, segment_id, \
                 owner_unit_id, system_id, personal_info, my_number, location_kind, is_top, \
                 NULL AS segment_role, asset_count AS n FROM risk_profiles WHERE id = $1",
            )
            .bind(profile_id)
            .fetch_optional(pool)
            .await?
        });
        let p = p.ok_or_else(|| StoreError::not_found("risk profile", profile_id))?;
        Ok(db_run!(&self.db, |pool| {
            let build = |select: &str| {
                let mut qb = QueryBuilder::new(select.to_string());
                qb.push(" FROM assets a LEFT JOIN units u ON u.id = a.owner_unit_id WHERE a.lifecycle <> 'disposed'");
                if let Some(id) = p.asset_id {
                    qb.push(" AND a.id = ").push_bind(id);
                } else {
                    qb.push(" AND a.kind = ").push_bind(p.kind.clone());
                    qb.push(" AND a.scheme = ").push_bind(p.scheme.clone());
                    qb.push(" AND a.confidentiality = ")
                        .push_bind(p.confidentiality.clone());
                    qb.push(" AND a.integrity = ")
                        .push_bind(p.integrity.clone());
                    qb.push(" AND a.availability = ")
                        .push_bind(p.availability.clone());
                    match p.segment_id {
                        Some(s) => qb.push(" AND a.segment_id = ").push_bind(s),
                        None => qb.push(" AND a.segment_id IS NULL"),
                    };
                    qb.push(" AND a.owner_unit_id = ")
                        .push_bind(p.owner_unit_id);
                    match p.system_id {
                        Some(s) => qb.push(" AND a.system_id = ").push_bind(s),
                        None => qb.push(" AND a.system_id IS NULL"),
                    };
                    qb.push(" AND a.personal_info = ")
                        .push_bind(p.personal_info);
                    qb.push(" AND a.my_number = ").push_bind(p.my_number);
                    qb.push(" AND ");
                    push_location_kind(&mut qb, rules);
                    qb.push(" = ").push_bind(p.location_kind.clone());
                    qb.push(
                        " AND a.id NOT IN (SELECT target_id FROM threat_decisions \
                         WHERE target_kind = 'asset' AND decision <> 'confirm')",
                    );
                }
                let ok = push_scope(&mut qb, scope);
                (qb, ok)
            };
            let (mut qb, ok) = build("SELECT a.id, a.name, a.label, u.name AS unit_name");
            if !ok {
                return Ok(Page {
                    items: Vec::new(),
                    total: 0,
                });
            }
            qb.push(" ORDER BY a.id LIMIT ")
                .push_bind(page.limit())
                .push(" OFFSET ")
                .push_bind(page.offset());
            let items: Vec<ProfileAsset> = qb.build_query_as().fetch_all(pool).await?;
            let (mut count, _) = build("SELECT COUNT(*)");
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            Page { items, total }
        }))
    }

    /// The treatments of some pairs (the export's page of the register), in
    /// one query.
    pub async fn treatments_of(&self, pair_ids: &[i64]) -> Result<Vec<Treatment>, StoreError> {
        if pair_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(TREATMENT_SELECT);
            qb.push(" WHERE t.pair_id IN (");
            let mut sep = qb.separated(", ");
            for id in pair_ids {
                sep.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Records in the log that the register was exported (after the file was
    /// written): the filter and the number of rows.
    pub async fn record_risk_export(
        &self,
        actor: &Actor,
        details: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        self.record_export(actor, "risks", details).await
    }

    /// The treatment of a pair, if any.
    pub async fn treatment_of(&self, pair_id: i64) -> Result<Option<Treatment>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{TREATMENT_SELECT} WHERE t.pair_id = $1"
            )))
            .bind(pair_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Sets a pair's treatment (its revision checked), and copies its option
    /// and state to the pair.
    pub async fn set_treatment(
        &self,
        actor: &Actor,
        pair_id: i64,
        w: &TreatmentWrite,
    ) -> Result<Treatment, StoreError> {
        let mut tx = self.db.begin().await?;
        let before = tx.treatment_of(pair_id).await?;
        match (&before, w.revision) {
            (Some(b), Some(r)) if b.revision != r => {
                return Err(Problem::new("MAMORI-RISK-STALE")
                    .with("expected", r)
                    .with("actual", b.revision)
                    .into());
            }
            (Some(b), None) => {
                return Err(Problem::new("MAMORI-RISK-STALE")
                    .with("expected", 0)
                    .with("actual", b.revision)
                    .into());
            }
            _ => {}
        }
        let now = now_rfc3339();
        let controls = w.controls.join(" ");
        tx_run!(&mut tx, |c| {
            if before.is_some() {
                sqlx::query(
                    "UPDATE risk_treatments SET option = $2, state = $3, owner_user_id = $4, due_on = $5, \
                     controls = $6, note = $7, residual_value = $8, requested_by = $9, expires_on = $10, \
                     approved_by = NULL, approved_at = NULL, revoked_by = NULL, revoked_at = NULL, \
                     revoke_reason = '', revision = revision + 1, updated_at = $11 WHERE pair_id = $1",
                )
                .bind(pair_id)
                .bind(&w.option)
                .bind(&w.state)
                .bind(w.owner_user_id)
                .bind(&w.due_on)
                .bind(&controls)
                .bind(&w.note)
                .bind(w.residual_value)
                .bind(w.requested_by)
                .bind(&w.expires_on)
                .bind(&now)
                .execute(&mut *c)
                .await?;
            } else {
                sqlx::query(
                    "INSERT INTO risk_treatments (pair_id, option, state, owner_user_id, due_on, controls, \
                     note, residual_value, requested_by, expires_on, revision, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)",
                )
                .bind(pair_id)
                .bind(&w.option)
                .bind(&w.state)
                .bind(w.owner_user_id)
                .bind(&w.due_on)
                .bind(&controls)
                .bind(&w.note)
                .bind(w.residual_value)
                .bind(w.requested_by)
                .bind(&w.expires_on)
                .bind(&now)
                .execute(&mut *c)
                .await?;
            }
        });
        tx.copy_treatment_to_pair(pair_id, &w.option, &w.state)
            .await?;
        let after = tx
            .treatment_of(pair_id)
            .await?
            .ok_or_else(|| StoreError::not_found("treatment", pair_id))?;
        let verb = if w.state == "pending" {
            Verb::Request
        } else {
            Verb::Set
        };
        tx.append_event(
            actor,
            Entity::RiskTreatment,
            pair_id,
            verb,
            before.as_ref(),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Approves a pending acceptance.
    pub async fn approve_treatment(
        &self,
        actor: &Actor,
        pair_id: i64,
        approver: i64,
    ) -> Result<Treatment, StoreError> {
        let mut tx = self.db.begin().await?;
        let before = tx
            .treatment_of(pair_id)
            .await?
            .ok_or_else(|| StoreError::not_found("treatment", pair_id))?;
        if before.state != "pending" {
            return Err(Problem::new("MAMORI-RISK-NOT-PENDING").into());
        }
        let now = now_rfc3339();
        tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE risk_treatments SET state = 'accepted', approved_by = $2, approved_at = $3, \
                 revision = revision + 1, updated_at = $3 WHERE pair_id = $1",
            )
            .bind(pair_id)
            .bind(approver)
            .bind(&now)
            .execute(&mut *c)
            .await?;
        });
        tx.copy_treatment_to_pair(pair_id, &before.option, "accepted")
            .await?;
        let after = tx.treatment_of(pair_id).await?;
        tx.append_event(
            actor,
            Entity::RiskTreatment,
            pair_id,
            Verb::Approve,
            Some(&before),
            after.as_ref(),
        )
        .await?;
        tx.commit().await?;
        after.ok_or_else(|| StoreError::not_found("treatment", pair_id))
    }

    /// Revokes an acceptance (pending or accepted), with a reason.
    pub async fn revoke_treatment(
        &self,
        actor: &Actor,
        pair_id: i64,
        by: i64,
        reason: &str,
    ) -> Result<Treatment, StoreError> {
        let mut tx = self.db.begin().await?;
        let before = tx
            .treatment_of(pair_id)
            .await?
            .ok_or_else(|| StoreError::not_found("treatment", pair_id))?;
        if before.state != "pending" && before.state != "accepted" {
            return Err(Problem::new("MAMORI-RISK-NOT-ACCEPTED").into());
        }
        let now = now_rfc3339();
        tx_run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE risk_treatments SET state = 'revoked', revoked_by = $2, revoked_at = $3, \
                 revoke_reason = $4, revision = revision + 1, updated_at = $3 WHERE pair_id = $1",
            )
            .bind(pair_id)
            .bind(by)
            .bind(&now)
            .bind(reason)
            .execute(&mut *c)
            .await?;
        });
        tx.copy_treatment_to_pair(pair_id, &before.option, "revoked")
            .await?;
        let after = tx.treatment_of(pair_id).await?;
        tx.append_event(
            actor,
            Entity::RiskTreatment,
            pair_id,
            Verb::Revoke,
            Some(&before),
            after.as_ref(),
        )
        .await?;
        tx.commit().await?;
        after.ok_or_else(|| StoreError::not_found("treatment", pair_id))
    }

    /// Acceptances (accepted or pending) whose expiry is on or before `until`
    /// (YYYY-MM-DD), soonest first, among the pairs the scope admits.
    pub async fn expiring_acceptances(
        &self,
        until: &str,
        scope: &AssetScope,
    ) -> Result<Vec<(RiskRow, Treatment)>, StoreError> {
        let rows: Vec<i64> = db_run!(&self.db, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT a.id FROM risk_treatments t JOIN risk_pairs a ON a.id = t.pair_id \
                 WHERE t.state IN ('accepted', 'pending') AND t.expires_on IS NOT NULL AND t.expires_on <= ",
            );
            qb.push_bind(until.to_string());
            if !push_scope(&mut qb, scope) {
                return Ok(Vec::new());
            }
            qb.push(" ORDER BY t.expires_on, a.id LIMIT 200");
            qb.build_query_scalar().fetch_all(pool).await?
        });
        let mut out = Vec::new();
        for id in rows {
            let r = self.risk(id).await?;
            if let Some(t) = self.treatment_of(id).await? {
                out.push((r, t));
            }
        }
        Ok(out)
    }

    /// The city's own matrices (code, definition as JSON).
    pub async fn risk_matrices(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as("SELECT code, definition FROM risk_matrices ORDER BY code")
                .fetch_all(pool)
                .await?
        }))
    }

    /// Creates or replaces one of the city's matrices (`create`: it must not exist).
    pub async fn save_risk_matrix(
        &self,
        actor: &Actor,
        code: &str,
        definition: &serde_json::Value,
        create: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        let before: Option<String> = tx_run!(&mut tx, |c| {
            sqlx::query_scalar("SELECT definition FROM risk_matrices WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *c)
                .await?
        });
        if create && before.is_some() {
            return Err(Problem::new("MAMORI-RISK-MATRIX-EXISTS")
                .with("code", code)
                .into());
        }
        if !create && before.is_none() {
            return Err(StoreError::not_found("risk matrix", code));
        }
        let text = definition.to_string();
        let now = now_rfc3339();
        tx_run!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO risk_matrices (code, definition, created_at, updated_at) VALUES ($1, $2, $3, $3) \
                 ON CONFLICT (code) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
            )
            .bind(code)
            .bind(&text)
            .bind(&now)
            .execute(&mut *c)
            .await?;
        });
        let before: Option<serde_json::Value> = before.and_then(|b| serde_json::from_str(&b).ok());
        tx.append_event(
            actor,
            Entity::RiskMatrix,
            code,
            if create { Verb::Create } else { Verb::Update },
            before.as_ref(),
            Some(definition),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Profiles and their asset counts, for the benchmark and the page's figures.
    pub async fn risk_profile_count(&self) -> Result<(i64, i64), StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT COUNT(*), CAST(COALESCE(SUM(asset_count), 0) AS BIGINT) FROM risk_profiles WHERE asset_count > 0",
            )
            .fetch_one(pool)
            .await?
        }))
    }
}

impl Tx {
    async fn treatment_of(&mut self, pair_id: i64) -> Result<Option<Treatment>, StoreError> {
        Ok(tx_run!(self, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{TREATMENT_SELECT} WHERE t.pair_id = $1"
            )))
            .bind(pair_id)
            .fetch_optional(&mut *c)
            .await?
        }))
    }

    async fn copy_treatment_to_pair(
        &mut self,
        pair_id: i64,
        option: &str,
        state: &str,
    ) -> Result<(), StoreError> {
        tx_run!(self, |c| {
            sqlx::query("UPDATE risk_pairs SET treatment = $2, treatment_state = $3 WHERE id = $1")
                .bind(pair_id)
                .bind(option)
                .bind(state)
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }
}

/// The filter and scope as SQL over `risk_pairs a`. False when the scope admits nothing.
fn push_risk_conditions<DB>(qb: &mut QueryBuilder<DB>, f: &RiskFilter, scope: &AssetScope) -> bool
where
    DB: Database,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
{
    if let Some(u) = f.unit {
        qb.push(" AND a.owner_unit_id IN (SELECT x.id FROM units x WHERE x.path LIKE (SELECT y.path FROM units y WHERE y.id = ")
            .push_bind(u)
            .push(") || '%')");
    }
    if let Some(b) = &f.band {
        qb.push(" AND a.band = ").push_bind(b.clone());
    }
    if let Some(t) = &f.threat {
        qb.push(" AND a.threat_code = ").push_bind(t.clone());
    }
    if let Some(t) = &f.treatment {
        qb.push(" AND a.treatment_state = ").push_bind(t.clone());
    }
    if let Some(v) = f.min_value {
        qb.push(" AND a.residual_value >= ").push_bind(v);
    }
    if let Some(s) = f.system {
        qb.push(" AND a.profile_id IN (SELECT sp.id FROM risk_profiles sp WHERE sp.system_id = ")
            .push_bind(s)
            .push(")");
    }
    push_scope(qb, scope)
}

impl Store {
    /// An information system's owning unit, if the system exists (Some(None): no unit).
    pub async fn system_owner(&self, id: i64) -> Result<Option<Option<i64>>, StoreError> {
        let row: Option<(Option<i64>,)> = db_run!(&self.db, |pool| {
            sqlx::query_as("SELECT owner_unit_id FROM information_systems WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|r| r.0))
    }
}
