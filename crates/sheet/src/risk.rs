//! The risk register as the committee reads it: one sheet in the columns of
//! the IPA risk analysis sheet (asset, importance, threat, control status,
//! likelihood, risk value, treatment), a title row with the date and the
//! matrix, the residual risk's cell coloured by its band, A4 landscape with
//! the header repeated on every printed page.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};

use crate::WriteError;

/// The sheet's name.
pub const RISK_SHEET: &str = "リスク分析";

/// The columns (header, width).
pub const RISK_HEADERS: &[(&str, f64)] = &[
    ("No.", 6.0),
    ("情報資産 / Asset", 30.0),
    ("所管 / Unit", 18.0),
    ("情報システム / System", 18.0),
    ("資産数 / Assets", 8.0),
    ("機密性 / C", 7.0),
    ("完全性 / I", 7.0),
    ("可用性 / A", 7.0),
    ("個人情報 / Personal", 9.0),
    ("重要度 / Importance", 9.0),
    ("脅威 / Threat", 28.0),
    ("対策状況 / Controls", 12.0),
    ("発生可能性（対策前） / Likelihood", 11.0),
    ("発生可能性（対策後） / Residual likelihood", 11.0),
    ("影響度 / Impact", 8.0),
    ("固有リスク値 / Inherent", 9.0),
    ("残留リスク値 / Residual", 9.0),
    ("区分 / Band", 10.0),
    ("対応 / Treatment", 10.0),
    ("状態 / State", 10.0),
    ("担当 / Owner", 14.0),
    ("期限 / Due", 16.0),
];

/// One row of the register. Text cells are written as text (never as
/// formulas); numbers as numbers.
#[derive(Debug, Clone, Default)]
pub struct RiskLine {
    pub asset: String,
    pub unit: String,
    pub system: String,
    pub assets: i64,
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
    pub personal: String,
    pub importance: i64,
    pub threat: String,
    pub controls: String,
    pub likelihood: i64,
    pub residual_likelihood: i64,
    pub impact: i64,
    pub inherent: i64,
    pub residual: i64,
    pub band: String,
    /// The band's colour, `#RRGGBB`, if any.
    pub band_colour: Option<String>,
    pub treatment: String,
    pub state: String,
    pub owner: String,
    pub due: String,
}

/// Rows one sheet holds (less the title and header rows).
const MAX_ROWS: usize = 1_048_574;

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> WriteError {
    WriteError::Xlsx(e.to_string())
}

fn colour(hex: &str) -> Option<Color> {
    let h = hex.strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    u32::from_str_radix(h, 16).ok().map(Color::RGB)
}

/// The workbook: `title` heads the sheet (e.g. the city, the date and the
/// matrix), then the header row, then one row per risk.
pub fn risk_workbook(title: &str, lines: &[RiskLine]) -> Result<Vec<u8>, WriteError> {
    if lines.len() > MAX_ROWS {
        return Err(WriteError::TooManyRows);
    }
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(RISK_SHEET).map_err(xlsx_err)?;
    let bold = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    sheet
        .write_string_with_format(0, 0, title, &bold)
        .map_err(xlsx_err)?;
    for (col, (header, width)) in RISK_HEADERS.iter().enumerate() {
        let col = col as u16;
        sheet.set_column_width(col, *width).map_err(xlsx_err)?;
        sheet
            .write_string_with_format(1, col, *header, &head)
            .map_err(xlsx_err)?;
    }
    sheet.set_row_height(1, 45).map_err(xlsx_err)?;
    sheet.set_freeze_panes(2, 2).map_err(xlsx_err)?;
    let last_col = RISK_HEADERS.len() as u16 - 1;
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 2;
        let texts: [(u16, &str); 13] = [
            (1, &l.asset),
            (2, &l.unit),
            (3, &l.system),
            (5, &l.confidentiality),
            (6, &l.integrity),
            (7, &l.availability),
            (8, &l.personal),
            (10, &l.threat),
            (11, &l.controls),
            (18, &l.treatment),
            (19, &l.state),
            (20, &l.owner),
            (21, &l.due),
        ];
        for (c, t) in texts {
            sheet
                .write_string_with_format(r, c, t, &cell)
                .map_err(xlsx_err)?;
        }
        let numbers: [(u16, i64); 8] = [
            (0, i as i64 + 1),
            (4, l.assets),
            (9, l.importance),
            (12, l.likelihood),
            (13, l.residual_likelihood),
            (14, l.impact),
            (15, l.inherent),
            (16, l.residual),
        ];
        for (c, n) in numbers {
            sheet
                .write_number_with_format(r, c, n as f64, &cell)
                .map_err(xlsx_err)?;
        }
        let band = match l.band_colour.as_deref().and_then(colour) {
            Some(c) => cell.clone().set_background_color(c),
            None => cell.clone(),
        };
        sheet
            .write_string_with_format(r, 17, &l.band, &band)
            .map_err(xlsx_err)?;
    }
    let last_row = (lines.len() as u32 + 1).max(2);
    sheet
        .autofilter(1, 0, last_row, last_col)
        .map_err(xlsx_err)?;
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(1, 1).map_err(xlsx_err)?;
    book.save_to_buffer().map_err(xlsx_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_register_reads_back_with_its_columns_and_text_kept_as_text() {
        let line = RiskLine {
            asset: "=HYPERLINK(\"http://x\")".into(),
            threat: "T01 不正アクセス".into(),
            residual: 12,
            band: "高".into(),
            band_colour: Some("#ff0000".into()),
            ..RiskLine::default()
        };
        let bytes = risk_workbook("リスク分析 2026-12-06", &[line]).expect("writes");
        let sheet = crate::testing::sheet_rows(&bytes, RISK_SHEET);
        assert_eq!(sheet[0][0], "リスク分析 2026-12-06");
        assert_eq!(sheet[1][0], "No.");
        assert_eq!(sheet[1].len(), RISK_HEADERS.len());
        assert_eq!(sheet[2][1], "=HYPERLINK(\"http://x\")");
        assert_eq!(sheet[2][10], "T01 不正アクセス");
        assert_eq!(sheet[2][16], "12");
        assert_eq!(sheet[2][17], "高");
    }
}
