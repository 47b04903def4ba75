//! The rows of acknowledgement status (per campaign: person, unit, confirmed
//! at) and training status (per assignment: person, unit, due, completed),
//! limited to a unit and the units below it when asked. Each is read in one
//! query and handed to the caller's writer (the app makes the workbook), then
//! the export is logged.

use super::TrainingScope;
use crate::org::{today, within_pattern};
use crate::{Actor, Store, StoreError, db_run};

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
    /// The acknowledgement status of a campaign, one row per person asked, by
    /// unit and user name, handed to `write` (which makes the file). Once
    /// written, the export is an event of the log.
    pub async fn export_ack_status<T>(
        &self,
        actor: &Actor,
        campaign_id: i64,
        within: Option<i64>,
        write: impl FnOnce(&[Vec<String>]) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
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
        let book = write(&rows)?;
        self.record_export(
            actor,
            "ack_status",
            &serde_json::json!({"format": "xlsx", "campaign_id": campaign_id, "within": within, "rows": rows.len()}),
        )
        .await?;
        Ok(book)
    }

    /// The training status, one row per request of the assignment (or of every
    /// assignment), by course, unit and user name, handed to `write` (which
    /// makes the file). Once written, the export is an event of the log.
    pub async fn export_training_status<T>(
        &self,
        actor: &Actor,
        scope: TrainingScope,
        write: impl FnOnce(&[Vec<String>]) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
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
        let book = write(&rows)?;
        self.record_export(
            actor,
            "training_status",
            &serde_json::json!({"format": "xlsx", "assignment_id": scope.assignment_id, "within": scope.within, "rows": rows.len()}),
        )
        .await?;
        Ok(book)
    }
}
