//! The 新旧対照表 as files for the committee: an .xlsx workbook and a .docx
//! table, two columns (改正後 on the left, 改正前 on the right, as the official
//! form has them), the changed words underlined, unchanged provisions elided
//! as （略）.

use mamori_core::policy_doc::compare::{Row, Side, Span};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, FormatUnderline, Workbook};

use crate::WriteError;
use crate::docx::{DocxError, escape, package};

/// What heads the table.
pub struct Heading<'a> {
    /// e.g. 情報セキュリティ対策基準 新旧対照表
    pub title: &'a str,
    /// e.g. 改正前: 第1版（施行中） → 改正後: 第2版（案）
    pub subtitle: &'a str,
}

/// One side of a row as runs of text, each changed or not.
fn runs(side: Option<&Side>, missing: &str) -> Vec<(String, bool)> {
    let Some(s) = side else {
        return vec![(missing.to_string(), false)];
    };
    let mut out = vec![(s.label.clone(), false)];
    if !s.heading_spans.is_empty() {
        out.push(("（".into(), false));
        out.extend(spans(&s.heading_spans));
        out.push(("）".into(), false));
    }
    out.push(("　".into(), false));
    out.extend(spans(&s.text_spans));
    // Adjacent runs of the same kind, joined; empty runs dropped.
    let mut joined: Vec<(String, bool)> = Vec::new();
    for (text, changed) in out {
        if text.is_empty() {
            continue;
        }
        match joined.last_mut() {
            Some((t, c)) if *c == changed => t.push_str(&text),
            _ => joined.push((text, changed)),
        }
    }
    joined
}

fn spans(list: &[Span]) -> impl Iterator<Item = (String, bool)> + '_ {
    list.iter().map(|s| (s.text.clone(), s.changed))
}

/// The two cells of a row: 改正後, 改正前.
fn cells(row: &Row<'_>) -> [Vec<(String, bool)>; 2] {
    match row {
        Row::Elided(_) => [
            vec![("（略）".into(), false)],
            vec![("（略）".into(), false)],
        ],
        Row::Entry(e) => [
            runs(e.new.as_ref(), "（削る）"),
            runs(e.old.as_ref(), "（新設）"),
        ],
    }
}

/// The comparison as an .xlsx workbook (one sheet, A4 landscape when printed).
pub fn xlsx(heading: &Heading<'_>, rows: &[Row<'_>]) -> Result<Vec<u8>, WriteError> {
    let err = |e: rust_xlsxwriter::XlsxError| WriteError::Xlsx(e.to_string());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("新旧対照表").map_err(err)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_repeat_rows(2, 2).map_err(err)?;
    let cell = Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let plain = Format::new();
    let underline = Format::new().set_underline(FormatUnderline::Single);
    sheet.set_column_width(0, 60).map_err(err)?;
    sheet.set_column_width(1, 60).map_err(err)?;
    sheet
        .write_string_with_format(0, 0, heading.title, &Format::new().set_bold())
        .map_err(err)?;
    sheet.write_string(1, 0, heading.subtitle).map_err(err)?;
    sheet
        .write_string_with_format(2, 0, "改正後", &header)
        .map_err(err)?;
    sheet
        .write_string_with_format(2, 1, "改正前", &header)
        .map_err(err)?;
    for (i, row) in rows.iter().enumerate() {
        let r = u32::try_from(i + 3).map_err(|_| WriteError::TooManyRows)?;
        for (col, runs) in cells(row).iter().enumerate() {
            let col = col as u16;
            if runs.iter().any(|(_, changed)| *changed) {
                let segments: Vec<(&Format, &str)> = runs
                    .iter()
                    .map(|(t, changed)| (if *changed { &underline } else { &plain }, t.as_str()))
                    .collect();
                sheet
                    .write_rich_string_with_format(r, col, &segments, &cell)
                    .map_err(err)?;
            } else {
                let text: String = runs.iter().map(|(t, _)| t.as_str()).collect();
                sheet
                    .write_string_with_format(r, col, &text, &cell)
                    .map_err(err)?;
            }
        }
    }
    book.save_to_buffer().map_err(err)
}

/// The comparison as a .docx: the title, the subtitle and a bordered
/// two-column table.
pub fn docx(heading: &Heading<'_>, rows: &[Row<'_>]) -> Result<Vec<u8>, DocxError> {
    let mut body = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#,
    );
    let para = |body: &mut String, text: &str, bold: bool| {
        body.push_str("<w:p><w:r>");
        if bold {
            body.push_str("<w:rPr><w:b/></w:rPr>");
        }
        body.push_str("<w:t xml:space=\"preserve\">");
        body.push_str(&escape(text));
        body.push_str("</w:t></w:r></w:p>");
    };
    para(&mut body, heading.title, true);
    para(&mut body, heading.subtitle, false);
    body.push_str(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>\
         <w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/>\
         <w:bottom w:val=\"single\" w:sz=\"4\"/><w:right w:val=\"single\" w:sz=\"4\"/>\
         <w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>\
         </w:tblBorders></w:tblPr><w:tblGrid><w:gridCol w:w=\"4800\"/><w:gridCol w:w=\"4800\"/></w:tblGrid>",
    );
    let row_xml = |body: &mut String, cells: &[Vec<(String, bool)>], header: bool| {
        body.push_str(if header {
            "<w:tr><w:trPr><w:tblHeader/></w:trPr>"
        } else {
            "<w:tr>"
        });
        for runs in cells {
            body.push_str("<w:tc><w:tcPr><w:tcW w:w=\"2500\" w:type=\"pct\"/></w:tcPr><w:p>");
            for (text, changed) in runs {
                body.push_str("<w:r>");
                if *changed {
                    body.push_str("<w:rPr><w:u w:val=\"single\"/></w:rPr>");
                } else if header {
                    body.push_str("<w:rPr><w:b/></w:rPr>");
                }
                body.push_str("<w:t xml:space=\"preserve\">");
                body.push_str(&escape(text));
                body.push_str("</w:t></w:r>");
            }
            body.push_str("</w:p></w:tc>");
        }
        body.push_str("</w:tr>");
    };
    row_xml(
        &mut body,
        &[
            vec![("改正後".into(), false)],
            vec![("改正前".into(), false)],
        ],
        true,
    );
    for row in rows {
        row_xml(&mut body, &cells(row), false);
    }
    body.push_str("</w:tbl><w:p/></w:body></w:document>");
    package(&body)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use mamori_core::policy_doc::compare::{compare, rows};
    use mamori_core::policy_doc::parse::{Format as TextFormat, parse};
    use std::io::Read;

    fn comparison() -> Vec<mamori_core::policy_doc::compare::Entry> {
        let mut old = parse(
            "基準\n第1条　目的を定める。\n第2条　サーバは管理区域に置く。\n第3条　記録する。\n",
            TextFormat::Reiki,
        )
        .unwrap();
        let mut new = parse(
            "基準\n第1条　目的を定める。\n第2条　サーバは施錠された管理区域に置く。\n第3条　記録する。\n",
            TextFormat::Reiki,
        )
        .unwrap();
        let mut n = 0;
        let mut key = || {
            n += 1;
            format!("k{n}")
        };
        mamori_core::policy_doc::keys::assign(&mut old, None, &mut key);
        mamori_core::policy_doc::keys::assign(&mut new, Some(&old), &mut key);
        compare(&old, &new)
    }

    const HEADING: Heading<'static> = Heading {
        title: "基準 新旧対照表",
        subtitle: "改正前: 第1版 → 改正後: 第2版",
    };

    #[test]
    fn the_docx_underlines_the_changed_words_and_elides_the_rest() {
        let entries = comparison();
        let bytes = docx(&HEADING, &rows(&entries)).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(xml.contains("<w:tblHeader/>"));
        assert!(
            xml.contains(
                "<w:u w:val=\"single\"/></w:rPr><w:t xml:space=\"preserve\">施錠された</w:t>"
            ),
            "{xml}"
        );
        assert!(xml.contains("（略）"));
        // Well-formed: it reads back, cell by cell, with the words in order.
        let bytes = docx(&HEADING, &rows(&entries)).unwrap();
        let back = crate::docx::read_paragraphs(&bytes, &crate::ImportLimits::default()).unwrap();
        assert_eq!(back[0], "基準 新旧対照表");
        assert!(
            back.iter()
                .any(|p| p == "第2条　サーバは施錠された管理区域に置く。"),
            "{back:?}"
        );
        assert!(
            back.iter().any(|p| p == "第2条　サーバは管理区域に置く。"),
            "{back:?}"
        );
    }

    #[test]
    fn the_xlsx_holds_the_two_columns() {
        let entries = comparison();
        let bytes = xlsx(&HEADING, &rows(&entries)).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut strings = String::new();
        zip.by_name("xl/sharedStrings.xml")
            .unwrap()
            .read_to_string(&mut strings)
            .unwrap();
        assert!(strings.contains("改正後") && strings.contains("改正前"));
        assert!(strings.contains("施錠された"), "{strings}");
        assert!(
            strings.contains("<u/>"),
            "the changed words are underlined: {strings}"
        );
        assert!(strings.contains("（略）"));
    }
}
