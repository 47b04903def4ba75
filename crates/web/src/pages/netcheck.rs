//! The network-resilience page: upload a configuration, see the matrix and the
//! violations, and the history of checks per device.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mamori_netcheck::ConfigInput;
use mamori_store::netcheck::{NewRun, RunSummary};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Chrome, Pager, Paging, query_string};
use crate::auth::{PageUser, verify_csrf};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, T};
use crate::netcheck_view::{
    CheckInput, ReportView, Want, current_segments_file, declared_segments, read_blocking,
    run_check, view, window,
};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "netcheck.html")]
pub struct NetcheckPage {
    chrome: Chrome,
    error: Option<String>,
    device: String,
    model: String,
    /// Built-in models: id and name in the reader's language.
    models: Vec<(String, String)>,
    segments: String,
    model_toml: String,
    config_text: String,
    devices: Vec<(String, i64)>,
    selected_device: String,
    runs: Vec<RunSummary>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct NetcheckQuery {
    device: Option<String>,
    #[serde(flatten)]
    page: Paging,
}

/// The form's values, kept when it is shown again with an error.
#[derive(Default)]
pub struct Posted {
    csrf: String,
    device: String,
    model: String,
    segments: String,
    model_toml: String,
    config_text: String,
    files: Vec<ConfigInput>,
}

#[allow(clippy::too_many_arguments)] // the page's parts, each needed
async fn page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    user: &crate::auth::Authed,
    device_filter: String,
    request: mamori_store::PageRequest,
    posted: Posted,
    error: Option<String>,
) -> AppResult<NetcheckPage> {
    let segments = if posted.segments.is_empty() {
        current_segments_file(state, user).await?
    } else {
        posted.segments
    };
    let runs = state
        .app
        .netchecks(user, Some(&device_filter), request)
        .await?;
    let base = query_string("/netcheck", &[("device", &device_filter)]);
    let pager = Pager::new(&T { lang }, &base, request, runs.total);
    let chrome = Chrome::new(state, session, lang, Some(user), &base, "netcheck").await?;
    Ok(NetcheckPage {
        chrome,
        error,
        device: posted.device,
        model: posted.model,
        models: mamori_netcheck::builtin_model_names()
            .into_iter()
            .map(|id| (id.to_string(), model_display(id, lang)))
            .collect(),
        segments,
        model_toml: posted.model_toml,
        config_text: posted.config_text,
        devices: state.app.netcheck_devices(user).await?,
        selected_device: device_filter,
        runs: runs
            .items
            .into_iter()
            .map(|mut r| {
                r.model = model_display(&r.model, lang);
                r
            })
            .collect(),
        pager,
    })
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<NetcheckQuery>,
) -> AppResult<NetcheckPage> {
    page(
        &state,
        &session,
        lang,
        &user,
        q.device.unwrap_or_default(),
        q.page.request(),
        Posted::default(),
        None,
    )
    .await
}

async fn read_form(mut form: Multipart) -> AppResult<Posted> {
    let mut p = Posted::default();
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request(format!("フォームを読めません / cannot read the form: {e}"))
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(bad)?;
        let text = || {
            String::from_utf8(bytes.to_vec()).map_err(|_| {
                AppError::bad_request(format!(
                    "{name}: UTF-8 のテキストではありません / not UTF-8 text"
                ))
            })
        };
        match name.as_str() {
            "csrf" => p.csrf = text()?,
            "device" => p.device = text()?,
            "model" => p.model = text()?,
            "segments" => p.segments = text()?,
            "model_toml" => p.model_toml = text()?,
            "config_text" => p.config_text = text()?,
            "config" => {
                let file = file_name.unwrap_or_default();
                if !file.is_empty() && !bytes.is_empty() {
                    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                        AppError::bad_request(format!(
                            "{file}: UTF-8 のテキストではありません / not UTF-8 text"
                        ))
                    })?;
                    p.files.push(ConfigInput {
                        file,
                        text,
                        format: None,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(p)
}

pub async fn run(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    form: Multipart,
) -> AppResult<Response> {
    let mut posted = read_form(form).await?;
    verify_csrf(&session, &posted.csrf).await?;
    let scope = state.app.netcheck_scope(&user)?;
    let mut configs = std::mem::take(&mut posted.files);
    if !posted.config_text.trim().is_empty() {
        configs.push(ConfigInput {
            file: "pasted".into(),
            text: posted.config_text.clone(),
            format: None,
        });
    }
    let services = scope.resolve_services(&posted.segments).await;
    let ranges = services
        .as_ref()
        .map(|s| s.ranges.clone())
        .unwrap_or_default();
    let input = CheckInput {
        segments_toml: posted.segments.clone(),
        model: Some(posted.model.clone()).filter(|m| !m.is_empty()),
        model_toml: Some(posted.model_toml.clone()).filter(|m| !m.trim().is_empty()),
        configs: configs.clone(),
        services: ranges.clone(),
    };
    let outcome = if posted.device.trim().is_empty() {
        Err(AppError::bad_request(
            T { lang }.get("netcheck.device").to_string() + ": 入力してください / required",
        ))
    } else {
        match &services {
            Err(e) => Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "MAMORI-NETCHECK-INPUT",
                super::admin::worded(e, lang),
            )),
            Ok(_) => run_check(input).await,
        }
    };
    let (report, model) = match outcome {
        Ok(r) => r,
        Err(e) => {
            let device = String::new();
            let p = page(
                &state,
                &session,
                lang,
                &user,
                device,
                Default::default(),
                posted,
                Some(e.message),
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
        }
    };
    let declared = declared_segments(&posted.segments, &ranges)?;
    let resolved = services.map(|s| s.resolved).unwrap_or_default();
    let summary = scope
        .record_run(
            &declared,
            NewRun {
                device: posted.device,
                files: configs.iter().map(|c| c.file.clone()).collect(),
                config_texts: configs.iter().map(|c| c.text.clone()).collect(),
                model,
                clean: report.is_clean(),
                complete: report.complete,
                violations: report.violations.len() as i64,
                shadowed: report.shadowed.len() as i64,
                segments_toml: posted.segments,
                report_json: report.to_json(),
                services: resolved,
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/netcheck/runs/{}", summary.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "netcheck_run.html")]
pub struct RunPage {
    chrome: Chrome,
    run: RunSummary,
    report: ReportView,
    violations_pager: Pager,
    shadowed_pager: Pager,
    /// The one sentence an officer reads first.
    verdict: String,
    /// The model's name in the reader's language.
    model_name: String,
    /// The date of the check, 和暦 and western.
    date: super::DatePair,
    /// One segments × segments grid per device file.
    grids: Vec<Grid>,
    // --- h14 ---
    /// The reader may raise a violation as a finding.
    may_raise: bool,
    /// The index in the report of the first violation shown.
    violation_offset: usize,
    /// The units a finding may be raised against: (id, name).
    finding_units: Vec<(i64, String)>,
    /// What the service names of the segments file resolved to.
    services: Vec<mamori_store::netcheck::ResolvedService>,
}

/// The matrix of one device as a grid: a row per source segment, a column
/// per destination segment.
pub struct Grid {
    pub file: String,
    pub columns: Vec<String>,
    pub rows: Vec<GridRow>,
}

pub struct GridRow {
    pub label: String,
    pub cells: Vec<GridCell>,
}

pub struct GridCell {
    /// ○ allowed as the model says, × violation, — nothing permitted
    /// (empty on the diagonal).
    pub mark: &'static str,
    /// CSS class of the mark.
    pub class: &'static str,
    /// The model's rule for the pair, in the guideline's words.
    pub rule: String,
    /// What the mark means, in words.
    pub status: String,
}

/// A model's words for a policy, when the model file gives none for the
/// pair.
fn policy_words(t: &T, policy: &str) -> String {
    let key = match policy {
        "deny" => "netcheck.policy_deny",
        "specific-flows" => "netcheck.policy_specific_flows",
        "relay" => "netcheck.policy_relay",
        "specific-flows-or-relay" => "netcheck.policy_flows_or_relay",
        "allow" => "netcheck.policy_allow",
        other => return other.to_string(),
    };
    t.get(key).to_string()
}

fn status_words(t: &T, status: &str) -> (&'static str, &'static str, String) {
    match status {
        "violation" => (
            "×",
            "mark-bad",
            t.get("netcheck.status_violation").to_string(),
        ),
        "conforming" => (
            "○",
            "mark-ok",
            t.get("netcheck.status_conforming").to_string(),
        ),
        _ => ("—", "mark-none", t.get("netcheck.status_none").to_string()),
    }
}

fn role_name(model: Option<&mamori_netcheck::SegmentModel>, lang: Lang, role: &str) -> String {
    model
        .and_then(|m| m.roles.iter().find(|r| r.id == role))
        .map(|r| lang.pick(&r.name_ja, &r.name_en).to_string())
        .unwrap_or_else(|| role.to_string())
}

fn text_of(v: &serde_json::Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_default()
}

/// The grids of a report's matrix (cells in the report's order: by file,
/// then by pair).
fn grids(
    matrix: &[serde_json::Value],
    model: Option<&mamori_netcheck::SegmentModel>,
    lang: Lang,
) -> Vec<Grid> {
    let t = T { lang };
    let mut files: Vec<String> = Vec::new();
    for c in matrix {
        let f = text_of(&c["file"]);
        if !files.contains(&f) {
            files.push(f);
        }
    }
    files
        .into_iter()
        .map(|file| {
            let cells: Vec<&serde_json::Value> = matrix
                .iter()
                .filter(|c| text_of(&c["file"]) == file)
                .collect();
            // Segments in order of appearance, with their roles.
            let mut segs: Vec<(String, String)> = Vec::new();
            for c in &cells {
                for (k, r) in [("from", "from_role"), ("to", "to_role")] {
                    let s = (text_of(&c[k]), text_of(&c[r]));
                    if !segs.iter().any(|x| x.0 == s.0) {
                        segs.push(s);
                    }
                }
            }
            let label =
                |s: &(String, String)| format!("{}（{}）", s.0, role_name(model, lang, &s.1));
            let rows =
                segs.iter()
                    .map(|a| GridRow {
                        label: label(a),
                        cells: segs
                            .iter()
                            .map(|b| {
                                let Some(c) = cells.iter().find(|c| {
                                    text_of(&c["from"]) == a.0 && text_of(&c["to"]) == b.0
                                }) else {
                                    return GridCell {
                                        mark: "",
                                        class: "mark-self",
                                        rule: String::new(),
                                        status: String::new(),
                                    };
                                };
                                let (mark, class, status) =
                                    status_words(&t, c["status"].as_str().unwrap_or(""));
                                let rule = model
                                    .and_then(|m| m.rule(&a.1, &b.1))
                                    .map(|r| lang.pick(&r.note_ja, &r.note_en).to_string())
                                    .filter(|s| !s.is_empty())
                                    .unwrap_or_else(|| {
                                        policy_words(&t, c["policy"].as_str().unwrap_or(""))
                                    });
                                GridCell {
                                    mark,
                                    class,
                                    rule,
                                    status,
                                }
                            })
                            .collect(),
                    })
                    .collect();
            Grid {
                file,
                columns: segs.iter().map(label).collect(),
                rows,
            }
        })
        .collect()
}

/// The date (JST) of a stored UTC time, as `YYYY-MM-DD`.
fn jst_date(at: &str) -> String {
    let jst = time::UtcOffset::from_hms(9, 0, 0).unwrap_or(time::UtcOffset::UTC);
    match time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339) {
        Ok(t) => t.to_offset(jst).date().to_string(),
        Err(_) => at.get(..10).unwrap_or(at).to_string(),
    }
}

/// A built-in model's name in the reader's language (`alpha-prime` ->
/// 「α'モデル」); a city's own model keeps its id.
fn model_display(id: &str, lang: Lang) -> String {
    match mamori_netcheck::builtin_model(id) {
        Some(Ok(m)) => lang.pick(&m.name_ja, &m.name_en).to_string(),
        _ => id.to_string(),
    }
}

/// The first sentence of a result: does the device conform?
fn verdict_sentence(
    lang: Lang,
    model_name: &str,
    violations: i64,
    findings: usize,
    complete: bool,
) -> String {
    let t = T { lang };
    let mut s = if violations > 0 {
        t.get("netcheck.verdict_violations")
            .replace("{model}", model_name)
            .replace("{n}", &violations.to_string())
    } else if findings > 0 {
        t.get("netcheck.verdict_findings")
            .replace("{model}", model_name)
            .replace("{n}", &findings.to_string())
    } else {
        t.get("netcheck.verdict_conforms")
            .replace("{model}", model_name)
    };
    if !complete {
        s.push_str(t.get("netcheck.verdict_incomplete"));
    }
    s
}

/// The labels of the report in the reader's language: policies, states
/// and roles instead of their identifiers; warnings in one language.
fn localise(r: &mut ReportView, model: Option<&mamori_netcheck::SegmentModel>, lang: Lang) {
    let t = T { lang };
    let roles = |s: &str| -> String {
        // "name (role)" -> "name（役割名）"
        match s.rsplit_once(" (") {
            Some((name, role)) => {
                let role = role.trim_end_matches(')');
                format!("{name}（{}）", role_name(model, lang, role))
            }
            None => s.to_string(),
        }
    };
    for c in &mut r.cells {
        c.policy = policy_words(&t, &c.policy);
        c.status = status_words(&t, &c.status).2;
        c.from = roles(&c.from);
        c.to = roles(&c.to);
    }
    for v in &mut r.violations {
        v.policy = policy_words(&t, &v.policy);
        v.from = roles(&v.from);
        v.to = roles(&v.to);
    }
    if lang == Lang::Ja {
        // The checker words its findings in English: the officer reads
        // them in Japanese.
        for f in &mut r.findings {
            for (en, ja) in [
                (
                    "accepts traffic from a My Number segment with ",
                    "マイナンバー利用事務系からの通信を次の条件で許可しています：",
                ),
                (
                    "accepts traffic to a My Number segment with ",
                    "マイナンバー利用事務系への通信を次の条件で許可しています：",
                ),
                ("any source address", "送信元アドレスが any"),
                ("any destination address", "宛先アドレスが any"),
                ("any destination port", "宛先ポートが any"),
            ] {
                *f = f.replace(en, ja);
            }
        }
    }
    for n in &mut r.notes {
        // "file: 日本語 / English": keep the reader's language (and the
        // file the note is about).
        if let Some((ja, en)) = n.split_once(" / ") {
            let picked = match (lang, ja.split_once(": ")) {
                (Lang::Ja, _) => ja.to_string(),
                (Lang::En, Some((file, _))) if !en.starts_with(file) => format!("{file}: {en}"),
                (Lang::En, _) => en.to_string(),
            };
            *n = picked;
        }
    }
    for w in &mut r.warnings {
        // "where — 日本語 / English": keep the reader's language.
        if let Some((head, msgs)) = w.split_once(" — ")
            && let Some((ja, en)) = msgs.rsplit_once(" / ")
        {
            *w = format!("{head} — {}", lang.pick(ja, en));
        }
    }
}

/// The two long lists of a run page have pages of their own.
#[derive(Deserialize, Default)]
pub struct RunQuery {
    #[serde(default, deserialize_with = "crate::paging::other_page")]
    vpage: Option<u32>,
    #[serde(default, deserialize_with = "crate::paging::other_page")]
    spage: Option<u32>,
}

/// Violations per page of a run.
const VIOLATIONS_PER_PAGE: u32 = 50;
/// Never-matching rules per page of a run.
const SHADOWED_PER_PAGE: u32 = 200;
/// Items shown of the other lists (the JSON report has them all).
const OTHERS_SHOWN: usize = 200;

pub async fn show_run(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<RunQuery>,
) -> AppResult<RunPage> {
    let run = state.app.netcheck(&user, id).await?;
    let base = format!("/netcheck/runs/{id}");
    let chrome = Chrome::new(&state, &session, lang, Some(&user), &base, "netcheck").await?;
    let vpage = mamori_store::PageRequest::new(q.vpage, Some(VIOLATIONS_PER_PAGE));
    let spage = mamori_store::PageRequest::new(q.spage, Some(SHADOWED_PER_PAGE));
    let want = Want {
        violations: window(vpage),
        shadowed: window(spage),
        others: OTHERS_SHOWN,
    };
    let partial = read_blocking(run.report_json, want).await?;
    let model = mamori_netcheck::builtin_model(&partial.model).and_then(Result::ok);
    let grids = grids(&partial.matrix, model.as_ref(), lang);
    let findings = partial.findings.total;
    let mut report = view(partial);
    localise(&mut report, model.as_ref(), lang);
    let model_name = model
        .as_ref()
        .map(|m| lang.pick(&m.name_ja, &m.name_en).to_string())
        .unwrap_or_else(|| report.model.clone());
    let verdict = verdict_sentence(
        lang,
        &model_name,
        run.summary.violations,
        findings,
        report.complete,
    );
    let date = super::DatePair::from_iso(&jst_date(&run.summary.at), lang);
    // Each list's pager keeps the other list's page.
    let vbase = query_string(
        &base,
        &[("spage", &q.spage.map(|p| p.to_string()).unwrap_or_default())],
    );
    let sbase = query_string(
        &base,
        &[("vpage", &q.vpage.map(|p| p.to_string()).unwrap_or_default())],
    );
    let t = chrome.t;
    let may_raise = state.app.may_raise_findings(&user);
    Ok(RunPage {
        violations_pager: Pager::named(&t, &vbase, "vpage", vpage, report.violations_total as i64),
        shadowed_pager: Pager::named(&t, &sbase, "spage", spage, report.shadowed_total as i64),
        chrome,
        report,
        run: run.summary,
        verdict,
        model_name,
        date,
        grids,
        finding_units: if may_raise {
            state
                .app
                .unit_choices(&user)
                .await?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect()
        } else {
            Vec::new()
        },
        may_raise,
        violation_offset: vpage.offset().max(0) as usize,
        services: run.services,
    })
}
