//! Classification changes proposed by staff (格付けの変更の申請). Under the
//! guideline the classification of an asset is decided by its unit's
//! 情報セキュリティ管理者: a member of staff who may edit the asset proposes a
//! change; the unit's 情報セキュリティ管理者 or 責任者, or the security office,
//! approves or refuses it, never its proposer (the Cedar `no-self-approval`
//! rule on `approve_request`). The deciders are told by a notice, and the
//! proposer of the decision.

use mamori_authz::{Action, Resource};
use mamori_core::asset::Levels;
use mamori_core::problem::Problem;
use mamori_store::assets::Asset;
use mamori_store::notices::NewNotice;
use mamori_store::requests::{ClassificationRequest, RequestFilter};
use mamori_store::{Page, PageRequest};

use crate::access::{App, Caller};
use crate::error::{Error, Result};

/// The setting that lets a change which only raises levels take effect at once.
pub const RAISE_IMMEDIATE: &str = "classification.raise_immediate";

/// What a reclassification did.
#[derive(Debug, Clone)]
pub enum Reclassified {
    /// The asset has its new levels.
    Applied(Asset),
    /// The change waits for the unit's manager.
    Proposed(ClassificationRequest),
}

/// How a request is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Refuse,
    /// By its proposer.
    Withdraw,
}

impl Decision {
    fn state(self) -> &'static str {
        match self {
            Decision::Approve => "approved",
            Decision::Refuse => "refused",
            Decision::Withdraw => "withdrawn",
        }
    }
}

/// A request as its page shows it, with what the reader may do.
#[derive(Debug, Clone)]
pub struct RequestView {
    pub request: ClassificationRequest,
    pub may_decide: bool,
    pub may_withdraw: bool,
}

impl App {
    /// Whether the person decides the classification of assets of this unit
    /// lineage (root first).
    pub fn decides_classification(&self, caller: &Caller, owner_lineage: &[i64]) -> bool {
        self.may(
            caller,
            Action::ApproveRequest,
            &Resource::Request {
                id: 0,
                requester: 0,
                unit_lineage: owner_lineage.to_vec(),
            },
        )
    }

    /// The units whose assets' classification the person decides (an
    /// import may change the levels of those only).
    pub async fn classification_scope(
        &self,
        caller: &Caller,
    ) -> Result<mamori_store::assets::AssetScope> {
        if self.decides_classification(caller, &[]) {
            return Ok(mamori_store::assets::AssetScope::unrestricted());
        }
        let units: Vec<i64> = self
            .unit_lineages()
            .await?
            .into_iter()
            .filter(|(_, lineage)| self.decides_classification(caller, lineage))
            .map(|(id, _)| id)
            .collect();
        Ok(mamori_store::assets::AssetScope::units(units))
    }

    /// Whether the person changes this asset's levels at once (otherwise
    /// their change is a request): for the reclassify form's hint.
    pub async fn decides_for_asset(&self, caller: &Caller, asset: &Asset) -> Result<bool> {
        let unit = self.facts().unit(asset.record.owner_unit_id).await?;
        Ok(self.decides_classification(caller, &mamori_store::units::parse_path(&unit.path)))
    }

    /// Whether the city lets a raise of levels take effect at once.
    pub async fn raise_is_immediate(&self) -> Result<bool> {
        Ok(self
            .facts()
            .setting(RAISE_IMMEDIATE)
            .await?
            .is_some_and(|v| v == "true"))
    }

    /// Sets whether a raise takes effect at once (the security office).
    pub async fn set_raise_immediate(&self, caller: &Caller, on: bool) -> Result<()> {
        let permit = self.permit_app(caller, Action::ManageCatalog)?;
        permit
            .store()
            .set_setting(
                permit.actor(),
                RAISE_IMMEDIATE,
                if on { "true" } else { "false" },
            )
            .await?;
        Ok(())
    }

    /// Records the proposal (the levels and reason already checked) and tells
    /// those who may decide it.
    pub(crate) async fn propose_classification(
        &self,
        caller: &Caller,
        asset: &Asset,
        lineage: &[i64],
        levels: Levels,
        reason: &str,
    ) -> Result<ClassificationRequest> {
        let levels = Levels::new(
            levels.confidentiality.trim(),
            levels.integrity.trim(),
            levels.availability.trim(),
        );
        if same_levels(&asset.record.levels(), &levels) {
            return Err(Problem::new("MAMORI-CLASSIFICATION-NO-CHANGE")
                .field("confidentiality")
                .into());
        }
        let request = self
            .facts()
            .propose_classification(
                &caller.actor(),
                caller.user.id,
                asset,
                &levels,
                reason.trim(),
            )
            .await?;
        let today = mamori_store::policy_docs::today_jst().to_string();
        let deciders = self
            .facts()
            .role_holders(
                lineage,
                &["security_administrator", "security_manager"],
                &["security_officer"],
                &today,
            )
            .await?;
        let notices: Vec<NewNotice> = deciders
            .into_iter()
            .filter(|u| *u != caller.user.id)
            .map(|user_id| NewNotice {
                user_id,
                kind: "approval_requested".into(),
                subject: format!("格付け変更の承認依頼: {}", asset.record.name),
                body: format!(
                    "{} さんが「{}」の格付けを {} から {} に変更するよう申請しました。理由: {}",
                    caller.user.display_name,
                    asset.record.name,
                    asset.label,
                    label_of(&levels),
                    reason.trim()
                ),
                link: format!("/classification-requests/{}", request.id),
                dedup: None,
            })
            .collect();
        self.notify(&notices).await;
        Ok(request)
    }

    /// Requests the person may see: those of the units whose assets they may
    /// read, and their own.
    pub async fn classification_requests(
        &self,
        caller: &Caller,
        state: Option<&str>,
        asset_id: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<ClassificationRequest>> {
        let scope = self.asset_scope(caller).await?;
        let mut filter = mamori_store::requests::filter_for(&scope, caller.user.id);
        filter.state = state
            .filter(|s| ["pending", "approved", "refused", "withdrawn"].contains(s))
            .map(str::to_string);
        filter.asset_id = asset_id;
        let permit = self.permit_app(caller, mamori_authz::Action::View)?;
        Ok(permit
            .store()
            .list_classification_requests(&filter, page)
            .await?)
    }

    /// The pending requests the person may decide (their dashboard).
    pub async fn requests_awaiting_me(
        &self,
        caller: &Caller,
    ) -> Result<Vec<ClassificationRequest>> {
        let scope = self.asset_scope(caller).await?;
        let filter = RequestFilter {
            state: Some("pending".into()),
            units: scope.units.clone(),
            requester: None,
            asset_id: None,
        };
        let page = self
            .facts()
            .list_classification_requests(&filter, PageRequest::new(Some(1), Some(50)))
            .await?;
        let lineages = self.unit_lineages().await?;
        Ok(page
            .items
            .into_iter()
            .filter(|r| self.may_decide(caller, r, &lineages))
            .collect())
    }

    fn may_decide(
        &self,
        caller: &Caller,
        r: &ClassificationRequest,
        lineages: &[(i64, Vec<i64>)],
    ) -> bool {
        let lineage = lineages
            .iter()
            .find(|(id, _)| *id == r.unit_id)
            .map(|(_, l)| l.clone())
            .unwrap_or_default();
        r.state == "pending"
            && self.may(
                caller,
                Action::ApproveRequest,
                &Resource::Request {
                    id: r.id,
                    requester: r.requester_id,
                    unit_lineage: lineage,
                },
            )
    }

    /// One request, if the person may see it (its proposer, or whoever may
    /// read the asset).
    pub async fn classification_request(&self, caller: &Caller, id: i64) -> Result<RequestView> {
        let request = self.facts().classification_request(id).await?;
        if request.requester_id != caller.user.id {
            // Reading the asset decides: not found otherwise.
            self.asset(caller, request.asset_id)
                .await
                .map_err(|_| Error::not_found("classification_request", id))?;
        }
        let lineages = self.unit_lineages().await?;
        let may_decide = self.may_decide(caller, &request, &lineages);
        let may_withdraw = request.state == "pending" && request.requester_id == caller.user.id;
        Ok(RequestView {
            request,
            may_decide,
            may_withdraw,
        })
    }

    /// Approves, refuses or withdraws a pending request. Approving or
    /// refusing needs `approve_request` on it (never one's own: Cedar's
    /// no-self-approval); withdrawing is its proposer's.
    pub async fn decide_classification_request(
        &self,
        caller: &Caller,
        id: i64,
        decision: Decision,
        note: &str,
    ) -> Result<ClassificationRequest> {
        let view = self.classification_request(caller, id).await?;
        let request = view.request;
        let lineage = self
            .unit_lineages()
            .await?
            .into_iter()
            .find(|(u, _)| *u == request.unit_id)
            .map(|(_, l)| l)
            .unwrap_or_default();
        let permit = match decision {
            Decision::Withdraw => {
                if request.requester_id != caller.user.id {
                    return Err(Problem::new("MAMORI-FORBIDDEN").into());
                }
                self.permit_app(caller, Action::View)?
            }
            Decision::Approve | Decision::Refuse => self.permit(
                caller,
                Action::ApproveRequest,
                &Resource::Request {
                    id,
                    requester: request.requester_id,
                    unit_lineage: lineage,
                },
            )?,
        };
        let note = note.trim();
        if let Err(p) = mamori_core::text::check_text(note, mamori_core::text::MAX_TEXT_CHARS) {
            return Err(p.problem("note", "コメント", "note").into());
        }
        let after = permit
            .store()
            .decide_classification_request(
                permit.actor(),
                caller.user.id,
                id,
                decision.state(),
                note,
            )
            .await?;
        if decision == Decision::Approve {
            self.recompute_risks_in_background(permit.actor().clone());
        }
        if decision != Decision::Withdraw {
            let word = if decision == Decision::Approve {
                "承認"
            } else {
                "却下"
            };
            self.notify(&[NewNotice {
                user_id: after.requester_id,
                kind: "approval_decided".into(),
                subject: format!("格付け変更の申請が{word}されました: {}", after.asset_name),
                body: format!(
                    "「{}」の格付け変更の申請（{} → {}）を {} さんが{word}しました。{}",
                    after.asset_name,
                    label_of(&after.old_levels()),
                    label_of(&after.new_levels()),
                    caller.user.display_name,
                    if note.is_empty() {
                        String::new()
                    } else {
                        format!("コメント: {note}")
                    }
                ),
                link: format!("/classification-requests/{}", after.id),
                dedup: None,
            }])
            .await;
        }
        Ok(after)
    }
}

fn same_levels(a: &Levels, b: &Levels) -> bool {
    mamori_core::classification::Axis::ALL
        .iter()
        .all(|axis| strip(a.code(*axis)) == strip(b.code(*axis)))
}

/// A level code without its axis letter (`C3A` and `3A` are the same level).
fn strip(code: &str) -> &str {
    code.trim_start_matches(['C', 'I', 'A', 'c', 'i', 'a'])
}

/// `C3A-I2-A1` of levels as entered.
pub fn label_of(l: &Levels) -> String {
    format!(
        "C{}-I{}-A{}",
        strip(&l.confidentiality),
        strip(&l.integrity),
        strip(&l.availability)
    )
}
