//! Paging, one way for every list: pages and API alike read `page` (from 1)
//! and `per_page` (1–500, default 50) with [`Paging`]. A value is read as a
//! number or as text (a page's query flattened into a list's filter hands
//! every value over as text), and a value that is empty, not a number or out
//! of range is refused (400, naming the parameter) rather than quietly
//! clamped, as the OpenAPI document says. The API takes it as its own
//! extractor beside the list's filter (`ApiQuery<Paging>`); a page flattens it
//! into its query.

use serde::Deserialize;
use serde::de::{Deserializer, Error, Visitor};

/// The last page number a request may ask for (the document's int32 maximum).
pub const MAX_PAGE: u32 = 2_147_483_647;

/// `page` (from 1) and `per_page` (1–500, default 50).
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams, Default, PartialEq, Eq)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// The page, from 1 (default 1).
    #[serde(default, deserialize_with = "page")]
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1–500 (default 50).
    #[serde(default, deserialize_with = "per_page")]
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

impl Paging {
    pub fn request(&self) -> mamori_store::PageRequest {
        mamori_store::PageRequest::new(self.page, self.per_page)
    }
}

/// `page`: 1 to [`MAX_PAGE`].
pub fn page<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match number_text(d, "page")? {
        Some(n) if n == 0 || n > MAX_PAGE => Err(D::Error::custom(
            "page は 1〜2147483647 です / page must be from 1 to 2147483647",
        )),
        v => Ok(v),
    }
}

/// `per_page`: 1 to 500.
pub fn per_page<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match number_text(d, "per_page")? {
        Some(n) if !(1..=mamori_store::PageRequest::MAX_PER_PAGE).contains(&n) => Err(
            D::Error::custom("per_page は 1〜500 です / per_page must be from 1 to 500"),
        ),
        v => Ok(v),
    }
}

/// Any other page number of a page with several lists (`rpage`, `mpage`, …):
/// text or number, empty is none, 1 to [`MAX_PAGE`].
pub fn other_page<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    page(d)
}

/// A whole number given as a number or as text. An empty value is refused
/// like any other that is not a page number (the links Mamori writes leave
/// an unset page out rather than sending it empty).
fn number_text<'de, D: Deserializer<'de>>(
    d: D,
    name: &'static str,
) -> Result<Option<u32>, D::Error> {
    struct V(&'static str);
    impl<'de> Visitor<'de> for V {
        type Value = Option<u32>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a page number for {}", self.0)
        }
        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(u32::try_from(v).unwrap_or(u32::MAX)))
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
            // Negative numbers are out of range whatever the parameter.
            Ok(Some(u32::try_from(v).unwrap_or(0)))
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            match t.parse::<u64>() {
                Ok(n) => self.visit_u64(n),
                Err(_) if t.starts_with('-') && t[1..].bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(Some(0))
                }
                Err(_) => Err(E::custom(format!(
                    "{0} はページ番号（1以上の整数）です: '{1}' / {0} must be a page number (a whole number from 1): '{1}'",
                    self.0,
                    mamori_core::table::clip(t, 40)
                ))),
            }
        }
    }
    d.deserialize_any(V(name))
}

// --- h17ui ---
/// The direction of a list's order (`sort`/`dir` beside a list's filter).
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SortDir {
    /// Ascending (the default).
    #[default]
    Asc,
    /// Descending.
    Desc,
}

impl SortDir {
    pub fn descending(self) -> bool {
        self == SortDir::Desc
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Deserialize)]
    struct Filtered {
        q: Option<String>,
        #[serde(flatten)]
        paging: Paging,
    }

    #[test]
    fn reads_alone_and_flattened_into_a_filter() {
        let p: Paging = serde_urlencoded::from_str("page=2&per_page=10").unwrap();
        assert_eq!((p.page, p.per_page), (Some(2), Some(10)));
        let f: Filtered = serde_urlencoded::from_str("q=x&page=3").unwrap();
        assert_eq!(f.q.as_deref(), Some("x"));
        assert_eq!((f.paging.page, f.paging.per_page), (Some(3), None));
        let empty: Paging = serde_urlencoded::from_str("").unwrap();
        assert_eq!(empty, Paging::default());
    }

    #[test]
    fn out_of_range_and_text_are_refused_naming_the_parameter() {
        for bad in [
            "page=0",
            "page=-1",
            "page=2147483648",
            "per_page=501",
            "per_page=0",
        ] {
            let e = serde_urlencoded::from_str::<Paging>(bad).err();
            assert!(e.is_some(), "{bad}");
            let e = serde_urlencoded::from_str::<Filtered>(bad).err();
            assert!(e.is_some(), "flattened {bad}");
        }
        let e = serde_urlencoded::from_str::<Filtered>("page=abc")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("page") && e.contains("abc"), "{e}");
    }
}
