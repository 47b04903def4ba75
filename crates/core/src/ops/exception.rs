//! Exceptions (例外措置): a permitted deviation from a provision of the
//! standards (`CODE#KEY`) or from a control, for a scope and until an end
//! date, decided by the security office, the 統括情報セキュリティ責任者 or the
//! CISO, never by the person who asked.

use super::coded;

coded! {
    /// Where an exception stands.
    ExceptionState {
        Pending => ("pending", "承認待ち", "Awaiting a decision"),
        Approved => ("approved", "承認", "Approved"),
        Refused => ("refused", "却下", "Refused"),
        Withdrawn => ("withdrawn", "取下げ", "Withdrawn"),
    }
}

/// Exceptions ending within this many days are listed as about to expire.
pub const EXPIRING_DAYS: i64 = 30;

/// What an exception deviates from: a provision of a policy document
/// (`CODE#KEY`, e.g. `STD-01#3.2.1`) or a control code (`S4-01`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deviation {
    Provision { document: String, key: String },
    Control(String),
}

impl Deviation {
    /// Reads what a person entered; None when it is neither form.
    pub fn parse(text: &str) -> Option<Deviation> {
        let t = text.trim();
        if t.is_empty() || t.len() > 120 || t.chars().any(char::is_whitespace) {
            return None;
        }
        match t.split_once('#') {
            Some((doc, key)) if !doc.is_empty() && !key.is_empty() && !key.contains('#') => {
                Some(Deviation::Provision {
                    document: doc.to_string(),
                    key: key.to_string(),
                })
            }
            Some(_) => None,
            None => Some(Deviation::Control(t.to_string())),
        }
    }

    /// As stored.
    pub fn text(&self) -> String {
        match self {
            Deviation::Provision { document, key } => format!("{document}#{key}"),
            Deviation::Control(c) => c.clone(),
        }
    }
}
