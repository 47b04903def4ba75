//! Writing assets: validation against the reference data, the derived columns
//! (label, rank, top level, flags, search text), and multi-row INSERT and
//! UPDATE batches shared by single edits, imports and the demo.

use std::collections::HashMap;

use mamori_core::asset::{self, FLAG_OTHER_SCHEME, FieldError, LedgerColumn};
use mamori_core::classification::{Axis, Scheme};
use serde::Serialize;
use sqlx::query_builder::Separated;
use sqlx::{Database, Encode, QueryBuilder, Type};

use super::{AssetInput, AssetRecord, facts, validate_core};
use crate::db::Tx;
use crate::{Store, StoreError, db_run, tx_run};

/// Columns bound per asset row in an INSERT.
const INSERT_COLUMNS: usize = 29;
/// Rows per multi-row statement: 29 parameters a row stays under SQLite's
/// 32766 bound parameters (and PostgreSQL's 65535).
pub(crate) const ROWS_PER_STATEMENT: usize = 32_000 / INSERT_COLUMNS;

/// A unit as the asset code needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct UnitRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub active: bool,
}

/// An information system as the asset code needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct SystemRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// A segment as the asset code needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct SegmentRef {
    pub id: i64,
    pub name: String,
    pub name_en: String,
    pub role: String,
}

/// The reference data a write checks against, read once.
pub(crate) struct Context {
    pub units: HashMap<i64, UnitRef>,
    pub systems: HashMap<i64, SystemRef>,
    pub segments: HashMap<i64, SegmentRef>,
    pub schemes: HashMap<String, Scheme>,
    pub active: String,
}

/// What is derived from a record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Derived {
    pub label: String,
    pub rank: i64,
    pub is_top: bool,
    pub flags: Vec<String>,
    pub search_text: String,
}

/// An asset's state as the event log records it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Snapshot<'a> {
    pub id: i64,
    #[serde(flatten)]
    pub record: &'a AssetRecord,
    pub label: &'a str,
    pub flags: &'a [String],
}

impl Context {
    pub async fn load(store: &Store, active: &Scheme) -> Result<Context, StoreError> {
        let (units, systems, segments): (Vec<UnitRef>, Vec<SystemRef>, Vec<SegmentRef>) =
            db_run!(&store.db, |pool| {
                let units = sqlx::query_as("SELECT id, code, name, active FROM units")
                    .fetch_all(pool)
                    .await?;
                let systems = sqlx::query_as("SELECT id, code, name FROM information_systems")
                    .fetch_all(pool)
                    .await?;
                let segments = sqlx::query_as("SELECT id, name, name_en, role FROM segments")
                    .fetch_all(pool)
                    .await?;
                (units, systems, segments)
            });
        let mut schemes: HashMap<String, Scheme> = store
            .classification_schemes()
            .await?
            .into_iter()
            .map(|s| (s.code.clone(), s))
            .collect();
        schemes.insert(active.code.clone(), active.clone());
        Ok(Context {
            units: units.into_iter().map(|u| (u.id, u)).collect(),
            systems: systems.into_iter().map(|s| (s.id, s)).collect(),
            segments: segments.into_iter().map(|s| (s.id, s)).collect(),
            schemes,
            active: active.code.clone(),
        })
    }

    pub fn scheme(&self, code: &str) -> Option<&Scheme> {
        self.schemes.get(code)
    }

    /// Checks an input against `scheme` and the reference data; the record it
    /// gives is classified under `scheme`.
    pub fn validate_input(
        &self,
        input: &AssetInput,
        scheme: &Scheme,
    ) -> Result<AssetRecord, Vec<FieldError>> {
        let core = validate_core(
            &input.name,
            &input.levels,
            input.lifecycle,
            input.disposal.as_ref(),
            scheme,
        );
        let mut errors = match &core {
            Ok(_) => Vec::new(),
            Err(e) => e.clone(),
        };
        match self.units.get(&input.owner_unit_id) {
            Some(u) if u.active => {}
            Some(u) => errors.push(FieldError::new(
                LedgerColumn::OwnerUnit,
                format!("所管課「{}」は廃止されています", u.name),
                format!("the owning unit {} is no longer active", u.code),
            )),
            None => errors.push(FieldError::new(
                LedgerColumn::OwnerUnit,
                format!("所管課（ID {}）がありません", input.owner_unit_id),
                format!("no unit with id {}", input.owner_unit_id),
            )),
        }
        if let Some(id) = input.system_id
            && !self.systems.contains_key(&id)
        {
            errors.push(FieldError::new(
                LedgerColumn::System,
                format!("情報システム（ID {id}）がありません"),
                format!("no information system with id {id}"),
            ));
        }
        if let Some(id) = input.segment_id
            && !self.segments.contains_key(&id)
        {
            errors.push(FieldError::new(
                LedgerColumn::Segment,
                format!("ネットワーク区分（ID {id}）がありません"),
                format!("no network segment with id {id}"),
            ));
        }
        // 特定個人情報 is personal information (番号法第2条第8項): an asset
        // holding it holds personal information too.
        if input.my_number && !input.personal_info {
            errors.push(FieldError::new(
                LedgerColumn::PersonalInfo,
                "特定個人情報を含む資産は、個人情報も「有」にしてください（特定個人情報は個人情報の一種です）".to_string(),
                "an asset holding My Number information (特定個人情報) holds personal information: set personal information to yes".to_string(),
            ));
        }
        check_texts(input, &mut errors);
        let valid = match core {
            Ok(v) if errors.is_empty() => v,
            _ => return Err(errors),
        };
        let disposal = valid.disposal.as_ref();
        Ok(AssetRecord {
            name: valid.name,
            kind: input.kind,
            description: clean(&input.description),
            owner_unit_id: input.owner_unit_id,
            administrator: asset::normalize_spaces(&input.administrator),
            location: clean(&input.location),
            system_id: input.system_id,
            segment_id: input.segment_id,
            personal_info: input.personal_info,
            my_number: input.my_number,
            retention: asset::normalize_spaces(&input.retention),
            scheme: scheme.code.clone(),
            confidentiality: valid.levels.confidentiality,
            integrity: valid.levels.integrity,
            availability: valid.levels.availability,
            lifecycle: valid.lifecycle,
            disposed_on: disposal.map(|d| d.date.to_string()),
            disposal_method: disposal.map(|d| d.method.clone()),
            disposal_confirmed_by: disposal.map(|d| d.confirmed_by.clone()),
            notes: clean(&input.notes),
        })
    }

    /// The checks an asset with these facts fails.
    pub fn flags_for(
        &self,
        scheme_code: &str,
        confidentiality: &str,
        my_number: bool,
        personal_info: bool,
        segment_id: Option<i64>,
    ) -> Vec<String> {
        let role = segment_id
            .and_then(|id| self.segments.get(&id))
            .map(|s| s.role.as_str());
        let facts = mamori_core::classification::AssetFacts {
            my_number,
            personal_info,
            confidentiality: Some(confidentiality.to_string()),
            segment_role: role.map(str::to_string),
        };
        let mut flags = match self.schemes.get(scheme_code) {
            Some(scheme) => asset::failed_checks(scheme, &facts),
            None => Vec::new(),
        };
        if scheme_code != self.active {
            flags.push(FLAG_OTHER_SCHEME.to_string());
        }
        flags
    }

    /// The derived columns of a record.
    pub fn derive(&self, r: &AssetRecord) -> Derived {
        let scheme = self.schemes.get(&r.scheme);
        let (rank, is_top, label) = match scheme {
            Some(s) => {
                let rank = s
                    .level(Axis::Confidentiality, &r.confidentiality)
                    .map_or(0, |l| l.rank);
                let top = s.top(Axis::Confidentiality).map_or(0, |l| l.rank);
                (
                    i64::from(rank),
                    rank >= top,
                    s.label(&r.confidentiality, &r.integrity, &r.availability),
                )
            }
            None => (0, false, r.levels().label()),
        };
        let role = r
            .segment_id
            .and_then(|id| self.segments.get(&id))
            .map(|s| s.role.as_str());
        let mut flags = match scheme {
            Some(s) => asset::failed_checks(s, &facts(r, role)),
            None => Vec::new(),
        };
        if r.scheme != self.active {
            flags.push(FLAG_OTHER_SCHEME.to_string());
        }
        Derived {
            label,
            rank,
            is_top,
            flags,
            search_text: search_text(r),
        }
    }
}

/// Trims, and writes line breaks as `\n`.
/// The free-text fields: no control or bidirectional-override characters, and
/// no longer than a register (and an Excel cell) can hold.
fn check_texts(input: &AssetInput, errors: &mut Vec<FieldError>) {
    use mamori_core::text::{MAX_LINE_CHARS, MAX_TEXT_CHARS, check_line, check_text};
    let disposal = input.disposal.as_ref();
    let fields: [(LedgerColumn, &str, bool); 7] = [
        (LedgerColumn::Description, &input.description, true),
        (LedgerColumn::Administrator, &input.administrator, false),
        (LedgerColumn::Location, &input.location, true),
        (LedgerColumn::Retention, &input.retention, false),
        (LedgerColumn::Notes, &input.notes, true),
        (
            LedgerColumn::DisposalMethod,
            disposal.map_or("", |d| d.method.as_str()),
            false,
        ),
        (
            LedgerColumn::DisposalConfirmedBy,
            disposal.map_or("", |d| d.confirmed_by.as_str()),
            false,
        ),
    ];
    for (column, value, free_text) in fields {
        let checked = if free_text {
            let max = if column == LedgerColumn::Location {
                MAX_LINE_CHARS
            } else {
                MAX_TEXT_CHARS
            };
            check_text(value, max)
        } else {
            check_line(value, MAX_LINE_CHARS)
        };
        if let Err(problem) = checked {
            errors.push(FieldError::new(
                column,
                problem.ja(column.header()),
                problem.en(column.header_en()),
            ));
        }
    }
}

pub(crate) fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_string()
}

fn search_text(r: &AssetRecord) -> String {
    let parts = [
        r.name.as_str(),
        &r.description,
        &r.administrator,
        &r.location,
        &r.retention,
        &r.notes,
    ];
    asset::search_fold(&parts.join(" "))
}

/// The next free asset id. Call only after [`Tx::lock_event_head`]: the head
/// lock serialises every writer of assets, so the ids given here are not taken
/// by anyone else before the transaction ends.
async fn next_id(tx: &mut Tx) -> Result<i64, StoreError> {
    let max: i64 = tx_run!(tx, |c| {
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM assets")
            .fetch_one(&mut *c)
            .await?
    });
    Ok(max + 1)
}

/// Binds the stored columns of a record from `name` to `search_text`, in
/// table order (the INSERT and the UPDATE list them alike).
fn push_fields<DB>(b: &mut Separated<'_, DB, &'static str>, r: &AssetRecord, d: &Derived)
where
    DB: Database,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    Option<i64>: for<'q> Encode<'q, DB> + Type<DB>,
    Option<String>: for<'q> Encode<'q, DB> + Type<DB>,
{
    b.push_bind(r.name.clone())
        .push_bind(r.kind.code().to_string())
        .push_bind(r.description.clone())
        .push_bind(r.owner_unit_id)
        .push_bind(r.administrator.clone())
        .push_bind(r.location.clone())
        .push_bind(r.system_id)
        .push_bind(r.segment_id)
        .push_bind(r.personal_info)
        .push_bind(r.my_number)
        .push_bind(r.retention.clone())
        .push_bind(r.scheme.clone())
        .push_bind(r.confidentiality.clone())
        .push_bind(r.integrity.clone())
        .push_bind(r.availability.clone())
        .push_bind(d.label.clone())
        .push_bind(d.rank)
        .push_bind(d.is_top)
        .push_bind(!d.flags.is_empty())
        .push_bind(d.flags.join(" "))
        .push_bind(r.lifecycle.code().to_string())
        .push_bind(r.disposed_on.clone())
        .push_bind(r.disposal_method.clone())
        .push_bind(r.disposal_confirmed_by.clone())
        .push_bind(r.notes.clone())
        .push_bind(d.search_text.clone());
}

/// Inserts new assets in multi-row batches and returns their ids, in order.
/// The records must have passed validation. Takes the event-log head lock.
pub(crate) async fn insert_assets(
    tx: &mut Tx,
    ctx: &Context,
    records: &[AssetRecord],
    now: &str,
) -> Result<Vec<(i64, Derived)>, StoreError> {
    tx.lock_event_head().await?;
    let first = next_id(tx).await?;
    let ids: Vec<i64> = (0..records.len() as i64).map(|i| first + i).collect();
    let rows: Vec<(i64, &AssetRecord, Derived)> = ids
        .iter()
        .zip(records)
        .map(|(id, r)| (*id, r, ctx.derive(r)))
        .collect();
    if let Tx::Pg(t) = tx {
        for chunk in rows.chunks(PG_ROWS_PER_STATEMENT) {
            insert_unnest(t, chunk, now).await?;
        }
        return Ok(rows.into_iter().map(|(id, _, d)| (id, d)).collect());
    }
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        tx_run!(&mut *tx, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO assets (id, name, kind, description, owner_unit_id, administrator, location, \
                 system_id, segment_id, personal_info, my_number, retention, scheme, confidentiality, integrity, \
                 availability, label, confidentiality_rank, is_top, flagged, flags, lifecycle, disposed_on, \
                 disposal_method, disposal_confirmed_by, notes, search_text, created_at, updated_at) ",
            );
            qb.push_values(chunk.iter(), |mut b, (id, r, d)| {
                b.push_bind(*id);
                push_fields(&mut b, r, d);
                b.push_bind(now.to_string()).push_bind(now.to_string());
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    Ok(rows.into_iter().map(|(id, _, d)| (id, d)).collect())
}

/// Rows per INSERT on PostgreSQL, where the rows travel as one array a
/// column: the statement stays the same whatever the number of rows, so it is
/// parsed and planned once, and a batch is not bounded by the 65535 bound
/// parameters of a statement.
const PG_ROWS_PER_STATEMENT: usize = 20_000;

/// Inserts rows on PostgreSQL with `INSERT … SELECT FROM UNNEST($1, $2, …)`.
async fn insert_unnest(
    t: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    rows: &[(i64, &AssetRecord, Derived)],
    now: &str,
) -> Result<(), StoreError> {
    fn texts<'a>(
        rows: &'a [(i64, &AssetRecord, Derived)],
        f: impl Fn(&'a AssetRecord, &'a Derived) -> &'a str,
    ) -> Vec<&'a str> {
        rows.iter().map(|(_, r, d)| f(r, d)).collect()
    }
    fn optional<'a>(
        rows: &'a [(i64, &AssetRecord, Derived)],
        f: impl Fn(&'a AssetRecord) -> Option<&'a str>,
    ) -> Vec<Option<&'a str>> {
        rows.iter().map(|(_, r, _)| f(r)).collect()
    }
    let ids: Vec<i64> = rows.iter().map(|(id, _, _)| *id).collect();
    let kinds: Vec<&str> = rows.iter().map(|(_, r, _)| r.kind.code()).collect();
    let units: Vec<i64> = rows.iter().map(|(_, r, _)| r.owner_unit_id).collect();
    let systems: Vec<Option<i64>> = rows.iter().map(|(_, r, _)| r.system_id).collect();
    let segments: Vec<Option<i64>> = rows.iter().map(|(_, r, _)| r.segment_id).collect();
    let personal: Vec<bool> = rows.iter().map(|(_, r, _)| r.personal_info).collect();
    let my_number: Vec<bool> = rows.iter().map(|(_, r, _)| r.my_number).collect();
    let ranks: Vec<i64> = rows.iter().map(|(_, _, d)| d.rank).collect();
    let tops: Vec<bool> = rows.iter().map(|(_, _, d)| d.is_top).collect();
    let flagged: Vec<bool> = rows.iter().map(|(_, _, d)| !d.flags.is_empty()).collect();
    let flags: Vec<String> = rows.iter().map(|(_, _, d)| d.flags.join(" ")).collect();
    let lifecycles: Vec<&str> = rows.iter().map(|(_, r, _)| r.lifecycle.code()).collect();
    sqlx::query(
        "INSERT INTO assets (id, name, kind, description, owner_unit_id, administrator, location, \
         system_id, segment_id, personal_info, my_number, retention, scheme, confidentiality, integrity, \
         availability, label, confidentiality_rank, is_top, flagged, flags, lifecycle, disposed_on, \
         disposal_method, disposal_confirmed_by, notes, search_text, created_at, updated_at) \
         SELECT u.*, $28, $28 FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], \
         $5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::boolean[], \
         $11::boolean[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], \
         $17::text[], $18::bigint[], $19::boolean[], $20::boolean[], $21::text[], $22::text[], \
         $23::text[], $24::text[], $25::text[], $26::text[], $27::text[]) AS u",
    )
    .bind(&ids)
    .bind(texts(rows, |r, _| &r.name))
    .bind(&kinds)
    .bind(texts(rows, |r, _| &r.description))
    .bind(&units)
    .bind(texts(rows, |r, _| &r.administrator))
    .bind(texts(rows, |r, _| &r.location))
    .bind(&systems)
    .bind(&segments)
    .bind(&personal)
    .bind(&my_number)
    .bind(texts(rows, |r, _| &r.retention))
    .bind(texts(rows, |r, _| &r.scheme))
    .bind(texts(rows, |r, _| &r.confidentiality))
    .bind(texts(rows, |r, _| &r.integrity))
    .bind(texts(rows, |r, _| &r.availability))
    .bind(texts(rows, |_, d| &d.label))
    .bind(&ranks)
    .bind(&tops)
    .bind(&flagged)
    .bind(&flags)
    .bind(&lifecycles)
    .bind(optional(rows, |r| r.disposed_on.as_deref()))
    .bind(optional(rows, |r| r.disposal_method.as_deref()))
    .bind(optional(rows, |r| r.disposal_confirmed_by.as_deref()))
    .bind(texts(rows, |r, _| &r.notes))
    .bind(texts(rows, |_, d| &d.search_text))
    .bind(now)
    .execute(&mut **t)
    .await?;
    Ok(())
}

/// Updates existing assets in multi-row batches (`UPDATE … FROM (VALUES …)`,
/// which both backends run). The records must have passed validation.
pub(crate) async fn update_assets(
    tx: &mut Tx,
    ctx: &Context,
    records: &[(i64, AssetRecord)],
    now: &str,
) -> Result<Vec<Derived>, StoreError> {
    tx.lock_event_head().await?;
    let rows: Vec<(i64, &AssetRecord, Derived)> = records
        .iter()
        .map(|(id, r)| (*id, r, ctx.derive(r)))
        .collect();
    // Column n of the VALUES list is `columnN` on both backends.
    const SET: &str = " SET name = v.column2, kind = v.column3, description = v.column4, \
        owner_unit_id = v.column5, administrator = v.column6, location = v.column7, system_id = v.column8, \
        segment_id = v.column9, personal_info = v.column10, my_number = v.column11, retention = v.column12, \
        scheme = v.column13, confidentiality = v.column14, integrity = v.column15, availability = v.column16, \
        label = v.column17, confidentiality_rank = v.column18, is_top = v.column19, flagged = v.column20, \
        flags = v.column21, lifecycle = v.column22, disposed_on = v.column23, disposal_method = v.column24, \
        disposal_confirmed_by = v.column25, notes = v.column26, search_text = v.column27, updated_at = v.column28 ";
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        tx_run!(&mut *tx, |c| {
            let mut qb = QueryBuilder::new("UPDATE assets");
            qb.push(SET).push("FROM (");
            qb.push_values(chunk.iter(), |mut b, (id, r, d)| {
                b.push_bind(*id);
                push_fields(&mut b, r, d);
                b.push_bind(now.to_string());
            });
            qb.push(") AS v WHERE assets.id = v.column1");
            qb.build().execute(&mut *c).await?;
        });
    }
    Ok(rows.into_iter().map(|(_, _, d)| d).collect())
}
