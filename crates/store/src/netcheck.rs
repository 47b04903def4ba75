//! The history of firewall checks per device, and the city's segments file.
//! The checking itself is `mamori-netcheck`'s; this keeps what it found.

use crate::events::{Entity, Verb};
use mamori_core::problem::Problem;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Actor, Page, PageRequest, Store, StoreError, db_run, now_rfc3339, tx_run};

/// The setting that holds the city's segments file (TOML).
pub const SEGMENTS_SETTING: &str = "netcheck.segments_toml";

/// A check as listed.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, PartialEq)]
pub struct RunSummary {
    pub id: i64,
    pub device: String,
    /// The configuration files checked, comma-separated.
    pub files: String,
    pub model: String,
    pub at: String,
    pub actor: String,
    pub clean: bool,
    pub complete: bool,
    pub violations: i64,
    pub shadowed: i64,
    pub config_sha256: String,
}

/// A check with its whole report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Run {
    #[serde(flatten)]
    pub summary: RunSummary,
    pub segments_toml: String,
    pub report_json: String,
    /// What the services named in the segments file resolved to.
    pub services: Vec<ResolvedService>,
}

/// An external service named as a flow's destination in the segments file
/// (`destination = "service:<name>"`), as the register resolved it when the
/// check ran.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ResolvedService {
    /// The name as written in the file.
    pub name: String,
    /// The line of the flow's `destination`.
    pub line: u32,
    /// The external service it resolved to.
    pub service_id: i64,
    /// Its address ranges at the time of the check.
    pub ranges: Vec<String>,
}

/// What a finished check records.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub device: String,
    pub files: Vec<String>,
    pub config_texts: Vec<String>,
    pub model: String,
    pub clean: bool,
    pub complete: bool,
    pub violations: i64,
    pub shadowed: i64,
    pub segments_toml: String,
    pub report_json: String,
    /// What the services named in the segments file resolved to.
    pub services: Vec<ResolvedService>,
}

macro_rules! select_runs {
    ($rest:literal) => {
        concat!(
            "SELECT id, device, files, model, at, actor, clean, complete, violations, shadowed, config_sha256 FROM netcheck_runs ",
            $rest
        )
    };
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Internal(format!("resolved services: {e}"))
}

impl Store {
    /// Records a check and its report.
    pub async fn record_netcheck(
        &self,
        actor: &Actor,
        run: NewRun,
    ) -> Result<RunSummary, StoreError> {
        let device = run.device.trim().to_string();
        if device.is_empty() {
            return Err(Problem::new("MAMORI-NETCHECK-DEVICE-EMPTY")
                .field("device")
                .into());
        }
        let mut hasher = Sha256::new();
        for text in &run.config_texts {
            hasher.update(text.as_bytes());
        }
        let sha = hex::encode(hasher.finalize());
        let at = now_rfc3339();
        let files = run.files.join(", ");
        let services = serde_json::to_string(&run.services).map_err(json_err)?;
        let mut tx = self.db.begin().await?;
        let id: i64 = tx_run!(&mut tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO netcheck_runs (device, files, model, at, actor, clean, complete, violations, shadowed, config_sha256, segments_toml, report_json, resolved_services) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            )
            .bind(&device)
            .bind(&files)
            .bind(&run.model)
            .bind(&at)
            .bind(actor.label())
            .bind(run.clean)
            .bind(run.complete)
            .bind(run.violations)
            .bind(run.shadowed)
            .bind(&sha)
            .bind(&run.segments_toml)
            .bind(&run.report_json)
            .bind(&services)
            .fetch_one(&mut *c)
            .await?
        });
        let summary = RunSummary {
            id,
            device,
            files,
            model: run.model,
            at,
            actor: actor.label(),
            clean: run.clean,
            complete: run.complete,
            violations: run.violations,
            shadowed: run.shadowed,
            config_sha256: sha,
        };
        // The event keeps what the service names resolved to beside the
        // summary (an empty list adds nothing, so older events read the same).
        let mut logged = serde_json::to_value(&summary).map_err(json_err)?;
        if !run.services.is_empty() {
            logged["services"] = serde_json::to_value(&run.services).map_err(json_err)?;
        }
        tx.append_event(
            actor,
            Entity::NetcheckRun,
            id,
            Verb::Create,
            None::<&()>,
            Some(&logged),
        )
        .await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The checks, newest first, optionally of one device.
    pub async fn list_netchecks(
        &self,
        device: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<RunSummary>, StoreError> {
        let device = device.unwrap_or("").trim().to_string();
        let (items, total) = db_run!(&self.db, |pool| {
            let items: Vec<RunSummary> = sqlx::query_as(select_runs!(
                "WHERE ($1 = '' OR device = $1) ORDER BY id DESC LIMIT $2 OFFSET $3"
            ))
            .bind(&device)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM netcheck_runs WHERE ($1 = '' OR device = $1)",
            )
            .bind(&device)
            .fetch_one(pool)
            .await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    /// The devices that have been checked, with their number of checks.
    pub async fn netcheck_devices(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(db_run!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT device, COUNT(*) FROM netcheck_runs GROUP BY device ORDER BY device",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// One check with its report.
    pub async fn netcheck(&self, id: i64) -> Result<Run, StoreError> {
        let summary: Option<RunSummary> = db_run!(&self.db, |pool| {
            sqlx::query_as(select_runs!("WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        let summary = summary.ok_or_else(|| StoreError::not_found("netcheck run", id))?;
        let (segments_toml, report_json, services): (String, String, String) = db_run!(
            &self.db,
            |pool| {
                sqlx::query_as("SELECT segments_toml, report_json, resolved_services FROM netcheck_runs WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await?
            }
        );
        Ok(Run {
            summary,
            segments_toml,
            report_json,
            services: serde_json::from_str(&services).map_err(json_err)?,
        })
    }
}
