//! The event log as a person reads it: who (a name and unit, or which part
//! of Mamori), what (the kind of record in the reader's language, linked),
//! which operation (in words), when (Japan's time, 和暦 first), and what
//! changed (before → after, field by field). Filters by kind of record (in
//! Japanese), record number, person and date range; entries about assets
//! follow the register (the operation layer filters them).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Redirect;
use mamori_app::events::LogEntry;
use mamori_authz::Action;
use mamori_store::events::{ChainVerdict, Entity, EventFilter, jst_day_bounds};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Chrome, Pager, Paging, flash, flash_error, query_string};
use crate::auth::{PageUser, verify_csrf};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, T};
use crate::state::AppState;

/// The most fields a change lists on one line of the log.
const CHANGES_SHOWN: usize = 6;
/// The most characters of one value a change shows.
/// The longest record name shown in a line of the log.
const NAME_CHARS: usize = 40;
const VALUE_CHARS: usize = 60;

pub struct LogLine {
    pub seq: i64,
    pub at: String,
    pub who: String,
    pub who_detail: String,
    pub what: String,
    pub record: String,
    /// The record's name or title as the entry logged it, where it has one.
    pub name: Option<String>,
    pub link: Option<String>,
    pub action: String,
    pub changes: Vec<String>,
    pub hash_short: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "events.html")]
pub struct EventsPage {
    chrome: Chrome,
    events: Vec<LogLine>,
    pager: Pager,
    headers: Vec<super::SortHeader>,
    kinds: Vec<(String, String)>,
    entity: String,
    entity_id: String,
    person: String,
    from: String,
    to: String,
    can_verify: bool,
}

#[derive(Deserialize)]
pub struct EventsQuery {
    entity: Option<String>,
    entity_id: Option<String>,
    person: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// `at` (the only order: by time); `dir` `asc` is oldest first.
    sort: Option<String>,
    dir: Option<String>,
    #[serde(flatten)]
    page: Paging,
}

/// A date of the filter (YYYY-MM-DD, as the date input sends it).
fn day_of(text: &str, field: &str, lang: Lang) -> AppResult<Option<time::Date>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format).map(Some).map_err(|_| {
        AppError::bad_request(match lang {
            Lang::Ja => format!("{field}: 日付は 2026-04-01 の形で指定してください（'{text}'）"),
            Lang::En => format!("{field}: give the date as 2026-04-01 ('{text}')"),
        })
    })
}

/// Who acted, in words: the person's name and unit, or the part of Mamori.
fn who(entry: &LogEntry, t: &T) -> (String, String) {
    if let Some(p) = &entry.person {
        let unit = p
            .unit_name
            .as_deref()
            .map(|ja| {
                t.pick(ja, p.unit_name_en.as_deref().unwrap_or(""))
                    .to_string()
            })
            .unwrap_or_default();
        let detail = if unit.is_empty() {
            p.username.clone()
        } else {
            format!("{unit} · {}", p.username)
        };
        return (p.display_name.clone(), detail);
    }
    let actor = &entry.event.actor;
    match actor.strip_prefix("system:") {
        Some(part) => {
            let key = format!("actor.system.{part}");
            let word = t.get(&key);
            let word = if word == key { part } else { word };
            (format!("Mamori（{word}）"), String::new())
        }
        // A user since removed, or a name the log kept: as logged.
        None => (
            actor
                .splitn(3, ':')
                .nth(2)
                .unwrap_or(actor.as_str())
                .to_string(),
            String::new(),
        ),
    }
}

/// An entry as a line of the log (or of a record's history).
pub fn log_line(entry: &LogEntry, t: &T) -> LogLine {
    let e = &entry.event;
    let (who, who_detail) = who(entry, t);
    LogLine {
        seq: e.seq,
        at: t.moment(&e.at),
        who,
        who_detail,
        what: word(t, "entity", &e.entity),
        record: e.entity_id.clone(),
        name: name_of(e.after_json.as_deref().or(e.before_json.as_deref())),
        link: link_of(&e.entity, &e.entity_id),
        action: word(t, "verb", &e.action),
        changes: changes(e.before_json.as_deref(), e.after_json.as_deref()),
        hash_short: e.hash.chars().take(12).collect(),
    }
}

/// A word from the catalogue, or the logged name when it has none.
fn word(t: &T, prefix: &str, name: &str) -> String {
    let key = format!("{prefix}.{name}");
    let w = t.get(&key);
    if w == key {
        name.to_string()
    } else {
        w.to_string()
    }
}

/// Where a record of the log is shown, if it has a page.
fn link_of(entity: &str, id: &str) -> Option<String> {
    let id: i64 = id.parse().ok()?;
    match Entity::parse(entity)? {
        Entity::Asset => Some(format!("/assets/{id}")),
        Entity::Unit => Some(format!("/units/{id}")),
        Entity::User => Some(format!("/users/{id}")),
        Entity::NetcheckRun => Some(format!("/netcheck/runs/{id}")),
        Entity::InformationSystem => Some(format!("/systems/{id}")),
        Entity::ControlStatus => Some(format!("/control-status/{id}")),
        Entity::Checklist => Some(format!("/audits/checklists/{id}")),
        Entity::Inspection => Some(format!("/audits/inspections/{id}")),
        Entity::Audit => Some(format!("/audits/{id}")),
        Entity::Finding => Some(format!("/findings/{id}")),
        Entity::Incident => Some(format!("/incidents/{id}")),
        Entity::Exception => Some(format!("/exceptions/{id}")),
        Entity::Permission => Some(format!("/permissions/{id}")),
        Entity::Violation => Some(format!("/violations/{id}")),
        Entity::Contractor => Some(format!("/contractors/{id}")),
        Entity::ExternalService => Some(format!("/services/{id}")),
        Entity::EmergencyPlan => Some(format!("/plans/{id}")),
        Entity::ClassificationRequest => Some(format!("/classification-requests/{id}")),
        _ => None,
    }
}

/// The name a logged state gives its record (name, title, …), short.
fn name_of(state: Option<&str>) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(state?).ok()?;
    ["name", "title", "display_name", "deviation", "what"]
        .iter()
        .find_map(|k| v.get(*k)?.as_str().filter(|s| !s.trim().is_empty()))
        .map(|s| mamori_core::table::clip(s, NAME_CHARS))
}

/// A value of a change, short.
fn short(v: &serde_json::Value) -> String {
    let text = match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".to_string(),
        other => other.to_string(),
    };
    mamori_core::table::clip(&text, VALUE_CHARS)
}

/// What changed between the logged states, field by field (`name: old → new`),
/// the fields added or removed included; nothing for a creation or an entry
/// without both states.
fn changes(before: Option<&str>, after: Option<&str>) -> Vec<String> {
    let parse = |s: Option<&str>| {
        s.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
            .and_then(|v| match v {
                serde_json::Value::Object(m) => Some(m),
                _ => None,
            })
    };
    let (Some(before), Some(after)) = (parse(before), parse(after)) else {
        return Vec::new();
    };
    let null = serde_json::Value::Null;
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out: Vec<String> = keys
        .into_iter()
        .filter(|k| !matches!(k.as_str(), "updated_at" | "created_at"))
        .filter_map(|k| {
            let (b, a) = (
                before.get(k.as_str()).unwrap_or(&null),
                after.get(k.as_str()).unwrap_or(&null),
            );
            (b != a).then(|| format!("{k}: {} → {}", short(b), short(a)))
        })
        .collect();
    if out.len() > CHANGES_SHOWN {
        let more = out.len() - CHANGES_SHOWN;
        out.truncate(CHANGES_SHOWN);
        out.push(format!("… (+{more})"));
    }
    out
}

pub async fn events(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<EventsQuery>,
) -> AppResult<EventsPage> {
    let t = T { lang };
    let request = q.page.request();
    let entity = q.entity.unwrap_or_default().trim().to_string();
    let entity_id = q.entity_id.unwrap_or_default().trim().to_string();
    let person = q.person.unwrap_or_default().trim().to_string();
    let from = q.from.unwrap_or_default().trim().to_string();
    let to = q.to.unwrap_or_default().trim().to_string();
    let (from_at, until_at) = jst_day_bounds(
        day_of(&from, t.get("events.from"), lang)?,
        day_of(&to, t.get("events.to"), lang)?,
    );
    let filter = EventFilter {
        entity: (!entity.is_empty()).then(|| entity.clone()),
        entity_id: (!entity_id.is_empty()).then(|| entity_id.clone()),
        from: from_at,
        until: until_at,
        // Only the time sorts; another key leaves the default order.
        oldest_first: q.dir.as_deref() == Some("asc")
            && matches!(q.sort.as_deref(), None | Some("") | Some("at")),
        ..Default::default()
    };
    let person_filter = (!person.is_empty()).then_some(person.as_str());
    let page = state
        .app
        .log(&user, &filter, person_filter, request)
        .await?;
    let events = page.items.iter().map(|entry| log_line(entry, &t)).collect();
    let kinds = Entity::ALL
        .iter()
        .map(|e| (e.as_str().to_string(), word(&t, "entity", e.as_str())))
        .collect();
    let base = query_string(
        "/events",
        &[
            ("entity", &entity),
            ("entity_id", &entity_id),
            ("person", &person),
            ("from", &from),
            ("to", &to),
        ],
    );
    let oldest_first = filter.oldest_first;
    let headers = super::sort_headers(
        &base,
        // Newest first unless asked otherwise: the time column is sorted.
        "at",
        !oldest_first,
        &[
            ("", "#".to_string()),
            ("at", t.get("events.at").to_string()),
            ("", t.get("events.actor").to_string()),
            ("", t.get("events.entity").to_string()),
            ("", t.get("events.action").to_string()),
            ("", t.get("events.changes").to_string()),
            ("", t.get("events.hash").to_string()),
        ],
    );
    let paged_base = if oldest_first {
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}sort=at&dir=asc")
    } else {
        base.clone()
    };
    let pager = Pager::new(&t, &paged_base, request, page.total);
    let can_verify = state.app.may_app(&user, Action::VerifyLog);
    let chrome = Chrome::new(&state, &session, lang, Some(&user), &base, "events").await?;
    Ok(EventsPage {
        chrome,
        events,
        pager,
        headers,
        kinds,
        entity,
        entity_id,
        person,
        from,
        to,
        can_verify,
    })
}

pub async fn verify(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    axum::Form(form): axum::Form<super::session::CsrfOnly>,
) -> AppResult<Redirect> {
    verify_csrf(&session, &form.csrf).await?;
    let t = T { lang };
    match state.app.verify_log(&user).await? {
        ChainVerdict::Intact { events } => {
            flash(&session, format!("{} ({events})", t.get("events.intact"))).await
        }
        ChainVerdict::Broken { seq, reason } => {
            flash_error(
                &session,
                format!("{} #{seq}: {reason}", t.get("events.broken")),
            )
            .await
        }
    }
    Ok(Redirect::to("/events"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_its_record_from_the_logged_state() {
        assert_eq!(
            name_of(Some(r#"{"id":3,"name":"住民記録システム","x":1}"#)).as_deref(),
            Some("住民記録システム")
        );
        assert_eq!(
            name_of(Some(r#"{"title":"USBメモリの紛失"}"#)).as_deref(),
            Some("USBメモリの紛失")
        );
        assert_eq!(name_of(Some(r#"{"name":""}"#)), None);
        assert_eq!(name_of(Some("[1,2]")), None);
        assert_eq!(name_of(None), None);
        let long = "あ".repeat(100);
        assert!(
            name_of(Some(&format!(r#"{{"name":"{long}"}}"#)))
                .unwrap()
                .chars()
                .count()
                <= 41
        );
    }

    #[test]
    fn a_change_lists_the_fields_that_changed() {
        let c = changes(
            Some(r#"{"name":"台帳","level":"3B","updated_at":"x"}"#),
            Some(r#"{"name":"台帳","level":"1","updated_at":"y","notes":"追記"}"#),
        );
        assert_eq!(c, vec!["level: 3B → 1", "notes: — → 追記"]);
        assert!(changes(None, Some("{}")).is_empty());
    }
}
