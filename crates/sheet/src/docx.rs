//! Word documents (.docx) as paragraphs of text, for policy documents whose
//! paragraphs follow the 例規 layout: read under the import budgets (the file's
//! size, its zip entries, what `word/document.xml` unpacks to, the length of a
//! paragraph; no DTD or entity declarations), and written as a minimal
//! document, one paragraph a line.

use std::io::{Cursor, Read, Write};

use crate::ImportLimits;

/// Why a .docx was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{ja} / {en}")]
pub struct DocxError {
    pub ja: String,
    pub en: String,
}

fn refused(ja: impl Into<String>, en: impl Into<String>) -> DocxError {
    DocxError {
        ja: ja.into(),
        en: en.into(),
    }
}

/// The most entries a .docx may hold.
const MAX_ENTRIES: usize = 10_000;
/// The most characters of one paragraph.
pub const MAX_PARAGRAPH_CHARS: usize = 100_000;

/// The paragraphs of a .docx, in order, as text (a tab as a full-width space).
pub fn read_paragraphs(bytes: &[u8], limits: &ImportLimits) -> Result<Vec<String>, DocxError> {
    if bytes.len() as u64 > limits.max_upload_bytes {
        return Err(refused(
            format!(
                "ファイルが上限（import.max_upload_bytes = {}）を超えています",
                limits.max_upload_bytes
            ),
            format!(
                "the file is larger than import.max_upload_bytes ({})",
                limits.max_upload_bytes
            ),
        ));
    }
    let not_docx = |e: &dyn std::fmt::Display| {
        refused(
            format!(".docx として読めません: {e}"),
            format!("not a readable .docx: {e}"),
        )
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_docx(&e))?;
    if zip.len() > MAX_ENTRIES {
        return Err(not_docx(&format!("{} entries", zip.len())));
    }
    let budget = limits.max_xlsx_unpacked_bytes;
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| not_docx(&e))?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > budget {
        return Err(too_big(budget));
    }
    let mut entry = zip
        .by_name("word/document.xml")
        .map_err(|_| not_docx(&"no word/document.xml"))?;
    let mut xml = Vec::new();
    (&mut entry)
        .take(budget.saturating_add(1))
        .read_to_end(&mut xml)
        .map_err(|e| not_docx(&e))?;
    if xml.len() as u64 > budget {
        return Err(too_big(budget));
    }
    let xml = String::from_utf8(xml).map_err(|_| not_docx(&"document.xml is not UTF-8"))?;
    if xml.contains("<!DOCTYPE") || xml.contains("<!ENTITY") {
        return Err(not_docx(&"a DTD or entity declaration"));
    }
    paragraphs(&xml, limits.max_rows as usize)
}

fn too_big(budget: u64) -> DocxError {
    refused(
        format!("展開後の大きさが上限（import.max_xlsx_unpacked_bytes = {budget}）を超えています"),
        format!("it unpacks to more than import.max_xlsx_unpacked_bytes ({budget})"),
    )
}

/// The paragraphs of WordprocessingML: the text of `<w:t>` in each `<w:p>`.
fn paragraphs(xml: &str, max: usize) -> Result<Vec<String>, DocxError> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let mut in_text = false;
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        if in_text && let Some(p) = current.as_mut() {
            p.push_str(&unescape(&rest[..lt]));
            if p.chars().count() > MAX_PARAGRAPH_CHARS {
                return Err(refused(
                    format!(
                        "{}段落目が長すぎます（{MAX_PARAGRAPH_CHARS}文字まで）",
                        out.len() + 1
                    ),
                    format!(
                        "paragraph {} is longer than {MAX_PARAGRAPH_CHARS} characters",
                        out.len() + 1
                    ),
                ));
            }
        }
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        let closing = tag.starts_with('/');
        let empty = tag.ends_with('/');
        match name {
            "w:p" if closing => {
                if let Some(p) = current.take() {
                    out.push(p);
                    if out.len() > max {
                        return Err(refused(
                            format!("段落が多すぎます（{max}まで）"),
                            format!("more than {max} paragraphs"),
                        ));
                    }
                }
            }
            "w:p" if empty => out.push(String::new()),
            "w:p" => current = Some(String::new()),
            "w:t" if !closing && !empty => in_text = true,
            "w:t" => in_text = false,
            "w:tab" => {
                if let Some(p) = current.as_mut() {
                    p.push('\u{3000}');
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|&s| s <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..semi];
        let c = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// A minimal .docx with one paragraph per line.
pub fn write_paragraphs<'a>(
    lines: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<u8>, DocxError> {
    let mut body = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#,
    );
    for line in lines {
        if line.is_empty() {
            body.push_str("<w:p/>");
        } else {
            body.push_str("<w:p><w:r><w:t xml:space=\"preserve\">");
            body.push_str(&escape(line));
            body.push_str("</w:t></w:r></w:p>");
        }
    }
    body.push_str("</w:body></w:document>");
    package(&body)
}

/// Packs a `word/document.xml` into a .docx.
pub(crate) fn package(document_xml: &str) -> Result<Vec<u8>, DocxError> {
    let fail = |e: &dyn std::fmt::Display| {
        refused(
            format!(".docx を書けません: {e}"),
            format!("cannot write the .docx: {e}"),
        )
    };
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("word/document.xml", document_xml),
    ] {
        zip.start_file(name, options).map_err(|e| fail(&e))?;
        zip.write_all(text.as_bytes()).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn paragraphs_round_trip() {
        let lines = ["第1条　この規程は、<情報>を守る。", "", "(1)　A & B"];
        let bytes = write_paragraphs(lines).unwrap();
        let back = read_paragraphs(&bytes, &ImportLimits::default()).unwrap();
        assert_eq!(back, lines);
    }

    #[test]
    fn hostile_files_are_refused() {
        let limits = ImportLimits::default();
        assert!(read_paragraphs(b"not a zip", &limits).is_err());
        // A file larger than the upload budget.
        let small = ImportLimits {
            max_upload_bytes: 10,
            ..ImportLimits::default()
        };
        let bytes = write_paragraphs(["a"]).unwrap();
        assert!(read_paragraphs(&bytes, &small).is_err());
        // A document.xml that unpacks beyond the budget.
        let big: Vec<String> = (0..2000)
            .map(|i| format!("第{i}条　{}", "あ".repeat(100)))
            .collect();
        let bytes = write_paragraphs(big.iter().map(String::as_str)).unwrap();
        let tight = ImportLimits {
            max_xlsx_unpacked_bytes: 10_000,
            ..ImportLimits::default()
        };
        let e = read_paragraphs(&bytes, &tight).unwrap_err();
        assert!(e.en.contains("max_xlsx_unpacked_bytes"), "{e}");
        // Entity declarations (billion laughs) are refused.
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><w:document/>")
            .unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert!(read_paragraphs(&bytes, &limits).is_err());
    }
}
