//! The HTML pages. Each handler asks the policy, reads the store, and renders one
//! askama template inside the common layout ([`Chrome`]).

mod admin;
mod assets;
mod catalog;
pub(crate) mod charts;
mod dashboard;
pub(crate) mod events;
mod netcheck;
mod org;
mod orgadmin;
mod policy;
mod policy_docs;
// Risk analysis and treatment (issue 13, part 2).
mod risk;
mod segments;
// Information systems, control status and evidence (issue 13, part 1).
mod controls;
mod session;
mod training;
// --- Audits and self-inspections (第10; issue 14) ---
mod audits;
// --- operations (issue 15) ---
mod ops;
// --- people first (issue 17) ---
mod people;
// --- audit2 ---
mod audit_programmes;
mod findings;
// --- ops2 ---
mod ops2;
pub mod refill;
// --- h14 ---
mod audit_reports;

use axum::Router;
use axum::routing::{get, post};
use mamori_authz::Action;
use tower_sessions::Session;

use crate::auth::{Authed, csrf_token, urlencode};
use crate::error::AppResult;
use crate::i18n::{Lang, T};
use crate::state::AppState;

pub use assets::LEDGER_UPLOAD_LIMIT;

/// The pages' routes; the import forms take bodies up to `upload_limit` bytes.
pub fn routes(upload_limit: usize) -> Router<AppState> {
    let upload = || axum::extract::DefaultBodyLimit::max(upload_limit);
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/lang/{lang}", get(session::switch_lang))
        .route(
            "/account/password",
            get(session::password_form).post(session::change_password),
        )
        .route("/policy", get(policy::index))
        .route("/policy/{code}", get(policy::document))
        .route("/threats", get(catalog::threats))
        // Risk analysis and treatment (issue 13, part 2).
        .route("/risks", get(risk::index))
        .route("/risks/recompute", post(risk::recompute))
        .route("/risks/export", get(risk::export))
        .route("/risks/matrix", post(risk::activate_matrix))
        .route("/risks/matrices", post(risk::save_matrix))
        .route("/risks/approach", post(risk::set_approach))
        .route("/risks/{id}", get(risk::show))
        .route("/risks/{id}/treatment", post(risk::treat))
        .route("/risks/{id}/approve", post(risk::approve))
        .route("/risks/{id}/revoke", post(risk::revoke))
        .route(
            "/assets/{id}/threats",
            get(risk::asset_threats).post(risk::decide),
        )
        .route("/controls", get(catalog::controls))
        .route("/classification", get(catalog::classification))
        .route("/classification/active", post(catalog::set_active))
        .route("/classification/raise", post(catalog::set_raise))
        .route("/units", get(admin::units).post(admin::create_unit))
        .route("/users", get(admin::users).post(admin::create_user))
        .route("/users/new", get(admin::new_user_form))
        .route(
            "/users/{id}",
            get(admin::edit_user_form).post(admin::update_user),
        )
        .route("/users/{id}/password", post(admin::reset_password))
        .route("/users/{id}/staff", get(org::staff).post(org::save_staff))
        .route("/users/{id}/staff/roles", post(org::assign))
        .route(
            "/users/{id}/staff/roles/{assignment}/end",
            post(org::end_assignment),
        )
        .route("/acknowledgements", get(org::show))
        .route("/acknowledgements/campaigns", post(org::open))
        .route("/acknowledgements/{id}/confirm", post(org::confirm))
        .route("/events", get(events::events))
        .route("/events/verify", post(events::verify))
        .route("/authz", get(admin::authz_policies))
        .route("/assets", get(assets::list))
        .route("/assets/new", get(assets::new_form).post(assets::create))
        .route("/assets/export", get(assets::export))
        .route(
            "/assets/import",
            get(assets::import_form)
                .post(assets::import)
                .layer(upload()),
        )
        .route("/assets/{id}", get(assets::show))
        .route("/segments", get(segments::show))
        .route("/segments/file", post(segments::save_file))
        .route(
            "/assets/{id}/{action}",
            get(assets::existing_form).post(assets::write_existing),
        )
        .route("/netcheck", get(netcheck::show).post(netcheck::run))
        .route("/netcheck/runs/{id}", get(netcheck::show_run))
        // orgimport: the organisation from the HR system's export, a unit's history.
        .route(
            "/org/import",
            get(orgadmin::import_form)
                .post(orgadmin::import)
                .layer(upload()),
        )
        .route("/units/{id}", get(orgadmin::unit))
        .route("/units/{id}/{what}", post(orgadmin::change_unit))
        // Training (第8(2)).
        .route("/training", get(training::show))
        .route(
            "/training/courses",
            get(training::courses).post(training::create_course),
        )
        .route(
            "/training/assignments",
            get(training::assignments).post(training::assign),
        )
        .route("/training/assignments/due", post(training::change_due))
        .route("/training/assignments/withdraw", post(training::withdraw))
        .route("/training/courses/edit", post(training::edit_course))
        .route("/training/completions", post(training::record))
        .route(
            "/training/import",
            get(training::import_form)
                .post(training::import)
                .layer(upload()),
        )
        // --- h17ui: the training pages split by task ---
        .route("/training/status", get(training::status))
        .route("/classification/confirm", get(catalog::confirm_active))
        // Policy documents kept as versions (第9, 附則).
        .route(
            "/policy-documents",
            get(policy_docs::index).post(policy_docs::create),
        )
        .route(
            "/policy-documents/import",
            post(policy_docs::import).layer(upload()),
        )
        .route(
            "/policy-documents/import-file",
            post(policy_docs::import_file).layer(upload()),
        )
        .route("/policy-documents/{code}", get(policy_docs::document))
        .route("/policy-coverage", get(policy_docs::coverage))
        .route(
            "/policy-documents/generate-standards",
            post(policy_docs::generate_standards),
        )
        .route(
            "/policy-documents/{code}/drafts",
            post(policy_docs::new_draft),
        )
        .route(
            "/policy-documents/{code}/compare",
            get(policy_docs::compare),
        )
        .route(
            "/policy-documents/{code}/compare/file.{ext}",
            get(policy_docs::compare_download),
        )
        .route(
            "/policy-documents/{code}/compare/print",
            get(policy_docs::compare_print),
        )
        .route(
            "/policy-documents/{code}/versions/{n}",
            get(policy_docs::version),
        )
        .route(
            "/policy-documents/{code}/versions/{n}/provisions/{key}",
            get(policy_docs::edit_form).post(policy_docs::save),
        )
        .route(
            "/policy-documents/{code}/versions/{n}/submit",
            post(policy_docs::submit),
        )
        .route(
            "/policy-documents/{code}/versions/{n}/withdraw",
            post(policy_docs::withdraw),
        )
        .route(
            "/policy-documents/{code}/versions/{n}/comments",
            post(policy_docs::comment),
        )
        .route(
            "/policy-documents/{code}/versions/{n}/comments/{id}",
            post(policy_docs::answer),
        )
        .route(
            "/policy-documents/{code}/versions/{n}/approve",
            post(policy_docs::approve),
        )
        // Information systems, the city's controls, control status and evidence (issue 13, part 1).
        .route(
            "/systems",
            get(controls::systems).post(controls::create_system),
        )
        .route("/systems/new", get(controls::new_system))
        .route("/systems/export", get(controls::export_systems))
        .route(
            "/systems/import",
            post(controls::import_systems).layer(upload()),
        )
        .route(
            "/systems/{id}",
            get(controls::system).post(controls::update_system),
        )
        .route("/systems/{id}/edit", get(controls::edit_system))
        .route("/systems/{id}/retire", post(controls::retire_system))
        .route(
            "/controls/new",
            get(controls::new_control).post(controls::create_control),
        )
        .route("/controls/{code}", get(controls::control))
        .route(
            "/controls/{code}/edit",
            get(controls::edit_control).post(controls::update_control),
        )
        .route("/controls/{code}/retire", post(controls::retire_control))
        .route("/control-status", get(controls::scope_view))
        .route(
            "/control-status/edit",
            get(controls::status_form).post(controls::save_status),
        )
        .route("/control-status/export", get(controls::export_status))
        .route(
            "/control-status/import",
            post(controls::import_status).layer(upload()),
        )
        .route("/control-status/{id}", get(controls::status))
        .route(
            "/control-status/{id}/evidence",
            post(controls::attach).layer(upload()),
        )
        .route("/evidence/{id}", get(controls::evidence))
        // --- Audits and self-inspections (第10; issue 14) ---
        .route("/audits", get(audits::index))
        .route(
            "/audits/checklists",
            get(audits::checklists).post(audits::create_checklist),
        )
        .route("/audits/checklists/{id}", get(audits::checklist))
        .route("/audits/checklists/{id}/items", post(audits::save_item))
        .route("/audits/new", get(audits::new_inspection))
        .route("/audits/inspections", post(audits::open_inspection))
        .route("/audits/inspections/{id}", get(audits::inspection))
        .route("/audits/inspections/{id}/remind", post(audits::remind))
        .route("/audits/inspections/{id}/results", get(audits::results))
        .route(
            "/audits/inspections/{id}/units/{unit}",
            get(audits::questionnaire).post(audits::save_answers),
        )
        .route(
            "/audits/inspections/{id}/units/{unit}/return",
            post(audits::return_answers),
        )
        .route(
            "/audits/inspections/{id}/units/{unit}/questionnaire.xlsx",
            get(audits::questionnaire_xlsx),
        )
        .route(
            "/audits/inspections/{id}/units/{unit}/upload",
            post(audits::upload_questionnaire).layer(upload()),
        )
        .route(
            "/audits/inspections/{id}/units/{unit}/evidence",
            post(audits::attach_evidence).layer(upload()),
        )
        // --- operations (issue 15): attention, incidents, exceptions ---
        .route("/attention", get(ops::attention))
        .route("/incidents", get(ops::incidents).post(ops::report))
        .route("/incidents/new", get(ops::new_incident))
        .route("/incidents/export", get(ops::export_incidents))
        .route("/incidents/{id}", get(ops::incident))
        .route("/incidents/{id}/escalate", post(ops::escalate))
        .route("/incidents/{id}/actions", post(ops::add_action))
        .route("/incidents/{id}/assessment", post(ops::assess))
        .route("/incidents/{id}/reports", post(ops::record_report))
        .route("/incidents/{id}/close", post(ops::close))
        .route(
            "/exceptions",
            get(ops::exceptions).post(ops::request_exception),
        )
        .route("/exceptions/new", get(ops::new_exception))
        .route("/exceptions/export", get(ops::export_exceptions))
        .route("/exceptions/{id}", get(ops::exception))
        .route("/exceptions/{id}/decision", post(ops::decide))
        .route("/exceptions/{id}/renewal", post(ops::renew))
        // --- people first (issue 17): classification requests, notices, mail ---
        .route("/classification-requests", get(people::requests))
        .route("/classification-requests/{id}", get(people::request))
        .route(
            "/classification-requests/{id}/decision",
            post(people::decide),
        )
        .route("/notices", get(people::notices))
        .route("/notices/read", post(people::read))
        .route("/admin/mail", get(people::mail))
        .route("/admin/mail/{id}/retry", post(people::retry_mail))
        // --- audit2: findings and corrective actions ---
        .route("/findings", get(findings::list).post(findings::create))
        .route("/findings/export", get(findings::export))
        .route("/findings/{id}", get(findings::finding))
        .route("/findings/{id}/{what}", post(findings::step))
        .route(
            "/audits/inspections/{id}/findings",
            get(findings::inspection).post(findings::raise_inspection),
        )
        .route("/audits/inspections/{id}/waivers", post(findings::waive))
        .route(
            "/audits/programme",
            get(audit_programmes::programme).post(audit_programmes::create_programme),
        )
        .route(
            "/audits/programme/audits",
            post(audit_programmes::create_audit),
        )
        .route("/audits/{id}", get(audit_programmes::audit))
        .route("/audits/{id}/status", post(audit_programmes::set_status))
        .route(
            "/audits/{id}/results",
            post(audit_programmes::record_result),
        )
        .route(
            "/audits/{id}/evidence",
            post(audit_programmes::attach_evidence).layer(upload()),
        )
        // --- ops2: permissions, violations ---
        .route(
            "/permissions",
            get(ops2::permissions).post(ops2::request_permission),
        )
        .route("/permissions/new", get(ops2::new_permission))
        .route("/permissions/export", get(ops2::export_permissions))
        .route("/permissions/{id}", get(ops2::permission))
        .route("/permissions/{id}/decision", post(ops2::decide_permission))
        .route("/permissions/{id}/return", post(ops2::return_permission))
        .route(
            "/violations",
            get(ops2::violations).post(ops2::record_violation),
        )
        .route("/violations/new", get(ops2::new_violation))
        .route("/violations/export", get(ops2::export_violations))
        .route("/violations/{id}", get(ops2::violation))
        .route(
            "/contractors",
            get(ops2::contractors).post(ops2::create_contractor),
        )
        .route("/contractors/export", get(ops2::export_contractors))
        .route(
            "/contractors/{id}",
            get(ops2::contractor).post(ops2::update_contractor),
        )
        .route("/contractors/{id}/criteria", post(ops2::set_criteria))
        .route("/contractors/{id}/contracts", post(ops2::add_contract))
        .route("/contractors/{id}/staff", post(ops2::add_staff))
        .route("/contractors/{id}/assessments", post(ops2::add_assessment))
        .route("/services", get(ops2::services).post(ops2::create_service))
        .route("/services/export", get(ops2::export_services))
        .route(
            "/services/{id}",
            get(ops2::service).post(ops2::update_service),
        )
        .route("/plans", get(ops2::plans).post(ops2::create_plan))
        .route("/plans/{id}", get(ops2::plan))
        .route("/plans/{id}/drills", post(ops2::record_drill))
        .route("/plans/{id}/incidents", post(ops2::link_incident))
        // --- h14: reports for the CISO and the committee ---
        .route(
            "/audits/inspections/{id}/report",
            get(audit_reports::inspection_report),
        )
        .route(
            "/audits/inspections/{id}/report.xlsx",
            get(audit_reports::inspection_report_xlsx),
        )
        .route("/audits/{id}/report", get(audit_reports::audit_report))
        .route(
            "/audits/{id}/report.xlsx",
            get(audit_reports::audit_report_xlsx),
        )
        .route(
            "/netcheck/runs/{id}/findings",
            post(findings::raise_netcheck),
        )
}

/// The signed-in user as the layout shows them.
pub struct ChromeUser {
    pub username: String,
    pub display_name: String,
}

/// Which navigation entries the user may see.
#[derive(Default)]
pub struct Nav {
    pub users: bool,
    pub events: bool,
    pub policies: bool,
    pub netcheck: bool,
    // --- ops2 ---
    pub contractors: bool,
}

/// What the common layout needs: language, user, CSRF token, current path, flash.
pub struct Chrome {
    pub t: T,
    pub user: Option<ChromeUser>,
    pub csrf: String,
    pub path_enc: String,
    pub section: &'static str,
    pub nav: Nav,
    pub flash: Option<String>,
    pub flash_error: Option<String>,
    /// The person's unread notices.
    pub unread: i64,
    /// What a refused form on this page held, to show it again.
    pub refill: refill::Refill,
}

impl Chrome {
    /// The menu group of the page's section (the group shown as current).
    pub fn group(&self) -> &'static str {
        match self.section {
            "policy" | "policy_docs" | "threats" | "controls" | "classification" | "authz" => {
                "policy"
            }
            "assets" | "requests" | "systems" | "risks" | "segments" | "netcheck" => "assets",
            "units" | "users" | "acknowledgements" | "training" => "people",
            "attention" | "incidents" | "exceptions" | "permissions" | "violations"
            | "contractors" | "services" | "plans" => "operations",
            "audits" | "findings" => "audits",
            _ => "",
        }
    }
}

const FLASH: &str = "flash";
const FLASH_ERROR: &str = "flash_error";

/// Leaves a message for the next page.
pub async fn flash(session: &Session, message: impl Into<String>) {
    let _ = session.insert(FLASH, message.into()).await;
}

/// Leaves an error message for the next page.
pub async fn flash_error(session: &Session, message: impl Into<String>) {
    let _ = session.insert(FLASH_ERROR, message.into()).await;
}

impl Chrome {
    pub async fn new(
        state: &AppState,
        session: &Session,
        lang: Lang,
        user: Option<&Authed>,
        path: &str,
        section: &'static str,
    ) -> AppResult<Chrome> {
        let nav = match user {
            Some(a) => Nav {
                users: state.app.may_list_staff(a),
                events: state.app.may_app(a, Action::ReadEvents),
                policies: state.app.may_app(a, Action::ManageSettings),
                netcheck: state.app.may_app(a, Action::RunNetcheck),
                // --- ops2 ---
                contractors: state.app.may_app(a, Action::ReadContractors),
            },
            None => Nav::default(),
        };
        Ok(Chrome {
            t: T { lang },
            user: user.map(|a| ChromeUser {
                username: a.user.username.clone(),
                display_name: a.user.display_name.clone(),
            }),
            // A visitor who is not signed in gets no session (nothing stored): the
            // sign-in form brings its own token (`crate::auth::login_csrf`).
            csrf: match user {
                Some(_) => csrf_token(session).await?,
                None => String::new(),
            },
            path_enc: urlencode(path),
            section,
            nav,
            flash: session.remove(FLASH).await.ok().flatten(),
            flash_error: session.remove(FLASH_ERROR).await.ok().flatten(),
            unread: match user {
                Some(a) => state.app.unread_notices(a).await.unwrap_or(0),
                None => 0,
            },
            refill: match user {
                Some(_) => refill::take(session, path).await,
                None => refill::Refill::default(),
            },
        })
    }
}

/// Links to the previous and next page of a list, keeping its filters; the
/// numbered pages around the current one (first, …, current ± 2, …, last) and
/// a small form to go to a page by number.
pub struct Pager {
    pub summary: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The numbered links; a link without an address is a gap (…).
    pub pages: Vec<PageLink>,
    /// The "go to page" form, when there is more than one page.
    pub jump: Option<PageJump>,
    /// Past the last page: the address of the last one (the empty state's link).
    pub past_last: Option<String>,
}

/// One numbered page link, or a gap.
pub struct PageLink {
    pub label: String,
    pub href: Option<String>,
    pub current: bool,
}

/// The "go to page" form: a GET form to the list's path with its filter
/// kept in hidden fields.
pub struct PageJump {
    pub action: String,
    pub hidden: Vec<(String, String)>,
    pub param: String,
    pub max: u64,
}

/// The page numbers shown: first, current ± 2, last; `None` is a gap.
pub(crate) fn page_numbers(current: u64, last: u64) -> Vec<Option<u64>> {
    let mut out = Vec::new();
    let lo = current.saturating_sub(2).max(1);
    let hi = (current + 2).min(last);
    if lo > 1 {
        out.push(Some(1));
        if lo > 2 {
            out.push(None);
        }
    }
    for n in lo..=hi {
        out.push(Some(n));
    }
    if hi < last {
        if hi + 1 < last {
            out.push(None);
        }
        out.push(Some(last));
    }
    out
}

impl Pager {
    /// The pager of a list whose count stopped at `total` with more
    /// matching (`more`): it says so ("10000件以上") and keeps a next page
    /// while the page is full.
    pub fn capped(
        t: &T,
        base: &str,
        page: mamori_store::PageRequest,
        total: i64,
        more: bool,
        shown: usize,
    ) -> Pager {
        let mut p = Pager::new(t, base, page, total);
        if more {
            let sep = if base.contains('?') { '&' } else { '?' };
            p.summary = match (t.lang, shown == 0) {
                (Lang::Ja, false) => format!("{total}件以上（{}ページ目）", page.page),
                (Lang::En, false) => format!("more than {total} (page {})", page.page),
                (Lang::Ja, true) => format!("{total}件以上：このページより先はありません"),
                (Lang::En, true) => format!("more than {total}: nothing on this page"),
            };
            p.next = (shown as u64 >= u64::from(page.per_page)).then(|| {
                format!(
                    "{base}{sep}page={}&per_page={}",
                    page.page + 1,
                    page.per_page
                )
            });
            if shown > 0 {
                p.prev = page
                    .page
                    .checked_sub(1)
                    .filter(|n| *n >= 1)
                    .map(|n| format!("{base}{sep}page={n}&per_page={}", page.per_page));
            }
            // The last page is not known: no numbers, no jump.
            p.pages.clear();
            p.jump = None;
            p.past_last = None;
        }
        p
    }

    /// `base` is the path with its filter query (without page), e.g. `/threats?category=x`.
    pub fn new(t: &T, base: &str, page: mamori_store::PageRequest, total: i64) -> Pager {
        Pager::build(t, base, "page", page, total)
    }

    fn build(t: &T, base: &str, param: &str, page: mamori_store::PageRequest, total: i64) -> Pager {
        let sep = if base.contains('?') { '&' } else { '?' };
        let pages = ((total.max(0) as u64).div_ceil(u64::from(page.per_page))).max(1);
        let link = |p: u64| format!("{base}{sep}{param}={p}&per_page={}", page.per_page);
        let past = u64::from(page.page) > pages;
        let summary = match (t.lang, past) {
            (Lang::Ja, false) => format!("全{total}件（{}/{}ページ）", page.page, pages),
            (Lang::En, false) => format!("{total} in all (page {} of {})", page.page, pages),
            (Lang::Ja, true) => {
                format!("全{total}件：これより先はありません（最後は{pages}ページ）")
            }
            (Lang::En, true) => format!("{total} in all: no more (the last page is {pages})"),
        };
        // Past the last page, "back" leads to the last one.
        let back = if past {
            Some(pages)
        } else {
            u64::from(page.page).checked_sub(1).filter(|p| *p >= 1)
        };
        let current = u64::from(page.page);
        let numbered = if pages > 1 && !past {
            page_numbers(current, pages)
                .into_iter()
                .map(|n| match n {
                    Some(n) => PageLink {
                        label: n.to_string(),
                        href: Some(link(n)),
                        current: n == current,
                    },
                    None => PageLink {
                        label: "…".to_string(),
                        href: None,
                        current: false,
                    },
                })
                .collect()
        } else {
            Vec::new()
        };
        let (path, query) = base.split_once('?').unwrap_or((base, ""));
        let mut hidden: Vec<(String, String)> =
            serde_urlencoded::from_str::<Vec<(String, String)>>(query)
                .unwrap_or_default()
                .into_iter()
                .filter(|(k, _)| k != param && k != "per_page")
                .collect();
        hidden.push(("per_page".to_string(), page.per_page.to_string()));
        Pager {
            summary,
            prev: back.map(link),
            next: (current < pages).then(|| link(current + 1)),
            pages: numbered,
            jump: (pages > 1).then(|| PageJump {
                action: path.to_string(),
                hidden,
                param: param.to_string(),
                max: pages,
            }),
            past_last: past.then(|| link(pages)),
        }
    }
}

impl Pager {
    /// A pager whose page parameter is named `param` (several lists on one
    /// page).
    pub fn named(
        t: &T,
        base: &str,
        param: &str,
        page: mamori_store::PageRequest,
        total: i64,
    ) -> Pager {
        Pager::build(t, base, param, page, total)
    }
}

// --- h17ui: sortable column headers ---
/// A column header: its label, and for a sortable column the link that sorts
/// by it (ascending first, then the other way) and its `aria-sort`.
pub struct SortHeader {
    pub label: String,
    pub href: Option<String>,
    pub aria: &'static str,
}

/// The headers of a list whose columns are `cols` (sort key, or "" for a
/// column that does not sort; label). `base` is the list's path with its
/// filter (no sort, no page): sorting starts again from the first page, and
/// the pager's base keeps the sort.
pub fn sort_headers(
    base: &str,
    current: &str,
    descending: bool,
    cols: &[(&str, String)],
) -> Vec<SortHeader> {
    let sep = if base.contains('?') { '&' } else { '?' };
    cols.iter()
        .map(|(key, label)| {
            if key.is_empty() {
                return SortHeader {
                    label: label.clone(),
                    href: None,
                    aria: "",
                };
            }
            let here = *key == current;
            let dir = if here && !descending { "desc" } else { "asc" };
            SortHeader {
                label: label.clone(),
                href: Some(format!("{base}{sep}sort={key}&dir={dir}")),
                aria: match (here, descending) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
            }
        })
        .collect()
}

/// Query parameters of paginated lists: the same reader as the API's.
pub use crate::paging::Paging;

/// Builds a query string from pairs, leaving out empty values.
pub fn query_string(path: &str, pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if kept.is_empty() {
        return path.to_string();
    }
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(kept).unwrap_or_default()
    )
}

/// The value of an ISO date in 和暦 and western form.
pub struct DatePair {
    pub wareki: String,
    pub western: String,
}

impl DatePair {
    pub fn from_iso(iso: &str, lang: Lang) -> DatePair {
        match mamori_core::catalog::parse_iso_date(iso) {
            Ok(d) => DatePair {
                wareki: mamori_core::wareki::format_wareki(d),
                western: match lang {
                    Lang::Ja => mamori_core::wareki::format_western_ja(d),
                    Lang::En => mamori_core::wareki::format_en(d),
                },
            },
            Err(_) => DatePair {
                wareki: iso.to_string(),
                western: iso.to_string(),
            },
        }
    }
}

/// An error page inside the common layout.
#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPageView<'a> {
    chrome: Chrome,
    status: u16,
    message: &'a str,
    hint: &'a str,
    code: &'static str,
    /// The page the failed request came from, to go back to.
    back: Option<&'a str>,
}

/// An error page in the reader's language, with the menu when someone is
/// signed in; `None` when it cannot be rendered (the bare page stays).
pub async fn error_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    path: &str,
    back: Option<&str>,
    page: &crate::error::ErrorPage,
) -> Option<String> {
    use askama::Template;
    let uid: Option<i64> = session.get(crate::auth::SESSION_USER).await.ok().flatten();
    let user = match uid {
        Some(uid) => crate::auth::authed_user(state, uid).await,
        None => None,
    };
    let chrome = Chrome::new(state, session, lang, user.as_ref(), path, "")
        .await
        .ok()?;
    let (message, hint) = page.words(lang);
    ErrorPageView {
        chrome,
        status: page.status.as_u16(),
        message,
        hint,
        code: page.code,
        back,
    }
    .render()
    .ok()
}
