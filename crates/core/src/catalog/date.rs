//! `time::Date` as an ISO date: a TOML local date (`2025-03-01`) or a string
//! (`"2025-03-01"`) on the way in, a string on the way out.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serializer};
use std::fmt;

const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub fn serialize<S: Serializer>(date: &time::Date, serializer: S) -> Result<S::Ok, S::Error> {
    let text = date.format(FORMAT).map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<time::Date, D::Error> {
    deserializer.deserialize_any(DateVisitor)
}

/// Parses "YYYY-MM-DD".
pub fn parse_iso(text: &str) -> Result<time::Date, time::error::Parse> {
    time::Date::parse(text.trim(), FORMAT)
}

struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = time::Date;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a date such as 2025-03-01")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_iso(v).map_err(|e| E::custom(format!("bad date '{v}': {e}")))
    }

    // A TOML datetime arrives as a one-entry map; its value is the text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some((_key, value)) = map.next_entry::<String, TomlDatetimeText>()? else {
            return Err(de::Error::custom("empty date"));
        };
        self.visit_str(&value.0)
    }
}

/// The text of a TOML datetime, read as a string whichever way it comes.
struct TomlDatetimeText(String);

impl<'de> Deserialize<'de> for TomlDatetimeText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TomlDatetimeText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TomlDatetimeText(v.to_owned()))
            }
        }
        deserializer.deserialize_any(V)
    }
}
