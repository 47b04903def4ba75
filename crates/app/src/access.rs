//! Who may do what, decided once per operation. The store is reached only
//! through a [`Permit`], which only [`App::permit`] makes, after the Cedar
//! policy allowed the action on the resource; or through [`App::system`], which
//! names the part of Mamori acting without a person (start-up, the command
//! line). Reads made to decide a permission (the owning unit of an asset, say)
//! go through [`App::facts`], which is private to this crate.

use mamori_authz::{Action, Authorizer, Principal, Resource};
use mamori_core::table::ImportLimits;
use mamori_store::users::User;
use mamori_store::{Actor, Store};
use std::sync::Arc;

use crate::error::{Error, Result};

/// The operations of Mamori over one store and one policy set. Cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    store: Store,
    authz: Arc<Authorizer>,
    /// What an import may read (see [`App::with_import_limits`]).
    pub(crate) limits: ImportLimits,
    /// The risk area's rules in force and its background recomputation.
    pub(crate) risk: Arc<crate::risk::RiskRuntime>,
    /// The operations area's reporting deadlines (issue 15).
    pub(crate) ops: Arc<crate::ops::OpsRuntime>,
    /// Notices and the mail settings (issue 17).
    pub(crate) notices: Arc<crate::notices::NoticeRuntime>,
}

/// A signed-in person: their user record and what the policy knows of them.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub principal: Principal,
}

impl Caller {
    /// The name written into the event log.
    pub fn actor(&self) -> Actor {
        Actor::User {
            id: self.user.id,
            username: self.user.username.clone(),
        }
    }
}

/// Proof that an action was allowed: the only way an operation reaches the store.
#[derive(Debug)]
pub struct Permit<'a> {
    store: &'a Store,
    actor: Actor,
}

impl<'a> Permit<'a> {
    /// The store, for the operation the permit was given for.
    pub(crate) fn store(&self) -> &'a Store {
        self.store
    }

    /// Who acts, as the event log names them.
    pub(crate) fn actor(&self) -> &Actor {
        &self.actor
    }
}

impl App {
    pub fn new(store: Store, authz: Arc<Authorizer>) -> App {
        App {
            store,
            authz,
            limits: ImportLimits::default(),
            risk: Arc::default(),
            ops: Arc::default(),
            notices: Arc::default(),
        }
    }

    /// The policy set, for a page that lists the policy files.
    pub fn authorizer(&self) -> &Authorizer {
        &self.authz
    }

    /// Reads made to decide a permission or to build a caller; never writes.
    pub(crate) fn facts(&self) -> &Store {
        &self.store
    }

    /// The person behind a user id, if they exist and are active (one query for
    /// the user, one for the unit's path, one for the guideline roles held today).
    pub async fn caller(&self, user_id: i64) -> Result<Option<Caller>> {
        let user = match self.store.user(user_id).await {
            Ok(u) if u.active => u,
            Ok(_) | Err(mamori_store::StoreError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let principal = self.principal_of(&user).await?;
        Ok(Some(Caller { user, principal }))
    }

    /// What the policy knows of a user.
    pub async fn principal_of(&self, user: &User) -> Result<Principal> {
        let unit_lineage = match user.unit_id {
            Some(id) => mamori_store::units::parse_path(&self.store.unit(id).await?.path),
            None => Vec::new(),
        };
        let scoped_roles = self
            .store
            .active_roles(user.id, &mamori_store::org::today())
            .await?
            .into_iter()
            .map(|r| {
                let scope = r.scope_id();
                (r.role, scope)
            })
            .collect();
        Ok(Principal {
            user_id: user.id,
            roles: user.roles.clone(),
            unit_lineage,
            scoped_roles,
        })
    }

    /// Whether the person may do this: for a page deciding whether to show a
    /// button or a link. An operation decides again for itself.
    pub fn may(&self, caller: &Caller, action: Action, resource: &Resource) -> bool {
        self.decide(caller, action, resource).unwrap_or(false)
    }

    /// Whether the person may do this to Mamori as a whole.
    pub fn may_app(&self, caller: &Caller, action: Action) -> bool {
        self.may(caller, action, &Resource::App)
    }

    /// Fails with [`Error::Forbidden`] unless the person may do this to Mamori
    /// as a whole: for a page that shows an operation's form before it is sent.
    pub fn ensure_may_app(&self, caller: &Caller, action: Action) -> Result<()> {
        self.permit_app(caller, action).map(|_| ())
    }

    fn decide(&self, caller: &Caller, action: Action, resource: &Resource) -> Result<bool> {
        self.authz
            .decide(&caller.principal, action, resource)
            .map_err(|e| {
                tracing::error!(error = %e, action = action.name(), "authorization failed");
                Error::Authz(e.to_string())
            })
    }

    /// A permit for this action on this resource, or [`Error::Forbidden`].
    pub(crate) fn permit(
        &self,
        caller: &Caller,
        action: Action,
        resource: &Resource,
    ) -> Result<Permit<'_>> {
        if self.decide(caller, action, resource)? {
            Ok(Permit {
                store: &self.store,
                actor: caller.actor(),
            })
        } else {
            Err(Error::Forbidden)
        }
    }

    /// A permit for an action on Mamori as a whole.
    pub(crate) fn permit_app(&self, caller: &Caller, action: Action) -> Result<Permit<'_>> {
        self.permit(caller, action, &Resource::App)
    }

    /// A permit for this action on this resource, answered as not found when
    /// refused: the caller learns nothing of records they may not see.
    pub(crate) fn permit_or_hide(
        &self,
        caller: &Caller,
        action: Action,
        resource: &Resource,
        what: &'static str,
        key: impl ToString,
    ) -> Result<Permit<'_>> {
        match self.permit(caller, action, resource) {
            Err(Error::Forbidden) => Err(Error::not_found(what, key)),
            other => other,
        }
    }

    /// Mamori acting without a person: start-up, the command line run by the
    /// operator of the server (who holds the database itself). `what` is written
    /// into the log as `system:<what>`.
    pub fn system(&self, what: &'static str) -> Permit<'_> {
        Permit {
            store: &self.store,
            actor: Actor::System(what),
        }
    }

    /// The units (with their lineage) that scopes are computed over.
    pub(crate) async fn unit_lineages(&self) -> Result<Vec<(i64, Vec<i64>)>> {
        Ok(self
            .store
            .all_units()
            .await?
            .into_iter()
            .map(|u| (u.id, mamori_store::units::parse_path(&u.path)))
            .collect())
    }

    /// The owning units whose assets the person may read.
    pub async fn asset_scope(&self, caller: &Caller) -> Result<mamori_store::assets::AssetScope> {
        self.asset_scope_for(caller, Action::ReadAsset).await
    }

    /// The owning units whose assets the person may create or change.
    pub async fn asset_write_scope(
        &self,
        caller: &Caller,
    ) -> Result<mamori_store::assets::AssetScope> {
        self.asset_scope_for(caller, Action::WriteAsset).await
    }

    async fn asset_scope_for(
        &self,
        caller: &Caller,
        action: Action,
    ) -> Result<mamori_store::assets::AssetScope> {
        let units = self.unit_lineages().await?;
        let s = self
            .authz
            .asset_scope_for(&caller.principal, action, &units);
        Ok(mamori_store::assets::AssetScope {
            units: s.units,
            top_units: s.top_units,
        })
    }

    /// The units whose staff the person may list (`None`: everyone).
    pub async fn person_scope(&self, caller: &Caller) -> Result<Option<Vec<i64>>> {
        let units = self.unit_lineages().await?;
        Ok(self.authz.person_scope(&caller.principal, &units))
    }

    /// Whether the person may list some staff (read_users, or a unit they manage).
    pub fn may_list_staff(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::ReadUsers)
            || caller.principal.scoped_roles.iter().any(|(_, unit)| {
                self.may(
                    caller,
                    Action::ReadPerson,
                    &Resource::Person {
                        id: 0,
                        unit_lineage: vec![*unit],
                    },
                )
            })
    }
}
