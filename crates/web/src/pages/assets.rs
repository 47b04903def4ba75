//! The information-asset register (情報資産管理台帳) pages: the register with
//! server-side filters, and one asset with its handling rules, failed checks and
//! history. What a user sees is decided by the Cedar policy.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use mamori_authz::{Action, Resource};
use mamori_core::asset::{AssetKind, Lifecycle};
use mamori_core::catalog::Axis;
use mamori_store::assets::{AssetFilter, AssetScope, AssetSort};
use mamori_store::events::Event;
use mamori_store::units::parse_path;
use serde::Deserialize;
use std::collections::HashMap;
use tower_sessions::Session;

use super::{Chrome, PageQuery, Pager, query_string};
use crate::auth::{PageUser, asset_scope};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, T};
use crate::state::AppState;

pub struct AssetLine {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub unit: String,
    pub label: String,
    pub segment: String,
    pub state: String,
    pub flagged: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "assets.html")]
pub struct AssetsPage {
    chrome: Chrome,
    q: String,
    unit: String,
    kind: String,
    confidentiality: String,
    flagged: bool,
    units: Vec<(i64, String)>,
    kinds: Vec<(String, String)>,
    c_levels: Vec<String>,
    assets: Vec<AssetLine>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct AssetsQuery {
    q: Option<String>,
    unit: Option<String>,
    kind: Option<String>,
    confidentiality: Option<String>,
    flagged: Option<String>,
    #[serde(flatten)]
    page: PageQuery,
}

fn kind_name(kind: AssetKind, lang: Lang) -> String {
    lang.pick(kind.name_ja(), kind.name_en()).to_string()
}

fn state_name(state: Lifecycle, lang: Lang) -> String {
    lang.pick(state.name_ja(), state.name_en()).to_string()
}

pub async fn list(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<AssetsQuery>,
) -> AppResult<AssetsPage> {
    user.require_app(&state, Action::View)?;
    let scope = asset_scope(&state, &user).await?;
    let unit = q.unit.clone().unwrap_or_default();
    let kind = q.kind.clone().unwrap_or_default();
    let confidentiality = q.confidentiality.clone().unwrap_or_default();
    let text = q.q.clone().unwrap_or_default();
    let flagged = q.flagged.as_deref() == Some("true");
    let filter = AssetFilter {
        unit_id: match unit.as_str() {
            "" => None,
            u => Some(
                u.parse()
                    .map_err(|_| AppError::bad_request(format!("unit '{u}' is not a number")))?,
            ),
        },
        include_subunits: true,
        kind: match kind.as_str() {
            "" => None,
            k => Some(
                AssetKind::ALL
                    .into_iter()
                    .find(|x| x.code() == k)
                    .ok_or_else(|| {
                        AppError::bad_request(format!(
                            "種別 '{k}' はありません / no asset kind '{k}'"
                        ))
                    })?,
            ),
        },
        confidentiality: Some(confidentiality.clone()).filter(|c| !c.is_empty()),
        flagged: flagged.then_some(true),
        text: Some(text.clone()).filter(|t| !t.trim().is_empty()),
        ..Default::default()
    };
    let request = q.page.request();
    let page = state
        .store
        .list_assets(&filter, AssetSort::default(), request, &scope)
        .await?;
    let all_units = state.store.all_units().await?;
    let names: HashMap<i64, &str> = all_units
        .iter()
        .map(|u| (u.id, lang.pick(&u.name, &u.name_en)))
        .collect();
    let units = all_units
        .iter()
        .map(|u| {
            (
                u.id,
                u.lineage()
                    .iter()
                    .filter_map(|id| names.get(id).copied())
                    .collect::<Vec<_>>()
                    .join(" / "),
            )
        })
        .collect();
    let scheme = state.store.active_scheme().await?;
    let assets = page
        .items
        .into_iter()
        .map(|a| AssetLine {
            id: a.id,
            kind: kind_name(a.record.kind, lang),
            unit: a.owner_unit_name.clone(),
            label: a.label.clone(),
            segment: a.segment_name.clone().unwrap_or_default(),
            state: state_name(a.record.lifecycle, lang),
            flagged: a.flagged,
            name: a.record.name,
        })
        .collect();
    let flagged_s = if flagged { "true" } else { "" };
    let base = query_string(
        "/assets",
        &[
            ("q", &text),
            ("unit", &unit),
            ("kind", &kind),
            ("confidentiality", &confidentiality),
            ("flagged", flagged_s),
        ],
    );
    let pager = Pager::new(&T { lang }, &base, request, page.total);
    let chrome = Chrome::new(&state, &session, lang, Some(&user), &base, "assets").await?;
    Ok(AssetsPage {
        chrome,
        q: text,
        unit,
        kind,
        confidentiality,
        flagged,
        units,
        kinds: AssetKind::ALL
            .iter()
            .map(|k| (k.code().to_string(), kind_name(*k, lang)))
            .collect(),
        c_levels: scheme
            .levels_of(Axis::Confidentiality)
            .iter()
            .map(|l| l.code.clone())
            .collect(),
        assets,
        pager,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "asset.html")]
pub struct AssetPage {
    chrome: Chrome,
    name: String,
    label: String,
    flags: Vec<String>,
    facts: Vec<(String, String)>,
    handling: Vec<(String, String, String)>,
    history: Vec<Event>,
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> AppResult<AssetPage> {
    let asset = state.store.asset(id, &AssetScope::unrestricted()).await?;
    let owner = state.store.unit(asset.record.owner_unit_id).await?;
    let resource = Resource::Asset {
        id,
        owner_lineage: parse_path(&owner.path),
        top: asset.is_top,
    };
    if !user.can(&state, Action::ReadAsset, &resource) {
        return Err(AppError::not_found(format!(
            "資産 {id} はありません / asset {id} was not found"
        )));
    }
    let scheme = state.store.active_scheme().await?;
    let t = T { lang };
    let yes_no = |b: bool| {
        if b {
            t.get("assets.yes")
        } else {
            t.get("assets.no")
        }
        .to_string()
    };
    let r = &asset.record;
    let facts = vec![
        (t.get("assets.number").to_string(), asset.id.to_string()),
        (t.get("assets.kind").to_string(), kind_name(r.kind, lang)),
        (
            t.get("assets.unit").to_string(),
            asset.owner_unit_name.clone(),
        ),
        (
            t.get("assets.administrator").to_string(),
            r.administrator.clone(),
        ),
        (t.get("assets.location").to_string(), r.location.clone()),
        (
            t.get("assets.system").to_string(),
            asset.system_name.clone().unwrap_or_default(),
        ),
        (
            t.get("assets.segment").to_string(),
            asset.segment_name.clone().unwrap_or_default(),
        ),
        (
            t.get("assets.personal_info").to_string(),
            yes_no(r.personal_info),
        ),
        (t.get("assets.my_number").to_string(), yes_no(r.my_number)),
        (t.get("assets.retention").to_string(), r.retention.clone()),
        (
            t.get("assets.state").to_string(),
            state_name(r.lifecycle, lang),
        ),
        (
            t.get("common.description").to_string(),
            r.description.clone(),
        ),
    ];
    let handling = asset
        .handling(&scheme)
        .into_iter()
        .map(|h| {
            (
                lang.pick(h.axis.name_ja(), h.axis.name_en()).to_string(),
                lang.pick(h.topic.name_ja(), h.topic.name_en()).to_string(),
                lang.pick(&h.rule, &h.rule_en).to_string(),
            )
        })
        .collect();
    let flags = asset
        .flag_views(&scheme)
        .into_iter()
        .map(|f| lang.pick(&f.message, &f.message_en).to_string())
        .collect();
    let history = state
        .store
        .asset_history(id, mamori_store::PageRequest::default())
        .await?
        .items;
    let chrome = Chrome::new(
        &state,
        &session,
        lang,
        Some(&user),
        &format!("/assets/{id}"),
        "assets",
    )
    .await?;
    Ok(AssetPage {
        chrome,
        name: r.name.clone(),
        label: asset.label.clone(),
        flags,
        facts,
        handling,
        history,
    })
}
