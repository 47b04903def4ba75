//! Policy documents as living, versioned texts (第9 and 附則): the basic policy,
//! the standards (対策基準) and the procedures (実施手順), each version an ordered
//! tree of provisions in the numbering Japanese regulations use — 章, 節, 条 (or
//! 第N) with its 見出し, 項 (2, 3, …), 号 ((1), (2), …), their sub-items (ア,
//! (ア)) and the 附則.
//!
//! Pure: the parsers of the 例規集 text layout and of Markdown ([`parse`]), the
//! writers ([`write`]), the 新旧対照表 comparison ([`compare`]) and the stable
//! identity of provisions from version to version ([`keys`]).

pub mod compare;
pub mod coverage;
pub mod generate;
pub mod keys;
pub mod parse;
pub mod write;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

/// The three levels of the policy system (第9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 基本方針
    Basic,
    /// 対策基準
    Standard,
    /// 実施手順
    Procedure,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Basic, Level::Standard, Level::Procedure];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Basic => "basic",
            Level::Standard => "standard",
            Level::Procedure => "procedure",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == text.trim())
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            Level::Basic => "情報セキュリティ対策基本方針",
            Level::Standard => "情報セキュリティ対策基準",
            Level::Procedure => "情報セキュリティ対策実施手順",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Level::Basic => "Basic policy",
            Level::Standard => "Standards",
            Level::Procedure => "Procedure",
        }
    }

    /// How the document names itself in its 附則 (この対策基準は、…).
    pub fn noun(self) -> &'static str {
        match self {
            Level::Basic => "基本方針",
            Level::Standard => "対策基準",
            Level::Procedure => "実施手順",
        }
    }

    /// Who may read a document of this level unless the security office says
    /// otherwise.
    pub fn default_readership(self) -> Readership {
        match self {
            Level::Basic => Readership::Everyone,
            Level::Standard => Readership::Staff,
            Level::Procedure => Readership::Unit,
        }
    }
}

/// Who may read a document's versions in force (drafts: editors and reviewers only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Readership {
    /// Everyone signed in (and it may be published).
    Everyone,
    /// Staff.
    Staff,
    /// The people of its unit or information system, its managers, the
    /// security office and the auditors.
    Unit,
}

impl Readership {
    pub const ALL: [Readership; 3] = [Readership::Everyone, Readership::Staff, Readership::Unit];

    pub fn as_str(self) -> &'static str {
        match self {
            Readership::Everyone => "everyone",
            Readership::Staff => "staff",
            Readership::Unit => "unit",
        }
    }

    pub fn parse(text: &str) -> Option<Readership> {
        Readership::ALL
            .into_iter()
            .find(|r| r.as_str() == text.trim())
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            Readership::Everyone => "全員（公開可）",
            Readership::Staff => "職員",
            Readership::Unit => "所管の課・システムの職員、管理者、情報セキュリティ担当、監査人",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Readership::Everyone => "everyone (may be published)",
            Readership::Staff => "staff",
            Readership::Unit => "its unit or system, its managers, the security office, auditors",
        }
    }
}

/// The life of a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    Review,
    Approved,
    InForce,
    Superseded,
}

impl State {
    pub const ALL: [State; 5] = [
        State::Draft,
        State::Review,
        State::Approved,
        State::InForce,
        State::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Review => "review",
            State::Approved => "approved",
            State::InForce => "in_force",
            State::Superseded => "superseded",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Draft and under review: seen by editors and reviewers only.
    pub fn is_draft(self) -> bool {
        matches!(self, State::Draft | State::Review)
    }

    /// Only a draft is edited.
    pub fn is_editable(self) -> bool {
        self == State::Draft
    }

    pub fn name_ja(self) -> &'static str {
        match self {
            State::Draft => "起案中",
            State::Review => "審査中",
            State::Approved => "承認済（施行前）",
            State::InForce => "施行中",
            State::Superseded => "改正により失効",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Review => "under review",
            State::Approved => "approved",
            State::InForce => "in force",
            State::Superseded => "superseded",
        }
    }
}

/// What a provision is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 章
    Chapter,
    /// 節
    Section,
    /// 条 (or 第N)
    Article,
    /// 項 (2, 3, …)
    Paragraph,
    /// 号 ((1), (2), …)
    Item,
    /// ア, イ, … and (ア), (イ), …
    Subitem,
    /// 附則
    Supplementary,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Chapter,
        Kind::Section,
        Kind::Article,
        Kind::Paragraph,
        Kind::Item,
        Kind::Subitem,
        Kind::Supplementary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Chapter => "chapter",
            Kind::Section => "section",
            Kind::Article => "article",
            Kind::Paragraph => "paragraph",
            Kind::Item => "item",
            Kind::Subitem => "subitem",
            Kind::Supplementary => "supplementary",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One provision and the provisions under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provision {
    /// The stable identity, kept from version to version (empty until assigned).
    pub key: String,
    pub kind: Kind,
    /// As printed: 第1章, 第3条, 第3, 2, (1), ア, (ア), 附則.
    pub label: String,
    /// The 見出し of an article, the title of a chapter, the defined term of an
    /// item; empty where there is none.
    pub heading: String,
    pub text: String,
    /// Provisions of other documents this one implements or follows
    /// (`CODE#KEY`).
    #[serde(default)]
    pub links: Vec<String>,
    #[serde(default)]
    pub children: Vec<Provision>,
}

impl Provision {
    pub fn new(kind: Kind, label: impl Into<String>) -> Provision {
        Provision {
            key: String::new(),
            kind,
            label: label.into(),
            heading: String::new(),
            text: String::new(),
            links: Vec::new(),
            children: Vec::new(),
        }
    }

    /// The same provision without its keys (for comparing what was written).
    pub fn without_keys(&self) -> Provision {
        let mut p = self.clone();
        strip_keys(std::slice::from_mut(&mut p));
        p
    }
}

fn strip_keys(list: &mut [Provision]) {
    for p in list {
        p.key.clear();
        strip_keys(&mut p.children);
    }
}

/// A version's text: its title and its provisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Body {
    pub title: String,
    pub provisions: Vec<Provision>,
}

impl Body {
    /// Every provision in reading order.
    pub fn flatten(&self) -> Vec<Flat> {
        let mut out = Vec::new();
        fn walk(list: &[Provision], parent: Option<&str>, depth: usize, out: &mut Vec<Flat>) {
            for (i, p) in list.iter().enumerate() {
                out.push(Flat {
                    key: p.key.clone(),
                    parent: parent.map(str::to_string),
                    position: i,
                    depth,
                    kind: p.kind,
                    label: p.label.clone(),
                    heading: p.heading.clone(),
                    text: p.text.clone(),
                    links: p.links.clone(),
                });
                walk(&p.children, Some(&p.key), depth + 1, out);
            }
        }
        walk(&self.provisions, None, 0, &mut out);
        out
    }

    /// The tree again from provisions in reading order (each parent before its
    /// children, as [`Body::flatten`] gives them). A provision whose parent is
    /// unknown is kept at the top.
    pub fn from_flat(title: impl Into<String>, flat: Vec<Flat>) -> Body {
        // Build bottom-up: children lists by parent key, in order.
        let mut children: std::collections::HashMap<String, Vec<Provision>> =
            std::collections::HashMap::new();
        let keys: std::collections::HashSet<String> = flat.iter().map(|f| f.key.clone()).collect();
        let mut order: Vec<(Option<String>, Provision)> = Vec::with_capacity(flat.len());
        for f in flat {
            let parent = f.parent.filter(|p| keys.contains(p));
            order.push((
                parent,
                Provision {
                    key: f.key,
                    kind: f.kind,
                    label: f.label,
                    heading: f.heading,
                    text: f.text,
                    links: f.links,
                    children: Vec::new(),
                },
            ));
        }
        let mut top = Vec::new();
        // Reverse reading order: every child is complete before its parent is.
        for (parent, mut p) in order.into_iter().rev() {
            if let Some(mut kids) = children.remove(&p.key) {
                kids.reverse();
                p.children = kids;
            }
            match parent {
                Some(parent) => children.entry(parent).or_default().push(p),
                None => top.push(p),
            }
        }
        top.reverse();
        Body {
            title: title.into(),
            provisions: top,
        }
    }

    /// The numbers of articles and of provisions.
    pub fn counts(&self) -> (usize, usize) {
        let flat = self.flatten();
        let articles = flat.iter().filter(|f| f.kind == Kind::Article).count();
        (articles, flat.len())
    }

    /// The same body without keys.
    pub fn without_keys(&self) -> Body {
        let mut b = self.clone();
        strip_keys(&mut b.provisions);
        b
    }

    /// The provision with this key.
    pub fn find(&self, key: &str) -> Option<&Provision> {
        fn find<'a>(list: &'a [Provision], key: &str) -> Option<&'a Provision> {
            list.iter().find_map(|p| {
                (p.key == key)
                    .then_some(p)
                    .or_else(|| find(&p.children, key))
            })
        }
        find(&self.provisions, key)
    }

    /// The provision with this key, to change it.
    pub fn find_mut(&mut self, key: &str) -> Option<&mut Provision> {
        fn find<'a>(list: &'a mut [Provision], key: &str) -> Option<&'a mut Provision> {
            for p in list {
                if p.key == key {
                    return Some(p);
                }
                if let Some(found) = find(&mut p.children, key) {
                    return Some(found);
                }
            }
            None
        }
        find(&mut self.provisions, key)
    }
}

/// A provision in reading order, with its parent's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flat {
    pub key: String,
    pub parent: Option<String>,
    /// Its place among its siblings (0-based).
    pub position: usize,
    pub depth: usize,
    pub kind: Kind,
    pub label: String,
    pub heading: String,
    pub text: String,
    pub links: Vec<String>,
}

/// The line of the 附則 that puts a version into force, written from its
/// effective date: 「この対策基準は、令和8年4月1日から施行する。」.
pub fn enactment_line(level: Level, effective: time::Date) -> String {
    format!(
        "この{}は、{}から施行する。",
        level.noun(),
        crate::wareki::format_wareki(effective)
    )
}

/// The date a 附則 names (令和8年4月1日, 平成元年…, or 2026年4月1日), if any.
pub fn date_in(text: &str) -> Option<time::Date> {
    let chars: Vec<char> = text.chars().collect();
    for start in 0..chars.len() {
        let rest: String = chars[start..].iter().collect();
        let (year, after): (i32, &str) = if let Some(era) = crate::wareki::ERAS
            .iter()
            .find(|e| rest.starts_with(e.name))
        {
            let after = &rest[era.name.len()..];
            if let Some(a) = after.strip_prefix("元年") {
                (era.start.0, a)
            } else {
                match leading_number(after) {
                    Some((n, a)) if n > 0 && a.starts_with('年') => {
                        (era.start.0 + n as i32 - 1, &a['年'.len_utf8()..])
                    }
                    _ => continue,
                }
            }
        } else if start == 0 || !chars[start - 1].is_ascii_digit() {
            match leading_number(&rest) {
                Some((y, a)) if (1000..10000).contains(&y) && a.starts_with('年') => {
                    (y as i32, &a['年'.len_utf8()..])
                }
                _ => continue,
            }
        } else {
            continue;
        };
        let Some((month, a)) = leading_number(after) else {
            continue;
        };
        let Some(a) = a.strip_prefix('月') else {
            continue;
        };
        let Some((day, a)) = leading_number(a) else {
            continue;
        };
        if !a.starts_with('日') {
            continue;
        }
        let Ok(month) = time::Month::try_from(u8::try_from(month).unwrap_or(0)) else {
            continue;
        };
        if let Ok(date) =
            time::Date::from_calendar_date(year, month, u8::try_from(day).unwrap_or(0))
        {
            return Some(date);
        }
    }
    None
}

/// A number at the start (ASCII or full-width digits) and what follows it.
fn leading_number(text: &str) -> Option<(u32, &str)> {
    let mut value: u32 = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => break,
        };
        value = value.checked_mul(10)?.checked_add(d)?;
        end = i + c.len_utf8();
    }
    (end > 0).then(|| (value, &text[end..]))
}
