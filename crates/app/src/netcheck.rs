//! The network checker's runs: recording a check (with the segments file it
//! was checked against) and reading the runs back.

use mamori_authz::Action;
use mamori_store::assets::{NewSegment, SegmentSync};
use mamori_store::netcheck::{NewRun, Run, RunSummary};
use mamori_store::{Page, PageRequest};

use crate::access::{App, Caller, Permit};
use crate::error::{Error, Result};
use crate::ops::outsourcing::ServiceResolution;
use mamori_core::problem::Problem;
use mamori_store::netcheck::ResolvedService;

/// What a person allowed to run the network checker may write: the city's
/// segments file and the runs. Given by [`App::netcheck_scope`] after the
/// permission was decided, before the inputs are read and the check is run.
#[derive(Debug)]
pub struct NetcheckScope<'a> {
    permit: Permit<'a>,
}

impl NetcheckScope<'_> {
    /// Resolves the external services the segments file names as flow
    /// destinations (`destination = "service:<name>"`) against the register,
    /// before the file reaches the checker: each name must be a service
    /// approved for the α' model, with address ranges. Every refusal names
    /// the line and the name. A file that cannot be read yet resolves to
    /// nothing (the checker then reports where it is wrong).
    pub async fn resolve_services(&self, segments_toml: &str) -> Result<ServiceResolution> {
        let Ok(refs) = mamori_netcheck::service_refs(segments_toml) else {
            return Ok(ServiceResolution::default());
        };
        if refs.is_empty() {
            return Ok(ServiceResolution::default());
        }
        let mut names: Vec<String> = refs.iter().map(|r| r.name.clone()).collect();
        names.sort();
        names.dedup();
        let found = self.permit.store().services_named(&names).await?;
        let mut out = ServiceResolution::default();
        let mut problems = Vec::new();
        for r in &refs {
            let refuse = |code: &'static str| {
                Problem::new(code)
                    .field("segments")
                    .row(u64::from(r.line))
                    .with("line", r.line)
                    .with("name", &r.name)
            };
            let named: Vec<_> = found.iter().filter(|s| s.name == r.name).collect();
            let approved: Vec<_> = named.iter().filter(|s| s.alpha_prime).collect();
            let service = match (named.len(), approved.as_slice()) {
                (0, _) => {
                    problems.push(refuse("MAMORI-NETCHECK-SERVICE-UNKNOWN"));
                    continue;
                }
                (_, []) => {
                    problems.push(refuse("MAMORI-NETCHECK-SERVICE-NOT-ALPHA-PRIME"));
                    continue;
                }
                (_, [one]) => *one,
                (_, _) => {
                    problems.push(refuse("MAMORI-NETCHECK-SERVICE-AMBIGUOUS"));
                    continue;
                }
            };
            let ranges: Vec<String> = service.ranges.lines().map(str::to_string).collect();
            if ranges.is_empty() {
                problems.push(refuse("MAMORI-NETCHECK-SERVICE-NO-RANGES"));
                continue;
            }
            out.ranges.insert(r.name.clone(), ranges.clone());
            out.resolved.push(ResolvedService {
                name: r.name.clone(),
                line: r.line,
                service_id: service.id,
                ranges,
            });
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        Ok(out)
    }

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
