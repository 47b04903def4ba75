//! The risk register as an .xlsx workbook in the IPA sheet's columns, for the
//! committee: every pair the person may read under the filter, with the
//! threat's name, the band's label and colour, and the treatment's owner and
//! due date. Read page by page; logged as an export.

use mamori_core::risk::{TreatmentOption, TreatmentState};
use mamori_core::wareki::format_date_ja;
use mamori_sheet::risk::{RiskLine, risk_workbook};
use mamori_store::PageRequest;
use mamori_store::risk::{RiskFilter, RiskRow, RiskSortKey, Treatment};
use std::collections::HashMap;

use crate::access::{App, Caller};
use crate::error::{Error, Result};
use crate::imports::write_err;

/// More rows than this is refused: the register is to be filtered first
/// (by unit, band or threat). A committee reads thousands, not millions.
pub const MAX_EXPORT_ROWS: u64 = 200_000;

fn day(text: Option<&str>) -> String {
    text.and_then(mamori_core::asset::parse_date)
        .map(format_date_ja)
        .unwrap_or_default()
}

impl App {
    /// The register as an .xlsx workbook (see the module). A filter that
    /// matches more than [`MAX_EXPORT_ROWS`] is refused with the count.
    pub async fn export_risks(&self, caller: &Caller, filter: &RiskFilter) -> Result<Vec<u8>> {
        let scope = self.risk_scope(caller).await?;
        let store = self.facts();
        let b = mamori_core::catalog::builtin()
            .map_err(|e| Error::Store(mamori_store::StoreError::Internal(e.to_string())))?;
        let threats: HashMap<&str, &str> = b
            .threats
            .threats
            .iter()
            .map(|t| (t.code.as_str(), t.name.as_str()))
            .collect();
        let matrix = self.active_matrix(caller).await?;
        let per = PageRequest::MAX_PER_PAGE;
        let mut lines = Vec::new();
        for page in 1.. {
            let (found, _) = store
                .list_risks(
                    filter,
                    RiskSortKey::Residual,
                    true,
                    PageRequest::new(Some(page), Some(per)),
                    &scope,
                )
                .await?;
            if lines.len() as u64 + found.items.len() as u64 > MAX_EXPORT_ROWS {
                return Err(Error::Store(mamori_store::StoreError::invalid(
                    "filter",
                    format!(
                        "出力できるのは{MAX_EXPORT_ROWS}件までです。所管・区分・脅威で絞り込んでください / \
                         at most {MAX_EXPORT_ROWS} risks can be exported: filter by unit, band or threat"
                    ),
                )));
            }
            let ids: Vec<i64> = found.items.iter().map(|r| r.id).collect();
            let treatments: HashMap<i64, Treatment> = store
                .treatments_of(&ids)
                .await?
                .into_iter()
                .map(|t| (t.pair_id, t))
                .collect();
            let done = found.items.len() < per as usize;
            for r in &found.items {
                lines.push(line(r, treatments.get(&r.id), &threats, &matrix));
            }
            if done {
                break;
            }
        }
        let today = mamori_store::org::today();
        let title = format!(
            "リスク分析シート（{}）　{}　{}件",
            matrix.name,
            day(Some(&today)),
            lines.len()
        );
        let bytes = risk_workbook(&title, &lines).map_err(write_err)?;
        store
            .record_risk_export(
                &caller.actor(),
                &serde_json::json!({
                    "format": "xlsx",
                    "rows": lines.len(),
                    "unit": filter.unit,
                    "band": filter.band,
                    "threat": filter.threat,
                    "treatment": filter.treatment,
                }),
            )
            .await?;
        Ok(bytes)
    }
}

fn line(
    r: &RiskRow,
    t: Option<&Treatment>,
    threats: &HashMap<&str, &str>,
    matrix: &mamori_core::risk::Matrix,
) -> RiskLine {
    let kind = mamori_core::asset::AssetKind::parse(&r.kind)
        .map(|k| k.name_ja().to_string())
        .unwrap_or_else(|| r.kind.clone());
    let asset = if r.asset_id.is_some() {
        format!("{kind}（個別評価）")
    } else {
        format!(
            "{kind} C{}-I{}-A{}",
            r.confidentiality, r.integrity, r.availability
        )
    };
    let personal = match (r.personal_info, r.my_number) {
        (_, true) => "特定個人情報",
        (true, false) => "個人情報",
        _ => "",
    };
    let band = matrix.band(r.residual_value.max(0) as u32);
    RiskLine {
        asset,
        unit: r.unit_name.clone().unwrap_or_default(),
        system: r.system_name.clone().unwrap_or_default(),
        assets: r.asset_count,
        confidentiality: r.confidentiality.clone(),
        integrity: r.integrity.clone(),
        availability: r.availability.clone(),
        personal: personal.to_string(),
        importance: r.importance,
        threat: match threats.get(r.threat_code.as_str()) {
            Some(name) => format!("{} {name}", r.threat_code),
            None => r.threat_code.clone(),
        },
        controls: format!("実施率 {}%", r.control_effect),
        likelihood: r.likelihood,
        residual_likelihood: r.residual_likelihood,
        impact: r.impact,
        inherent: r.inherent_value,
        residual: r.residual_value,
        band: band.map_or_else(|| r.band.clone(), |b| b.label.clone()),
        band_colour: band.map(|b| b.colour.clone()),
        treatment: t
            .and_then(|t| TreatmentOption::parse(&t.option))
            .map(|o| o.name_ja().to_string())
            .unwrap_or_else(|| "未対応".to_string()),
        state: t
            .and_then(|t| TreatmentState::parse(&t.state))
            .map(|s| s.name_ja().to_string())
            .unwrap_or_default(),
        owner: t.and_then(|t| t.owner_name.clone()).unwrap_or_default(),
        due: day(t.and_then(|t| t.due_on.as_deref().or(t.expires_on.as_deref()))),
    }
}
