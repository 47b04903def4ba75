//! The organisation (第4, 第5): its units (created, renamed, merged, abolished)
//! and the guideline's roles held by its staff, with the staff fields
//! (employment type, position) of each person.

use mamori_authz::{Action, Resource};
use mamori_core::org::{EmploymentType, GUIDELINE_ROLES, GuidelineRole};
use mamori_store::org::{NewRoleAssignment, RoleAssignment};
use mamori_store::units::{NewUnit, Unit, parse_path};
use mamori_store::users::User;
use mamori_store::{Page, PageRequest};

use crate::access::{App, Caller};
use crate::error::Result;

/// A member of staff as their page shows them, with what the caller may do.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: User,
    /// The guideline roles they hold (one page).
    pub assignments: Page<RoleAssignment>,
    /// The caller may set their employment type and position.
    pub may_edit: bool,
    /// The caller may assign and end guideline roles.
    pub may_assign: bool,
}

impl App {
    /// The units in tree order, one page at a time.
    pub async fn units(&self, caller: &Caller, page: PageRequest) -> Result<Page<Unit>> {
        let permit = self.permit_app(caller, Action::ReadUnits)?;
        Ok(permit.store().list_units(page).await?)
    }

    /// Creates a unit under its parent.
    pub async fn create_unit(&self, caller: &Caller, new: NewUnit) -> Result<Unit> {
        let permit = self.permit_app(caller, Action::ManageUnits)?;
        Ok(permit.store().create_unit(permit.actor(), new).await?)
    }

    /// Renames a unit (its code stays).
    pub async fn rename_unit(
        &self,
        caller: &Caller,
        id: i64,
        name: &str,
        name_en: &str,
    ) -> Result<Unit> {
        let permit = self.permit_app(caller, Action::ManageUnits)?;
        Ok(permit
            .store()
            .rename_unit(permit.actor(), id, name, name_en)
            .await?)
    }

    /// Merges a unit into another on a date (YYYY-MM-DD or 和暦): its staff,
    /// units, assets, systems and unit-scoped roles move there.
    pub async fn merge_unit(&self, caller: &Caller, id: i64, into: i64, on: &str) -> Result<Unit> {
        let permit = self.permit_app(caller, Action::ManageUnits)?;
        Ok(permit
            .store()
            .merge_unit(permit.actor(), id, into, on)
            .await?)
    }

    /// Abolishes an empty unit on a date; it stays in the history.
    pub async fn abolish_unit(&self, caller: &Caller, id: i64, on: &str) -> Result<Unit> {
        let permit = self.permit_app(caller, Action::ManageUnits)?;
        Ok(permit.store().abolish_unit(permit.actor(), id, on).await?)
    }

    /// The guideline's roles (第5), for those who may read the organisation.
    pub fn guideline_roles(&self, caller: &Caller) -> Result<&'static [GuidelineRole]> {
        self.permit_app(caller, Action::ReadUnits)?;
        Ok(&GUIDELINE_ROLES)
    }

    /// Role assignments, of one user or of everyone: for those who may read
    /// users or manage roles.
    pub async fn role_assignments(
        &self,
        caller: &Caller,
        user_id: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<RoleAssignment>> {
        let permit = match self.permit_app(caller, Action::ReadUsers) {
            Ok(p) => p,
            Err(crate::Error::Forbidden) => self.permit_app(caller, Action::ManageRoles)?,
            Err(e) => return Err(e),
        };
        Ok(permit.store().list_role_assignments(user_id, page).await?)
    }

    /// Assigns a guideline role to a person for its scope.
    pub async fn assign_role(
        &self,
        caller: &Caller,
        new: NewRoleAssignment,
    ) -> Result<RoleAssignment> {
        let permit = self.permit_app(caller, Action::ManageRoles)?;
        Ok(permit.store().assign_role(permit.actor(), new).await?)
    }

    /// Ends a role assignment on a date (inclusive, YYYY-MM-DD).
    pub async fn end_role(
        &self,
        caller: &Caller,
        id: i64,
        ends_on: &str,
    ) -> Result<RoleAssignment> {
        let permit = self.permit_app(caller, Action::ManageRoles)?;
        Ok(permit
            .store()
            .end_role_assignment(permit.actor(), id, ends_on)
            .await?)
    }

    /// The Cedar resource of a person: their id and their unit's lineage.
    async fn person(&self, target: &User) -> Result<Resource> {
        let unit_lineage = match target.unit_id {
            Some(u) => parse_path(&self.facts().unit(u).await?.path),
            None => Vec::new(),
        };
        Ok(Resource::Person {
            id: target.id,
            unit_lineage,
        })
    }

    /// A member of staff and the guideline roles they hold, for the security
    /// office and the managers of their unit.
    pub async fn staff(&self, caller: &Caller, id: i64, page: PageRequest) -> Result<Staff> {
        let user = self.facts().user(id).await?;
        let person = self.person(&user).await?;
        let permit = self.permit(caller, Action::ReadPerson, &person)?;
        let assignments = permit.store().list_role_assignments(Some(id), page).await?;
        Ok(Staff {
            may_edit: self.may(caller, Action::ManagePerson, &person),
            may_assign: self.may_app(caller, Action::ManageRoles),
            user,
            assignments,
        })
    }

    /// Sets a member of staff's employment type and position: the security
    /// office, or the 情報セキュリティ管理者 / 責任者 of the person's unit.
    pub async fn set_staff(
        &self,
        caller: &Caller,
        id: i64,
        employment_type: EmploymentType,
        position: &str,
    ) -> Result<User> {
        let user = self.facts().user(id).await?;
        let person = self.person(&user).await?;
        let permit = self.permit(caller, Action::ManagePerson, &person)?;
        Ok(permit
            .store()
            .set_staff_profile(permit.actor(), id, employment_type, position)
            .await?)
    }
}

impl App {
    /// A unit's own entries of the event log (its creation, renames, merges and
    /// abolition), for everyone who may read the organisation. No asset is among
    /// them, so no asset scope applies.
    pub async fn unit_history(
        &self,
        caller: &Caller,
        id: i64,
        page: mamori_store::PageRequest,
    ) -> Result<mamori_store::Page<mamori_store::events::Event>> {
        let permit = self.permit_app(caller, Action::ReadUnits)?;
        let filter = mamori_store::events::EventFilter {
            entity: Some(mamori_store::events::Entity::Unit.as_str().to_string()),
            entity_id: Some(id.to_string()),
            ..Default::default()
        };
        Ok(permit
            .store()
            .list_events(
                &filter,
                &mamori_store::assets::AssetScope::unrestricted(),
                page,
            )
            .await?)
    }
}
