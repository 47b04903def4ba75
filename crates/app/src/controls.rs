//! The city's own controls, the status of each control where it applies
//! (city-wide, per unit, per information system) with its evidence, and the
//! Excel round trip of the status.
//!
//! Who may do what is the policy's (`read_control_status`,
//! `set_control_status` on a `ControlStatus` of a scope): a scope the reader
//! may not see is answered as not found, one they see but may not set as
//! forbidden. Lists are filtered by the scopes the reader sees
//! ([`App::status_visibility`]), so counts leak nothing either.

use mamori_authz::{Action, Resource};
use mamori_core::control::{Implementation, StatusScope};
use mamori_core::problem::Problem;
use mamori_core::table::LedgerFormat;
use mamori_store::controls::{
    ControlInput, ControlRecord, EVIDENCE_OF_STATUS, EvidenceRow, NewEvidence, ScopedControl,
    StatusFilter, StatusInput, StatusRow, StatusVisibility,
};
use mamori_store::units::parse_path;
use mamori_store::{Page, PageRequest, StoreError};

use crate::access::{App, Caller};
use crate::error::{Error, Result};
use crate::systems::{column_of, entered_date, read_sheet};

/// What a person enters for one of the city's controls.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct ControlForm {
    pub category: String,
    pub chapter: i64,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Threat codes (of catalogs/threats.toml), space or comma separated.
    #[serde(default)]
    pub threats: String,
    /// Asset kinds, space or comma separated (empty: any).
    #[serde(default)]
    pub applies_kinds: String,
    /// Confidentiality level codes (empty: any).
    #[serde(default)]
    pub applies_levels: String,
    /// Segment names (empty: any).
    #[serde(default)]
    pub applies_segments: String,
    /// any, yes, no
    #[serde(default)]
    pub applies_personal: String,
}

/// What a person enters for a control's status in one scope.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusForm {
    pub control_code: String,
    pub scope: StatusScope,
    /// A code (implemented …) or the Japanese word (実施済 …).
    pub state: String,
    pub reason: String,
    /// A user name or a person's full name (empty: none).
    pub owner: String,
    pub due_on: String,
    pub comment: String,
}

/// A status with its evidence, as its page shows it.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub status: StatusRow,
    pub evidence: Vec<EvidenceRow>,
    pub may_set: bool,
}

/// Evidence as sent: a file or a link.
#[derive(Debug, Clone)]
pub enum EvidenceUpload {
    File {
        name: String,
        media_type: String,
        bytes: Vec<u8>,
    },
    Link {
        url: String,
    },
}

fn words(text: &str) -> Vec<String> {
    text.split([' ', ',', '、', '\n', '\t'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

impl App {
    // -------------------------------------------------------- city controls

    /// A control of the catalogue (built in or the city's), with its threats.
    pub async fn control(&self, caller: &Caller, code: &str) -> Result<ControlRecord> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        Ok(permit.store().control_by_code(code).await?)
    }

    /// One of the city's controls, for its edit form: the person keeps the
    /// catalogue, and the control is the city's and not retired (409 else).
    pub async fn editable_city_control(
        &self,
        caller: &Caller,
        code: &str,
    ) -> Result<ControlRecord> {
        let permit = self.permit_app(caller, Action::ManageCatalog)?;
        let c = permit.store().control_by_code(code).await?;
        if c.builtin {
            return Err(Error::problem(
                Problem::new("MAMORI-CONTROL-BUILTIN").with("code", &c.code),
            ));
        }
        if c.retired_on.is_some() {
            return Err(Error::problem(
                Problem::new("MAMORI-CONTROL-RETIRED").with("code", &c.code),
            ));
        }
        Ok(c)
    }

    /// Whether the person keeps the city's own controls.
    pub fn may_manage_controls(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::ManageCatalog)
    }

    async fn control_input(&self, form: &ControlForm) -> Result<ControlInput> {
        let mut problems = Vec::new();
        let name = form.name.trim().to_string();
        if name.is_empty() {
            problems.push(Problem::new("MAMORI-CONTROL-NAME-EMPTY").field("name"));
        }
        let categories = self.facts().control_categories().await?;
        if !categories.iter().any(|c| c.code == form.category.trim()) {
            problems.push(
                Problem::new("MAMORI-CONTROL-CATEGORY")
                    .field("category")
                    .with("category", form.category.trim()),
            );
        }
        let chapters = self.facts().standard_chapters().await?;
        if !chapters.iter().any(|c| c.number == form.chapter) {
            problems.push(
                Problem::new("MAMORI-CONTROL-CHAPTER")
                    .field("chapter")
                    .with("chapter", form.chapter),
            );
        }
        let threats = words(&form.threats);
        let known = self.facts().known_threats(&threats).await?;
        for t in threats.iter().filter(|t| !known.contains(t)) {
            problems.push(
                Problem::new("MAMORI-CONTROL-THREAT")
                    .field("threats")
                    .with("threat", t),
            );
        }
        let mut kinds = Vec::new();
        for k in words(&form.applies_kinds) {
            match mamori_core::asset::AssetKind::parse(&k) {
                Some(kind) => kinds.push(kind.code().to_string()),
                None => problems.push(
                    Problem::new("MAMORI-CONTROL-APPLIES")
                        .field("applies_kinds")
                        .with("value", &k),
                ),
            }
        }
        let levels = words(&form.applies_levels);
        let scheme = self.facts().active_scheme().await?;
        for l in &levels {
            if scheme
                .level(mamori_core::classification::Axis::Confidentiality, l)
                .is_none()
            {
                problems.push(
                    Problem::new("MAMORI-CONTROL-APPLIES")
                        .field("applies_levels")
                        .with("value", l),
                );
            }
        }
        let segments = self.facts().segments().await?;
        let mut segment_ids = Vec::new();
        for s in words(&form.applies_segments) {
            match segments
                .iter()
                .find(|g| g.name == s || g.id.to_string() == s)
            {
                Some(g) => segment_ids.push(g.id.to_string()),
                None => problems.push(
                    Problem::new("MAMORI-CONTROL-APPLIES")
                        .field("applies_segments")
                        .with("value", &s),
                ),
            }
        }
        let personal = match form.applies_personal.trim() {
            "" | "any" => "any",
            "yes" => "yes",
            "no" => "no",
            other => {
                problems.push(
                    Problem::new("MAMORI-CONTROL-APPLIES")
                        .field("applies_personal")
                        .with("value", other),
                );
                "any"
            }
        };
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        Ok(ControlInput {
            category: form.category.trim().to_string(),
            chapter: form.chapter,
            name,
            description: form.description.trim().to_string(),
            threats,
            applies_kinds: kinds.join(" "),
            applies_levels: levels.join(" "),
            applies_segments: segment_ids.join(" "),
            applies_personal: personal.to_string(),
        })
    }

    /// Adds one of the city's controls (code C-<serial>).
    pub async fn create_city_control(
        &self,
        caller: &Caller,
        form: &ControlForm,
    ) -> Result<ControlRecord> {
        let permit = self.permit_app(caller, Action::ManageCatalog)?;
        let input = self.control_input(form).await?;
        let control = permit
            .store()
            .create_city_control(permit.actor(), &input)
            .await?;
        // What counters which threat changed: the residual risks move.
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(control)
    }

    /// Changes one of the city's controls.
    pub async fn update_city_control(
        &self,
        caller: &Caller,
        code: &str,
        revision: i64,
        form: &ControlForm,
    ) -> Result<ControlRecord> {
        let permit = self.permit_app(caller, Action::ManageCatalog)?;
        let input = self.control_input(form).await?;
        let control = permit
            .store()
            .update_city_control(permit.actor(), code, revision, &input)
            .await?;
        // What counters which threat changed: the residual risks move.
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(control)
    }

    /// Retires one of the city's controls today.
    pub async fn retire_city_control(
        &self,
        caller: &Caller,
        code: &str,
        revision: i64,
    ) -> Result<ControlRecord> {
        let permit = self.permit_app(caller, Action::ManageCatalog)?;
        let control = permit
            .store()
            .retire_city_control(permit.actor(), code, revision, &mamori_store::org::today())
            .await?;
        // What counters which threat changed: the residual risks move.
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(control)
    }

    // --------------------------------------------------------------- status

    /// The resource a scope is for the policy; not found when the unit or the
    /// system does not exist.
    pub(crate) async fn status_resource(&self, scope: StatusScope) -> Result<Resource> {
        Ok(match scope {
            StatusScope::City => Resource::ControlStatus {
                scope: "city".into(),
                unit_lineage: Vec::new(),
                system: 0,
            },
            StatusScope::Unit(id) => Resource::ControlStatus {
                scope: "unit".into(),
                unit_lineage: parse_path(&self.facts().unit(id).await?.path),
                system: 0,
            },
            StatusScope::System(id) => {
                let system = self.facts().system(id).await?;
                let unit_lineage = match system.owner_unit_id {
                    Some(u) => parse_path(&self.facts().unit(u).await?.path),
                    None => Vec::new(),
                };
                Resource::ControlStatus {
                    scope: "system".into(),
                    unit_lineage,
                    system: id,
                }
            }
        })
    }

    /// Whether the person may read the status of a scope (false as well when
    /// it does not exist).
    pub async fn may_read_status(&self, caller: &Caller, scope: StatusScope) -> bool {
        match self.status_resource(scope).await {
            Ok(r) => self.may(caller, Action::ReadControlStatus, &r),
            Err(_) => false,
        }
    }

    /// Whether the person may set the status of a scope.
    pub async fn may_set_status(&self, caller: &Caller, scope: StatusScope) -> bool {
        match self.status_resource(scope).await {
            Ok(r) => self.may(caller, Action::SetControlStatus, &r),
            Err(_) => false,
        }
    }

    /// A permit to read a scope's status; a scope the person may not read
    /// (or that does not exist) is not found.
    async fn permit_read_scope(
        &self,
        caller: &Caller,
        scope: StatusScope,
    ) -> Result<crate::access::Permit<'_>> {
        let key = format!("{}:{}", scope.kind(), scope.id());
        let resource = match self.status_resource(scope).await {
            Ok(r) => r,
            Err(_) => return Err(Error::not_found("control status scope", key)),
        };
        self.permit_or_hide(
            caller,
            Action::ReadControlStatus,
            &resource,
            "control status scope",
            key,
        )
    }

    /// A permit to set a scope's status: not found when the person may not
    /// even read it, forbidden when they read but may not set.
    async fn permit_set_scope(
        &self,
        caller: &Caller,
        scope: StatusScope,
    ) -> Result<crate::access::Permit<'_>> {
        self.permit_read_scope(caller, scope).await?;
        let resource = self.status_resource(scope).await?;
        self.permit(caller, Action::SetControlStatus, &resource)
    }

    /// The scopes whose status the person sees.
    pub async fn status_visibility(&self, caller: &Caller) -> Result<StatusVisibility> {
        let probe = |scope: &str, lineage: Vec<i64>, system: i64| {
            self.may(
                caller,
                Action::ReadControlStatus,
                &Resource::ControlStatus {
                    scope: scope.into(),
                    unit_lineage: lineage,
                    system,
                },
            )
        };
        let foreign = vec![i64::MIN];
        if probe("unit", foreign.clone(), 0) && probe("system", foreign, i64::MIN) {
            return Ok(StatusVisibility {
                all: true,
                ..Default::default()
            });
        }
        let lineages = self.unit_lineages().await?;
        let units: Vec<i64> = lineages
            .iter()
            .filter(|(_, l)| probe("unit", l.clone(), 0))
            .map(|(id, _)| *id)
            .collect();
        let lineage_of = |unit: Option<i64>| {
            unit.and_then(|u| lineages.iter().find(|(id, _)| *id == u))
                .map(|(_, l)| l.clone())
                .unwrap_or_default()
        };
        let systems = self
            .facts()
            .all_systems(&mamori_store::systems::SystemFilter {
                include_retired: true,
                ..Default::default()
            })
            .await?
            .into_iter()
            .filter(|s| probe("system", lineage_of(s.owner_unit_id), s.id))
            .map(|s| s.id)
            .collect();
        Ok(StatusVisibility {
            all: false,
            city: probe("city", Vec::new(), 0),
            units,
            systems,
        })
    }

    /// One page of the statuses the person sees (of one control, one scope,
    /// one state, one category).
    pub async fn control_status_list(
        &self,
        caller: &Caller,
        filter: &StatusFilter,
        page: PageRequest,
    ) -> Result<Page<StatusRow>> {
        if let Some(scope) = filter.scope {
            self.permit_read_scope(caller, scope).await?;
        }
        let visible = self.status_visibility(caller).await?;
        let store = self.facts();
        Ok(store.list_control_status(filter, &visible, page).await?)
    }

    /// The controls with their status in one scope, one page; `state`
    /// "unset" lists those without a status.
    pub async fn controls_in_scope(
        &self,
        caller: &Caller,
        scope: StatusScope,
        state: Option<&str>,
        category: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<ScopedControl>> {
        let permit = self.permit_read_scope(caller, scope).await?;
        Ok(permit
            .store()
            .controls_in_scope(scope, state, category, page)
            .await?)
    }

    /// One status with its evidence; not found for a status the person may
    /// not read.
    pub async fn control_status_view(&self, caller: &Caller, id: i64) -> Result<StatusView> {
        let status = match self.facts().control_status(id).await {
            Ok(s) => s,
            Err(StoreError::NotFound { .. }) => return Err(Error::not_found("control status", id)),
            Err(e) => return Err(e.into()),
        };
        let scope = status
            .scope()
            .ok_or_else(|| Error::not_found("control status", id))?;
        let permit = match self.permit_read_scope(caller, scope).await {
            Ok(p) => p,
            Err(_) => return Err(Error::not_found("control status", id)),
        };
        let evidence = permit.store().evidence_of(EVIDENCE_OF_STATUS, id).await?;
        Ok(StatusView {
            may_set: self.may_set_status(caller, scope).await,
            status,
            evidence,
        })
    }

    /// The status of a control in a scope, if recorded (not found when the
    /// scope may not be read).
    pub async fn control_status_at(
        &self,
        caller: &Caller,
        code: &str,
        scope: StatusScope,
    ) -> Result<Option<StatusRow>> {
        let permit = self.permit_read_scope(caller, scope).await?;
        Ok(permit.store().control_status_at(code, scope).await?)
    }

    /// Reads a status form into a checked input, every problem with its
    /// field. `recorded` is what is on record (for the due-date rule: a past
    /// due date is refused for a new plan, i.e. a new status or a changed
    /// date).
    async fn status_input(
        &self,
        form: &StatusForm,
        recorded: Option<&StatusRow>,
    ) -> std::result::Result<StatusInput, Vec<Problem>> {
        let mut problems = Vec::new();
        let code = form.control_code.trim().to_string();
        match self
            .facts()
            .live_control_codes(std::slice::from_ref(&code))
            .await
        {
            Ok(found) if found.is_empty() => problems.push(
                Problem::new("MAMORI-CONTROL-UNKNOWN")
                    .field("control_code")
                    .with("code", &code),
            ),
            Ok(_) => {}
            Err(_) => problems.push(
                Problem::new("MAMORI-CONTROL-UNKNOWN")
                    .field("control_code")
                    .with("code", &code),
            ),
        }
        let state = Implementation::parse_loose(&form.state);
        if state.is_none() {
            problems.push(
                Problem::new("MAMORI-STATUS-STATE")
                    .field("state")
                    .with("value", form.state.trim()),
            );
        }
        let reason = form.reason.trim().to_string();
        if state == Some(Implementation::NotApplicable) && reason.is_empty() {
            problems.push(Problem::new("MAMORI-STATUS-REASON").field("reason"));
        }
        let due_on = match entered_date(&form.due_on, "due_on", "MAMORI-STATUS-DATE") {
            Ok(d) => d,
            Err(p) => {
                problems.push(p);
                None
            }
        };
        if let Some(due) = &due_on {
            let changed = recorded.and_then(|r| r.due_on.as_ref()) != Some(due);
            if changed && *due < mamori_store::org::today() {
                problems.push(
                    Problem::new("MAMORI-STATUS-DUE-PAST")
                        .field("due_on")
                        .with("due", due),
                );
            }
        }
        let owner = form.owner.trim();
        let owner_user_id = if owner.is_empty() {
            None
        } else {
            match self.person_named(owner).await {
                Some(id) => Some(id),
                None => {
                    problems.push(
                        Problem::new("MAMORI-STATUS-OWNER")
                            .field("owner")
                            .with("owner", owner),
                    );
                    None
                }
            }
        };
        match (state, problems.is_empty()) {
            (Some(state), true) => Ok(StatusInput {
                control_code: code,
                scope: form.scope,
                state,
                reason,
                owner_user_id,
                due_on,
                comment: form.comment.trim().to_string(),
            }),
            _ => Err(problems),
        }
    }

    /// The active user with this user name, or the only active user with this
    /// full name.
    pub(crate) async fn person_named(&self, text: &str) -> Option<i64> {
        if let Ok(Some(u)) = self.facts().user_by_name(text).await
            && u.active
        {
            return Some(u.id);
        }
        let found = self
            .facts()
            .list_users(Some(text), PageRequest::new(Some(1), Some(20)))
            .await
            .ok()?;
        let exact: Vec<_> = found
            .items
            .iter()
            .filter(|u| u.active && u.display_name == text)
            .collect();
        match exact.as_slice() {
            [one] => Some(one.id),
            _ => None,
        }
    }

    /// Records a control's status in a scope. `revision`: the one the form
    /// read (None: none was recorded); a stale save is refused (409).
    pub async fn set_control_status(
        &self,
        caller: &Caller,
        form: &StatusForm,
        revision: Option<i64>,
    ) -> Result<StatusRow> {
        let permit = self.permit_set_scope(caller, form.scope).await?;
        let recorded = permit
            .store()
            .control_status_at(form.control_code.trim(), form.scope)
            .await?;
        let input = self
            .status_input(form, recorded.as_ref())
            .await
            .map_err(Error::Rejected)?;
        let saved = permit
            .store()
            .set_control_status(permit.actor(), &input, revision)
            .await?;
        // The residual risks follow the status of the controls that counter them.
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(saved)
    }

    // ------------------------------------------------------------- evidence

    /// Attaches evidence to a status: a file (not empty, within the limit) or
    /// an http/https link.
    pub async fn attach_status_evidence(
        &self,
        caller: &Caller,
        status_id: i64,
        upload: EvidenceUpload,
        note: &str,
    ) -> Result<EvidenceRow> {
        let status = match self.facts().control_status(status_id).await {
            Ok(s) => s,
            Err(StoreError::NotFound { .. }) => {
                return Err(Error::not_found("control status", status_id));
            }
            Err(e) => return Err(e.into()),
        };
        let scope = status
            .scope()
            .ok_or_else(|| Error::not_found("control status", status_id))?;
        let permit = match self.permit_set_scope(caller, scope).await {
            Err(Error::Rejected(_)) => return Err(Error::not_found("control status", status_id)),
            other => other?,
        };
        let new = self.checked_evidence(upload)?;
        Ok(permit
            .store()
            .attach_evidence(
                permit.actor(),
                EVIDENCE_OF_STATUS,
                status_id,
                new,
                note.trim(),
            )
            .await?)
    }

    /// The largest evidence file, in bytes.
    pub fn evidence_limit(&self) -> u64 {
        self.import_limits().max_evidence_bytes
    }

    pub(crate) fn checked_evidence(&self, upload: EvidenceUpload) -> Result<NewEvidence> {
        match upload {
            EvidenceUpload::File {
                name,
                media_type,
                bytes,
            } => {
                if bytes.is_empty() {
                    return Err(Error::problem(
                        Problem::new("MAMORI-EVIDENCE-EMPTY").field("file"),
                    ));
                }
                if bytes.len() as u64 > self.evidence_limit() {
                    return Err(Error::problem(
                        Problem::new("MAMORI-EVIDENCE-TOO-LARGE")
                            .field("file")
                            .with(
                                "limit",
                                format!("{} MiB", self.evidence_limit() / 1024 / 1024),
                            ),
                    ));
                }
                // Only the last part of a path a browser may send, without
                // control characters.
                let name: String = name
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
                let name = if name.trim().is_empty() {
                    "evidence".to_string()
                } else {
                    name
                };
                Ok(NewEvidence::File {
                    name,
                    media_type: media_type.chars().take(100).collect(),
                    bytes,
                })
            }
            EvidenceUpload::Link { url } => {
                let url = url.trim().to_string();
                let lower = url.to_ascii_lowercase();
                let ok = (lower.starts_with("http://") || lower.starts_with("https://"))
                    && url.len() > "https://".len()
                    && url.len() <= 2000
                    && !url.chars().any(|c| c.is_whitespace() || c.is_control());
                if ok {
                    Ok(NewEvidence::Link { url })
                } else if url.is_empty() {
                    Err(Error::problem(
                        Problem::new("MAMORI-EVIDENCE-NONE").field("file"),
                    ))
                } else {
                    Err(Error::problem(
                        Problem::new("MAMORI-EVIDENCE-LINK")
                            .field("url")
                            .with("url", mamori_core::table::quote(&url)),
                    ))
                }
            }
        }
    }

    /// An evidence file to download, for those who may read a record it is
    /// attached to (a control status, a self-inspection questionnaire, an
    /// audit's results);
    /// anyone else: not found.
    pub async fn evidence_download(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(EvidenceRow, Vec<u8>)> {
        let (row, owners) = match self.facts().evidence(id).await {
            Ok(found) => found,
            Err(StoreError::NotFound { .. }) => return Err(Error::not_found("evidence", id)),
            Err(e) => return Err(e.into()),
        };
        for (kind, owner) in owners {
            if kind == mamori_store::audit_programmes::EVIDENCE_OF_AUDIT {
                if self.may_read_audit(caller, owner).await {
                    let bytes = self.facts().evidence_content(id).await?;
                    return Ok((row, bytes));
                }
                continue;
            }
            if kind == mamori_store::audits::EVIDENCE_OF_ANSWER {
                if self.may_read_target(caller, owner).await {
                    let bytes = self.facts().evidence_content(id).await?;
                    return Ok((row, bytes));
                }
                continue;
            }
            if kind != EVIDENCE_OF_STATUS {
                continue;
            }
            let Ok(status) = self.facts().control_status(owner).await else {
                continue;
            };
            let Some(scope) = status.scope() else {
                continue;
            };
            if let Ok(permit) = self.permit_read_scope(caller, scope).await {
                let bytes = permit.store().evidence_content(id).await?;
                return Ok((row, bytes));
            }
        }
        Err(Error::not_found("evidence", id))
    }

    // ------------------------------------------------------------ the sheet

    /// The status as an .xlsx workbook: for one scope, every control (not
    /// retired) with its status or blank, ready to be filled in; without a
    /// scope, every status the person sees.
    pub async fn export_control_status(
        &self,
        caller: &Caller,
        scope: Option<StatusScope>,
    ) -> Result<Vec<u8>> {
        let rows: Vec<Vec<String>> = match scope {
            Some(scope) => {
                let permit = self.permit_read_scope(caller, scope).await?;
                let (kind, code, name) = self.scope_cells(scope).await?;
                let mut rows = Vec::new();
                for page in 1.. {
                    let found = permit
                        .store()
                        .controls_in_scope(
                            scope,
                            None,
                            None,
                            PageRequest::new(Some(page), Some(PageRequest::MAX_PER_PAGE)),
                        )
                        .await?;
                    let done = found.items.len() < PageRequest::MAX_PER_PAGE as usize;
                    for c in &found.items {
                        rows.push(vec![
                            c.code.clone(),
                            c.chapter.to_string(),
                            c.category.clone(),
                            c.name.clone(),
                            kind.clone(),
                            code.clone(),
                            name.clone(),
                            c.state
                                .as_deref()
                                .and_then(|s| s.parse::<Implementation>().ok())
                                .map(|s| s.name_ja().to_string())
                                .unwrap_or_default(),
                            c.reason.clone().unwrap_or_default(),
                            c.owner_name.clone().unwrap_or_default(),
                            c.due_on.clone().unwrap_or_default(),
                            c.comment.clone().unwrap_or_default(),
                        ]);
                    }
                    if done {
                        break;
                    }
                }
                rows
            }
            None => {
                self.permit_app(caller, Action::View)?;
                let visible = self.status_visibility(caller).await?;
                let all = self
                    .facts()
                    .all_control_status(&StatusFilter::default(), &visible)
                    .await?;
                let mut rows = Vec::with_capacity(all.len());
                for s in &all {
                    let Some(scope) = s.scope() else { continue };
                    let (kind, code, name) = self.scope_cells(scope).await?;
                    rows.push(vec![
                        s.control_code.clone(),
                        s.chapter.map(|c| c.to_string()).unwrap_or_default(),
                        s.category.clone().unwrap_or_default(),
                        s.control_name.clone().unwrap_or_default(),
                        kind,
                        code,
                        name,
                        s.implementation()
                            .map(|i| i.name_ja().to_string())
                            .unwrap_or_default(),
                        s.reason.clone(),
                        s.owner_name.clone().unwrap_or_default(),
                        s.due_on.clone().unwrap_or_default(),
                        s.comment.clone(),
                    ]);
                }
                rows
            }
        };
        let states: Vec<&str> = Implementation::ALL.iter().map(|i| i.name_ja()).collect();
        mamori_sheet::status::control_status_workbook(&rows, &states)
            .map_err(|e| Error::Store(StoreError::Internal(e.to_string())))
    }

    /// The 対象区分, 対象コード and 対象名 cells of a scope.
    async fn scope_cells(&self, scope: StatusScope) -> Result<(String, String, String)> {
        Ok(match scope {
            StatusScope::City => (SCOPE_CITY.into(), String::new(), "全庁".into()),
            StatusScope::Unit(id) => {
                let u = self.facts().unit(id).await?;
                (SCOPE_UNIT.into(), u.code, u.name)
            }
            StatusScope::System(id) => {
                let s = self.facts().system(id).await?;
                (SCOPE_SYSTEM.into(), s.code, s.name)
            }
        })
    }

    /// Reads a filled-in status workbook back: all rows or none. An unknown
    /// control, a state outside the list, a past due date for a new plan, an
    /// unknown owner or scope, a scope the person may not set: each named by
    /// its row and column, nothing written. Returns how many statuses changed.
    pub async fn import_control_status(
        &self,
        caller: &Caller,
        bytes: &[u8],
        format: LedgerFormat,
    ) -> Result<usize> {
        self.permit_app(caller, Action::View)?;
        let sheet = read_sheet(
            self,
            bytes,
            format,
            &[mamori_sheet::status::CONTROL_STATUS_SHEET],
            "対策コード",
        )?;
        let col = |name: &str| column_of(&sheet, name);
        let (c_code, c_kind, c_scope, c_state, c_reason, c_owner, c_due, c_comment) = (
            col("対策コード"),
            col("対象区分"),
            col("対象コード"),
            col("実施状況"),
            col("理由"),
            col("担当者"),
            col("期限"),
            col("コメント"),
        );
        let units = self.facts().all_units().await?;
        let mut problems = Vec::new();
        let mut inputs = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for row in &sheet.rows {
            let cell = |c: Option<usize>| {
                c.and_then(|i| row.cells.get(i))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            };
            let at = |p: Problem, header: &str| {
                let mut p = p.row(u64::from(row.number));
                p.field = Some(header.to_string());
                p
            };
            // A row whose state is left blank is not answered yet: skipped.
            if cell(c_state).is_empty() {
                continue;
            }
            let kind = cell(c_kind);
            let scope_code = cell(c_scope);
            let scope = match kind.as_str() {
                SCOPE_CITY | "city" => Some(StatusScope::City),
                SCOPE_UNIT | "unit" => units
                    .iter()
                    .find(|u| u.code == scope_code)
                    .map(|u| StatusScope::Unit(u.id)),
                SCOPE_SYSTEM | "system" => match self.facts().system_by_code(&scope_code).await? {
                    Some(s) if s.retired_on.is_none() => Some(StatusScope::System(s.id)),
                    _ => None,
                },
                _ => None,
            };
            let Some(scope) = scope else {
                problems.push(at(
                    Problem::new("MAMORI-STATUS-SCOPE")
                        .with("scope", format!("{kind} {scope_code}")),
                    "対象コード",
                ));
                continue;
            };
            if !self.may_set_status(caller, scope).await {
                problems.push(at(
                    Problem::new("MAMORI-STATUS-SCOPE-FORBIDDEN")
                        .with("scope", format!("{kind} {scope_code}")),
                    "対象コード",
                ));
                continue;
            }
            let form = StatusForm {
                control_code: cell(c_code),
                scope,
                state: cell(c_state),
                reason: cell(c_reason),
                owner: cell(c_owner),
                due_on: cell(c_due),
                comment: cell(c_comment),
            };
            if !seen.insert((form.control_code.clone(), scope)) {
                problems.push(at(
                    Problem::new("MAMORI-INVALID").with(
                        "message",
                        format!(
                            "{} の行が重複しています / the row is repeated",
                            form.control_code
                        ),
                    ),
                    "対策コード",
                ));
                continue;
            }
            let recorded = self
                .facts()
                .control_status_at(&form.control_code, scope)
                .await?;
            match self.status_input(&form, recorded.as_ref()).await {
                Ok(input) => inputs.push(input),
                Err(ps) => {
                    for p in ps {
                        let header = match p.field.as_deref() {
                            Some("control_code") => "対策コード",
                            Some("state") => "実施状況",
                            Some("reason") => "理由",
                            Some("owner") => "担当者",
                            Some("due_on") => "期限",
                            _ => "コメント",
                        };
                        problems.push(at(p, header));
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        let permit = self.permit_app(caller, Action::View)?;
        let written = permit
            .store()
            .import_control_status(permit.actor(), &inputs)
            .await?;
        self.recompute_risks_in_background(permit.actor().clone());
        Ok(written)
    }
}

/// The words of the 対象区分 column.
pub const SCOPE_CITY: &str = "全庁";
pub const SCOPE_UNIT: &str = "課室";
pub const SCOPE_SYSTEM: &str = "情報システム";
