//! Risk analysis and treatment (第7, 第11): the threats of an asset, the
//! risk register computed per profile, the city's matrices and approaches,
//! treatments and the approval of acceptances above the threshold.

use mamori_authz::{Action, Resource};
use mamori_core::problem::Problem;
use mamori_core::risk::{
    Approach, Facts, Matrix, Model, ThreatDecision, ThreatRules, TreatmentOption, TreatmentState,
    builtin_matrices,
};
use mamori_store::assets::AssetScope;
use mamori_store::risk::{
    HeatCell, ProfileAsset, RecomputeSummary, RiskFilter, RiskRow, RiskSortKey, ThreatDecisionRow,
    Treatment, TreatmentWrite,
};
use mamori_store::units::parse_path;
use mamori_store::{Actor, Page, PageRequest, Store};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::access::{App, Caller};
use crate::error::{Error, Result};

/// The matrix used when the setting names none (or one that no longer exists).
pub const DEFAULT_MATRIX: &str = "5x5";
/// Acceptances expiring within this many days are listed on the register.
pub const EXPIRING_DAYS: i64 = 30;

/// What the register's page shows of a recomputation running in the background.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RecomputeProgress {
    pub running: bool,
    pub done: u64,
    pub total: u64,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub last: Option<RecomputeSummary>,
    pub error: Option<String>,
    /// A recomputation was asked for while one ran: run again when it ends.
    #[serde(skip)]
    again: bool,
}

/// The risk area's state shared by every clone of the app: the threat rules in
/// force (built in, or the city's file) and the background recomputation.
#[derive(Debug)]
pub struct RiskRuntime {
    rules: ThreatRules,
    progress: Mutex<RecomputeProgress>,
}

impl Default for RiskRuntime {
    fn default() -> Self {
        RiskRuntime {
            rules: ThreatRules::builtin().unwrap_or_default(),
            progress: Mutex::new(RecomputeProgress::default()),
        }
    }
}

/// A matrix with where it comes from and whether it is in force.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixView {
    pub matrix: Matrix,
    pub builtin: bool,
    pub active: bool,
}

/// One control that counters a threat, with its status where the asset is.
#[derive(Debug, Clone, Serialize)]
pub struct ControlState {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// implemented, partial, not_implemented, not_applicable; None: no status recorded.
    pub state: Option<String>,
    /// system, unit or city: where the status was found.
    pub scope: Option<String>,
}

/// A threat of an asset: how it came (rules, added, dismissed), the controls
/// that counter it and the risk of the asset's profile.
#[derive(Debug, Clone, Serialize)]
pub struct AssetThreat {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// From the rules.
    pub by_rule: bool,
    /// The security office's decision on the asset or its system, if any.
    pub decision: Option<ThreatDecisionRow>,
    /// Whether it applies (a dismissed threat is shown, struck out).
    pub applies: bool,
    pub controls: Vec<ControlState>,
    pub risk: Option<RiskRow>,
}

/// One pair in full: its figures, treatment and controls, and what the caller may do.
#[derive(Debug, Clone, Serialize)]
pub struct RiskDetail {
    pub row: RiskRow,
    pub threat_name: String,
    pub threat_name_en: String,
    pub treatment: Option<Treatment>,
    pub controls: Vec<ControlState>,
    pub needs_approval: bool,
    pub may_treat: bool,
    pub may_approve: bool,
}

/// What a person enters to treat a risk.
#[derive(Debug, Clone, Default)]
pub struct TreatmentInput {
    pub option: String,
    pub owner_user_id: Option<i64>,
    /// The owner by user name or full name (where no id is given): the
    /// active user with that user name, else the only one with that name.
    pub owner: Option<String>,
    pub due_on: Option<String>,
    pub controls: Vec<String>,
    pub note: String,
    pub expires_on: Option<String>,
    pub revision: Option<i64>,
}

fn invalid(problems: Vec<Problem>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Rejected(problems))
    }
}

fn valid_date(s: &str) -> bool {
    mamori_core::catalog::parse_iso_date(s).is_ok()
}

fn today() -> String {
    mamori_store::org::today()
}

fn days_from_today(days: i64) -> String {
    let d = time::OffsetDateTime::now_utc()
        .to_offset(mamori_core::wareki::JST)
        .date()
        + time::Duration::days(days);
    d.to_string()
}

/// The controls that counter each threat: the built-in catalogue's and the
/// city's own (retired ones left out), as the store holds them.
fn countering(pairs: Vec<(String, String)>) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (threat, control) in pairs {
        out.entry(threat).or_default().push(control);
    }
    out
}

fn catalog() -> Result<mamori_core::catalog::Builtin> {
    mamori_core::catalog::builtin()
        .map_err(|e| Error::Store(mamori_store::StoreError::Internal(e.to_string())))
}

impl App {
    /// The same app with the city's own threat rules (a copy of
    /// catalogs/threat-rules.toml, e.g. from the data folder), checked against
    /// the threat catalogue.
    pub fn with_threat_rules(mut self, file: &str, text: &str) -> std::result::Result<App, String> {
        let rules = ThreatRules::parse(file, text).map_err(|e| e.to_string())?;
        let b = mamori_core::catalog::builtin().map_err(|e| e.to_string())?;
        let problems = rules.problems(&b.threats);
        if !problems.is_empty() {
            return Err(format!("{file}: {}", problems.join("; ")));
        }
        self.risk = Arc::new(RiskRuntime {
            rules,
            progress: Mutex::new(RecomputeProgress::default()),
        });
        Ok(self)
    }

    /// The threat rules in force.
    pub fn threat_rules(&self) -> &ThreatRules {
        &self.risk.rules
    }

    async fn all_matrices(&self, store: &Store) -> Result<Vec<MatrixView>> {
        let active = store
            .setting(mamori_store::risk::ACTIVE_MATRIX)
            .await?
            .unwrap_or_else(|| DEFAULT_MATRIX.to_string());
        let mut out: Vec<MatrixView> = builtin_matrices()
            .map_err(|e| Error::Store(mamori_store::StoreError::Internal(e.to_string())))?
            .matrices
            .into_iter()
            .map(|m| MatrixView {
                active: m.code == active,
                matrix: m,
                builtin: true,
            })
            .collect();
        for (code, def) in store.risk_matrices().await? {
            if let Ok(m) = serde_json::from_str::<Matrix>(&def) {
                out.push(MatrixView {
                    active: code == active,
                    matrix: m,
                    builtin: false,
                });
            }
        }
        if !out.iter().any(|m| m.active) {
            for m in &mut out {
                m.active = m.matrix.code == DEFAULT_MATRIX;
            }
        }
        Ok(out)
    }

    /// The model the register is computed with: the rules in force, the
    /// active matrix, the controls countering each threat, the approaches.
    pub(crate) async fn risk_model(&self, store: &Store) -> Result<Model> {
        let b = catalog()?;
        let matrix = self
            .all_matrices(store)
            .await?
            .into_iter()
            .find(|m| m.active)
            .map(|m| m.matrix)
            .ok_or_else(|| Error::not_found("risk matrix", DEFAULT_MATRIX))?;
        let mut approaches = BTreeMap::new();
        for kind in mamori_core::asset::AssetKind::ALL {
            let key = format!("{}{}", mamori_store::risk::APPROACH_PREFIX, kind.code());
            if let Some(a) = store.setting(&key).await?.and_then(|v| Approach::parse(&v)) {
                approaches.insert(kind.code().to_string(), a);
            }
        }
        Ok(Model {
            rules: self.risk.rules.clone(),
            matrix,
            countering: countering(store.countering_controls().await?),
            approaches,
            ranks: Model::ranks_of(&b.classification),
        })
    }

    /// The owning units whose risks the person may read.
    pub async fn risk_scope(&self, caller: &Caller) -> Result<AssetScope> {
        let units: Vec<(i64, Vec<i64>)> = self
            .facts()
            .all_units()
            .await?
            .into_iter()
            .map(|u| (u.id, parse_path(&u.path)))
            .collect();
        let s = self
            .authorizer()
            .asset_scope_for(&caller.principal, Action::ReadRisk, &units);
        Ok(AssetScope {
            units: s.units,
            top_units: s.top_units,
        })
    }

    async fn pair_resource(&self, row: &RiskRow) -> Result<Resource> {
        let unit = self.facts().unit(row.owner_unit_id).await?;
        Ok(Resource::Asset {
            id: row.id,
            owner_lineage: parse_path(&unit.path),
            top: row.is_top,
        })
    }

    // --- Reads --------------------------------------------------------------

    /// The matrices (built in and the city's), the active one marked.
    pub async fn risk_matrices(&self, caller: &Caller) -> Result<Vec<MatrixView>> {
        let permit = self.permit_app(caller, Action::View)?;
        self.all_matrices(permit.store()).await
    }

    /// The matrix in force.
    pub async fn active_matrix(&self, caller: &Caller) -> Result<Matrix> {
        self.risk_matrices(caller)
            .await?
            .into_iter()
            .find(|m| m.active)
            .map(|m| m.matrix)
            .ok_or_else(|| Error::not_found("risk matrix", DEFAULT_MATRIX))
    }

    /// The approach per asset group (asset kind).
    pub async fn risk_approaches(&self, caller: &Caller) -> Result<Vec<(String, Approach)>> {
        let permit = self.permit_app(caller, Action::View)?;
        let model = self.risk_model(permit.store()).await?;
        Ok(mamori_core::asset::AssetKind::ALL
            .into_iter()
            .map(|k| (k.code().to_string(), model.approach(k.code())))
            .collect())
    }

    /// One page of the register as the person may see it (the flag: more than
    /// the count shows).
    pub async fn list_risks(
        &self,
        caller: &Caller,
        filter: &RiskFilter,
        sort: RiskSortKey,
        descending: bool,
        page: PageRequest,
    ) -> Result<(Page<RiskRow>, bool)> {
        let scope = self.risk_scope(caller).await?;
        Ok(self
            .facts()
            .list_risks(filter, sort, descending, page, &scope)
            .await?)
    }

    /// The heat map of what the person may see under the filter.
    pub async fn risk_heat(&self, caller: &Caller, filter: &RiskFilter) -> Result<Vec<HeatCell>> {
        let scope = self.risk_scope(caller).await?;
        Ok(self.facts().risk_heat(filter, &scope).await?)
    }

    fn control_states(
        &self,
        b: &mamori_core::catalog::Builtin,
        model: &Model,
        book: &mamori_store::risk::StatusBook,
        threat: &str,
        unit: i64,
        system: Option<i64>,
    ) -> Vec<ControlState> {
        model
            .controls_of(threat)
            .iter()
            .map(|code| {
                let c = b.controls.control(code);
                let found = book.status_with_scope(code, unit, system);
                ControlState {
                    code: code.clone(),
                    name: c.map(|c| c.name.clone()).unwrap_or_default(),
                    name_en: c.map(|c| c.name_en.clone()).unwrap_or_default(),
                    state: found.map(|(s, _)| s.code().to_string()),
                    scope: found.map(|(_, w)| w.to_string()),
                }
            })
            .collect()
    }

    /// One pair, if the person may read it.
    pub async fn risk(&self, caller: &Caller, id: i64) -> Result<RiskDetail> {
        let row = self.facts().risk(id).await?;
        let r = self.pair_resource(&row).await?;
        let permit = self.permit_or_hide(caller, Action::ReadRisk, &r, "risk", id)?;
        let store = permit.store();
        let b = catalog()?;
        let model = self.risk_model(store).await?;
        let book = store.status_book().await?;
        let treatment = store.treatment_of(id).await?;
        let controls = self.control_states(
            &b,
            &model,
            &book,
            &row.threat_code,
            row.owner_unit_id,
            row.system_id,
        );
        let may_approve = treatment.as_ref().is_some_and(|t| {
            t.state == TreatmentState::Pending.code()
                && t.requested_by != caller.user.id
                && self.may(
                    caller,
                    Action::ApproveRequest,
                    &acceptance(&r, id, t.requested_by),
                )
        });
        let threat = b.threats.threat(&row.threat_code);
        Ok(RiskDetail {
            threat_name: threat.map(|t| t.name.clone()).unwrap_or_default(),
            threat_name_en: threat.map(|t| t.name_en.clone()).unwrap_or_default(),
            needs_approval: model.matrix.needs_approval(row.residual_value as u32),
            may_treat: self.may(caller, Action::TreatRisk, &r),
            may_approve,
            treatment,
            controls,
            row,
        })
    }

    /// The assets sharing a pair's profile that the person may read.
    pub async fn risk_assets(
        &self,
        caller: &Caller,
        id: i64,
        page: PageRequest,
    ) -> Result<Page<ProfileAsset>> {
        let row = self.facts().risk(id).await?;
        let r = self.pair_resource(&row).await?;
        let permit = self.permit_or_hide(caller, Action::ReadRisk, &r, "risk", id)?;
        let scope = self.asset_scope(caller).await?;
        Ok(permit
            .store()
            .profile_assets(row.profile_id, &self.risk.rules, &scope, page)
            .await?)
    }

    /// The threats of an asset the person may read, with the controls that
    /// counter each (their status where the asset is) and the profile's risks.
    pub async fn asset_threats(&self, caller: &Caller, asset_id: i64) -> Result<Vec<AssetThreat>> {
        let asset = self.asset(caller, asset_id).await?;
        let store = self.facts();
        let b = catalog()?;
        let model = self.risk_model(store).await?;
        let book = store.status_book().await?;
        let rec = &asset.record;
        let importance = model.importance_of(
            &rec.scheme,
            [&rec.confidentiality, &rec.integrity, &rec.availability],
            rec.personal_info,
            rec.my_number,
        );
        let facts = Facts {
            kind: rec.kind.code(),
            importance,
            segment_role: asset.segment_role.as_deref(),
            personal_info: rec.personal_info,
            my_number: rec.my_number,
            location: model.rules.location_kind(&rec.location),
            has_system: rec.system_id.is_some(),
        };
        let by_rule = model.rules.threats_for(&facts);
        let mut decisions: BTreeMap<String, ThreatDecisionRow> = BTreeMap::new();
        if let Some(s) = rec.system_id {
            for d in store.threat_decisions("system", s).await? {
                decisions.insert(d.threat_code.clone(), d);
            }
        }
        for d in store.threat_decisions("asset", asset_id).await? {
            decisions.insert(d.threat_code.clone(), d);
        }
        let risks = match store.profile_of_asset(asset_id, &model.rules).await? {
            Some(p) => store.risks_of_profile(p).await?,
            None => Vec::new(),
        };
        let mut codes: Vec<String> = by_rule.iter().cloned().collect();
        for c in decisions.keys() {
            if !codes.contains(c) {
                codes.push(c.clone());
            }
        }
        codes.sort();
        Ok(codes
            .into_iter()
            .map(|code| {
                let t = b.threats.threat(&code);
                let decision = decisions.get(&code).cloned();
                let applies = match decision
                    .as_ref()
                    .and_then(|d| ThreatDecision::parse(&d.decision))
                {
                    Some(ThreatDecision::Dismiss) => false,
                    Some(_) => true,
                    None => by_rule.contains(&code),
                };
                AssetThreat {
                    name: t.map(|t| t.name.clone()).unwrap_or_default(),
                    name_en: t.map(|t| t.name_en.clone()).unwrap_or_default(),
                    by_rule: by_rule.contains(&code),
                    controls: self.control_states(
                        &b,
                        &model,
                        &book,
                        &code,
                        rec.owner_unit_id,
                        rec.system_id,
                    ),
                    risk: risks.iter().find(|r| r.threat_code == code).cloned(),
                    decision,
                    applies,
                    code,
                }
            })
            .collect())
    }

    /// The decisions on a target's threats (`asset` or `system`).
    pub async fn threat_decisions(
        &self,
        caller: &Caller,
        target_kind: &str,
        target_id: i64,
    ) -> Result<Vec<ThreatDecisionRow>> {
        match target_kind {
            "asset" => {
                self.asset(caller, target_id).await?;
            }
            "system" => {
                self.permit_app(caller, Action::View)?;
                if self.facts().system_owner(target_id).await?.is_none() {
                    return Err(Error::not_found("information system", target_id));
                }
            }
            _ => return Err(Error::not_found("target", target_kind)),
        }
        Ok(self
            .facts()
            .threat_decisions(target_kind, target_id)
            .await?)
    }

    /// Accepted or pending acceptances expiring within [`EXPIRING_DAYS`].
    pub async fn expiring_acceptances(&self, caller: &Caller) -> Result<Vec<(RiskRow, Treatment)>> {
        let scope = self.risk_scope(caller).await?;
        Ok(self
            .facts()
            .expiring_acceptances(&days_from_today(EXPIRING_DAYS), &scope)
            .await?)
    }

    /// The recomputation's progress.
    pub fn risk_progress(&self) -> RecomputeProgress {
        self.risk
            .progress
            .lock()
            .map(|p| p.clone())
            .unwrap_or_default()
    }

    // --- Writes -------------------------------------------------------------

    /// Records the security office's decision on one threat of an asset or
    /// system, with its reason, and recomputes the register in the background.
    pub async fn decide_threat(
        &self,
        caller: &Caller,
        target_kind: &str,
        target_id: i64,
        threat: &str,
        decision: &str,
        reason: &str,
    ) -> Result<ThreatDecisionRow> {
        let permit = self.permit_app(caller, Action::ManageRisk)?;
        let store = permit.store();
        let b = catalog()?;
        let mut problems = Vec::new();
        if b.threats.threat(threat).is_none() {
            problems.push(
                Problem::new("MAMORI-RISK-THREAT-UNKNOWN")
                    .field("threat")
                    .with("code", threat),
            );
        }
        let d = ThreatDecision::parse(decision);
        if d.is_none() {
            problems.push(Problem::new("MAMORI-RISK-DECISION").field("decision"));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            problems.push(Problem::new("MAMORI-RISK-REASON-REQUIRED").field("reason"));
        } else if let Err(p) =
            mamori_core::text::check_text(reason, mamori_core::text::MAX_TEXT_CHARS)
        {
            problems.push(p.problem("reason", "理由", "reason"));
        }
        invalid(problems)?;
        let exists = match target_kind {
            "asset" => store
                .asset(target_id, &AssetScope::unrestricted())
                .await
                .is_ok(),
            "system" => store.system_owner(target_id).await?.is_some(),
            _ => false,
        };
        if !exists {
            return Err(Error::not_found(
                if target_kind == "system" {
                    "information system"
                } else {
                    "asset"
                },
                target_id,
            ));
        }
        let Some(d) = d else {
            return Err(Problem::new("MAMORI-RISK-DECISION")
                .field("decision")
                .into());
        };
        let row = store
            .decide_threat(permit.actor(), target_kind, target_id, threat, d, reason)
            .await?;
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(row)
    }

    /// Adds one of the city's matrices (checked: every bad field at once).
    pub async fn create_risk_matrix(&self, caller: &Caller, m: &Matrix) -> Result<()> {
        self.save_matrix(caller, m, true).await
    }

    /// Changes one of the city's matrices (the built-in ones stay as shipped).
    pub async fn update_risk_matrix(&self, caller: &Caller, m: &Matrix) -> Result<()> {
        self.save_matrix(caller, m, false).await
    }

    async fn save_matrix(&self, caller: &Caller, m: &Matrix, create: bool) -> Result<()> {
        let permit = self.permit_app(caller, Action::ManageRisk)?;
        invalid(m.problems())?;
        if builtin_matrices().is_ok_and(|b| b.matrices.iter().any(|x| x.code == m.code)) {
            return Err(Problem::new("MAMORI-RISK-MATRIX-EXISTS")
                .field("code")
                .with("code", &m.code)
                .into());
        }
        let json = serde_json::to_value(m)
            .map_err(|e| Error::Store(mamori_store::StoreError::Internal(e.to_string())))?;
        permit
            .store()
            .save_risk_matrix(permit.actor(), &m.code, &json, create)
            .await?;
        let active = permit
            .store()
            .setting(mamori_store::risk::ACTIVE_MATRIX)
            .await?;
        if !create && active.as_deref() == Some(m.code.as_str()) {
            self.recompute_risks_in_background(permit.actor().clone());
        }
        Ok(())
    }

    /// Puts a matrix in force and recomputes the register in the background.
    pub async fn activate_risk_matrix(&self, caller: &Caller, code: &str) -> Result<()> {
        let permit = self.permit_app(caller, Action::ManageRisk)?;
        let all = self.all_matrices(permit.store()).await?;
        if !all.iter().any(|m| m.matrix.code == code) {
            return Err(Error::not_found("risk matrix", code));
        }
        permit
            .store()
            .set_setting(permit.actor(), mamori_store::risk::ACTIVE_MATRIX, code)
            .await?;
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(())
    }

    /// Chooses the approach for an asset group (asset kind).
    pub async fn set_risk_approach(
        &self,
        caller: &Caller,
        kind: &str,
        approach: &str,
    ) -> Result<()> {
        let permit = self.permit_app(caller, Action::ManageRisk)?;
        let mut problems = Vec::new();
        if !mamori_core::asset::AssetKind::ALL
            .iter()
            .any(|k| k.code() == kind)
        {
            problems.push(
                Problem::new("MAMORI-INVALID")
                    .field("kind")
                    .with("message", "資産の種類が不明です")
                    .with("message_en", "unknown asset kind"),
            );
        }
        let a = Approach::parse(approach);
        if a.is_none() {
            problems.push(Problem::new("MAMORI-RISK-APPROACH").field("approach"));
        }
        invalid(problems)?;
        let Some(a) = a else { return Ok(()) };
        permit
            .store()
            .set_setting(
                permit.actor(),
                &format!("{}{kind}", mamori_store::risk::APPROACH_PREFIX),
                a.code(),
            )
            .await?;
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(())
    }

    /// Starts a recomputation in the background (the security office's button).
    pub fn start_risk_recompute(&self, caller: &Caller) -> Result<()> {
        let permit = self.permit_app(caller, Action::ManageRisk)?;
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(())
    }

    /// Recomputes now and waits (the command line, tests, the benchmark).
    pub async fn recompute_risks_now(&self, actor: &Actor) -> Result<RecomputeSummary> {
        let store = self.facts();
        let model = self.risk_model(store).await?;
        Ok(store.recompute_risks(actor, &model, &|_, _| {}).await?)
    }

    /// Recomputes the register in a background task, its progress kept for
    /// the register's page; a request while one runs makes it run once more
    /// when it ends. Called after any change that moves risks (a control's
    /// status, a threat decision, the matrix, an approach). Needs a tokio runtime.
    pub fn recompute_risks_in_background(&self, actor: Actor) {
        {
            let Ok(mut p) = self.risk.progress.lock() else {
                return;
            };
            if p.running {
                p.again = true;
                return;
            }
            p.running = true;
            p.again = false;
            p.done = 0;
            p.total = 0;
            p.error = None;
            p.started_at = Some(mamori_store::now_rfc3339());
            p.finished_at = None;
        }
        let app = self.clone();
        tokio::spawn(async move {
            loop {
                let runtime = app.risk.clone();
                let progress = move |done: u64, total: u64| {
                    if let Ok(mut p) = runtime.progress.lock() {
                        p.done = done;
                        p.total = total;
                    }
                };
                let result = match app.risk_model(app.facts()).await {
                    Ok(model) => app
                        .facts()
                        .recompute_risks(&actor, &model, &progress)
                        .await
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                let Ok(mut p) = app.risk.progress.lock() else {
                    return;
                };
                match result {
                    Ok(s) => {
                        p.last = Some(s);
                        p.error = None;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "risk recomputation failed");
                        p.error = Some(e);
                    }
                }
                if p.again {
                    p.again = false;
                    p.done = 0;
                    continue;
                }
                p.running = false;
                p.finished_at = Some(mamori_store::now_rfc3339());
                return;
            }
        });
    }

    /// Sets the treatment of a risk. An acceptance above the matrix's
    /// threshold waits for approval (the caller is its requester); at or below
    /// it, it is accepted at once. A save that read an old revision is refused.
    pub async fn set_treatment(
        &self,
        caller: &Caller,
        pair_id: i64,
        input: &TreatmentInput,
    ) -> Result<Treatment> {
        let row = self.facts().risk(pair_id).await?;
        let r = self.pair_resource(&row).await?;
        self.permit_or_hide(caller, Action::ReadRisk, &r, "risk", pair_id)?;
        let permit = self.permit(caller, Action::TreatRisk, &r)?;
        let store = permit.store();
        let b = catalog()?;
        let model = self.risk_model(store).await?;
        let mut problems = Vec::new();
        let option = TreatmentOption::parse(&input.option);
        if option.is_none() {
            problems.push(Problem::new("MAMORI-RISK-TREATMENT-OPTION").field("option"));
        }
        let owner = match (input.owner_user_id, input.owner.as_deref().map(str::trim)) {
            (Some(id), _) => match store.user(id).await {
                Ok(u) if u.active => Some(u.id),
                _ => {
                    problems.push(
                        Problem::new("MAMORI-RISK-OWNER")
                            .field("owner")
                            .with("key", id),
                    );
                    None
                }
            },
            (None, Some(name)) if !name.is_empty() => match self.person_named(name).await {
                Some(id) => Some(id),
                None => {
                    problems.push(
                        Problem::new("MAMORI-RISK-OWNER")
                            .field("owner")
                            .with("key", name),
                    );
                    None
                }
            },
            (None, _) => {
                problems.push(
                    Problem::new("MAMORI-RISK-OWNER")
                        .field("owner")
                        .with("key", "—"),
                );
                None
            }
        };
        let today = today();
        let due_on = input
            .due_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(d) = due_on {
            if !valid_date(d) {
                problems.push(
                    Problem::new("MAMORI-RISK-DATE")
                        .field("due_on")
                        .with("value", d),
                );
            } else if d < today.as_str() {
                problems.push(
                    Problem::new("MAMORI-RISK-DUE-PAST")
                        .field("due_on")
                        .with("date", d),
                );
            }
        }
        let mut controls = Vec::new();
        for c in input
            .controls
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
        {
            if b.controls.control(c).is_none() {
                problems.push(
                    Problem::new("MAMORI-RISK-CONTROL-UNKNOWN")
                        .field("controls")
                        .with("code", c),
                );
            } else if !controls.iter().any(|x: &String| x == c) {
                controls.push(c.to_string());
            }
        }
        let expires_on = input
            .expires_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if option == Some(TreatmentOption::Accept) {
            match expires_on {
                Some(d) if !valid_date(d) => {
                    problems.push(
                        Problem::new("MAMORI-RISK-DATE")
                            .field("expires_on")
                            .with("value", d),
                    );
                }
                Some(d) if d > today.as_str() => {}
                _ => problems.push(Problem::new("MAMORI-RISK-EXPIRY-REQUIRED").field("expires_on")),
            }
        }
        let note = input.note.trim();
        if let Err(p) = mamori_core::text::check_text(note, mamori_core::text::MAX_TEXT_CHARS) {
            problems.push(p.problem("note", "備考", "note"));
        }
        invalid(problems)?;
        let (Some(option), Some(owner)) = (option, owner) else {
            return Err(Problem::new("MAMORI-RISK-TREATMENT-OPTION")
                .field("option")
                .into());
        };
        let state = match option {
            TreatmentOption::Accept if model.matrix.needs_approval(row.residual_value as u32) => {
                TreatmentState::Pending
            }
            TreatmentOption::Accept => TreatmentState::Accepted,
            _ => TreatmentState::Planned,
        };
        let w = TreatmentWrite {
            option: option.code().to_string(),
            state: state.code().to_string(),
            owner_user_id: owner,
            due_on: due_on.map(str::to_string),
            controls,
            note: note.to_string(),
            expires_on: if option == TreatmentOption::Accept {
                expires_on.map(str::to_string)
            } else {
                None
            },
            requested_by: caller.user.id,
            residual_value: row.residual_value,
            revision: input.revision,
        };
        Ok(store.set_treatment(permit.actor(), pair_id, &w).await?)
    }

    /// Approves an acceptance awaiting approval: only the CISO or the 統括情報
    /// セキュリティ責任者, never the person who asked.
    pub async fn approve_acceptance(&self, caller: &Caller, pair_id: i64) -> Result<Treatment> {
        let row = self.facts().risk(pair_id).await?;
        let r = self.pair_resource(&row).await?;
        self.permit_or_hide(caller, Action::ReadRisk, &r, "risk", pair_id)?;
        let t = self
            .facts()
            .treatment_of(pair_id)
            .await?
            .ok_or_else(|| Error::problem(Problem::new("MAMORI-RISK-NOT-PENDING")))?;
        if t.state != TreatmentState::Pending.code() {
            return Err(Problem::new("MAMORI-RISK-NOT-PENDING").into());
        }
        if t.requested_by == caller.user.id {
            return Err(Problem::new("MAMORI-RISK-SELF-APPROVAL").into());
        }
        let permit = match self.permit(
            caller,
            Action::ApproveRequest,
            &acceptance(&r, pair_id, t.requested_by),
        ) {
            Err(Error::Forbidden) => return Err(Problem::new("MAMORI-RISK-APPROVER").into()),
            other => other?,
        };
        Ok(permit
            .store()
            .approve_treatment(permit.actor(), pair_id, caller.user.id)
            .await?)
    }

    /// Revokes an acceptance (pending or accepted), with a reason: whoever may
    /// treat the risk, or approve its acceptance.
    pub async fn revoke_acceptance(
        &self,
        caller: &Caller,
        pair_id: i64,
        reason: &str,
    ) -> Result<Treatment> {
        let row = self.facts().risk(pair_id).await?;
        let r = self.pair_resource(&row).await?;
        self.permit_or_hide(caller, Action::ReadRisk, &r, "risk", pair_id)?;
        let t = self.facts().treatment_of(pair_id).await?;
        let permit = match self.permit(caller, Action::TreatRisk, &r) {
            Ok(p) => p,
            Err(Error::Forbidden) => match &t {
                Some(t) => self.permit(
                    caller,
                    Action::ApproveRequest,
                    &acceptance(&r, pair_id, t.requested_by),
                )?,
                None => return Err(Error::Forbidden),
            },
            Err(e) => return Err(e),
        };
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Problem::new("MAMORI-RISK-REASON-REQUIRED")
                .field("reason")
                .into());
        }
        if let Err(p) = mamori_core::text::check_text(reason, mamori_core::text::MAX_TEXT_CHARS) {
            return Err(p.problem("reason", "理由", "reason").into());
        }
        Ok(permit
            .store()
            .revoke_treatment(permit.actor(), pair_id, caller.user.id, reason)
            .await?)
    }
}

/// The acceptance of a pair as a Cedar request.
fn acceptance(pair: &Resource, id: i64, requester: i64) -> Resource {
    let unit_lineage = match pair {
        Resource::Asset { owner_lineage, .. } => owner_lineage.clone(),
        _ => Vec::new(),
    };
    Resource::RiskAcceptance {
        id,
        requester,
        unit_lineage,
    }
}
