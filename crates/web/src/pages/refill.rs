//! What a refused form held, shown again on the page the refusal returns to.
//!
//! A page form that is refused (a value out of range, an auditor of their own
//! unit …) redirects back to its page with the reason. So that nobody types a
//! long incident report twice, the fields sent are kept in the session for
//! that one page, once; its template reads them through [`Refill`]. The CSRF
//! token and an edit's revision are never kept: a resubmission carries the
//! page's own.

use std::borrow::Borrow;

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const KEY: &str = "refill";
/// Forms larger than this are not kept (the session is not a file store).
const MAX_BYTES: usize = 64 * 1024;
/// Fields that belong to the page shown, not to what was typed.
const NOT_KEPT: [&str; 2] = ["csrf", "revision"];

/// The fields of a refused form, for one showing of `path`.
#[derive(Default, Serialize, Deserialize)]
pub struct Refill {
    path: String,
    /// Which of the page's forms sent them, where a page has several that
    /// share field names ("" for a page's one form).
    #[serde(default)]
    form: String,
    pairs: Vec<(String, String)>,
}

impl Refill {
    /// The fields if the form `id` of the page sent them, else nothing.
    pub fn form(&self, id: &str) -> Kept<'_> {
        Kept(if self.form == id && !self.pairs.is_empty() {
            Some(&self.pairs)
        } else {
            None
        })
    }

    /// The fields of the page's one (unnamed) form: see [`Kept`].
    pub fn kept(&self) -> bool {
        self.form("").kept()
    }
    pub fn value(&self, name: &str) -> &str {
        self.form("").value(name)
    }
    pub fn or<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        self.form("").or(name, default)
    }
    pub fn picks(
        &self,
        name: &str,
        value: impl std::fmt::Display,
        default: impl Borrow<bool>,
    ) -> bool {
        self.form("").picks(name, value, default)
    }
    pub fn ticked(&self, name: &str, default: impl Borrow<bool>) -> bool {
        self.form("").ticked(name, default)
    }
}

/// What one form of the page sent before it was refused (None: nothing, the
/// form is shown with its defaults).
#[derive(Clone, Copy)]
pub struct Kept<'a>(Option<&'a [(String, String)]>);

impl<'a> Kept<'a> {
    /// Whether the form is shown again after a refusal (then an unticked box
    /// stays unticked, whatever the page's default).
    pub fn kept(&self) -> bool {
        self.0.is_some()
    }

    /// The value sent under `name` (empty when none).
    pub fn value(&self, name: &str) -> &'a str {
        self.0
            .and_then(|pairs| pairs.iter().find(|(k, _)| k == name))
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The value sent under `name` when the form is shown again, else `default`
    /// (an edit form's stored value).
    pub fn or<'b>(&self, name: &str, default: &'b str) -> &'b str
    where
        'a: 'b,
    {
        if self.kept() {
            self.value(name)
        } else {
            default
        }
    }

    /// Whether `value` was among those sent under `name` (a select's option, a
    /// checkbox of a group), else `default`.
    pub fn picks(
        &self,
        name: &str,
        value: impl std::fmt::Display,
        default: impl Borrow<bool>,
    ) -> bool {
        match self.0 {
            Some(pairs) => {
                let value = value.to_string();
                pairs.iter().any(|(k, v)| k == name && *v == value)
            }
            None => *default.borrow(),
        }
    }

    /// Whether a checkbox was ticked (sent at all), else `default`.
    pub fn ticked(&self, name: &str, default: impl Borrow<bool>) -> bool {
        match self.0 {
            Some(pairs) => pairs.iter().any(|(k, _)| k == name),
            None => *default.borrow(),
        }
    }
}

/// Keeps the fields of a refused form for the next showing of `path`.
pub async fn keep(session: &Session, path: &str, pairs: &[(String, String)]) {
    keep_form(session, path, "", pairs).await
}

/// Keeps the fields of the form `form` of `path` (a page of several forms).
pub async fn keep_form(session: &Session, path: &str, form: &str, pairs: &[(String, String)]) {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !NOT_KEPT.contains(&k.as_str()))
        .cloned()
        .collect();
    let size: usize = pairs.iter().map(|(k, v)| k.len() + v.len()).sum();
    if pairs.is_empty() || size > MAX_BYTES {
        return;
    }
    let refill = Refill {
        path: path.to_string(),
        form: form.to_string(),
        pairs,
    };
    let _ = session.insert(KEY, refill).await;
}

/// The fields kept for `path`, taken out of the session; anything kept for
/// another page is dropped (it was for a page the person did not return to).
pub async fn take(session: &Session, path: &str) -> Refill {
    match session.remove::<Refill>(KEY).await {
        Ok(Some(r)) if r.path == path => r,
        _ => Refill::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::Refill;

    fn kept(form: &str, pairs: &[(&str, &str)]) -> Refill {
        Refill {
            path: "/x".into(),
            form: form.into(),
            pairs: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn a_kept_form_overrides_the_defaults_and_an_empty_one_does_not() {
        let r = kept(
            "",
            &[("title", "漏えい"), ("systems", "3"), ("systems", "5")],
        );
        assert_eq!(r.value("title"), "漏えい");
        assert_eq!(r.or("title", "stored"), "漏えい");
        assert_eq!(r.or("place", "stored"), "", "an emptied field stays empty");
        assert!(r.picks("systems", 5, false));
        assert!(!r.picks("systems", "4", true));
        assert!(
            !r.ticked("my_number", true),
            "an unticked box stays unticked"
        );

        let none = Refill::default();
        assert_eq!(none.or("title", "stored"), "stored");
        assert!(none.picks("kind", "leak", true));
        assert!(none.ticked("my_number", true));
        assert_eq!(none.value("title"), "");
    }

    #[test]
    fn a_named_form_gets_its_own_fields_and_no_other_form_does() {
        let r = kept("plan", &[("note", "手順を改める")]);
        assert_eq!(r.form("plan").value("note"), "手順を改める");
        assert_eq!(
            r.form("close").value("note"),
            "",
            "another form of the page"
        );
        assert!(!r.form("close").kept());
        assert_eq!(r.form("close").or("note", "stored"), "stored");
        assert!(!r.kept(), "nor the page's unnamed form");
        assert_eq!(r.or("note", "stored"), "stored");
    }
}
