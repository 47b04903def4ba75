//! The offline self-inspection questionnaire (第10): one row per checklist
//! item, the answer column a drop-down list of the answers the item allows,
//! and the campaign and unit the sheet is for written on its first row (and
//! again on a hidden sheet), so that an upload for another campaign or unit
//! is recognised. Reading gives the identification and the answer cells with
//! their row numbers; the app checks them.

use rust_xlsxwriter::{DataValidation, Format, Workbook};

use crate::WriteError;
use crate::read::{Malformed, malformed, read_rows};
use mamori_core::table::{ImportLimits, LedgerFormat};

/// The questionnaire's sheet.
pub const SHEET: &str = "回答票";
/// The hidden sheet holding the identification.
pub const ID_SHEET: &str = "mamori";
/// The first cell of the identification row.
pub const ID_LABEL: &str = "自己点検 / Self-inspection";

/// The columns, in order (header, width). An upload must have them where
/// they were written.
pub const HEADERS: &[(&str, f64)] = &[
    ("項番 / No.", 7.0),
    ("項目ID / Item ID", 10.0),
    ("条項 / Provision", 14.0),
    ("質問 / Question", 52.0),
    ("必須 / Mandatory", 9.0),
    ("確認方法 / Method", 12.0),
    ("確認する証跡 / Evidence to look for", 40.0),
    ("回答 / Answer", 12.0),
    ("コメント / Comment", 40.0),
];

/// The column of the item id, the answer and the comment.
pub const COL_ITEM: usize = 1;
pub const COL_ANSWER: usize = 7;
pub const COL_COMMENT: usize = 8;

/// The row (0-based) of the header.
const HEADER_ROW: u32 = 2;

/// Which questionnaire a sheet is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub inspection_id: i64,
    pub target_id: i64,
    /// Shown beside the ids: the campaign's title and the unit's name.
    pub title: String,
    pub target_name: String,
}

/// One item as written.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRow {
    pub position: i64,
    pub item_id: i64,
    pub provision: String,
    pub question: String,
    pub mandatory: bool,
    pub method: String,
    pub evidence_hint: String,
    /// The words of the answers allowed (the drop-down list).
    pub allowed: Vec<String>,
    /// The answer saved so far (its word), and the comment.
    pub answer: String,
    pub comment: String,
}

/// One answer row as read.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerCells {
    /// The row number as the spreadsheet shows it (from 1).
    pub row: u32,
    pub item_id: String,
    pub answer: String,
    pub comment: String,
}

/// A questionnaire as read: its identification (None when the first row is
/// not one), the header as found, and the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadQuestionnaire {
    pub identity: Option<(String, String)>,
    /// Headers that are missing or not where they were written.
    pub misplaced: Vec<&'static str>,
    pub rows: Vec<AnswerCells>,
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> WriteError {
    WriteError::Xlsx(e.to_string())
}

/// The questionnaire workbook. Cells are written as text (never formulas).
pub fn write(identity: &Identity, items: &[ItemRow]) -> Result<Vec<u8>, WriteError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let input = Format::new()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xFFF8DC))
        .set_unlocked();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET).map_err(xlsx_err)?;
    let id_cells = [
        ID_LABEL.to_string(),
        identity.inspection_id.to_string(),
        "対象 / Unit".to_string(),
        identity.target_id.to_string(),
        identity.title.clone(),
        identity.target_name.clone(),
    ];
    for (col, text) in id_cells.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, text, &bold)
            .map_err(xlsx_err)?;
    }
    for (col, (header, width)) in HEADERS.iter().enumerate() {
        let col = col as u16;
        sheet.set_column_width(col, *width).map_err(xlsx_err)?;
        sheet
            .write_string_with_format(HEADER_ROW, col, *header, &bold)
            .map_err(xlsx_err)?;
    }
    sheet
        .set_freeze_panes(HEADER_ROW + 1, 0)
        .map_err(xlsx_err)?;
    for (i, item) in items.iter().enumerate() {
        let r = HEADER_ROW + 1 + i as u32;
        let cells = [
            item.position.to_string(),
            item.item_id.to_string(),
            item.provision.clone(),
            item.question.clone(),
            if item.mandatory { "必須" } else { "推奨" }.to_string(),
            item.method.clone(),
            item.evidence_hint.clone(),
        ];
        for (col, text) in cells.iter().enumerate() {
            sheet
                .write_string_with_format(r, col as u16, text, &wrap)
                .map_err(xlsx_err)?;
        }
        sheet
            .write_string_with_format(r, COL_ANSWER as u16, &item.answer, &input)
            .map_err(xlsx_err)?;
        sheet
            .write_string_with_format(r, COL_COMMENT as u16, &item.comment, &input)
            .map_err(xlsx_err)?;
        let list = DataValidation::new()
            .allow_list_strings(&item.allowed)
            .map_err(xlsx_err)?
            .set_error_message("一覧から選んでください / choose from the list")
            .map_err(xlsx_err)?;
        sheet
            .add_data_validation(r, COL_ANSWER as u16, r, COL_ANSWER as u16, &list)
            .map_err(xlsx_err)?;
    }
    let hidden = book.add_worksheet();
    hidden.set_name(ID_SHEET).map_err(xlsx_err)?;
    hidden
        .write_string(0, 0, identity.inspection_id.to_string())
        .map_err(xlsx_err)?;
    hidden
        .write_string(0, 1, identity.target_id.to_string())
        .map_err(xlsx_err)?;
    hidden.set_hidden(true);
    book.save_to_buffer().map_err(xlsx_err)
}

/// Reads an uploaded questionnaire under the limits: the identification row,
/// whether every column is where it was written, and the rows below the
/// header (blank rows skipped).
pub fn read(bytes: &[u8], limits: &ImportLimits) -> Result<ReadQuestionnaire, Malformed> {
    let rows = read_rows(bytes, LedgerFormat::Xlsx, &[SHEET], limits)?;
    let cell = |cells: &[String], i: usize| {
        cells
            .get(i)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let identity = rows
        .iter()
        .find(|r| r.number == 1)
        .filter(|r| cell(&r.cells, 0) == ID_LABEL)
        .map(|r| (cell(&r.cells, 1), cell(&r.cells, 3)));
    let header_at = rows
        .iter()
        .take(20)
        .position(|r| r.cells.iter().any(|c| c.trim().starts_with("項番")));
    let Some(header_at) = header_at else {
        return Err(malformed(
            "回答票の見出し行（項番 …）がありません",
            "the questionnaire's header row (項番 …) was not found",
        ));
    };
    let header = &rows[header_at].cells;
    let misplaced = HEADERS
        .iter()
        .enumerate()
        .filter(|(i, (h, _))| cell(header, *i) != *h)
        .map(|(_, (h, _))| *h)
        .collect();
    let out = rows[header_at + 1..]
        .iter()
        .filter(|r| r.cells.iter().any(|c| !c.trim().is_empty()))
        .map(|r| AnswerCells {
            row: r.number,
            item_id: cell(&r.cells, COL_ITEM),
            answer: cell(&r.cells, COL_ANSWER),
            comment: cell(&r.cells, COL_COMMENT),
        })
        .collect();
    Ok(ReadQuestionnaire {
        identity,
        misplaced,
        rows: out,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn item(position: i64) -> ItemRow {
        ItemRow {
            position,
            item_id: 100 + position,
            provision: format!("control:S1-0{position}"),
            question: "=HYPERLINK(\"x\")".into(),
            mandatory: position == 1,
            method: "書類確認".into(),
            evidence_hint: "規程".into(),
            allowed: vec!["実施".into(), "未実施".into()],
            answer: if position == 1 {
                "実施".into()
            } else {
                String::new()
            },
            comment: String::new(),
        }
    }

    #[test]
    fn a_questionnaire_reads_back_with_its_identity() {
        let id = Identity {
            inspection_id: 7,
            target_id: 12,
            title: "令和7年度".into(),
            target_name: "情報政策課".into(),
        };
        let bytes = write(&id, &[item(1), item(2)]).unwrap();
        let read = read(&bytes, &ImportLimits::default()).unwrap();
        assert_eq!(read.identity, Some(("7".into(), "12".into())));
        assert!(read.misplaced.is_empty());
        assert_eq!(read.rows.len(), 2);
        assert_eq!(read.rows[0].row, 4);
        assert_eq!(read.rows[0].item_id, "101");
        assert_eq!(read.rows[0].answer, "実施");
        assert_eq!(read.rows[1].answer, "");
    }
}
