//! The checks of entered text ([`mamori_core::text`]) as the store's errors:
//! a coded problem naming the field, worded by whoever shows it.

use mamori_core::text::{MAX_LINE_CHARS, MAX_TEXT_CHARS, TextProblem, check_line, check_text};

use crate::StoreError;

fn invalid(field: &str, label: &str, label_en: &str, p: TextProblem) -> StoreError {
    StoreError::Rejected(p.problem(field, label, label_en))
}

/// A one-line value (a name, a code, a title): no control or
/// bidirectional-override characters, at most 200 characters.
pub(crate) fn line(
    field: &str,
    label: &str,
    label_en: &str,
    value: &str,
) -> Result<(), StoreError> {
    check_line(value, MAX_LINE_CHARS).map_err(|p| invalid(field, label, label_en, p))
}

/// Free text (a description, a note): line breaks allowed, at most 4,000
/// characters.
pub(crate) fn text(
    field: &str,
    label: &str,
    label_en: &str,
    value: &str,
) -> Result<(), StoreError> {
    check_text(value, MAX_TEXT_CHARS).map_err(|p| invalid(field, label, label_en, p))
}
