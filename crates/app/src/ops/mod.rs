//! Operations (第8(4)): incidents with their reporting line and the reports
//! the city owes, exceptions to the standards, and the attention list of what
//! needs someone now. Time-dependent answers (deadlines overdue, exceptions
//! expired or about to expire) take `today` (YYYY-MM-DD, JST) from the
//! caller, so that tests can set the day; pages and the API pass
//! [`today`].

pub mod attention;
pub mod exceptions;
pub mod incidents;
// --- ops2 ---
pub mod outsourcing;
pub mod permissions;
pub mod plans;
pub mod violations;

use mamori_authz::Resource;
use mamori_core::ops::deadline::DeadlineRules;
use mamori_store::ops::OpsScope;

use crate::access::{App, Caller};
use crate::error::{Error, Result};

/// The operations area's state shared by every clone of the app: the
/// reporting deadlines in force (built in, or the city's file).
#[derive(Debug)]
pub struct OpsRuntime {
    pub(crate) deadlines: DeadlineRules,
    // --- ops2 ---
    /// The contractor selection criteria and contract requirements in force.
    pub(crate) outsourcing: mamori_core::ops::outsourcing::OutsourcingRules,
}

impl Default for OpsRuntime {
    fn default() -> Self {
        OpsRuntime {
            deadlines: DeadlineRules::builtin().unwrap_or_default(),
            outsourcing: mamori_core::ops::outsourcing::OutsourcingRules::builtin()
                .unwrap_or_default(),
        }
    }
}

/// Today in Japan (YYYY-MM-DD).
pub fn today() -> String {
    mamori_store::org::today()
}

// --- ops2 ---
/// A date entered (YYYY-MM-DD, or as `parse_date` reads it): None when
/// empty; when unreadable, None and a problem `code` on `field`.
pub(crate) fn read_date(
    text: &str,
    field: &str,
    code: &'static str,
    problems: &mut Vec<mamori_core::problem::Problem>,
) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match mamori_core::asset::parse_date(t) {
        Some(d) => Some(d.to_string()),
        None => {
            problems.push(
                mamori_core::problem::Problem::new(code)
                    .field(field)
                    .with("value", t),
            );
            None
        }
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> Error {
    Error::Store(mamori_store::StoreError::Internal(e.to_string()))
}

impl App {
    /// The same app with the city's own reporting deadlines (a copy of
    /// catalogs/reporting-deadlines.toml, e.g. from the data folder): refused
    /// when a rule counts negative days or names an unknown condition.
    pub fn with_deadline_rules(
        mut self,
        file: &str,
        text: &str,
    ) -> std::result::Result<App, String> {
        let deadlines = DeadlineRules::parse(file, text)?;
        self.ops = std::sync::Arc::new(OpsRuntime {
            deadlines,
            outsourcing: self.ops.outsourcing.clone(),
        });
        Ok(self)
    }

    /// The reporting deadlines in force.
    pub fn deadline_rules(&self) -> &DeadlineRules {
        &self.ops.deadlines
    }

    /// Which units' records of an ops register the person may read, asked of
    /// the policy by probing a record of a unit foreign to them and then each
    /// unit; their own records always.
    pub(crate) async fn ops_scope(
        &self,
        caller: &Caller,
        probe: impl Fn(Vec<i64>) -> Resource,
        action: mamori_authz::Action,
    ) -> Result<OpsScope> {
        let own = caller.user.id;
        if self.may(caller, action, &probe(vec![i64::MIN])) {
            return Ok(OpsScope { units: None, own });
        }
        let units = self
            .unit_lineages()
            .await?
            .into_iter()
            .filter(|(_, l)| self.may(caller, action, &probe(l.clone())))
            .map(|(id, _)| id)
            .collect();
        Ok(OpsScope {
            units: Some(units),
            own,
        })
    }
}
