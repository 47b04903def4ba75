//! Japanese first, English beside: the interface language of a request and the
//! message catalogues (`i18n/ja.toml`, `i18n/en.toml`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::OnceLock;

/// The cookie that keeps the chosen language.
pub const LANG_COOKIE: &str = "mamori_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn is_en(self) -> bool {
        self == Lang::En
    }

    /// Picks the Japanese or the English of a pair.
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::En if !en.is_empty() => en,
            _ => ja,
        }
    }
}

fn catalogue(lang: Lang) -> &'static HashMap<String, String> {
    static JA: OnceLock<HashMap<String, String>> = OnceLock::new();
    static EN: OnceLock<HashMap<String, String>> = OnceLock::new();
    let (cell, text) = match lang {
        Lang::Ja => (&JA, include_str!("../i18n/ja.toml")),
        Lang::En => (&EN, include_str!("../i18n/en.toml")),
    };
    // The catalogues are part of the binary and checked by the unit tests.
    cell.get_or_init(|| toml::from_str(text).unwrap_or_default())
}

/// The messages of one language, for templates: `{{ t.get("nav.policy") }}`.
#[derive(Debug, Clone, Copy)]
pub struct T {
    pub lang: Lang,
}

impl T {
    pub fn get<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        catalogue(self.lang)
            .get(key)
            .map(String::as_str)
            .unwrap_or(key)
    }

    /// Japanese or English of a pair of fields.
    pub fn pick<'a>(&self, ja: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(ja, en)
    }

    /// A refusal's message where it belongs: the label of its field before it
    /// (「期限: 日付を読み取れません」) unless the message names it already, so
    /// that a reader is never shown an internal field name (`due_on`). A field
    /// without a label (an import's column) is named as it is.
    pub fn located(&self, field: Option<&str>, message: String) -> String {
        let Some(field) = field.filter(|f| !f.is_empty()) else {
            return message;
        };
        let base = field.split(['[', '.']).next().unwrap_or(field);
        let key = format!("field.{base}");
        let label = catalogue(self.lang).get(&key).map_or(field, String::as_str);
        if message.contains(label) {
            message
        } else {
            format!("{label}: {message}")
        }
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    /// A stored moment (RFC 3339, UTC) as the reader reads it: Japan's time,
    /// 和暦 with the western date beside it in Japanese, to the second. Text
    /// that is not a moment is shown as it is.
    pub fn moment(&self, at: &str) -> String {
        let Ok(t) = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        else {
            return at.to_string();
        };
        match self.lang {
            Lang::Ja => mamori_core::wareki::format_datetime_ja(t),
            Lang::En => mamori_core::wareki::format_datetime_en(t),
        }
    }

    /// A stored date (YYYY-MM-DD) where the date matters (disposals, due
    /// dates, approvals): 令和7年3月31日（2025-03-31） in Japanese, 31 March
    /// 2025 in English. Text that is not a date is shown as it is.
    pub fn day(&self, d: &str) -> String {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let Ok(date) = time::Date::parse(d.trim(), &format) else {
            return d.to_string();
        };
        match self.lang {
            Lang::Ja => mamori_core::wareki::format_date_ja(date),
            Lang::En => mamori_core::wareki::format_en(date),
        }
    }

    /// The other language, for the switch.
    pub fn other(&self) -> &'static str {
        match self.lang {
            Lang::Ja => "en",
            Lang::En => "ja",
        }
    }

    pub fn other_name(&self) -> &'static str {
        match self.lang {
            Lang::Ja => "English",
            Lang::En => "日本語",
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let cookies = parts
            .headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .map(str::trim);
        for c in cookies {
            if let Some(value) = c
                .strip_prefix(LANG_COOKIE)
                .and_then(|r| r.strip_prefix('='))
            {
                return Ok(if value == "en" { Lang::En } else { Lang::Ja });
            }
        }
        Ok(Lang::Ja)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_parse_and_have_the_same_keys() {
        let ja: HashMap<String, String> = toml::from_str(include_str!("../i18n/ja.toml")).unwrap();
        let en: HashMap<String, String> = toml::from_str(include_str!("../i18n/en.toml")).unwrap();
        let mut missing: Vec<_> = ja.keys().filter(|k| !en.contains_key(*k)).collect();
        missing.extend(en.keys().filter(|k| !ja.contains_key(*k)));
        assert!(
            missing.is_empty(),
            "keys in one catalogue only: {missing:?}"
        );
        assert!(ja.len() > 50);
    }

    #[test]
    fn lookups() {
        let t = T { lang: Lang::En };
        assert_eq!(t.get("nav.policy"), "Policy");
        assert_eq!(T { lang: Lang::Ja }.get("nav.policy"), "基本方針");
        assert_eq!(t.get("no.such.key"), "no.such.key");
        assert_eq!(t.pick("脅威", "Threat"), "Threat");
        assert_eq!(t.pick("脅威", ""), "脅威");
    }

    #[test]
    fn a_refusal_names_the_field_by_its_label_once() {
        let ja = T { lang: Lang::Ja };
        assert_eq!(
            ja.located(Some("due_on"), "日付を読み取れません".into()),
            "期限: 日付を読み取れません"
        );
        assert_eq!(
            ja.located(
                Some("noticed_at"),
                "気づいた日時 2027-12-01 が未来です".into()
            ),
            "気づいた日時 2027-12-01 が未来です",
            "the message names it already"
        );
        assert_eq!(
            ja.located(Some("answers[3].answer"), "選んでください".into()),
            "回答: 選んでください"
        );
        assert_eq!(ja.located(Some("C"), "空です".into()), "C: 空です");
        assert_eq!(ja.located(None, "空です".into()), "空です");
        let en = T { lang: Lang::En };
        assert_eq!(
            en.located(Some("due_on"), "not a date".into()),
            "Due: not a date"
        );
    }
}
