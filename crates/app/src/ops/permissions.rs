//! Permissions (許可申請): anyone signed in asks to take assets or devices
//! out (持ち出し), to use a private device, to install software or to connect
//! a device, with what, the assets it concerns, the reason and the period;
//! the 情報セキュリティ管理者 or 責任者 of their unit grants or refuses it
//! (never their own request); the requester or the managers record the
//! return, refused unless it was granted; a grant past its end without a
//! return is overdue.

use mamori_authz::{Action, Resource};
use mamori_core::ops::permission::{PermissionKind, PermissionState};
use mamori_core::problem::Problem;
use mamori_core::table::LedgerFormat;
use mamori_store::ops::permissions::{PermissionFilter, PermissionInput, PermissionRecord};
use mamori_store::units::parse_path;
use mamori_store::{Page, PageRequest};

use super::internal;
use crate::access::{App, Caller};
use crate::error::{Error, Result};

/// What a person enters to ask for a permission.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct PermissionForm {
    /// take_out, private_device, install_software, connect_device.
    pub kind: String,
    pub what: String,
    pub reason: String,
    /// Asset register numbers (optional).
    pub assets: Vec<i64>,
    /// YYYY-MM-DD (empty: today).
    pub starts_on: String,
    /// YYYY-MM-DD, required: the day it ends (what was taken out is back).
    pub until_on: String,
}

/// A permission as its page shows it.
#[derive(Debug, Clone)]
pub struct PermissionView {
    pub permission: PermissionRecord,
    /// pending, granted, refused, returned, or overdue (granted, past its end).
    pub shown_state: String,
    pub may_decide: bool,
    pub may_return: bool,
}

/// The columns of the permissions register's export.
pub const PERMISSION_HEADERS: &[(&str, f64)] = &[
    ("番号 / No.", 8.0),
    ("種類 / Kind", 16.0),
    ("内容 / What", 30.0),
    ("理由 / Reason", 30.0),
    ("情報資産 / Assets", 14.0),
    ("課 / Unit", 18.0),
    ("開始日 / From", 12.0),
    ("終了日 / Until", 12.0),
    ("状態 / State", 10.0),
    ("申請者 / Requested by", 14.0),
    ("判断者 / Decided by", 14.0),
    ("判断日時 / Decided", 20.0),
    ("返却日 / Returned", 12.0),
];

/// The sheet's name.
pub const PERMISSION_SHEET: &str = "許可申請";

fn permission_resource(p: &PermissionRecord) -> Resource {
    Resource::Permission {
        id: p.id,
        requester: p.requester_id,
        unit_lineage: p.unit_path.as_deref().map(parse_path).unwrap_or_default(),
    }
}

/// The state shown on `today`: a granted permission past its end is overdue.
pub fn shown_state(p: &PermissionRecord, today: &str) -> String {
    if p.overdue_on(today) {
        "overdue".to_string()
    } else {
        p.state.clone()
    }
}

/// The name of a state shown (Japanese, English).
pub fn state_names(code: &str) -> (&'static str, &'static str) {
    match code {
        "overdue" => ("返却期限超過", "Return overdue"),
        c => PermissionState::parse(c)
            .map(|s| (s.name_ja(), s.name_en()))
            .unwrap_or(("", "")),
    }
}

fn date_field(text: &str, field: &str, problems: &mut Vec<Problem>) -> Option<String> {
    super::read_date(text, field, "MAMORI-PERMISSION-DATE", problems)
}

impl App {
    /// The units whose permissions the person may read (their own always).
    pub(crate) async fn permission_scope(
        &self,
        caller: &Caller,
    ) -> Result<mamori_store::ops::OpsScope> {
        self.ops_scope(
            caller,
            |unit_lineage| Resource::Permission {
                id: 0,
                requester: i64::MIN,
                unit_lineage,
            },
            Action::ReadPermission,
        )
        .await
    }

    /// Whether the person may ask for a permission.
    pub fn may_request_permission(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::RequestPermission)
    }

    /// Asks for a permission (state pending), for the requester's unit.
    pub async fn request_permission(
        &self,
        caller: &Caller,
        form: &PermissionForm,
        today: &str,
    ) -> Result<PermissionRecord> {
        let permit = self.permit_app(caller, Action::RequestPermission)?;
        let mut problems = Vec::new();
        let kind = PermissionKind::parse(&form.kind);
        if kind.is_none() {
            problems.push(
                Problem::new("MAMORI-PERMISSION-KIND")
                    .field("kind")
                    .with("value", form.kind.trim()),
            );
        }
        let what = form.what.trim().to_string();
        if what.is_empty() {
            problems.push(Problem::new("MAMORI-PERMISSION-WHAT-EMPTY").field("what"));
        }
        let reason = form.reason.trim().to_string();
        if reason.is_empty() {
            problems.push(Problem::new("MAMORI-PERMISSION-REASON-EMPTY").field("reason"));
        }
        let starts_on =
            date_field(&form.starts_on, "starts_on", &mut problems).unwrap_or(today.to_string());
        let until_on = date_field(&form.until_on, "until_on", &mut problems);
        if form.until_on.trim().is_empty() {
            problems.push(Problem::new("MAMORI-PERMISSION-UNTIL-REQUIRED").field("until_on"));
        }
        if let Some(end) = &until_on
            && *end < starts_on
        {
            problems.push(Problem::new("MAMORI-PERMISSION-UNTIL-BEFORE-START").field("until_on"));
        }
        let mut assets = form.assets.clone();
        assets.sort_unstable();
        assets.dedup();
        if !assets.is_empty() {
            // Only assets the person may see: others are "not there".
            let scope = self.asset_scope(caller).await?;
            for id in &assets {
                match self.facts().asset(*id, &scope).await {
                    Ok(_) => {}
                    Err(mamori_store::StoreError::NotFound { .. }) => problems.push(
                        Problem::new("MAMORI-PERMISSION-ASSET")
                            .field("assets")
                            .with("id", id),
                    ),
                    Err(e) => return Err(e.into()),
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        let input = PermissionInput {
            kind: kind.map(|k| k.code().to_string()).unwrap_or_default(),
            what,
            reason,
            assets,
            starts_on,
            until_on: until_on.unwrap_or_default(),
            unit_id: caller.user.unit_id,
        };
        Ok(permit
            .store()
            .create_permission(permit.actor(), caller.user.id, &input)
            .await?)
    }

    async fn readable_permission(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(PermissionRecord, Resource)> {
        let p = match self.facts().permission(id).await {
            Err(mamori_store::StoreError::NotFound { .. }) => {
                return Err(Error::not_found("permission", id));
            }
            other => other?,
        };
        let r = permission_resource(&p);
        self.permit_or_hide(caller, Action::ReadPermission, &r, "permission", id)?;
        Ok((p, r))
    }

    /// One permission as its page shows it, its state judged on `today`.
    pub async fn permission_view(
        &self,
        caller: &Caller,
        id: i64,
        today: &str,
    ) -> Result<PermissionView> {
        let (p, r) = self.readable_permission(caller, id).await?;
        Ok(PermissionView {
            shown_state: shown_state(&p, today),
            may_decide: p.state == "pending" && self.may(caller, Action::ApproveRequest, &r),
            may_return: p.state == "granted" && self.may(caller, Action::ReturnPermission, &r),
            permission: p,
        })
    }

    /// One page of the permissions the person may read, newest first.
    pub async fn list_permissions(
        &self,
        caller: &Caller,
        filter: &PermissionFilter,
        page: PageRequest,
    ) -> Result<Page<PermissionRecord>> {
        let permit = self.permit_app(caller, Action::View)?;
        let filter = PermissionFilter {
            scope: self.permission_scope(caller).await?,
            ..filter.clone()
        };
        Ok(permit.store().list_permissions(&filter, page).await?)
    }

    /// Permissions the person may read that were granted, ended before
    /// `today` and are not returned, the longest overdue first.
    pub async fn overdue_permissions(
        &self,
        caller: &Caller,
        today: &str,
    ) -> Result<Vec<PermissionRecord>> {
        let permit = self.permit_app(caller, Action::View)?;
        let filter = PermissionFilter {
            state: Some("granted".into()),
            until_before: Some(today.to_string()),
            kind: None,
            scope: self.permission_scope(caller).await?,
        };
        Ok(permit.store().all_permissions(&filter).await?)
    }

    /// Pending permissions the person may decide.
    pub async fn permissions_to_decide(&self, caller: &Caller) -> Result<Vec<PermissionRecord>> {
        let permit = self.permit_app(caller, Action::View)?;
        let filter = PermissionFilter {
            state: Some("pending".into()),
            scope: self.permission_scope(caller).await?,
            ..Default::default()
        };
        Ok(permit
            .store()
            .all_permissions(&filter)
            .await?
            .into_iter()
            .filter(|p| {
                p.requester_id != caller.user.id
                    && self.may(caller, Action::ApproveRequest, &permission_resource(p))
            })
            .collect())
    }

    /// Grants (`grant`) or refuses (`refuse`) a pending permission: the
    /// managers of the requester's unit, never the requester.
    pub async fn decide_permission(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        decision: &str,
        note: &str,
    ) -> Result<PermissionRecord> {
        let (p, r) = self.readable_permission(caller, id).await?;
        let state = match decision.trim() {
            "grant" => "granted",
            "refuse" => "refused",
            _ => {
                return Err(Problem::new("MAMORI-PERMISSION-DECISION")
                    .field("decision")
                    .into());
            }
        };
        if p.requester_id == caller.user.id {
            return Err(Problem::new("MAMORI-PERMISSION-SELF-DECISION").into());
        }
        let permit = match self.permit(caller, Action::ApproveRequest, &r) {
            Err(Error::Forbidden) => return Err(Problem::new("MAMORI-PERMISSION-DECIDER").into()),
            other => other?,
        };
        Ok(permit
            .store()
            .decide_permission(
                permit.actor(),
                caller.user.id,
                id,
                revision,
                state,
                note.trim(),
            )
            .await?)
    }

    /// Records that what a granted permission covered came back (on `day`,
    /// empty: `today`): the requester or the unit's managers.
    pub async fn return_permission(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        day: &str,
        note: &str,
        today: &str,
    ) -> Result<PermissionRecord> {
        let (_, r) = self.readable_permission(caller, id).await?;
        let permit = self.permit(caller, Action::ReturnPermission, &r)?;
        let mut problems = Vec::new();
        let day = date_field(day, "returned_on", &mut problems).unwrap_or(today.to_string());
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        Ok(permit
            .store()
            .return_permission(
                permit.actor(),
                caller.user.id,
                id,
                revision,
                &day,
                note.trim(),
            )
            .await?)
    }

    /// The permissions the person may read that the filter admits, as an
    /// .xlsx or CSV file: what the list shows with the same filter, on every
    /// page and in its order.
    pub async fn export_permissions(
        &self,
        caller: &Caller,
        format: LedgerFormat,
        filter: &PermissionFilter,
        today: &str,
    ) -> Result<Vec<u8>> {
        let permit = self.permit_app(caller, Action::View)?;
        let filter = PermissionFilter {
            scope: self.permission_scope(caller).await?,
            ..filter.clone()
        };
        let all = permit.store().listed_permissions(&filter).await?;
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|p| {
                let kind = PermissionKind::parse(&p.kind)
                    .map(|k| k.name_ja().to_string())
                    .unwrap_or_else(|| p.kind.clone());
                vec![
                    p.id.to_string(),
                    kind,
                    p.what.clone(),
                    p.reason.clone(),
                    p.assets.clone(),
                    p.unit_name.clone().unwrap_or_default(),
                    p.starts_on.clone(),
                    p.until_on.clone(),
                    state_names(&shown_state(p, today)).0.to_string(),
                    p.requester_name.clone(),
                    p.decider_name.clone().unwrap_or_default(),
                    p.decided_at.clone().unwrap_or_default(),
                    p.returned_on.clone().unwrap_or_default(),
                ]
            })
            .collect();
        match format {
            LedgerFormat::Xlsx => {
                mamori_sheet::status::workbook(PERMISSION_SHEET, PERMISSION_HEADERS, &rows)
            }
            LedgerFormat::Csv => mamori_sheet::status::escaped_csv(PERMISSION_HEADERS, &rows),
        }
        .map_err(internal)
    }
}
