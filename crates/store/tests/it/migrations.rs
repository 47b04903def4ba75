//! The SQLite and PostgreSQL migrations are kept in step by hand; this reads
//! each database's own catalogue after migrating and compares what the
//! migrations made: the tables, each table's columns and whether they may be
//! empty (NULL), and the indexes created by name.

use std::collections::BTreeMap;

use mamori_store::db::Db;
use mamori_store::testing::all_stores;

/// table → (column → nullable, index names)
type Shape = BTreeMap<String, (BTreeMap<String, bool>, Vec<String>)>;

async fn shape(db: &Db) -> Shape {
    let mut out = Shape::new();
    match db {
        Db::Sqlite(pool) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for table in tables {
                let columns: Vec<(String, i64, i64)> =
                    sqlx::query_as("SELECT name, \"notnull\", pk FROM pragma_table_info($1)")
                        .bind(&table)
                        .fetch_all(pool)
                        .await
                        .unwrap();
                let mut indexes: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_index_list($1) WHERE origin = 'c'")
                        .bind(&table)
                        .fetch_all(pool)
                        .await
                        .unwrap();
                indexes.sort();
                let columns = columns
                    .into_iter()
                    .map(|(name, notnull, pk)| (name, notnull == 0 && pk == 0))
                    .collect();
                out.insert(table, (columns, indexes));
            }
        }
        Db::Pg(pool) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name NOT LIKE '_sqlx%' ORDER BY table_name",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for table in tables {
                let columns: Vec<(String, String)> = sqlx::query_as(
                    "SELECT column_name::text, is_nullable::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1",
                )
                .bind(&table)
                .fetch_all(pool)
                .await
                .unwrap();
                // Indexes made by CREATE INDEX, not those behind a primary key
                // or UNIQUE constraint (SQLite names those itself).
                let mut indexes: Vec<String> = sqlx::query_scalar(
                    "SELECT i.relname::text FROM pg_index x \
                     JOIN pg_class i ON i.oid = x.indexrelid \
                     JOIN pg_class t ON t.oid = x.indrelid \
                     JOIN pg_namespace n ON n.oid = t.relnamespace \
                     WHERE n.nspname = current_schema() AND t.relname = $1 \
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                )
                .bind(&table)
                .fetch_all(pool)
                .await
                .unwrap();
                indexes.sort();
                let columns = columns
                    .into_iter()
                    .map(|(name, nullable)| (name, nullable == "YES"))
                    .collect();
                out.insert(table, (columns, indexes));
            }
        }
    }
    out
}

/// What differs on purpose: the register's text search is an FTS5 table on
/// SQLite and a trigram index on PostgreSQL (migration 0005).
const BY_DESIGN: &[&str] = &["assets_fts", "assets_search"];

fn by_design(name: &str) -> bool {
    BY_DESIGN
        .iter()
        .any(|d| name == *d || name.starts_with(&format!("{d}_")))
}

/// The differences between two shapes, one line each.
fn differences(sqlite: &Shape, pg: &Shape) -> Vec<String> {
    let strip = |shape: &Shape| -> Shape {
        shape
            .iter()
            .filter(|(t, _)| !by_design(t))
            .map(|(t, (c, i))| {
                let i = i.iter().filter(|n| !by_design(n)).cloned().collect();
                (t.clone(), (c.clone(), i))
            })
            .collect()
    };
    let (sqlite, pg) = (&strip(sqlite), &strip(pg));
    let mut out = Vec::new();
    for table in sqlite
        .keys()
        .chain(pg.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        match (sqlite.get(table), pg.get(table)) {
            (Some(_), None) => out.push(format!("table {table}: only on SQLite")),
            (None, Some(_)) => out.push(format!("table {table}: only on PostgreSQL")),
            (Some((sc, si)), Some((pc, pi))) => {
                for column in sc
                    .keys()
                    .chain(pc.keys())
                    .collect::<std::collections::BTreeSet<_>>()
                {
                    match (sc.get(column), pc.get(column)) {
                        (Some(a), Some(b)) if a != b => out.push(format!(
                            "{table}.{column}: nullable {a} on SQLite, {b} on PostgreSQL"
                        )),
                        (Some(_), None) => out.push(format!("{table}.{column}: only on SQLite")),
                        (None, Some(_)) => {
                            out.push(format!("{table}.{column}: only on PostgreSQL"))
                        }
                        _ => {}
                    }
                }
                if si != pi {
                    out.push(format!(
                        "{table}: indexes {si:?} on SQLite, {pi:?} on PostgreSQL"
                    ));
                }
            }
            (None, None) => {}
        }
    }
    out
}

#[tokio::test]
async fn sqlite_and_postgresql_migrations_make_the_same_tables() {
    let mut shapes = Vec::new();
    for (backend, store) in all_stores().await {
        let s = shape(store.db()).await;
        for table in [
            "assets",
            "events",
            "event_head",
            "users",
            "sessions",
            "units",
        ] {
            assert!(s.contains_key(table), "{backend}: no table {table}");
        }
        assert!(
            s["assets"].1.len() >= 3,
            "{backend}: the register's indexes: {:?}",
            s["assets"].1
        );
        shapes.push(s);
    }
    if let [sqlite, pg] = shapes.as_slice() {
        let diff = differences(sqlite, pg);
        assert!(
            diff.is_empty(),
            "the migrations differ:\n{}",
            diff.join("\n")
        );
    }
}
