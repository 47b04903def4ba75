//! Training (第8(2) 教育・訓練): courses, assignments of a course (assign, move
//! the due date, withdraw), completions (entered by the security office or a
//! unit's 情報セキュリティ管理者, or self-declared) and the status views. The
//! security office manages; a unit's manager sees and records their units
//! only; staff see and declare their own.

use mamori_authz::{Action, Resource};
use mamori_core::org::{ScopeKind, guideline_role};
use mamori_store::training::{
    Completion, CompletionSource, Course, CourseUpdate, NewCompletion, NewCourse,
    NewTrainingAssignment, TrainingAssignment, TrainingRequest, TrainingScope, UnitTrainingRate,
};
use mamori_store::units::parse_path;
use mamori_store::{Page, PageRequest, StoreError};

use crate::access::{App, Caller, Permit};
use crate::error::{Error, Result};

/// A permit, or `None` when the policy refused it (other errors pass).
pub(crate) fn granted(r: Result<Permit<'_>>) -> Result<Option<Permit<'_>>> {
    match r {
        Ok(p) => Ok(Some(p)),
        Err(Error::Forbidden) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The units a person holds a unit-scoped guideline role for (the units whose
/// status a 情報セキュリティ管理者 follows).
pub fn managed_units(caller: &Caller) -> Vec<i64> {
    caller
        .principal
        .scoped_roles
        .iter()
        .filter(|(role, _)| guideline_role(role).map(|r| r.scope) == Ok(ScopeKind::Unit))
        .map(|(_, unit)| *unit)
        .collect()
}

impl App {
    /// The whole organisation's status needs `whole` (read_training_status,
    /// read_ack_status); a unit's (and below) needs `read_unit_status` on that
    /// unit.
    pub(crate) async fn permit_status(
        &self,
        caller: &Caller,
        whole: Action,
        within: Option<i64>,
    ) -> Result<Permit<'_>> {
        if let Some(p) = granted(self.permit_app(caller, whole))? {
            return Ok(p);
        }
        match within {
            Some(unit) => {
                let lineage = parse_path(&self.facts().unit(unit).await?.path);
                self.permit(caller, Action::ReadUnitStatus, &Resource::Unit { lineage })
            }
            None => Err(Error::Forbidden),
        }
    }

    /// Whether the person may see the training status of the organisation
    /// (`within` none) or of a unit and below: forbidden, or not found when the
    /// unit does not exist.
    pub async fn check_training_status(&self, caller: &Caller, within: Option<i64>) -> Result<()> {
        self.permit_status(caller, Action::ReadTrainingStatus, within)
            .await
            .map(|_| ())
    }

    /// How a completion recorded by the caller for a person counts: with
    /// `record_training` on the person (the security office, the person's unit
    /// manager) it is entered; for oneself it is always self-declared and needs
    /// `declare_training`, whatever else one may do (a city that forbids
    /// self-declaration forbids it to the security office too, and what is
    /// self-attested is never recorded as entered by someone else).
    async fn completion_permit(
        &self,
        caller: &Caller,
        person_id: i64,
    ) -> Result<(Permit<'_>, CompletionSource)> {
        let person = match self.facts().user(person_id).await {
            Ok(p) => p,
            Err(StoreError::NotFound { .. }) => {
                return Err(mamori_store::training::no_user(person_id).into());
            }
            Err(e) => return Err(e.into()),
        };
        if person.id == caller.user.id {
            let permit = self.permit_app(caller, Action::DeclareTraining)?;
            return Ok((permit, CompletionSource::SelfDeclared));
        }
        let unit_lineage = match person.unit_id {
            Some(u) => parse_path(&self.facts().unit(u).await?.path),
            None => Vec::new(),
        };
        let resource = Resource::Person {
            id: person.id,
            unit_lineage,
        };
        let permit = self.permit(caller, Action::RecordTraining, &resource)?;
        Ok((permit, CompletionSource::Entered))
    }

    /// Courses by code.
    pub async fn courses(&self, caller: &Caller, page: PageRequest) -> Result<Page<Course>> {
        let permit = self.permit_app(caller, Action::View)?;
        Ok(permit.store().list_courses(page).await?)
    }

    /// Creates a course (the security office).
    pub async fn create_course(&self, caller: &Caller, new: NewCourse) -> Result<Course> {
        let permit = self.permit_app(caller, Action::ManageTraining)?;
        Ok(permit.store().create_course(permit.actor(), new).await?)
    }

    /// Corrects a course's names or description (code, kind and validity stay).
    pub async fn update_course(
        &self,
        caller: &Caller,
        id: i64,
        change: CourseUpdate,
    ) -> Result<Course> {
        let permit = self.permit_app(caller, Action::ManageTraining)?;
        Ok(permit
            .store()
            .update_course(permit.actor(), id, change)
            .await?)
    }

    /// Assignments with their counts, latest due date first (whole-organisation
    /// status readers).
    pub async fn training_assignments(
        &self,
        caller: &Caller,
        course_id: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<TrainingAssignment>> {
        let permit = self.permit_app(caller, Action::ReadTrainingStatus)?;
        Ok(permit
            .store()
            .list_training_assignments(course_id, page)
            .await?)
    }

    /// The newest assignments (up to 100), for a page to pick one from (the
    /// status filter, the due date change): to those who read the whole
    /// status, manage training, or follow the status of a unit they manage.
    pub async fn training_assignment_choices(
        &self,
        caller: &Caller,
    ) -> Result<Vec<TrainingAssignment>> {
        let mut permit = granted(self.permit_app(caller, Action::ReadTrainingStatus))?;
        if permit.is_none() {
            permit = granted(self.permit_app(caller, Action::ManageTraining))?;
        }
        for unit in managed_units(caller) {
            if permit.is_some() {
                break;
            }
            permit = granted(
                self.permit_status(caller, Action::ReadTrainingStatus, Some(unit))
                    .await,
            )?;
        }
        let permit = permit.ok_or(Error::Forbidden)?;
        Ok(permit
            .store()
            .list_training_assignments(None, PageRequest::new(Some(1), Some(100)))
            .await?
            .items)
    }

    /// Assigns a course to everyone, a guideline role, a unit (and below) or an
    /// employment type, with a due date: one request per matching active person.
    pub async fn assign_training(
        &self,
        caller: &Caller,
        new: NewTrainingAssignment,
    ) -> Result<TrainingAssignment> {
        let permit = self.permit_app(caller, Action::ManageTraining)?;
        let assignment = permit.store().assign_training(permit.actor(), new).await?;
        self.notify_training_assignment(assignment.id, &assignment.due_on)
            .await;
        Ok(assignment)
    }

    /// Moves an assignment's due date (期限の変更): every request takes the new
    /// date and which completions count is worked out again.
    pub async fn change_training_due(
        &self,
        caller: &Caller,
        id: i64,
        due_on: &str,
    ) -> Result<TrainingAssignment> {
        let permit = self.permit_app(caller, Action::ManageTraining)?;
        Ok(permit
            .store()
            .change_training_due(permit.actor(), id, due_on)
            .await?)
    }

    /// Withdraws an assignment made in error, with its requests (completions stay).
    pub async fn withdraw_training(&self, caller: &Caller, id: i64) -> Result<()> {
        let permit = self.permit_app(caller, Action::ManageTraining)?;
        Ok(permit.store().withdraw_training(permit.actor(), id).await?)
    }

    /// The completion rate and overdue count per unit, for the whole
    /// organisation or a unit and below.
    pub async fn training_rates(
        &self,
        caller: &Caller,
        scope: TrainingScope,
        page: PageRequest,
    ) -> Result<Page<UnitTrainingRate>> {
        let permit = self
            .permit_status(caller, Action::ReadTrainingStatus, scope.within)
            .await?;
        Ok(permit.store().training_rates(scope, page).await?)
    }

    // --- h17ui ---
    /// [`App::training_rates`] in the order asked.
    pub async fn training_rates_sorted(
        &self,
        caller: &Caller,
        scope: TrainingScope,
        sort: Option<mamori_store::sorting::Sort<mamori_store::training::RateSortKey>>,
        page: PageRequest,
    ) -> Result<Page<UnitTrainingRate>> {
        let permit = self
            .permit_status(caller, Action::ReadTrainingStatus, scope.within)
            .await?;
        Ok(permit
            .store()
            .training_rates_sorted(scope, sort, page)
            .await?)
    }

    /// Who is overdue (due date passed, not completed), by unit.
    pub async fn training_overdue(
        &self,
        caller: &Caller,
        scope: TrainingScope,
        page: PageRequest,
    ) -> Result<Page<TrainingRequest>> {
        let permit = self
            .permit_status(caller, Action::ReadTrainingStatus, scope.within)
            .await?;
        Ok(permit.store().training_overdue(scope, page).await?)
    }

    /// Recorded completions, latest first: one's own, those of a person one may
    /// record for, or everyone's (whole-organisation status readers). A person
    /// who does not exist is not found.
    pub async fn completions(
        &self,
        caller: &Caller,
        user_id: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<Completion>> {
        let all = granted(self.permit_app(caller, Action::ReadTrainingStatus))?.is_some();
        match user_id {
            Some(id) if id == caller.user.id || all => {}
            Some(id) => {
                self.facts().user(id).await?;
                self.completion_permit(caller, id).await?;
            }
            None if all => {}
            None => return Err(Error::Forbidden),
        }
        Ok(self.facts().list_completions(user_id, page).await?)
    }

    /// Records a completion: for anyone by the security office, for a unit's
    /// staff by its manager, or for oneself (self-declared, while the policy
    /// allows it). Recording the same completion again changes nothing.
    pub async fn record_completion(
        &self,
        caller: &Caller,
        new: NewCompletion,
    ) -> Result<Completion> {
        let (permit, source) = self.completion_permit(caller, new.user_id).await?;
        Ok(permit
            .store()
            .record_completion(permit.actor(), new, source)
            .await?)
    }

    /// The person's own trainings, open ones first by due date (`open`: only
    /// those not yet completed).
    pub async fn my_trainings(
        &self,
        caller: &Caller,
        open: bool,
        page: PageRequest,
    ) -> Result<Page<TrainingRequest>> {
        let permit = self.permit_app(caller, Action::View)?;
        Ok(permit
            .store()
            .my_training_requests(caller.user.id, open, page)
            .await?)
    }
}
