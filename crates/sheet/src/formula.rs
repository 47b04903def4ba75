//! Cells that a spreadsheet would take for a formula. A CSV opened in Excel
//! runs a cell that begins with `=`, `+`, `-` or `@` (and tab or carriage
//! return) as a formula: a value typed by one member of staff would run on the
//! computer of whoever opens the export. The CSV export writes such a cell
//! behind an apostrophe, as OWASP advises, and the CSV import takes the
//! apostrophe off again, so that an export still imports back unchanged.
//! (.xlsx cells are written as text and need none of this.)

use std::borrow::Cow;

fn starts_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The cell as the CSV export writes it: behind an apostrophe when it would
/// be a formula, or when it already begins with an apostrophe (so that
/// [`unescape`] gives back exactly what was stored).
pub fn escape(cell: &str) -> Cow<'_, str> {
    if starts_formula(cell) || cell.starts_with('\'') {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// [`escape`] as bytes, for a CSV writer (no copy unless escaped).
pub fn escape_bytes(cell: &str) -> Cow<'_, [u8]> {
    match escape(cell) {
        Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
        Cow::Owned(text) => Cow::Owned(text.into_bytes()),
    }
}

/// A CSV cell as imported: the apostrophe [`escape`] added is taken off.
pub fn unescape(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_formula(rest) || rest.starts_with('\'') => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_written_as_text() {
        for cell in ["=1+1", "+81-3", "-2", "@SUM(A1)", "\t=x", "\r=x"] {
            let out = escape(cell);
            assert!(out.starts_with('\''), "{cell:?}");
            assert_eq!(unescape(&out), cell);
        }
        assert_eq!(
            escape("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
    }

    #[test]
    fn everything_else_round_trips_unchanged() {
        for cell in [
            "",
            "台帳",
            "1",
            "C3A-I2-A2",
            "'",
            "'quoted",
            "''=x",
            "a=b",
            "2026-04-01",
        ] {
            assert_eq!(unescape(&escape(cell)), cell, "{cell:?}");
        }
        assert_eq!(escape("台帳"), "台帳");
        // A cell from elsewhere that happens to begin with an apostrophe.
        assert_eq!(unescape("'abc"), "'abc");
    }
}
