//! One page of a stored netcheck report, read in one pass over its JSON.
//!
//! A check of 100,000 rules stores tens of thousands of violations and
//! never-matching rules; a page shows a slice of each long list and its
//! total, so only that slice becomes values (the rest is skipped as it is
//! read).

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// A slice of a list and the list's length.
#[derive(Debug, Default)]
pub struct Slice {
    pub items: Vec<Value>,
    pub total: usize,
}

/// The parts of a report a page shows.
#[derive(Debug, Default)]
pub struct Partial {
    pub model: String,
    pub complete: bool,
    pub matrix: Vec<Value>,
    pub violations: Slice,
    pub shadowed: Slice,
    pub blocked_flows: Slice,
    pub findings: Slice,
    pub unsupported: Slice,
    pub notes: Slice,
    /// Things the officer should look at (host bits, …), with their lines.
    pub warnings: Slice,
}

/// Which items of the long lists to keep: `(offset, limit)`.
#[derive(Clone, Copy, Debug)]
pub struct Want {
    pub violations: (usize, usize),
    pub shadowed: (usize, usize),
    /// The first so many of the other lists.
    pub others: usize,
}

/// The `(offset, limit)` of one page.
pub fn window(page: mamori_store::PageRequest) -> (usize, usize) {
    (
        usize::try_from(page.offset()).unwrap_or(0),
        page.per_page as usize,
    )
}

/// [`read`] on a blocking thread: a large report is CPU work, kept off the
/// async threads.
pub async fn read_blocking(json: String, want: Want) -> Result<Partial, crate::error::AppError> {
    tokio::task::spawn_blocking(move || read(&json, want))
        .await
        .map_err(|e| {
            crate::error::AppError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "MAMORI-INTERNAL",
                format!("reading the report: {e}"),
            )
        })
}

/// Reads the parts of `json` that `want` asks for. A report that is not an
/// object of the expected shape reads as empty.
pub fn read(json: &str, want: Want) -> Partial {
    let mut de = serde_json::Deserializer::from_str(json);
    ReportSeed(want).deserialize(&mut de).unwrap_or_default()
}

struct ReportSeed(Want);

impl<'de> DeserializeSeed<'de> for ReportSeed {
    type Value = Partial;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Partial, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ReportSeed {
    type Value = Partial;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a netcheck report")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Partial, A::Error> {
        let w = self.0;
        let mut p = Partial::default();
        let first = |n: usize| SliceSeed {
            offset: 0,
            limit: n,
        };
        while let Some(k) = map.next_key::<String>()? {
            match k.as_str() {
                "model" => p.model = map.next_value()?,
                "complete" => p.complete = map.next_value()?,
                "matrix" => p.matrix = map.next_value()?,
                "violations" => {
                    p.violations = map.next_value_seed(SliceSeed {
                        offset: w.violations.0,
                        limit: w.violations.1,
                    })?
                }
                "shadowed" => {
                    p.shadowed = map.next_value_seed(SliceSeed {
                        offset: w.shadowed.0,
                        limit: w.shadowed.1,
                    })?
                }
                "blocked_flows" => p.blocked_flows = map.next_value_seed(first(w.others))?,
                "findings" => p.findings = map.next_value_seed(first(w.others))?,
                "unsupported" => p.unsupported = map.next_value_seed(first(w.others))?,
                "notes" => p.notes = map.next_value_seed(first(w.others))?,
                "warnings" => p.warnings = map.next_value_seed(first(w.others))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(p)
    }
}

struct SliceSeed {
    offset: usize,
    limit: usize,
}

impl<'de> DeserializeSeed<'de> for SliceSeed {
    type Value = Slice;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Slice, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SliceSeed {
    type Value = Slice;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Slice, A::Error> {
        let mut out = Slice::default();
        let end = self.offset.saturating_add(self.limit);
        loop {
            let i = out.total;
            let more = if (self.offset..end).contains(&i) {
                match seq.next_element::<Value>()? {
                    Some(v) => {
                        out.items.push(v);
                        true
                    }
                    None => false,
                }
            } else {
                seq.next_element::<IgnoredAny>()?.is_some()
            };
            if !more {
                return Ok(out);
            }
            out.total += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_and_totals() {
        let json = r#"{"model":"alpha","complete":true,"matrix":[{"a":1}],
            "violations":[1,2,3,4,5],"shadowed":[{"x":1},{"x":2}],
            "findings":[1,2,3],"unknown":{"deep":[1,2]},"notes":["n"]}"#;
        let p = read(
            json,
            Want {
                violations: (2, 2),
                shadowed: (5, 10),
                others: 2,
            },
        );
        assert_eq!(p.model, "alpha");
        assert!(p.complete);
        assert_eq!(p.matrix.len(), 1);
        assert_eq!(p.violations.items, vec![Value::from(3), Value::from(4)]);
        assert_eq!(p.violations.total, 5);
        assert!(p.shadowed.items.is_empty());
        assert_eq!(p.shadowed.total, 2);
        assert_eq!(p.findings.items.len(), 2);
        assert_eq!(p.findings.total, 3);
        assert_eq!(p.notes.total, 1);
        assert_eq!(p.blocked_flows.total, 0);
        let bad = read(
            "[1,2]",
            Want {
                violations: (0, 1),
                shadowed: (0, 1),
                others: 1,
            },
        );
        assert_eq!(bad.violations.total, 0);
        assert_eq!(bad.model, "");
    }
}
