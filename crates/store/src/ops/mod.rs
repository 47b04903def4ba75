//! Operations (第8(4)): the incident register with its timeline and the
//! reports sent, and the exceptions register (例外措置).

pub mod exceptions;
pub mod incidents;
// --- ops2 ---
pub mod outsourcing;
pub mod permissions;
pub mod plans;
pub mod violations;

/// Whose records a list shows: every one, or those of some units and the
/// caller's own (as reporter or requester).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpsScope {
    /// None: every unit.
    pub units: Option<Vec<i64>>,
    /// The caller's own records are shown whatever the units.
    pub own: i64,
}

pub(crate) fn push_scope<DB: sqlx::Database>(
    qb: &mut sqlx::QueryBuilder<DB>,
    scope: &OpsScope,
    unit_col: &str,
    own_col: &str,
) where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    if let Some(units) = &scope.units {
        qb.push(format!(" AND ({own_col} = ")).push_bind(scope.own);
        if !units.is_empty() {
            qb.push(format!(" OR {unit_col} IN ("));
            let mut sep = qb.separated(", ");
            for u in units {
                sep.push_bind(*u);
            }
            qb.push(")");
        }
        qb.push(")");
    }
}
