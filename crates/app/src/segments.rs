//! The network segments and the information systems in them, and the city's
//! segments file (the one record the asset register and the network checker
//! share). Address ranges and interfaces are shown to those who may run the
//! network checker.

use mamori_authz::Action;
use mamori_store::assets::{Segment, SegmentUsage, SystemLine};
use mamori_store::{Page, PageRequest};

use crate::access::{App, Caller};
use crate::error::Result;

/// What the city's segments file is made from: the file last saved, and the
/// record of segments (to write one from when none was saved).
#[derive(Debug, Clone)]
pub struct SegmentsSource {
    pub saved: Option<String>,
    pub record: Vec<Segment>,
}

impl App {
    /// Whether the person sees the segments' address ranges and interfaces.
    pub fn sees_segment_details(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::RunNetcheck)
    }

    /// The segments with the number of systems and assets in each; ranges and
    /// interfaces only for those who may run the network checker.
    pub async fn segment_usage(&self, caller: &Caller) -> Result<Vec<SegmentUsage>> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        let mut items = permit.store().segment_usage().await?;
        if !self.sees_segment_details(caller) {
            for s in &mut items {
                s.segment.ranges.clear();
                s.segment.interfaces.clear();
            }
        }
        Ok(items)
    }

    /// The information systems, optionally of one segment, one page.
    pub async fn information_systems(
        &self,
        caller: &Caller,
        segment: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<SystemLine>> {
        let permit = self.permit_app(caller, Action::ReadCatalog)?;
        Ok(permit
            .store()
            .list_information_systems(segment, page)
            .await?)
    }

    /// What the city's segments file is made from.
    pub async fn segments_source(&self, caller: &Caller) -> Result<SegmentsSource> {
        let permit = self.permit_app(caller, Action::RunNetcheck)?;
        let store = permit.store();
        let saved = store
            .setting(mamori_store::netcheck::SEGMENTS_SETTING)
            .await?;
        let record = match saved {
            Some(_) => Vec::new(),
            None => store.segments().await?,
        };
        Ok(SegmentsSource { saved, record })
    }
}
