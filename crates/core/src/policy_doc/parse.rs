//! Reading a policy document from text: the layout of a city's 例規集 (目次,
//! 第1章 総則, （目的） / 第1条 …, paragraphs 2, 3, items (1), ア, (ア), 附則)
//! and Markdown in the shape of the seed's basic policy. Every line that cannot
//! be placed is reported with its number and the reason; a provision numbered
//! out of order (第5条 after 第7条) is refused.

use super::{Body, Kind, Provision};

/// The layouts a document is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The text of a 例規集 (as copied from the published regulation or Word).
    Reiki,
    /// Markdown in the shape of the seed's basic policy.
    Markdown,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text.trim() {
            "reiki" => Some(Format::Reiki),
            "markdown" | "md" => Some(Format::Markdown),
            _ => None,
        }
    }
}

/// Why a line could not be placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Text before the first chapter, article or 附則.
    BeforeFirstArticle,
    /// A paragraph (項) outside an article.
    ParagraphOutsideArticle,
    /// An item (号) outside an article.
    ItemOutsideArticle,
    /// A sub-item (ア) with no item or article above it.
    SubitemOutsideItem,
    /// A section (節) outside a chapter.
    SectionOutsideChapter,
    /// A 見出し line not followed by its article.
    HeadingWithoutArticle,
    /// A number not after the one before it (第5条 after 第7条).
    OutOfOrder { label: String, previous: String },
    /// No article at all.
    NoArticle,
}

impl Reason {
    pub fn ja(&self) -> String {
        match self {
            Reason::BeforeFirstArticle => "最初の条より前に本文があります".into(),
            Reason::ParagraphOutsideArticle => "項が条の外にあります".into(),
            Reason::ItemOutsideArticle => "号が条の外にあります".into(),
            Reason::SubitemOutsideItem => "ア・イ等が号の外にあります".into(),
            Reason::SectionOutsideChapter => "節が章の外にあります".into(),
            Reason::HeadingWithoutArticle => "見出しの後に条がありません".into(),
            Reason::OutOfOrder { label, previous } => {
                format!("{label} が {previous} の後にあります（番号の順序が違います）")
            }
            Reason::NoArticle => "条が一つもありません".into(),
        }
    }

    pub fn en(&self) -> String {
        match self {
            Reason::BeforeFirstArticle => "text before the first article".into(),
            Reason::ParagraphOutsideArticle => "a paragraph outside an article".into(),
            Reason::ItemOutsideArticle => "an item outside an article".into(),
            Reason::SubitemOutsideItem => "a sub-item (ア) outside an item".into(),
            Reason::SectionOutsideChapter => "a section outside a chapter".into(),
            Reason::HeadingWithoutArticle => "a heading not followed by its article".into(),
            Reason::OutOfOrder { label, previous } => {
                format!("{label} comes after {previous} (numbered out of order)")
            }
            Reason::NoArticle => "no article at all".into(),
        }
    }
}

/// A line that could not be placed: its number (1-based; 0 for the file as a
/// whole), why, and its text (at most 100 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub reason: Reason,
    pub text: String,
}

/// Reads a document; every line that cannot be placed is reported.
pub fn parse(text: &str, format: Format) -> Result<Body, Vec<LineError>> {
    let mut p = Parser {
        format,
        body: Body::default(),
        stack: Vec::new(),
        errors: Vec::new(),
        pending_heading: None,
        last_article: None,
        awaiting_text: false,
        inline_text: false,
        blank_before: false,
        in_toc: false,
        seen_structure: false,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, raw) in text.lines().enumerate() {
        p.line(i + 1, raw);
    }
    if let Some((line, _)) = p.pending_heading.take() {
        p.error(line, Reason::HeadingWithoutArticle, "");
    }
    if p.last_article.is_none() && p.errors.is_empty() {
        p.errors.push(LineError {
            line: 0,
            reason: Reason::NoArticle,
            text: String::new(),
        });
    }
    if p.errors.is_empty() {
        Ok(p.body)
    } else {
        Err(p.errors)
    }
}

/// Depth ranks of the provisions (a provision's parent has a lower rank).
fn rank(kind: Kind, label: &str) -> u8 {
    match kind {
        Kind::Chapter => 0,
        Kind::Section => 1,
        Kind::Article | Kind::Supplementary => 2,
        Kind::Paragraph => 3,
        Kind::Item => 4,
        Kind::Subitem if label.starts_with('(') => 6,
        Kind::Subitem => 5,
    }
}

struct Parser {
    format: Format,
    body: Body,
    /// The open provisions, outermost first: (rank, index among siblings).
    stack: Vec<(u8, usize)>,
    errors: Vec<LineError>,
    /// A （見出し） line waiting for its article: (line, heading).
    pending_heading: Option<(usize, String)>,
    last_article: Option<((u32, u32), String)>,
    /// The provision last opened has no text yet (its text is on the next line).
    awaiting_text: bool,
    /// Its text came on its own label's line (Markdown: may prove a heading).
    inline_text: bool,
    blank_before: bool,
    in_toc: bool,
    seen_structure: bool,
}

/// What a line is.
enum Line {
    Blank,
    Title(String),
    Toc,
    Chapter(u32, String),
    Section(u32, String),
    /// 第N条 (label, ordinal, text or heading, is the rest a heading)
    Article(String, (u32, u32), String, bool),
    ArticleHeading(String),
    Paragraph(u32, String),
    Item(u32, String),
    Subitem(String, String),
    Supplementary(String),
    Text(String),
}

const SEPARATORS: [char; 2] = [' ', '\u{3000}'];
const IROHA: &str =
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン";

fn kana_index(c: char) -> Option<u32> {
    IROHA.chars().position(|k| k == c).map(|i| i as u32 + 1)
}

/// A number at the start: ASCII, full-width or kanji numerals.
fn number(text: &str) -> Option<(u32, &str)> {
    let mut end = 0;
    let mut digits = String::new();
    for (i, c) in text.char_indices() {
        match c {
            '0'..='9' => digits.push(c),
            '０'..='９' => digits.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
            _ => break,
        }
        end = i + c.len_utf8();
    }
    if end > 0 {
        return digits.parse().ok().map(|n| (n, &text[end..]));
    }
    // Kanji: 一 … 九十九, 百.
    let mut value = 0u32;
    let mut current = 0u32;
    for (i, c) in text.char_indices() {
        let d = match c {
            '一' => 1,
            '二' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            '十' => {
                value += current.max(1) * 10;
                current = 0;
                end = i + c.len_utf8();
                continue;
            }
            '百' => {
                value += current.max(1) * 100;
                current = 0;
                end = i + c.len_utf8();
                continue;
            }
            _ => break,
        };
        current = d;
        end = i + c.len_utf8();
    }
    (end > 0).then(|| (value + current, &text[end..]))
}

/// The rest after a label: empty, or after one separator. `None` when the
/// label runs on into a word (第1条の規定により …).
fn after_label(rest: &str) -> Option<&str> {
    if rest.is_empty() {
        return Some("");
    }
    let c = rest.chars().next()?;
    SEPARATORS.contains(&c).then(|| &rest[c.len_utf8()..])
}

/// Whether a piece of text reads as a heading or a defined term (short, no
/// punctuation of a sentence).
fn is_heading_like(text: &str) -> bool {
    !text.is_empty()
        && text.chars().count() <= 40
        && !text.chars().any(|c| {
            matches!(
                c,
                '、' | '。' | '「' | '」' | '（' | '）' | '(' | ')' | '，' | '．'
            )
        })
}

/// Splits the rest of an item's line into heading and text: an explicit empty
/// heading when it starts with a separator; else a heading-like first word
/// followed by a separator and more.
pub(crate) fn split_heading(rest: &str) -> (String, String) {
    if let Some(c) = rest.chars().next()
        && SEPARATORS.contains(&c)
    {
        return (String::new(), rest[c.len_utf8()..].to_string());
    }
    if let Some(pos) = rest.find(SEPARATORS) {
        let first = &rest[..pos];
        let sep = rest[pos..].chars().next().map_or(1, char::len_utf8);
        let after = &rest[pos + sep..];
        if is_heading_like(first) && !after.trim().is_empty() {
            return (first.to_string(), after.to_string());
        }
    }
    (String::new(), rest.to_string())
}

/// The text inside （…） or (…) when the whole line is that.
fn parenthesised(text: &str) -> Option<&str> {
    let inner = text
        .strip_prefix('（')
        .and_then(|t| t.strip_suffix('）'))
        .or_else(|| text.strip_prefix('(').and_then(|t| t.strip_suffix(')')))?;
    (!inner.is_empty() && !inner.contains(['（', '）', '(', ')'])).then_some(inner)
}

fn strip_parens(text: &str) -> &str {
    parenthesised(text).unwrap_or(text)
}

/// Classifies one line (already trimmed; `heading_line`: a Markdown heading).
fn classify(t: &str, heading_line: bool, list_line: bool) -> Line {
    if t.is_empty() {
        return Line::Blank;
    }
    if t == "目次" || t == "目　次" {
        return Line::Toc;
    }
    // 附則, 附　則, 附 則, with its （…） after.
    if let Some(rest) = t.strip_prefix('附') {
        let rest = rest.trim_start_matches(SEPARATORS);
        if let Some(rest) = rest.strip_prefix('則') {
            let rest = rest.trim_matches(SEPARATORS);
            if rest.is_empty() {
                return Line::Supplementary(String::new());
            }
            if let Some(inner) = parenthesised(rest) {
                return Line::Supplementary(inner.to_string());
            }
        }
    }
    if let Some(rest) = t.strip_prefix('第')
        && let Some((n, rest)) = number(rest)
    {
        if let Some(rest) = rest.strip_prefix('章')
            && let Some(h) = after_label(rest)
        {
            return Line::Chapter(n, h.trim().to_string());
        }
        if let Some(rest) = rest.strip_prefix('節')
            && let Some(h) = after_label(rest)
        {
            return Line::Section(n, h.trim().to_string());
        }
        if let Some(rest) = rest.strip_prefix('条') {
            let (branch, rest) = match rest.strip_prefix('の').and_then(number) {
                Some((b, r)) => (b, r),
                None => (0, rest),
            };
            if let Some(r) = after_label(rest) {
                let label = if branch > 0 {
                    format!("第{n}条の{branch}")
                } else {
                    format!("第{n}条")
                };
                let r = r.trim_start_matches(SEPARATORS);
                return if heading_line {
                    Line::Article(label, (n, branch), strip_parens(r.trim()).to_string(), true)
                } else {
                    Line::Article(label, (n, branch), r.trim_end().to_string(), false)
                };
            }
        } else if let Some(r) = after_label(rest) {
            // 第N (the basic policy's numbering): the rest is its heading.
            let r = r.trim();
            if heading_line || r.is_empty() || is_heading_like(strip_parens(r)) {
                return Line::Article(format!("第{n}"), (n, 0), strip_parens(r).to_string(), true);
            }
        }
    }
    if !heading_line
        && !list_line
        && let Some(inner) = parenthesised(t)
        && number(inner).is_none_or(|(_, r)| !r.is_empty())
        && !(inner.chars().count() == 1 && inner.chars().all(|c| kana_index(c).is_some()))
    {
        return Line::ArticleHeading(inner.to_string());
    }
    // (1), （1）, (ア), （ア）
    let open = t
        .strip_prefix('(')
        .map(|r| (r, ')'))
        .or_else(|| t.strip_prefix('（').map(|r| (r, '）')));
    if let Some((rest, close)) = open {
        if let Some((n, r)) = number(rest)
            && let Some(r) = r
                .strip_prefix(close)
                .or_else(|| r.strip_prefix([')', '）']))
            && let Some(r) = after_label(r)
        {
            return Line::Item(n, r.to_string());
        }
        let mut chars = rest.chars();
        if let Some(k) = chars.next()
            && kana_index(k).is_some()
        {
            let r = chars.as_str();
            if let Some(r) = r
                .strip_prefix(close)
                .or_else(|| r.strip_prefix([')', '）']))
                && let Some(r) = after_label(r)
            {
                return Line::Subitem(format!("({k})"), r.to_string());
            }
        }
    }
    let mut chars = t.chars();
    if let Some(k) = chars.next()
        && kana_index(k).is_some()
        && let Some(r) = chars.as_str().chars().next()
        && SEPARATORS.contains(&r)
    {
        return Line::Subitem(k.to_string(), chars.as_str()[r.len_utf8()..].to_string());
    }
    if t.starts_with(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c))
        && let Some((n, r)) = number(t)
        && let Some(r) = after_label(r)
        && !r.is_empty()
    {
        return Line::Paragraph(n, r.trim_start_matches(SEPARATORS).to_string());
    }
    if heading_line {
        return Line::Title(t.to_string());
    }
    Line::Text(t.to_string())
}

fn ordinal(kind: Kind, label: &str) -> (u32, u32) {
    match kind {
        Kind::Subitem => {
            let k = label.trim_matches(['(', ')']).chars().next();
            (k.and_then(kana_index).unwrap_or(0), 0)
        }
        _ => {
            let digits = label
                .trim_start_matches('第')
                .trim_start_matches('(')
                .trim_end_matches(['章', '節']);
            match number(digits) {
                Some((n, rest)) => {
                    let branch = rest
                        .strip_prefix("条の")
                        .and_then(number)
                        .map_or(0, |(b, _)| b);
                    (n, branch)
                }
                None => (0, 0),
            }
        }
    }
}

fn snippet(text: &str) -> String {
    text.chars().take(100).collect()
}

impl Parser {
    fn error(&mut self, line: usize, reason: Reason, text: &str) {
        self.errors.push(LineError {
            line,
            reason,
            text: snippet(text),
        });
    }

    /// The sibling list at the end of `depth` entries of the stack.
    fn list_at(&mut self, depth: usize) -> &mut Vec<Provision> {
        let mut list = &mut self.body.provisions;
        for &(_, i) in &self.stack[..depth] {
            list = &mut list[i].children;
        }
        list
    }

    fn current(&mut self) -> Option<&mut Provision> {
        let n = self.stack.len();
        let (_, i) = *self.stack.last()?;
        self.list_at(n - 1).get_mut(i)
    }

    fn parent_kind(&self, depth: usize) -> Option<(Kind, String)> {
        let mut list = &self.body.provisions;
        let mut found = None;
        for &(_, i) in &self.stack[..depth] {
            let p = &list[i];
            found = Some((p.kind, p.label.clone()));
            list = &p.children;
        }
        found
    }

    /// Opens a provision under the nearest open provision of a lower rank that
    /// `allowed` accepts (None: at the top).
    fn open(
        &mut self,
        line: usize,
        raw: &str,
        p: Provision,
        allowed: &[Option<Kind>],
        refusal: Reason,
    ) -> bool {
        let r = rank(p.kind, &p.label);
        let mut depth = self.stack.len();
        while depth > 0 && self.stack[depth - 1].0 >= r {
            depth -= 1;
        }
        if p.kind == Kind::Supplementary {
            depth = 0;
        }
        // A (ア) with no ア above it goes under the item; a ア under the
        // paragraph or article when there is no item.
        let parent = self.parent_kind(depth).map(|(k, _)| k);
        if !allowed.contains(&parent) {
            self.error(line, refusal, raw);
            return false;
        }
        let kind = p.kind;
        let label = p.label.clone();
        let list = self.list_at(depth);
        if kind != Kind::Article
            && kind != Kind::Supplementary
            && let Some(prev) = list.iter().rev().find(|s| s.kind == kind)
            && ordinal(kind, &prev.label) >= ordinal(kind, &label)
        {
            let previous = prev.label.clone();
            self.error(line, Reason::OutOfOrder { label, previous }, raw);
            return false;
        }
        list.push(p);
        let index = list.len() - 1;
        self.stack.truncate(depth);
        self.stack.push((r, index));
        true
    }

    fn line(&mut self, n: usize, raw: &str) {
        let mut t = raw.trim_matches(|c: char| c.is_whitespace());
        let mut heading_line = false;
        let mut list_line = false;
        if self.format == Format::Markdown {
            if t.starts_with('#') {
                t = t.trim_start_matches('#').trim();
                heading_line = true;
            } else if let Some(rest) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
                t = rest.trim_start();
                list_line = true;
            }
        }
        let line = classify(t, heading_line, list_line);
        if self.in_toc {
            // The table of contents: indented lines, and chapter lines naming
            // their articles (第1章 総則（第1条・第2条）), until the text begins.
            let indented = raw.starts_with(SEPARATORS) || raw.starts_with('\t');
            let names_articles = t.ends_with('）') && t.contains('条');
            if matches!(line, Line::Blank) || indented || names_articles {
                return;
            }
            self.in_toc = false;
        }
        let was_blank = std::mem::replace(&mut self.blank_before, matches!(line, Line::Blank));
        if !matches!(
            line,
            Line::Blank | Line::Text(_) | Line::ArticleHeading(_) | Line::Toc
        ) && let Some((hl, _)) = self.pending_heading.as_ref()
            && !matches!(line, Line::Article(..))
        {
            let hl = *hl;
            self.pending_heading = None;
            self.error(hl, Reason::HeadingWithoutArticle, "");
        }
        match line {
            Line::Blank => {}
            Line::Toc => self.in_toc = true,
            Line::Title(title) => {
                if !self.seen_structure && self.body.title.is_empty() {
                    self.body.title = title;
                } else {
                    self.error(n, Reason::BeforeFirstArticle, raw);
                }
            }
            Line::Chapter(num, heading) => {
                let mut p = Provision::new(Kind::Chapter, format!("第{num}章"));
                p.heading = heading;
                self.structural(n, raw, p, &[None], Reason::BeforeFirstArticle);
                self.awaiting_text = false;
            }
            Line::Section(num, heading) => {
                let mut p = Provision::new(Kind::Section, format!("第{num}節"));
                p.heading = heading;
                self.structural(
                    n,
                    raw,
                    p,
                    &[Some(Kind::Chapter)],
                    Reason::SectionOutsideChapter,
                );
                self.awaiting_text = false;
            }
            Line::ArticleHeading(h) => {
                if let Some((hl, _)) = self.pending_heading.take() {
                    self.error(hl, Reason::HeadingWithoutArticle, "");
                }
                self.pending_heading = Some((n, h));
            }
            Line::Article(label, ord, rest, rest_is_heading) => {
                if let Some((_, prev)) = self.last_article.as_ref()
                    && self.last_article.as_ref().is_some_and(|(o, _)| *o >= ord)
                {
                    let previous = prev.clone();
                    self.pending_heading = None;
                    self.error(n, Reason::OutOfOrder { label, previous }, raw);
                    return;
                }
                let mut p = Provision::new(Kind::Article, label.clone());
                if rest_is_heading {
                    p.heading = rest;
                    if let Some((_, h)) = self.pending_heading.take() {
                        p.heading = h;
                    }
                } else {
                    p.heading = self
                        .pending_heading
                        .take()
                        .map(|(_, h)| h)
                        .unwrap_or_default();
                    p.text = rest;
                }
                let awaiting = p.text.is_empty();
                if self.structural(
                    n,
                    raw,
                    p,
                    &[None, Some(Kind::Chapter), Some(Kind::Section)],
                    Reason::BeforeFirstArticle,
                ) {
                    self.last_article = Some((ord, label));
                    self.awaiting_text = awaiting;
                    self.inline_text = false;
                }
            }
            Line::Supplementary(heading) => {
                let mut p = Provision::new(Kind::Supplementary, "附則");
                p.heading = heading;
                self.structural(n, raw, p, &[None], Reason::BeforeFirstArticle);
                self.awaiting_text = true;
            }
            Line::Paragraph(num, text) => {
                let in_supplementary = self.stack.first().is_some_and(|&(r, i)| {
                    r == 2 && self.body.provisions[i].kind == Kind::Supplementary
                });
                let mut p = Provision::new(Kind::Paragraph, num.to_string());
                p.text = text;
                if num < 2 && !in_supplementary {
                    // "1 …" outside a 附則 is text, not a paragraph.
                    self.text(n, raw, t, was_blank);
                    return;
                }
                if self.structural(
                    n,
                    raw,
                    p,
                    &[Some(Kind::Article), Some(Kind::Supplementary)],
                    Reason::ParagraphOutsideArticle,
                ) {
                    self.awaiting_text = false;
                    self.inline_text = false;
                }
            }
            Line::Item(num, rest) => {
                let mut p = Provision::new(Kind::Item, format!("({num})"));
                let awaiting = if heading_line {
                    p.heading = rest.trim().to_string();
                    true
                } else {
                    let (h, text) = split_heading(&rest);
                    p.heading = h;
                    p.text = text.trim().to_string();
                    p.text.is_empty()
                };
                if self.structural(
                    n,
                    raw,
                    p,
                    &[
                        Some(Kind::Article),
                        Some(Kind::Paragraph),
                        Some(Kind::Supplementary),
                    ],
                    Reason::ItemOutsideArticle,
                ) {
                    self.awaiting_text = awaiting;
                    self.inline_text = !awaiting && !list_line;
                }
            }
            Line::Subitem(label, rest) => {
                let mut p = Provision::new(Kind::Subitem, label);
                let (h, text) = split_heading(&rest);
                p.heading = h;
                p.text = text.trim().to_string();
                let awaiting = p.text.is_empty();
                let allowed: &[Option<Kind>] = if p.label.starts_with('(') {
                    &[Some(Kind::Subitem), Some(Kind::Item)]
                } else {
                    &[Some(Kind::Item), Some(Kind::Paragraph), Some(Kind::Article)]
                };
                if self.structural(n, raw, p, allowed, Reason::SubitemOutsideItem) {
                    self.awaiting_text = awaiting;
                    self.inline_text = !awaiting && !list_line;
                }
            }
            Line::Text(text) => self.text(n, raw, &text, was_blank),
        }
    }

    fn structural(
        &mut self,
        n: usize,
        raw: &str,
        p: Provision,
        allowed: &[Option<Kind>],
        refusal: Reason,
    ) -> bool {
        self.seen_structure = true;
        self.open(n, raw, p, allowed, refusal)
    }

    fn text(&mut self, n: usize, raw: &str, text: &str, was_blank: bool) {
        if !self.seen_structure {
            if self.body.title.is_empty() && self.format == Format::Reiki {
                self.body.title = text.to_string();
            } else {
                self.error(n, Reason::BeforeFirstArticle, raw);
            }
            return;
        }
        let awaiting = self.awaiting_text;
        let promote = self.format == Format::Markdown && self.inline_text && was_blank;
        let Some(p) = self.current() else {
            self.error(n, Reason::BeforeFirstArticle, raw);
            return;
        };
        if p.kind == Kind::Supplementary || (p.kind == Kind::Paragraph && p.label == "1") {
            if !p.text.is_empty() {
                p.text.push('\n');
            }
            p.text.push_str(text);
        } else if awaiting || p.text.is_empty() {
            p.text = text.to_string();
        } else if promote && p.heading.is_empty() && is_heading_like(&p.text) {
            // "(4) 運用における対策" followed by its paragraph: the first line was
            // the item's heading.
            p.heading = std::mem::take(&mut p.text);
            p.text = text.to_string();
        } else {
            p.text.push_str(text);
        }
        self.awaiting_text = false;
        self.inline_text = false;
    }
}
