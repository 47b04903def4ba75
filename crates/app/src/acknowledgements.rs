//! Acknowledgements (誓約・確認): the security office opens a campaign for a
//! revision of the policy and follows the confirmation rate per unit (a unit's
//! 情報セキュリティ管理者 follows their units); every member of staff confirms
//! what they are asked to.

use mamori_authz::Action;
use mamori_store::org::{AckCampaign, AckRequest, NewAckCampaign, PolicyRevision, UnitAckRate};
use mamori_store::{Page, PageRequest};

use crate::access::{App, Caller};
use crate::error::Result;

impl App {
    /// Whether the person may see the acknowledgement status of the
    /// organisation (`within` none) or of a unit and below: forbidden, or not
    /// found when the unit does not exist.
    pub async fn check_ack_status(&self, caller: &Caller, within: Option<i64>) -> Result<()> {
        self.permit_status(caller, Action::ReadAckStatus, within)
            .await
            .map(|_| ())
    }

    /// Revisions (附則) of the policy documents: what a campaign is about.
    pub async fn policy_revisions(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> Result<Page<PolicyRevision>> {
        let permit = self.permit_app(caller, Action::ReadPolicy)?;
        Ok(permit.store().list_policy_revisions(page).await?)
    }

    /// Campaigns, newest first, with their counts.
    pub async fn ack_campaigns(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> Result<Page<AckCampaign>> {
        let permit = self.permit_app(caller, Action::ReadAckStatus)?;
        Ok(permit.store().list_ack_campaigns(page).await?)
    }

    /// Opens a campaign: every active member of staff is asked to confirm the
    /// revision.
    pub async fn open_ack_campaign(
        &self,
        caller: &Caller,
        new: NewAckCampaign,
    ) -> Result<AckCampaign> {
        let permit = self.permit_app(caller, Action::ManageAcknowledgements)?;
        let campaign = permit
            .store()
            .open_ack_campaign(permit.actor(), new)
            .await?;
        self.notify_ack_campaign(campaign.id, &campaign.title).await;
        Ok(campaign)
    }

    /// One campaign with its counts, for those who may see its status (of the
    /// organisation, or of the unit `within` and below).
    pub async fn ack_campaign(
        &self,
        caller: &Caller,
        id: i64,
        within: Option<i64>,
    ) -> Result<AckCampaign> {
        let permit = self
            .permit_status(caller, Action::ReadAckStatus, within)
            .await?;
        Ok(permit.store().ack_campaign(id).await?)
    }

    /// A campaign's confirmation rate per unit.
    pub async fn ack_rates(
        &self,
        caller: &Caller,
        id: i64,
        within: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<UnitAckRate>> {
        let permit = self
            .permit_status(caller, Action::ReadAckStatus, within)
            .await?;
        Ok(permit.store().ack_rates(id, within, page).await?)
    }

    /// Who has not confirmed a campaign yet.
    pub async fn ack_pending(
        &self,
        caller: &Caller,
        id: i64,
        within: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<AckRequest>> {
        let permit = self
            .permit_status(caller, Action::ReadAckStatus, within)
            .await?;
        Ok(permit.store().ack_pending(id, within, page).await?)
    }

    /// The person's own acknowledgement requests, unconfirmed first.
    pub async fn my_ack_requests(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> Result<Page<AckRequest>> {
        let permit = self.permit_app(caller, Action::Acknowledge)?;
        Ok(permit.store().my_ack_requests(caller.user.id, page).await?)
    }

    /// The person confirms that they have read the campaign's revision;
    /// confirming twice keeps the first confirmation.
    pub async fn acknowledge(&self, caller: &Caller, campaign_id: i64) -> Result<AckRequest> {
        let permit = self.permit_app(caller, Action::Acknowledge)?;
        Ok(permit
            .store()
            .acknowledge(permit.actor(), campaign_id, caller.user.id)
            .await?)
    }
}
