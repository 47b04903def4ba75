//! Shapes several reads share: one row by its id, and one page of a list that
//! may be narrowed to one parent (a user, a course, a segment …).

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use crate::{Db, Page, PageRequest, StoreError, db_run};

/// Runs `select` (the parent's id as `$1`, NULL for all; it ends with
/// `LIMIT $2 OFFSET $3`) and `count` (the id as `$1`) for one page.
pub(crate) async fn page_of<T>(
    db: &Db,
    select: &'static str,
    count: &'static str,
    parent: Option<i64>,
    page: PageRequest,
) -> Result<Page<T>, StoreError>
where
    T: Send + Unpin + for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow>,
{
    let (items, total) = db_run!(db, |pool| {
        let items: Vec<T> = sqlx::query_as(select)
            .bind(parent)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
        let total: i64 = sqlx::query_scalar(count)
            .bind(parent)
            .fetch_one(pool)
            .await?;
        (items, total)
    });
    Ok(Page { items, total })
}

/// Runs `select` (the id as `$1`) for one row; `NotFound` naming `entity` and
/// the id when there is none.
pub(crate) async fn one_of<T>(
    db: &Db,
    select: &'static str,
    entity: &'static str,
    id: i64,
) -> Result<T, StoreError>
where
    T: Send + Unpin + for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow>,
{
    let found: Option<T> = db_run!(db, |pool| {
        sqlx::query_as(select).bind(id).fetch_optional(pool).await?
    });
    found.ok_or_else(|| StoreError::not_found(entity, id))
}
