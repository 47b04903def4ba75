//! Excel workbooks of acknowledgement status (per campaign: person, unit,
//! confirmed at) and training status (per assignment: person, unit, due,
//! completed), limited to a unit and the units below it when asked. Each is read
//! in one query.

use mamori_sheet::WriteError;
use mamori_sheet::status;

use super::TrainingScope;
use crate::org::{today, within_pattern};
use crate::{Actor, Store, StoreError, db_run};

pub use mamori_sheet::status::{ACK_SHEET, TRAINING_SHEET};

/// One sheet of text cells (see [`status::workbook`]), its failures as the
/// store reports them.
fn workbook(
    sheet_name: &str,
    headers: &[(&str, f64)],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, StoreError> {
    status::workbook(sheet_name, headers, rows).map_err(|e| match e {
        WriteError::TooManyRows => StoreError::invalid(
            "rows",
            "Excelの1シートに収まらない件数です / too many rows for one Excel sheet",
        ),
        WriteError::Xlsx(e) | WriteError::Io(e) => {
            StoreError::Internal(format!("cannot write the Excel file: {e}"))
        }
    })
}

type AckRow = (String, String, Option<String>, Option<String>);
type TrainingRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

impl Store {
    /// The acknowledgement status of a campaign as an .xlsx workbook: one row per
    /// person asked, by unit and user name.
    /// The export is an event of the log.
    pub async fn export_ack_status(
        &self,
        actor: &Actor,
        campaign_id: i64,
        within: Option<i64>,
    ) -> Result<Vec<u8>, StoreError> {
        let campaign = self.ack_campaign(campaign_id).await?;
        let pattern = within_pattern(within);
        let rows: Vec<AckRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT u.username, u.display_name, n.name, q.confirmed_at \
                 FROM ack_requests q JOIN users u ON u.id = q.user_id LEFT JOIN units n ON n.id = q.unit_id \
                 WHERE q.campaign_id = $1 AND ($2 = '%' OR n.path LIKE $2) ORDER BY n.path, u.username",
            )
            .bind(campaign_id)
            .bind(&pattern)
            .fetch_all(pool)
            .await?
        });
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|(username, name, unit, at)| {
                vec![
                    campaign.title.clone(),
                    unit.unwrap_or_default(),
                    username,
                    name,
                    if at.is_some() {
                        "確認済"
                    } else {
                        "未確認"
                    }
                    .to_string(),
                    at.unwrap_or_default(),
                ]
            })
            .collect();
        let book = workbook(
            ACK_SHEET,
            &[
                ("誓約 / Campaign", 24.0),
                ("所属 / Unit", 20.0),
                ("ユーザー名 / User name", 16.0),
                ("氏名 / Name", 18.0),
                ("状態 / Status", 10.0),
                ("確認日時 / Confirmed at", 26.0),
            ],
            &rows,
        )?;
        self.record_export(
            actor,
            "ack_status",
            &serde_json::json!({"format": "xlsx", "campaign_id": campaign_id, "within": within, "rows": rows.len()}),
        )
        .await?;
        Ok(book)
    }

    /// The training status as an .xlsx workbook: one row per request of the
    /// assignment (or of every assignment), by course, unit and user name.
    /// The export is an event of the log.
    pub async fn export_training_status(
        &self,
        actor: &Actor,
        scope: TrainingScope,
    ) -> Result<Vec<u8>, StoreError> {
        let pattern = within_pattern(scope.within);
        let rows: Vec<TrainingRow> = db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT c.code, c.title, u.username, u.display_name, n.name, q.due_on, q.completed_on \
                 FROM training_requests q JOIN training_assignments a ON a.id = q.assignment_id \
                 JOIN training_courses c ON c.id = a.course_id JOIN users u ON u.id = q.user_id \
                 LEFT JOIN units n ON n.id = q.unit_id \
                 WHERE ($1 IS NULL OR q.assignment_id = $1) AND ($2 = '%' OR n.path LIKE $2) \
                 ORDER BY c.code, a.id, n.path, u.username",
            )
            .bind(scope.assignment_id)
            .bind(&pattern)
            .fetch_all(pool)
            .await?
        });
        let today = today();
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|(code, title, username, name, unit, due, done)| {
                let status = match &done {
                    Some(_) => "修了",
                    None if due < today => "期限超過",
                    None => "未修了",
                };
                vec![
                    code,
                    title,
                    unit.unwrap_or_default(),
                    username,
                    name,
                    due,
                    status.to_string(),
                    done.unwrap_or_default(),
                ]
            })
            .collect();
        let book = workbook(
            TRAINING_SHEET,
            &[
                ("研修コード / Course code", 14.0),
                ("研修名 / Course", 26.0),
                ("所属 / Unit", 20.0),
                ("ユーザー名 / User name", 16.0),
                ("氏名 / Name", 18.0),
                ("期限 / Due", 12.0),
                ("状態 / Status", 10.0),
                ("修了日 / Completed", 12.0),
            ],
            &rows,
        )?;
        self.record_export(
            actor,
            "training_status",
            &serde_json::json!({"format": "xlsx", "assignment_id": scope.assignment_id, "within": scope.within, "rows": rows.len()}),
        )
        .await?;
        Ok(book)
    }
}
