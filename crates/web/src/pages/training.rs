//! Training (第8(2) 教育・訓練): every member of staff sees (and may declare) their
//! own trainings; the security office manages courses, assignments and the
//! e-learning import and sees every unit; a unit's 情報セキュリティ管理者 sees the
//! status of the units they manage and records their staff's completions.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Query, State};
use axum::response::Redirect;
use mamori_app::training::managed_units;
use mamori_authz::Action;
use mamori_core::org::{EmploymentType, GUIDELINE_ROLES};
use mamori_core::problem::Class;
use mamori_core::training::CourseKind;
use mamori_store::PageRequest;
use mamori_store::assets::LedgerFormat;
use mamori_store::training::{
    CompletionImportReport, Course, CourseUpdate, NewCompletion, NewCourse, NewTrainingAssignment,
    TrainingRequest, TrainingScope, UnitTrainingRate,
};
use serde::Deserialize;
use tower_sessions::Session;

use super::charts::BarChart;
use super::{Chrome, Pager, flash, flash_error, query_string};
use crate::auth::{PageUser, verify_csrf};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, T};
use crate::state::AppState;

/// One of the user's own trainings.
pub struct MyLine {
    pub r: TrainingRequest,
    pub overdue: bool,
}

/// The tab bar of the training pages: which tabs the person may see and
/// which one is shown.
pub struct Tabs {
    pub current: &'static str,
    pub status: bool,
    pub manage: bool,
}

impl Tabs {
    fn of(state: &AppState, user: &crate::auth::Authed, current: &'static str) -> Tabs {
        let status =
            state.app.may_app(user, Action::ReadTrainingStatus) || !managed_units(user).is_empty();
        Tabs {
            current,
            status,
            manage: state.app.may_app(user, Action::ManageTraining),
        }
    }
}

/// The per-unit status, for those who may see it.
pub struct StatusView {
    /// (id, label, selected)
    pub assignments: Vec<(i64, String, bool)>,
    pub units: Vec<(i64, String, bool)>,
    pub whole: bool,
    pub rates: Vec<(UnitTrainingRate, i64)>,
    pub rates_pager: Pager,
    pub headers: Vec<super::SortHeader>,
    pub chart: Option<BarChart>,
    pub overdue: Vec<TrainingRequest>,
    pub overdue_pager: Pager,
    pub export_url: String,
    pub back: String,
    pub can_record: bool,
}

/// 「自分の研修」: the person's own trainings (everyone).
#[derive(Template, WebTemplate)]
#[template(path = "training.html")]
pub struct TrainingPage {
    chrome: Chrome,
    tabs: Tabs,
    today: String,
    mine: Vec<MyLine>,
    mine_pager: Pager,
    can_declare: bool,
}

/// 「状況」: completion by unit and the overdue list.
#[derive(Template, WebTemplate)]
#[template(path = "training/status.html")]
pub struct StatusPage {
    chrome: Chrome,
    tabs: Tabs,
    today: String,
    s: StatusView,
}

/// 「科目」: the courses, a new course, a course corrected.
#[derive(Template, WebTemplate)]
#[template(path = "training/courses.html")]
pub struct CoursesPage {
    chrome: Chrome,
    tabs: Tabs,
    courses: Vec<(Course, String)>,
    courses_pager: Pager,
    all_courses: Vec<(i64, String)>,
    kinds: Vec<(String, String)>,
}

/// 「割当て」: assigning a course, moving a due date, withdrawing.
#[derive(Template, WebTemplate)]
#[template(path = "training/assignments.html")]
pub struct AssignmentsPage {
    chrome: Chrome,
    tabs: Tabs,
    /// (id, label) of the newest assignments, for moving a due date.
    assignments: Vec<(i64, String)>,
    all_courses: Vec<(i64, String)>,
    roles: Vec<(String, String)>,
    employment_types: Vec<(String, String)>,
    units: Vec<(i64, String)>,
}

/// 「取込み」: the e-learning import form.
#[derive(Template, WebTemplate)]
#[template(path = "training/import.html")]
pub struct ImportFormPage {
    chrome: Chrome,
    tabs: Tabs,
}

#[derive(Deserialize, Default)]
pub struct TrainingQuery {
    pub assignment: Option<i64>,
    pub within: Option<i64>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::other_page")]
    pub rpage: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::other_page")]
    pub mpage: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::other_page")]
    pub cpage: Option<u32>,
    /// The status by unit's order: `unit`, `rate` or `overdue` (another
    /// leaves the tree order), `asc`/`desc`.
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
}

/// The person's own trainings.
pub async fn show(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<TrainingQuery>,
) -> AppResult<TrainingPage> {
    let mpage = PageRequest::new(q.mpage, None);
    let mine = state.app.my_trainings(&user, false, mpage).await?;
    let t = T { lang };
    let chrome = Chrome::new(&state, &session, lang, Some(&user), "/training", "training").await?;
    let today = mamori_store::org::today();
    let mine_pager = Pager::named(&t, "/training", "mpage", mpage, mine.total);
    let mine = mine
        .items
        .into_iter()
        .map(|r| MyLine {
            overdue: r.overdue_on(&today),
            r,
        })
        .collect();
    Ok(TrainingPage {
        chrome,
        tabs: Tabs::of(&state, &user, "mine"),
        today,
        mine,
        mine_pager,
        can_declare: state.app.may_app(&user, Action::DeclareTraining),
    })
}

/// The units the person may pick (id, name in the reader's language).
async fn unit_options(
    state: &AppState,
    user: &crate::auth::Authed,
    lang: Lang,
) -> AppResult<Vec<(i64, String)>> {
    let sees_all = state.app.may_app(user, Action::ReadTrainingStatus)
        || state.app.may_app(user, Action::ManageTraining);
    let manages = managed_units(user);
    if !sees_all && manages.is_empty() {
        return Ok(Vec::new());
    }
    Ok(state
        .store
        .all_units()
        .await?
        .iter()
        .filter(|u| sees_all || manages.contains(&u.id))
        .map(|u| (u.id, lang.pick(&u.name, &u.name_en).to_string()))
        .collect())
}

/// The newest assignments, to pick one (status filter, due date change).
async fn assignment_options(
    state: &AppState,
    user: &crate::auth::Authed,
) -> AppResult<Vec<(i64, String)>> {
    Ok(state
        .app
        .training_assignment_choices(user)
        .await?
        .into_iter()
        .map(|a| {
            let label = format!("{} {} ({})", a.course_code, a.course_title, a.due_on);
            (a.id, label)
        })
        .collect())
}

/// Every course as (id, code and title), for the forms.
async fn course_options(
    state: &AppState,
    user: &crate::auth::Authed,
    lang: Lang,
) -> AppResult<Vec<(i64, String)>> {
    Ok(state
        .app
        .courses(
            user,
            PageRequest::new(Some(1), Some(PageRequest::MAX_PER_PAGE)),
        )
        .await?
        .items
        .into_iter()
        .map(|c| {
            (
                c.id,
                format!("{} {}", c.code, lang.pick(&c.title, &c.title_en)),
            )
        })
        .collect())
}

/// Completion by unit and the overdue list: the whole city for the security
/// office and oversight, the managed units for a unit's manager.
pub async fn status(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<TrainingQuery>,
) -> AppResult<StatusPage> {
    let tabs = Tabs::of(&state, &user, "status");
    if !tabs.status {
        return Err(AppError::forbidden());
    }
    let t = T { lang };
    let sees_all = state.app.may_app(&user, Action::ReadTrainingStatus);
    let manages = managed_units(&user);
    let can_manage = state.app.may_app(&user, Action::ManageTraining);
    let unit_options = unit_options(&state, &user, lang).await?;
    let assignment_options = assignment_options(&state, &user).await?;
    let within = if sees_all {
        q.within
    } else {
        q.within.or_else(|| manages.first().copied())
    };
    let scope = TrainingScope {
        assignment_id: q.assignment,
        within,
    };
    let assignment = q.assignment.map(|a| a.to_string()).unwrap_or_default();
    let within_s = within.map(|w| w.to_string()).unwrap_or_default();
    let filter = [
        ("assignment", assignment.as_str()),
        ("within", within_s.as_str()),
    ];
    let filter_base = query_string("/training/status", &filter);
    let sort = mamori_store::sorting::Sort::parse(&q.sort, &q.dir);
    let (key, descending) = match sort {
        Some(s) => (mamori_store::sorting::SortKey::code(s.key), s.descending),
        None => ("", false),
    };
    let headers = super::sort_headers(
        &filter_base,
        key,
        descending,
        &[
            ("unit", t.get("training.unit").to_string()),
            ("", t.get("training.completed_count").to_string()),
            ("rate", t.get("training.rate").to_string()),
            ("overdue", t.get("training.overdue").to_string()),
        ],
    );
    let mut sorted = filter.to_vec();
    sorted.push(("sort", key));
    sorted.push(("dir", if descending { "desc" } else { "" }));
    let base = query_string("/training/status", &sorted);
    let rpage = PageRequest::new(q.rpage, None);
    let page = PageRequest::new(q.page, q.per_page);
    let rates = state
        .app
        .training_rates_sorted(&user, scope, sort, rpage)
        .await?;
    let overdue = state.app.training_overdue(&user, scope, page).await?;
    let rates_total = rates.total;
    let rates: Vec<(UnitTrainingRate, i64)> = rates_with_labels(&t, rates.items)
        .into_iter()
        .map(|r| {
            let p = r.percent();
            (r, p)
        })
        .collect::<Vec<_>>();
    let chart_rows: Vec<(String, i64, i64)> = rates
        .iter()
        .map(|(r, _)| {
            (
                r.unit_name.clone().unwrap_or_default(),
                r.completed,
                r.requested,
            )
        })
        .collect();
    let chart = (!chart_rows.is_empty()).then(|| {
        BarChart::percentages(
            "training-status-chart",
            t.pick("所属別の研修の修了率", "Training completed by unit")
                .to_string(),
            &chart_rows,
        )
    });
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/training/status",
        "training",
    )
    .await?;
    let s = StatusView {
        assignments: assignment_options
            .iter()
            .map(|(id, label)| (*id, label.clone(), q.assignment == Some(*id)))
            .collect(),
        units: unit_options
            .iter()
            .map(|(id, name)| (*id, name.clone(), within == Some(*id)))
            .collect(),
        whole: sees_all,
        rates_pager: Pager::named(&t, &base, "rpage", rpage, rates_total),
        headers,
        rates,
        chart,
        overdue_pager: Pager::new(&t, &base, page, overdue.total),
        overdue: overdue.items,
        export_url: query_string(
            "/api/v1/training/export.xlsx",
            &[
                ("assignment_id", assignment.as_str()),
                ("within", within_s.as_str()),
            ],
        ),
        back: base,
        can_record: can_manage || !manages.is_empty(),
    };
    Ok(StatusPage {
        chrome,
        tabs,
        today: mamori_store::org::today(),
        s,
    })
}

/// Staff without a unit are counted under （所属なし）, never an empty label.
fn rates_with_labels(t: &T, rates: Vec<UnitTrainingRate>) -> Vec<UnitTrainingRate> {
    rates
        .into_iter()
        .map(|mut r| {
            r.unit_name = Some(super::dashboard::unit_label(
                t,
                r.unit_name.as_deref().unwrap_or(""),
            ));
            r
        })
        .collect()
}

/// The courses, with the forms to add and correct one (the security office).
pub async fn courses(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<TrainingQuery>,
) -> AppResult<CoursesPage> {
    let tabs = Tabs::of(&state, &user, "courses");
    if !tabs.manage {
        return Err(AppError::forbidden());
    }
    let t = T { lang };
    let cpage = PageRequest::new(q.cpage, None);
    let courses = state.app.courses(&user, cpage).await?;
    let all_courses = course_options(&state, &user, lang).await?;
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/training/courses",
        "training",
    )
    .await?;
    Ok(CoursesPage {
        chrome,
        tabs,
        courses_pager: Pager::named(&t, "/training/courses", "cpage", cpage, courses.total),
        courses: courses
            .items
            .into_iter()
            .map(|c| {
                let kind = c
                    .kind
                    .parse::<CourseKind>()
                    .map(|k| lang.pick(k.name_ja(), k.name_en()).to_string())
                    .unwrap_or_else(|_| c.kind.clone());
                (c, kind)
            })
            .collect(),
        all_courses,
        kinds: CourseKind::ALL
            .iter()
            .map(|k| {
                (
                    k.code().to_string(),
                    lang.pick(k.name_ja(), k.name_en()).to_string(),
                )
            })
            .collect(),
    })
}

/// Assigning a course, moving a due date and withdrawing an assignment (the
/// security office).
pub async fn assignments(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<AssignmentsPage> {
    let tabs = Tabs::of(&state, &user, "assignments");
    if !tabs.manage {
        return Err(AppError::forbidden());
    }
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/training/assignments",
        "training",
    )
    .await?;
    Ok(AssignmentsPage {
        chrome,
        tabs,
        assignments: assignment_options(&state, &user).await?,
        all_courses: course_options(&state, &user, lang).await?,
        roles: GUIDELINE_ROLES
            .iter()
            .map(|r| {
                (
                    r.code.to_string(),
                    lang.pick(r.name_ja, r.name_en).to_string(),
                )
            })
            .collect(),
        employment_types: EmploymentType::ALL
            .iter()
            .map(|e| {
                (
                    e.code().to_string(),
                    lang.pick(e.name_ja(), e.name_en()).to_string(),
                )
            })
            .collect(),
        units: unit_options(&state, &user, lang).await?,
    })
}

/// The e-learning import form (the security office).
pub async fn import_form(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
) -> AppResult<ImportFormPage> {
    let tabs = Tabs::of(&state, &user, "import");
    if !tabs.manage {
        return Err(AppError::forbidden());
    }
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        "/training/import",
        "training",
    )
    .await?;
    Ok(ImportFormPage { chrome, tabs })
}

/// Where to go back to after a form: a local /training address only.
fn back_to(back: &str) -> String {
    if back.starts_with("/training") {
        back.to_string()
    } else {
        "/training".to_string()
    }
}

/// Shows what was wrong with the form (invalid or in conflict) as a flash
/// message; other errors fail.
pub(super) async fn flash_result<X>(
    session: &Session,
    result: mamori_app::Result<X>,
    ok: impl FnOnce(X) -> String,
) -> AppResult<()> {
    match result {
        Ok(x) => flash(session, ok(x)).await,
        Err(e) if matches!(e.class(), Class::Invalid | Class::Conflict) => {
            flash_error(session, e.to_string()).await
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct CourseForm {
    csrf: String,
    code: String,
    title: String,
    #[serde(default)]
    title_en: String,
    kind: String,
    #[serde(default)]
    valid_months: String,
    #[serde(default)]
    description: String,
}

pub async fn create_course(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    axum::Form(form): axum::Form<CourseForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    let valid_months = match form.valid_months.trim() {
        "" => None,
        v => Some(v.parse::<i64>().map_err(|_| {
            AppError::bad_request(format!(
                "valid_months: 数値ではありません '{v}' / not a number '{v}'"
            ))
        })?),
    };
    let result = state
        .app
        .create_course(
            &user,
            NewCourse {
                code: form.code,
                title: form.title,
                title_en: form.title_en,
                description: form.description,
                kind: form.kind,
                valid_months,
            },
        )
        .await;
    flash_result(&session, result, |c| {
        format!("{} {}", T { lang }.get("training.course_created"), c.code)
    })
    .await?;
    Ok(Redirect::to("/training/courses"))
}

#[derive(Deserialize)]
pub struct AssignForm {
    csrf: String,
    course_id: i64,
    target_kind: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    employment_type: String,
    due_on: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
pub struct DueForm {
    csrf: String,
    assignment_id: i64,
    due_on: String,
}

#[derive(Deserialize)]
pub struct CourseEditForm {
    csrf: String,
    course_id: i64,
    title: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    description: String,
}

/// Corrects a course's names and description.
pub async fn edit_course(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    axum::Form(form): axum::Form<CourseEditForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    let result = state
        .app
        .update_course(
            &user,
            form.course_id,
            CourseUpdate {
                title: Some(form.title),
                title_en: Some(form.title_en),
                description: Some(form.description),
            },
        )
        .await;
    flash_result(&session, result, |c| {
        format!(
            "{}: {} {}",
            T { lang }.get("training.course_updated"),
            c.code,
            c.title
        )
    })
    .await?;
    Ok(Redirect::to("/training/courses"))
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    csrf: String,
    assignment_id: i64,
}

/// Withdraws an assignment made in error.
pub async fn withdraw(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    axum::Form(form): axum::Form<WithdrawForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    let result = state.app.withdraw_training(&user, form.assignment_id).await;
    flash_result(&session, result, |()| {
        T { lang }.get("training.withdrawn").to_string()
    })
    .await?;
    Ok(Redirect::to("/training/assignments"))
}

/// Moves an assignment's due date (期限の変更).
pub async fn change_due(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    axum::Form(form): axum::Form<DueForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    let result = state
        .app
        .change_training_due(&user, form.assignment_id, &form.due_on)
        .await;
    let mut to = "/training/assignments".to_string();
    flash_result(&session, result, |a| {
        to = format!("/training/status?assignment={}", a.id);
        format!(
            "{} {} ({} / {})",
            T { lang }.get("training.due_changed"),
            a.due_on,
            a.completed,
            a.requested
        )
    })
    .await?;
    Ok(Redirect::to(&to))
}

pub async fn assign(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    axum::Form(form): axum::Form<AssignForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    let target = match form.target_kind.as_str() {
        "role" => form.role,
        "unit" => form.unit,
        "employment_type" => form.employment_type,
        _ => String::new(),
    };
    let result = state
        .app
        .assign_training(
            &user,
            NewTrainingAssignment {
                course_id: form.course_id,
                target_kind: form.target_kind,
                target,
                due_on: form.due_on,
                note: form.note,
            },
        )
        .await;
    let mut to = "/training/assignments".to_string();
    flash_result(&session, result, |a| {
        to = format!("/training/status?assignment={}", a.id);
        format!(
            "{} ({} / {})",
            T { lang }.get("training.assigned"),
            a.completed,
            a.requested
        )
    })
    .await?;
    Ok(Redirect::to(&to))
}

#[derive(Deserialize)]
pub struct CompletionForm {
    csrf: String,
    user_id: i64,
    course_id: i64,
    completed_on: String,
    #[serde(default)]
    back: String,
}

/// Records a completion: one's own (self-declared) or, for a unit manager or the
/// security office, a member of staff's.
pub async fn record(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    axum::Form(form): axum::Form<CompletionForm>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    let result = state
        .app
        .record_completion(
            &user,
            NewCompletion {
                user_id: form.user_id,
                course_id: form.course_id,
                completed_on: form.completed_on,
            },
        )
        .await;
    flash_result(&session, result, |_| {
        T { lang }.get("training.recorded").to_string()
    })
    .await?;
    Ok(Redirect::to(&back_to(&form.back)))
}

#[derive(Template, WebTemplate)]
#[template(path = "training_import.html")]
pub struct ImportPage {
    chrome: Chrome,
    file: String,
    report: CompletionImportReport,
}

/// Imports completions from an uploaded e-learning export (.csv or .xlsx) and
/// shows the report.
pub async fn import(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    mut form: Multipart,
) -> AppResult<ImportPage> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request(format!("フォームを読めません / cannot read the form: {e}"))
    };
    let (mut csrf, mut file, mut bytes) = (String::new(), String::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.map_err(bad)?,
            "file" => {
                file = field.file_name().unwrap_or("").to_string();
                bytes = field.bytes().await.map_err(bad)?.to_vec();
            }
            _ => {}
        }
    }
    verify_csrf(&session, &csrf).await?;
    // Refused before the file name is looked at (the import decides again).
    if !state.app.may_app(&user, Action::ManageTraining) {
        return Err(AppError::forbidden());
    }
    let format = LedgerFormat::from_path(std::path::Path::new(&file)).ok_or_else(|| {
        AppError::bad_request(format!(
            "{file}: 拡張子は .csv か .xlsx にしてください / the file name must end in .csv or .xlsx"
        ))
    })?;
    let report = state.app.import_completions(&user, &bytes, format).await?;
    let chrome = Chrome::new(&state, &session, lang, Some(&user), "/training", "training").await?;
    Ok(ImportPage {
        chrome,
        file,
        report,
    })
}
