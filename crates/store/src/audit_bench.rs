//! The self-inspections' benchmark, the store's half (issue 14: a
//! prefecture-wide deployment, 5,000 units answering a 300-item checklist):
//! fills the store with that many units under a department of their own, a
//! checklist template of that many items, a campaign over every unit with
//! every item answered (written in bulk, the running totals of the
//! questionnaires and of the items brought up to date as the saves keep
//! them). Behind the `demo` feature; the timing is `mamori_app::bench`.

use sqlx::QueryBuilder;

use crate::audits::{ChecklistInput, InspectionInput, ItemInput};
use crate::units::NewUnit;
use crate::{Actor, Store, StoreError, db_run, now_rfc3339};
use mamori_core::org::UnitKind;

/// What the fill made: the campaign, its template, and a unit whose
/// questionnaire is not submitted (for the upload's timing).
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionFill {
    pub inspection: i64,
    pub template: i64,
    pub open_unit: i64,
    pub units: usize,
    pub items: usize,
    pub answers: i64,
}

const DEPT: &str = "BENCH-AUDIT";

/// Fills the store: `units` sections under the department BENCH-AUDIT, a
/// template of `items` items, a campaign over every section with every
/// item answered (four in five questionnaires submitted).
pub async fn fill_inspection(
    store: &Store,
    units: usize,
    items: usize,
) -> Result<InspectionFill, StoreError> {
    let actor = Actor::System("bench");
    let dept = match store.unit_by_code(DEPT).await? {
        Some(u) => u,
        None => {
            store
                .create_unit(
                    &actor,
                    NewUnit {
                        parent_id: None,
                        code: DEPT.into(),
                        name: "ベンチマーク部".into(),
                        name_en: String::new(),
                        kind: UnitKind::Department,
                    },
                )
                .await?
        }
    };
    let now = now_rfc3339();
    let have: i64 = db_run!(&store.db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE parent_id = $1")
            .bind(dept.id)
            .fetch_one(pool)
            .await?
    });
    let codes: Vec<usize> = (have as usize + 1..=units).collect();
    for chunk in codes.chunks(500) {
        db_run!(&store.db, |pool| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO units (parent_id, code, name, name_en, kind, path, active, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, n| {
                b.push_bind(dept.id)
                    .push_bind(format!("{DEPT}-{n:05}"))
                    .push_bind(format!("点検課{n:05}"))
                    .push_bind("")
                    .push_bind(UnitKind::Section.code())
                    .push_bind("/")
                    .push_bind(true)
                    .push_bind(&now)
                    .push_bind(&now);
            });
            qb.build().execute(pool).await?;
            sqlx::query(
                "UPDATE units SET path = $2 || CAST(id AS TEXT) || '/' WHERE parent_id = $1 AND path = '/'",
            )
            .bind(dept.id)
            .bind(&dept.path)
            .execute(pool)
            .await?;
        });
    }
    let ids: Vec<i64> = db_run!(&store.db, |pool| {
        sqlx::query_scalar("SELECT id FROM units WHERE parent_id = $1 ORDER BY id LIMIT $2")
            .bind(dept.id)
            .bind(units as i64)
            .fetch_all(pool)
            .await?
    });
    let item_inputs: Vec<ItemInput> = (0..items)
        .map(|n| {
            let chapter = (n % 8) as i64 + 1;
            ItemInput {
                provision: format!("control:S{chapter}-{:02}", n / 8 + 1),
                chapter,
                question: format!("点検項目{}：対策を実施していますか。", n + 1),
                mandatory: n % 3 != 0,
                evidence_hint: "規程、記録".into(),
                method: "document".into(),
                answers: "done partial not_done not_applicable".into(),
            }
        })
        .collect();
    let template = store
        .create_checklist(
            &actor,
            &ChecklistInput {
                name: format!("ベンチマーク点検表（{items}項目）"),
                description: String::new(),
                source: "controls".into(),
            },
            &item_inputs,
        )
        .await?;
    let inspection = store
        .open_inspection(
            &actor,
            &InspectionInput {
                title: format!("ベンチマーク自己点検（{units}課 × {items}項目）"),
                template_id: template.id,
                target_kind: "unit".into(),
                target_ids: ids.clone(),
                deadline: "2999-12-31".into(),
            },
        )
        .await?;
    let checklist = inspection.checklist_id;
    let answers: i64 = db_run!(&store.db, |pool| {
        sqlx::query(
            "INSERT INTO inspection_answers (target_id, item_id, answer, comment, answered_by, answered_at) \
             SELECT t.id, i.id, CASE (t.id + i.id * 3) % 7 WHEN 0 THEN 'not_done' WHEN 1 THEN 'partial' \
             WHEN 2 THEN 'not_applicable' ELSE 'done' END, '', 'system:bench', $3 \
             FROM inspection_targets t CROSS JOIN checklist_items i \
             WHERE t.inspection_id = $1 AND i.checklist_id = $2",
        )
        .bind(inspection.id)
        .bind(checklist)
        .bind(&now)
        .execute(pool)
        .await?
        .rows_affected() as i64
    });
    db_run!(&store.db, |pool| {
        sqlx::query(
            "UPDATE inspection_targets SET revision = 2, \
             state = CASE WHEN id % 5 = 0 THEN 'in_progress' ELSE 'submitted' END, \
             answered = (SELECT COUNT(*) FROM inspection_answers a WHERE a.target_id = inspection_targets.id), \
             points = COALESCE((SELECT CAST(SUM(CASE a.answer WHEN 'done' THEN 2 WHEN 'partial' THEN 1 ELSE 0 END) AS BIGINT) \
                 FROM inspection_answers a WHERE a.target_id = inspection_targets.id), 0), \
             applicable = (SELECT COUNT(*) FROM inspection_answers a WHERE a.target_id = inspection_targets.id \
                 AND a.answer <> 'not_applicable') \
             WHERE inspection_id = $1",
        )
        .bind(inspection.id)
        .execute(pool)
        .await?;
        sqlx::query(
            "UPDATE checklist_items SET \
             answered = (SELECT COUNT(*) FROM inspection_answers a WHERE a.item_id = checklist_items.id), \
             points = COALESCE((SELECT CAST(SUM(CASE a.answer WHEN 'done' THEN 2 WHEN 'partial' THEN 1 ELSE 0 END) AS BIGINT) \
                 FROM inspection_answers a WHERE a.item_id = checklist_items.id), 0), \
             applicable = (SELECT COUNT(*) FROM inspection_answers a WHERE a.item_id = checklist_items.id \
                 AND a.answer <> 'not_applicable'), \
             not_done = (SELECT COUNT(*) FROM inspection_answers a WHERE a.item_id = checklist_items.id \
                 AND a.answer = 'not_done') \
             WHERE checklist_id = $1",
        )
        .bind(checklist)
        .execute(pool)
        .await?;
    });
    let open_unit: i64 = db_run!(&store.db, |pool| {
        sqlx::query_scalar(
            "SELECT unit_id FROM inspection_targets WHERE inspection_id = $1 AND state = 'in_progress' \
             ORDER BY id LIMIT 1",
        )
        .bind(inspection.id)
        .fetch_one(pool)
        .await?
    });
    Ok(InspectionFill {
        inspection: inspection.id,
        template: template.id,
        open_unit,
        units: ids.len(),
        items,
        answers,
    })
}
