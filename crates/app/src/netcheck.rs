//! The network checker's runs: recording a check (with the segments file it
//! was checked against) and reading the runs back.

use mamori_authz::Action;
use mamori_store::assets::{NewSegment, SegmentSync};
use mamori_store::netcheck::{NewRun, Run, RunSummary};
use mamori_store::{Page, PageRequest};

use crate::access::{App, Caller, Permit};
use crate::error::Result;

/// What a person allowed to run the network checker may write: the city's
/// segments file and the runs. Given by [`App::netcheck_scope`] after the
/// permission was decided, before the inputs are read and the check is run.
#[derive(Debug)]
pub struct NetcheckScope<'a> {
    permit: Permit<'a>,
}

impl NetcheckScope<'_> {
    /// Saves the city's segments file (`text`, declaring `declared`) and brings
    /// the record of segments in line with it.
    pub async fn save_segments_file(
        &self,
        text: &str,
        declared: &[NewSegment],
    ) -> Result<SegmentSync> {
        Ok(self
            .permit
            .store()
            .save_segments_file(self.permit.actor(), text, declared)
            .await?)
    }

    /// Records a check: the segments file it was checked against becomes the
    /// city's (the record of segments follows it), then the run and its report.
    pub async fn record_run(&self, declared: &[NewSegment], run: NewRun) -> Result<RunSummary> {
        self.save_segments_file(&run.segments_toml, declared)
            .await?;
        Ok(self
            .permit
            .store()
            .record_netcheck(self.permit.actor(), run)
            .await?)
    }
}

impl App {
    /// The right to save the segments file and record checks, or
    /// [`crate::Error::Forbidden`].
    pub fn netcheck_scope(&self, caller: &Caller) -> Result<NetcheckScope<'_>> {
        Ok(NetcheckScope {
            permit: self.permit_app(caller, Action::RunNetcheck)?,
        })
    }

    /// The runs, optionally of one device, newest first.
    pub async fn netchecks(
        &self,
        caller: &Caller,
        device: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<RunSummary>> {
        let permit = self.permit_app(caller, Action::RunNetcheck)?;
        Ok(permit.store().list_netchecks(device, page).await?)
    }

    /// The devices checked, each with its number of runs.
    pub async fn netcheck_devices(&self, caller: &Caller) -> Result<Vec<(String, i64)>> {
        let permit = self.permit_app(caller, Action::RunNetcheck)?;
        Ok(permit.store().netcheck_devices().await?)
    }

    /// One run with its report.
    pub async fn netcheck(&self, caller: &Caller, id: i64) -> Result<Run> {
        let permit = self.permit_app(caller, Action::RunNetcheck)?;
        Ok(permit.store().netcheck(id).await?)
    }
}
