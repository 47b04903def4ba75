//! Contractors (委託先) and external services (外部サービス), 第8(6): the
//! security office records a contractor (what it does, the systems, the
//! highest confidentiality level it handles, where the data is), evaluates it
//! against the selection criteria, records its contracts (the clauses each
//! contains, checked against the contract requirements: the missing ones are
//! shown, an unknown one is refused), its staff (users of the contractor
//! employment type, or names) and its periodic assessments; and the external
//! services with their ISMAP registration and α' approval. The CISO, the
//! 統括情報セキュリティ責任者 and auditors read them.

use mamori_authz::Action;
use mamori_core::classification::Axis;
use mamori_core::ops::outsourcing::{OutsourcingItem, OutsourcingRules};
use mamori_core::problem::Problem;
use mamori_core::table::LedgerFormat;
pub use mamori_store::ops::outsourcing::AssessmentDue;
use mamori_store::ops::outsourcing::{
    AssessmentInput, AssessmentRecord, ContractInput, ContractRecord, ContractorFilter,
    ContractorInput, ContractorRecord, ContractorStaffRecord, ServiceFilter, ServiceInput,
    ServiceRecord,
};
use mamori_store::{Page, PageRequest};

use super::internal;
use crate::access::{App, Caller};
use crate::error::{Error, Result};

/// What the security office enters for a contractor.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct ContractorForm {
    pub name: String,
    pub business: String,
    pub systems: Vec<i64>,
    /// A confidentiality level of the active scheme ("3", "2" …).
    pub highest_class: String,
    pub data_location: String,
}

/// A contract as entered.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct ContractForm {
    pub title: String,
    /// YYYY-MM-DD (empty: today).
    pub starts_on: String,
    /// YYYY-MM-DD (empty: open-ended).
    pub ends_on: String,
    /// The codes of the contract requirements the contract contains.
    pub clauses: Vec<String>,
}

/// An assessment as entered.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct AssessmentForm {
    /// YYYY-MM-DD (empty: today).
    pub assessed_on: String,
    pub result: String,
    pub follow_up: String,
    /// YYYY-MM-DD, required.
    pub next_due: String,
}

/// An external service as entered.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct ServiceForm {
    pub name: String,
    pub contractor_id: Option<i64>,
    pub cloud: bool,
    pub purpose: String,
    pub systems: Vec<i64>,
    pub highest_class: String,
    pub data_location: String,
    pub ismap: bool,
    pub ismap_id: String,
    pub alpha_prime: bool,
    /// The address ranges it is reached at (CIDR, v4 or v6), for a service
    /// approved for α' that the segments file names as a destination.
    pub ranges: Vec<String>,
}

/// Which contractors a list or an export shows.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct ContractorQuery {
    /// Text in the name or the business.
    pub q: Option<String>,
    /// Works for this information system.
    pub system: Option<i64>,
    /// Handles information of at most this confidentiality level (its code).
    pub class: Option<String>,
    /// Assessment due (or never made) / overdue.
    pub assessment: Option<AssessmentDue>,
    /// Only those with a contract lacking a required clause.
    pub missing_clauses: bool,
}

/// Which external services a list or an export shows.
pub type ServiceQuery = ServiceFilter;

/// A segments file's service names and what they resolved to.
#[derive(Debug, Clone, Default)]
pub struct ServiceResolution {
    /// Name → ranges, for the checker.
    pub ranges: mamori_netcheck::ServiceRanges,
    /// What each name resolved to, for the run's record.
    pub resolved: Vec<mamori_store::netcheck::ResolvedService>,
}

/// A contract with the requirements it lacks.
#[derive(Debug, Clone)]
pub struct ContractView {
    pub contract: ContractRecord,
    pub missing: Vec<OutsourcingItem>,
}

/// A contractor as its page shows it.
#[derive(Debug, Clone)]
pub struct ContractorView {
    pub contractor: ContractorRecord,
    /// Each selection criterion and whether it is met.
    pub criteria: Vec<(OutsourcingItem, bool)>,
    pub contracts: Vec<ContractView>,
    pub staff: Vec<ContractorStaffRecord>,
    pub assessments: Vec<AssessmentRecord>,
    /// Never assessed, or the next assessment is due on or before today.
    pub due: bool,
    pub may_manage: bool,
}

/// What of outsourcing needs attention.
#[derive(Debug, Clone, Default)]
pub struct OutsourcingAttention {
    pub contracts_missing: Vec<ContractView>,
    pub contractors_due: Vec<ContractorRecord>,
}

/// The columns of the contractors register's export.
pub const CONTRACTOR_HEADERS: &[(&str, f64)] = &[
    ("番号 / No.", 8.0),
    ("名称 / Name", 24.0),
    ("業務 / Business", 30.0),
    ("情報システム / Systems", 14.0),
    ("最高機密性 / Highest confidentiality", 10.0),
    ("データの保管場所 / Data location", 20.0),
    ("満たす選定基準 / Criteria met", 30.0),
    ("直近の評価 / Last assessed", 12.0),
    ("次回評価 / Next due", 12.0),
];

/// The columns of the external services register's export.
pub const SERVICE_HEADERS: &[(&str, f64)] = &[
    ("番号 / No.", 8.0),
    ("名称 / Name", 24.0),
    ("提供者 / Provider", 20.0),
    ("クラウド / Cloud", 8.0),
    ("用途 / Purpose", 30.0),
    ("情報システム / Systems", 14.0),
    ("最高機密性 / Highest confidentiality", 10.0),
    ("データの保管場所 / Data location", 20.0),
    ("ISMAP", 8.0),
    ("ISMAP登録番号 / ISMAP number", 16.0),
    ("α'承認 / Approved for α'", 10.0),
    ("アドレス範囲 / Address ranges", 30.0),
];

fn due_on(c: &ContractorRecord, today: &str) -> bool {
    c.next_due.as_deref().is_none_or(|d| d <= today)
}

fn text_field(text: &str, field: &str, code: &'static str, problems: &mut Vec<Problem>) -> String {
    let t = text.trim().to_string();
    if t.is_empty() {
        problems.push(Problem::new(code).field(field));
    }
    t
}

fn date_field(text: &str, field: &str, problems: &mut Vec<Problem>) -> Option<String> {
    super::read_date(text, field, "MAMORI-OUTSOURCING-DATE", problems)
}

/// The service's address ranges, each read as a network (CIDR, v4 or v6);
/// blanks are dropped and repeats kept once.
fn service_ranges(ranges: &[String], problems: &mut Vec<Problem>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in ranges
        .iter()
        .flat_map(|r| r.split([',', '\n', ' ', '\t', '\r']))
    {
        let r = r.trim();
        if r.is_empty() {
            continue;
        }
        if mamori_netcheck::addr::parse_net(r).is_err() {
            problems.push(
                Problem::new("MAMORI-SERVICE-RANGE")
                    .field("ranges")
                    .with("value", r),
            );
        } else if !out.iter().any(|x| x == r) {
            out.push(r.to_string());
        }
    }
    out
}

fn yes(b: bool) -> String {
    if b { "○" } else { "" }.to_string()
}

impl App {
    /// The same app with the city's own selection criteria and/or contract
    /// requirements (copies of the catalogs, e.g. from the data folder):
    /// refused when a code is given twice or an item has no name.
    pub fn with_outsourcing_rules(
        mut self,
        criteria: Option<(&str, &str)>,
        requirements: Option<(&str, &str)>,
    ) -> std::result::Result<App, String> {
        let mut rules = self.ops.outsourcing.clone();
        if let Some((file, text)) = criteria {
            rules.criteria = OutsourcingRules::parse_criteria(file, text)?;
        }
        if let Some((file, text)) = requirements {
            rules.requirements = OutsourcingRules::parse_requirements(file, text)?;
        }
        self.ops = std::sync::Arc::new(super::OpsRuntime {
            deadlines: self.ops.deadlines.clone(),
            outsourcing: rules,
        });
        Ok(self)
    }

    /// The selection criteria and contract requirements in force.
    pub fn outsourcing_rules(&self) -> &OutsourcingRules {
        &self.ops.outsourcing
    }

    /// Whether the person may record contractors and services.
    pub fn may_manage_contractors(&self, caller: &Caller) -> bool {
        self.may_app(caller, Action::ManageContractors)
    }

    async fn class_and_systems(
        &self,
        class: &str,
        systems: &[i64],
        problems: &mut Vec<Problem>,
    ) -> Result<(String, Vec<i64>)> {
        let class = class.trim().to_string();
        let scheme = self.facts().active_scheme().await?;
        if !scheme
            .levels
            .iter()
            .any(|l| l.axis == Axis::Confidentiality && l.code == class)
        {
            problems.push(
                Problem::new("MAMORI-OUTSOURCING-CLASS")
                    .field("highest_class")
                    .with("value", &class),
            );
        }
        let mut systems = systems.to_vec();
        systems.sort_unstable();
        systems.dedup();
        for id in &systems {
            match self.facts().system(*id).await {
                Ok(_) => {}
                Err(mamori_store::StoreError::NotFound { .. }) => problems.push(
                    Problem::new("MAMORI-OUTSOURCING-SYSTEM")
                        .field("systems")
                        .with("id", id),
                ),
                Err(e) => return Err(e.into()),
            }
        }
        Ok((class, systems))
    }

    /// A contractor's fields as entered, checked: every bad field named.
    async fn contractor_input(&self, form: &ContractorForm) -> Result<ContractorInput> {
        let mut problems = Vec::new();
        let name = text_field(
            &form.name,
            "name",
            "MAMORI-OUTSOURCING-NAME-EMPTY",
            &mut problems,
        );
        let business = text_field(
            &form.business,
            "business",
            "MAMORI-CONTRACTOR-BUSINESS-EMPTY",
            &mut problems,
        );
        let data_location = text_field(
            &form.data_location,
            "data_location",
            "MAMORI-OUTSOURCING-LOCATION-EMPTY",
            &mut problems,
        );
        let (highest_class, systems) = self
            .class_and_systems(&form.highest_class, &form.systems, &mut problems)
            .await?;
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        Ok(ContractorInput {
            name,
            business,
            systems,
            highest_class,
            data_location,
        })
    }

    /// Records a contractor, every bad field named.
    pub async fn create_contractor(
        &self,
        caller: &Caller,
        form: &ContractorForm,
    ) -> Result<ContractorRecord> {
        let permit = self.permit_app(caller, Action::ManageContractors)?;
        let input = self.contractor_input(form).await?;
        Ok(permit
            .store()
            .create_contractor(permit.actor(), &input)
            .await?)
    }

    // --- h15b ---
    /// Changes a contractor's own fields (name, business, systems, highest
    /// class, data location) as the security office enters them, checked as
    /// when it was recorded; refused when someone else changed it since
    /// `revision` was read (`MAMORI-CONTRACTOR-STALE`). The event log keeps
    /// the contractor before and after.
    pub async fn update_contractor(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        form: &ContractorForm,
    ) -> Result<ContractorRecord> {
        let permit = self.permit_app(caller, Action::ManageContractors)?;
        self.known_contractor(id).await?;
        let input = self.contractor_input(form).await?;
        Ok(permit
            .store()
            .update_contractor(permit.actor(), id, revision, &input)
            .await?)
    }

    async fn known_contractor(&self, id: i64) -> Result<ContractorRecord> {
        match self.facts().contractor(id).await {
            Err(mamori_store::StoreError::NotFound { .. }) => {
                Err(Error::not_found("contractor", id))
            }
            other => Ok(other?),
        }
    }

    fn contractor_filter(&self, query: &ContractorQuery, today: &str) -> ContractorFilter {
        ContractorFilter {
            q: query.q.clone(),
            system: query.system,
            class: query.class.clone(),
            assessment: query.assessment,
            missing_clauses: query.missing_clauses.then(|| {
                self.ops
                    .outsourcing
                    .requirements
                    .iter()
                    .map(|r| r.code.clone())
                    .collect()
            }),
            today: today.to_string(),
        }
    }

    /// One page of the contractors the query admits (judged on `today`), by name.
    pub async fn list_contractors(
        &self,
        caller: &Caller,
        query: &ContractorQuery,
        today: &str,
        page: PageRequest,
    ) -> Result<Page<ContractorRecord>> {
        let permit = self.permit_app(caller, Action::ReadContractors)?;
        let filter = self.contractor_filter(query, today);
        Ok(permit.store().list_contractors(&filter, page).await?)
    }

    fn contract_view(&self, contract: ContractRecord) -> ContractView {
        let clauses: Vec<&str> = contract.clauses.split_whitespace().collect();
        ContractView {
            missing: self
                .ops
                .outsourcing
                .missing(&clauses)
                .into_iter()
                .cloned()
                .collect(),
            contract,
        }
    }

    /// One contractor with its criteria, contracts (and what each lacks),
    /// staff and assessments, judged on `today`.
    pub async fn contractor_view(
        &self,
        caller: &Caller,
        id: i64,
        today: &str,
    ) -> Result<ContractorView> {
        let permit = self.permit_app(caller, Action::ReadContractors)?;
        let contractor = self.known_contractor(id).await?;
        let store = permit.store();
        let met: Vec<&str> = contractor.criteria_met.split_whitespace().collect();
        let criteria = self
            .ops
            .outsourcing
            .criteria
            .iter()
            .map(|c| (c.clone(), met.contains(&c.code.as_str())))
            .collect();
        let contracts = store
            .contracts(Some(id))
            .await?
            .into_iter()
            .map(|c| self.contract_view(c))
            .collect();
        Ok(ContractorView {
            criteria,
            contracts,
            staff: store.contractor_staff(id).await?,
            assessments: store.contractor_assessments(id).await?,
            due: due_on(&contractor, today),
            may_manage: self.may_manage_contractors(caller),
            contractor,
        })
    }

    /// Records which selection criteria a contractor meets; a code that is
    /// not a criterion in force is refused.
    pub async fn set_contractor_criteria(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        met: &[String],
        note: &str,
    ) -> Result<ContractorRecord> {
        let permit = self.permit_app(caller, Action::ManageContractors)?;
        self.known_contractor(id).await?;
        let mut codes: Vec<String> = Vec::new();
        let mut problems = Vec::new();
        for code in met.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            if !self.ops.outsourcing.criteria.iter().any(|c| c.code == code) {
                problems.push(
                    Problem::new("MAMORI-CONTRACTOR-CRITERION-UNKNOWN")
                        .field("met")
                        .with("value", code),
                );
            } else if !codes.iter().any(|c| c == code) {
                codes.push(code.to_string());
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        Ok(permit
            .store()
            .set_contractor_criteria(permit.actor(), id, revision, &codes, note.trim())
            .await?)
    }

    /// Records a contract of a contractor; a clause that is not a
    /// requirement the city has is refused.
    pub async fn add_contract(
        &self,
        caller: &Caller,
        contractor_id: i64,
        form: &ContractForm,
        today: &str,
    ) -> Result<ContractView> {
        let permit = self.permit_app(caller, Action::ManageContractors)?;
        self.known_contractor(contractor_id).await?;
        let mut problems = Vec::new();
        let title = text_field(
            &form.title,
            "title",
            "MAMORI-CONTRACT-TITLE-EMPTY",
            &mut problems,
        );
        let starts_on =
            date_field(&form.starts_on, "starts_on", &mut problems).unwrap_or(today.to_string());
        let ends_on = date_field(&form.ends_on, "ends_on", &mut problems);
        if let Some(end) = &ends_on
            && *end < starts_on
        {
            problems.push(Problem::new("MAMORI-OUTSOURCING-END-BEFORE-START").field("ends_on"));
        }
        let mut clauses: Vec<String> = Vec::new();
        for code in form
            .clauses
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
        {
            if self.ops.outsourcing.requirement(code).is_none() {
                problems.push(
                    Problem::new("MAMORI-CONTRACT-REQUIREMENT-UNKNOWN")
                        .field("clauses")
                        .with("value", code),
                );
            } else if !clauses.iter().any(|c| c == code) {
                clauses.push(code.to_string());
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        let input = ContractInput {
            title,
            starts_on,
            ends_on,
            clauses,
        };
        let contract = permit
            .store()
            .create_contract(permit.actor(), contractor_id, &input)
            .await?;
        Ok(self.contract_view(contract))
    }

    /// Adds one of the contractor's staff: a user of the contractor
    /// employment type (by user name), or a name.
    pub async fn add_contractor_staff(
        &self,
        caller: &Caller,
        contractor_id: i64,
        username: &str,
        name: &str,
    ) -> Result<i64> {
        let permit = self.permit_app(caller, Action::ManageContractors)?;
        self.known_contractor(contractor_id).await?;
        let username = username.trim();
        let name = name.trim();
        let mut user_id = None;
        if !username.is_empty() {
            match self.facts().user_by_name(username).await? {
                Some(u) if u.employment_type == "contractor" => user_id = Some(u.id),
                Some(_) => {
                    return Err(Problem::new("MAMORI-CONTRACTOR-STAFF-TYPE")
                        .field("username")
                        .with("value", username)
                        .into());
                }
                None => {
                    return Err(Problem::new("MAMORI-CONTRACTOR-STAFF-USER")
                        .field("username")
                        .with("value", username)
                        .into());
                }
            }
        } else if name.is_empty() {
            return Err(Problem::new("MAMORI-CONTRACTOR-STAFF-EMPTY")
                .field("name")
                .into());
        }
        Ok(permit
            .store()
            .add_contractor_staff(permit.actor(), contractor_id, user_id, name)
            .await?)
    }

    /// Records a periodic assessment of a contractor.
    pub async fn add_contractor_assessment(
        &self,
        caller: &Caller,
        contractor_id: i64,
        form: &AssessmentForm,
        today: &str,
    ) -> Result<i64> {
        let permit = self.permit_app(caller, Action::ManageContractors)?;
        self.known_contractor(contractor_id).await?;
        let mut problems = Vec::new();
        let assessed_on = date_field(&form.assessed_on, "assessed_on", &mut problems)
            .unwrap_or(today.to_string());
        let result = text_field(
            &form.result,
            "result",
            "MAMORI-ASSESSMENT-RESULT-EMPTY",
            &mut problems,
        );
        let next_due = date_field(&form.next_due, "next_due", &mut problems);
        if form.next_due.trim().is_empty() {
            problems.push(Problem::new("MAMORI-ASSESSMENT-NEXT-REQUIRED").field("next_due"));
        }
        if let Some(next) = &next_due
            && *next <= assessed_on
        {
            problems.push(Problem::new("MAMORI-OUTSOURCING-END-BEFORE-START").field("next_due"));
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        let input = AssessmentInput {
            assessed_on,
            result,
            follow_up: form.follow_up.trim().to_string(),
            next_due: next_due.unwrap_or_default(),
        };
        Ok(permit
            .store()
            .add_assessment(permit.actor(), caller.user.id, contractor_id, &input)
            .await?)
    }

    /// An external service as entered, checked: every bad field named;
    /// approval for α' needs, for a cloud service, its ISMAP registration.
    async fn service_input(&self, form: &ServiceForm) -> Result<ServiceInput> {
        let mut problems = Vec::new();
        let name = text_field(
            &form.name,
            "name",
            "MAMORI-OUTSOURCING-NAME-EMPTY",
            &mut problems,
        );
        let purpose = text_field(
            &form.purpose,
            "purpose",
            "MAMORI-SERVICE-PURPOSE-EMPTY",
            &mut problems,
        );
        let data_location = text_field(
            &form.data_location,
            "data_location",
            "MAMORI-OUTSOURCING-LOCATION-EMPTY",
            &mut problems,
        );
        let (highest_class, systems) = self
            .class_and_systems(&form.highest_class, &form.systems, &mut problems)
            .await?;
        if let Some(id) = form.contractor_id {
            match self.facts().contractor(id).await {
                Ok(_) => {}
                Err(mamori_store::StoreError::NotFound { .. }) => problems.push(
                    Problem::new("MAMORI-SERVICE-CONTRACTOR")
                        .field("contractor_id")
                        .with("id", id),
                ),
                Err(e) => return Err(e.into()),
            }
        }
        let ismap_id = form.ismap_id.trim().to_string();
        if form.ismap && ismap_id.is_empty() {
            problems.push(Problem::new("MAMORI-SERVICE-ISMAP-ID").field("ismap_id"));
        }
        if form.alpha_prime && form.cloud && !form.ismap {
            problems.push(Problem::new("MAMORI-SERVICE-ALPHA-PRIME-ISMAP").field("alpha_prime"));
        }
        let ranges = service_ranges(&form.ranges, &mut problems);
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        Ok(ServiceInput {
            name,
            contractor_id: form.contractor_id,
            cloud: form.cloud,
            purpose,
            systems,
            highest_class,
            data_location,
            ismap: form.ismap,
            ismap_id,
            alpha_prime: form.alpha_prime,
            ranges,
        })
    }

    /// Records an external service; approval for α' needs, for a cloud
    /// service, its ISMAP registration.
    pub async fn create_service(
        &self,
        caller: &Caller,
        form: &ServiceForm,
    ) -> Result<ServiceRecord> {
        let permit = self.permit_app(caller, Action::ManageContractors)?;
        let input = self.service_input(form).await?;
        Ok(permit
            .store()
            .create_service(permit.actor(), &input)
            .await?)
    }

    // --- h15b ---
    /// Changes an external service (what it is, its provider, the systems it
    /// serves, the highest class, where the data is, its ISMAP registration,
    /// its α' approval and the address ranges the network checker resolves
    /// its name to), checked as when it was recorded; refused when someone
    /// else changed it since `revision` was read (`MAMORI-SERVICE-STALE`).
    /// The event log keeps the service before and after.
    pub async fn update_service(
        &self,
        caller: &Caller,
        id: i64,
        revision: i64,
        form: &ServiceForm,
    ) -> Result<ServiceRecord> {
        let permit = self.permit_app(caller, Action::ManageContractors)?;
        self.known_service(id).await?;
        let input = self.service_input(form).await?;
        Ok(permit
            .store()
            .update_service(permit.actor(), id, revision, &input)
            .await?)
    }

    async fn known_service(&self, id: i64) -> Result<ServiceRecord> {
        match self.facts().service(id).await {
            Err(mamori_store::StoreError::NotFound { .. }) => Err(Error::not_found("service", id)),
            other => Ok(other?),
        }
    }

    /// One external service.
    pub async fn service(&self, caller: &Caller, id: i64) -> Result<ServiceRecord> {
        self.permit_app(caller, Action::ReadContractors)?;
        self.known_service(id).await
    }

    /// One page of the external services the query admits, by name.
    pub async fn list_services(
        &self,
        caller: &Caller,
        query: &ServiceQuery,
        page: PageRequest,
    ) -> Result<Page<ServiceRecord>> {
        let permit = self.permit_app(caller, Action::ReadContractors)?;
        Ok(permit.store().list_services(query, page).await?)
    }

    /// Contracts lacking required clauses and contractors due for an
    /// assessment on `today`, for those who may read contractors (empty for
    /// others).
    pub async fn outsourcing_attention(
        &self,
        caller: &Caller,
        today: &str,
    ) -> Result<OutsourcingAttention> {
        if !self.may_app(caller, Action::ReadContractors) {
            return Ok(OutsourcingAttention::default());
        }
        let store = self.facts();
        let contracts_missing = store
            .contracts(None)
            .await?
            .into_iter()
            .map(|c| self.contract_view(c))
            .filter(|v| !v.missing.is_empty())
            .collect();
        let contractors_due = store
            .all_contractors()
            .await?
            .into_iter()
            .filter(|c| due_on(c, today))
            .collect();
        Ok(OutsourcingAttention {
            contracts_missing,
            contractors_due,
        })
    }

    /// The contractors as an .xlsx or CSV file.
    pub async fn export_contractors(
        &self,
        caller: &Caller,
        format: LedgerFormat,
        query: &ContractorQuery,
        today: &str,
    ) -> Result<Vec<u8>> {
        let permit = self.permit_app(caller, Action::ReadContractors)?;
        let filter = self.contractor_filter(query, today);
        let rows: Vec<Vec<String>> = permit
            .store()
            .filtered_contractors(&filter)
            .await?
            .iter()
            .map(|c| {
                let met: Vec<&str> = c.criteria_met.split_whitespace().collect();
                let names: Vec<&str> = self
                    .ops
                    .outsourcing
                    .criteria
                    .iter()
                    .filter(|i| met.contains(&i.code.as_str()))
                    .map(|i| i.name.as_str())
                    .collect();
                vec![
                    c.id.to_string(),
                    c.name.clone(),
                    c.business.clone(),
                    c.systems.clone(),
                    c.highest_class.clone(),
                    c.data_location.clone(),
                    names.join("、"),
                    c.last_assessed.clone().unwrap_or_default(),
                    c.next_due.clone().unwrap_or_default(),
                ]
            })
            .collect();
        match format {
            LedgerFormat::Xlsx => {
                mamori_sheet::status::workbook("委託先", CONTRACTOR_HEADERS, &rows)
            }
            LedgerFormat::Csv => mamori_sheet::status::escaped_csv(CONTRACTOR_HEADERS, &rows),
        }
        .map_err(internal)
    }

    /// The external services as an .xlsx or CSV file.
    pub async fn export_services(
        &self,
        caller: &Caller,
        format: LedgerFormat,
        query: &ServiceQuery,
    ) -> Result<Vec<u8>> {
        let permit = self.permit_app(caller, Action::ReadContractors)?;
        let rows: Vec<Vec<String>> = permit
            .store()
            .all_services(query)
            .await?
            .iter()
            .map(|s| {
                vec![
                    s.id.to_string(),
                    s.name.clone(),
                    s.contractor_name.clone().unwrap_or_default(),
                    yes(s.cloud),
                    s.purpose.clone(),
                    s.systems.clone(),
                    s.highest_class.clone(),
                    s.data_location.clone(),
                    yes(s.ismap),
                    s.ismap_id.clone(),
                    yes(s.alpha_prime),
                    s.ranges.lines().collect::<Vec<_>>().join(" "),
                ]
            })
            .collect();
        match format {
            LedgerFormat::Xlsx => {
                mamori_sheet::status::workbook("外部サービス", SERVICE_HEADERS, &rows)
            }
            LedgerFormat::Csv => mamori_sheet::status::escaped_csv(SERVICE_HEADERS, &rows),
        }
        .map_err(internal)
    }
}
