use super::compare::{Change, Row, compare, rows};
use super::parse::{Format, LineError, Reason, parse};
use super::*;
use time::macros::date;

const SEED: &str = include_str!("testdata/basic-policy.md");

const REIKI: &str = "\
〇〇市情報セキュリティ対策基準

目次
　第1章　総則（第1条・第2条）
　第2章　組織体制（第3条）
　附則

第1章　総則
（目的）
第1条　この対策基準は、〇〇市情報セキュリティ対策基本方針に基づき、必要な事項を定めるものとする。
（定義）
第2条　この対策基準において、次の各号に掲げる用語の意義は、当該各号に定めるところによる。
(1)　情報資産　情報システム及び電子情報をいう。
(2)　職員　本市職員をいう。
2　前項に定めるもののほか、用語の意義は基本方針の例による。
第2章　組織体制
第1節　最高情報セキュリティ責任者
（最高情報セキュリティ責任者）
第3条　市に最高情報セキュリティ責任者（CISO）を置く。
(1)　CISOは、次に掲げる事務を行う。
ア　情報セキュリティ対策の統括
イ　情報セキュリティ委員会の招集
(ア)　定例会の招集
(イ)　臨時会の招集
第3条の2　CISOは副市長をもって充てる。

附　則
　この対策基準は、令和8年4月1日から施行する。
";

fn reiki() -> Body {
    match parse(REIKI, Format::Reiki) {
        Ok(b) => b,
        Err(e) => panic!("{e:?}"),
    }
}

fn errors(text: &str, format: Format) -> Vec<LineError> {
    match parse(text, format) {
        Ok(b) => panic!("parsed: {b:?}"),
        Err(e) => e,
    }
}

/// The built-in basic policy as provisions.
fn builtin_basic_policy() -> Body {
    let doc: crate::catalog::PolicyDocument =
        toml::from_str(include_str!("../../../../catalogs/basic-policy.toml")).unwrap();
    let mut provisions = Vec::new();
    for a in &doc.articles {
        let mut p = Provision::new(Kind::Article, a.label.clone());
        p.heading = a.heading.clone();
        p.text = a.body.clone();
        for i in &a.items {
            let mut item = Provision::new(Kind::Item, i.label.clone());
            item.heading = i.heading.clone().unwrap_or_default();
            item.text = i.body.clone();
            p.children.push(item);
        }
        provisions.push(p);
    }
    for r in &doc.revisions {
        let mut p = Provision::new(Kind::Supplementary, "附則");
        p.text = r.text.clone();
        provisions.push(p);
    }
    Body {
        title: doc.title,
        provisions,
    }
}

#[test]
fn the_seed_gives_the_builtin_basic_policy() {
    let parsed = parse(SEED, Format::Markdown).unwrap();
    let builtin = builtin_basic_policy();
    assert_eq!(parsed.title, builtin.title);
    assert_eq!(parsed.provisions.len(), builtin.provisions.len());
    for (a, b) in parsed.provisions.iter().zip(&builtin.provisions) {
        assert_eq!(a, b, "{}", b.label);
    }
    assert_eq!(parsed, builtin);
    assert_eq!(parsed.counts(), (11, 11 + 25 + 5));
    // The 附則's dates are read from their 和暦.
    let dates: Vec<_> = parsed
        .provisions
        .iter()
        .filter(|p| p.kind == Kind::Supplementary)
        .filter_map(|p| date_in(&p.text))
        .collect();
    assert_eq!(dates.first(), Some(&date!(2002 - 11 - 01)));
    assert_eq!(dates.last(), Some(&date!(2025 - 03 - 01)));
}

#[test]
fn the_reiki_layout_is_read() {
    let b = reiki();
    assert_eq!(b.title, "〇〇市情報セキュリティ対策基準");
    let labels: Vec<(Kind, String, usize)> = b
        .flatten()
        .into_iter()
        .map(|f| (f.kind, f.label, f.depth))
        .collect();
    use Kind::*;
    let expected = [
        (Chapter, "第1章", 0),
        (Article, "第1条", 1),
        (Article, "第2条", 1),
        (Item, "(1)", 2),
        (Item, "(2)", 2),
        (Paragraph, "2", 2),
        (Chapter, "第2章", 0),
        (Section, "第1節", 1),
        (Article, "第3条", 2),
        (Item, "(1)", 3),
        (Subitem, "ア", 4),
        (Subitem, "イ", 4),
        (Subitem, "(ア)", 5),
        (Subitem, "(イ)", 5),
        (Article, "第3条の2", 2),
        (Supplementary, "附則", 0),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(k, l, d)| (*k, l.to_string(), *d))
        .collect();
    assert_eq!(labels, expected);
    let flat = b.flatten();
    assert_eq!(flat[0].heading, "総則");
    assert_eq!(flat[1].heading, "目的");
    assert!(flat[1].text.starts_with("この対策基準は"));
    assert_eq!(flat[3].heading, "情報資産");
    assert_eq!(flat[3].text, "情報システム及び電子情報をいう。");
    assert_eq!(flat[8].heading, "最高情報セキュリティ責任者");
    assert_eq!(flat[9].heading, "");
    assert_eq!(flat[15].text, "この対策基準は、令和8年4月1日から施行する。");
    assert_eq!(date_in(&flat[15].text), Some(date!(2026 - 04 - 01)));
}

#[test]
fn round_trips() {
    for body in [parse(SEED, Format::Markdown).unwrap(), reiki()] {
        let md = write::markdown(&body);
        assert_eq!(parse(&md, Format::Markdown).unwrap(), body, "{md}");
        let text = write::reiki(&body);
        assert_eq!(parse(&text, Format::Reiki).unwrap(), body, "{text}");
    }
}

#[test]
fn an_item_whose_text_reads_as_a_heading_round_trips() {
    let mut body = reiki();
    let item = &mut body.provisions[0].children[1].children[0];
    item.heading.clear();
    item.text = "情報資産　情報システム及び電子情報をいう。".into();
    let text = write::reiki(&body);
    assert_eq!(parse(&text, Format::Reiki).unwrap(), body);
    item_md(&mut body);
    let md = write::markdown(&body);
    assert_eq!(parse(&md, Format::Markdown).unwrap(), body);
}

fn item_md(body: &mut Body) {
    let item = &mut body.provisions[0].children[1].children[0];
    item.text = "情報資産 情報システム及び電子情報をいう。".into();
}

#[test]
fn out_of_order_articles_are_refused_with_their_line() {
    let text = "規程\n第1条　a。\n第7条　b。\n第5条　c。\n第6条　d。\n";
    let e = errors(text, Format::Reiki);
    assert_eq!(e[0].line, 4);
    assert_eq!(
        e[0].reason,
        Reason::OutOfOrder {
            label: "第5条".into(),
            previous: "第7条".into()
        }
    );
    assert!(e[0].reason.ja().contains("第5条 が 第7条 の後"));
    assert!(e[0].text.contains("第5条"));
}

#[test]
fn out_of_order_items_and_paragraphs_are_refused() {
    let text = "規程\n第1条　a。\n(2)　b。\n(1)　c。\n3　d。\n2　e。\nイ　f。\nア　g。\n";
    let e = errors(text, Format::Reiki);
    let lines: Vec<usize> = e.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![4, 6, 8]);
    assert!(
        e.iter()
            .all(|e| matches!(e.reason, Reason::OutOfOrder { .. }))
    );
}

#[test]
fn lines_that_cannot_be_placed_are_reported() {
    let cases: &[(&str, usize, Reason)] = &[
        (
            "規程\n前文です。\n第1条　a。\n",
            2,
            Reason::BeforeFirstArticle,
        ),
        (
            "規程\n2　a。\n第1条　a。\n",
            2,
            Reason::ParagraphOutsideArticle,
        ),
        (
            "規程\n(1)　a。\n第1条　a。\n",
            2,
            Reason::ItemOutsideArticle,
        ),
        (
            "規程\n第1節　a\n第1条　a。\n",
            2,
            Reason::SectionOutsideChapter,
        ),
        (
            "規程\n第1章　a\n(ア)　a。\n第1条　a。\n",
            3,
            Reason::SubitemOutsideItem,
        ),
        (
            "規程\n第1章　a\n（目的）\n第1節　b\n第1条　a。\n",
            3,
            Reason::HeadingWithoutArticle,
        ),
        ("規程\n", 0, Reason::NoArticle),
    ];
    for (text, line, reason) in cases {
        let e = errors(text, Format::Reiki);
        assert_eq!((e[0].line, &e[0].reason), (*line, reason), "{text}");
        assert!(!e[0].reason.ja().is_empty() && !e[0].reason.en().is_empty());
    }
    // Markdown: text before the first article.
    let e = errors(
        "# 方針\n\n前文。\n\n## 第1 目的\n\n本文。\n",
        Format::Markdown,
    );
    assert_eq!((e[0].line, &e[0].reason), (3, &Reason::BeforeFirstArticle));
}

#[test]
fn every_bad_line_is_reported_not_only_the_first() {
    let text = "規程\n前文。\n第2条　a。\n第1条　b。\n";
    let e = errors(text, Format::Reiki);
    assert_eq!(e.iter().map(|e| e.line).collect::<Vec<_>>(), vec![2, 4]);
}

#[test]
fn kanji_numerals_and_full_width_digits_are_read() {
    let text = "規程\n第一条　a。\n第十二条　b。\n２　c。\n（３）　d。\n";
    let b = parse(text, Format::Reiki).unwrap();
    let labels: Vec<String> = b.flatten().into_iter().map(|f| f.label).collect();
    assert_eq!(labels, vec!["第1条", "第12条", "2", "(3)"]);
}

#[test]
fn the_supplementary_line_is_written_from_its_date() {
    assert_eq!(
        enactment_line(Level::Standard, date!(2026 - 04 - 01)),
        "この対策基準は、令和8年4月1日から施行する。"
    );
    assert_eq!(
        enactment_line(Level::Basic, date!(2019 - 05 - 01)),
        "この基本方針は、令和元年5月1日から施行する。"
    );
    assert_eq!(date_in("令和元年5月1日から"), Some(date!(2019 - 05 - 01)));
    assert_eq!(date_in("2026年4月1日から"), Some(date!(2026 - 04 - 01)));
    assert_eq!(date_in("施行する。"), None);
}

fn keyed(mut body: Body, previous: Option<&Body>, prefix: &str) -> Body {
    let mut n = 0;
    keys::assign(&mut body, previous, &mut || {
        n += 1;
        format!("{prefix}{n}")
    });
    body
}

#[test]
fn keys_follow_a_renumbered_article() {
    let v1 = keyed(reiki(), None, "k");
    // The amendment inserts a new 第2条 and renumbers the old 第2条 to 第3条.
    let amended = REIKI.replace(
        "（定義）\n第2条",
        "（適用範囲）\n第2条　この対策基準は、全ての情報資産に適用する。\n（定義）\n第2条の2",
    );
    let v2 = keyed(parse(&amended, Format::Reiki).unwrap(), Some(&v1), "n");
    let old_def = v1
        .flatten()
        .into_iter()
        .find(|f| f.heading == "定義")
        .unwrap();
    let new_def = v2
        .flatten()
        .into_iter()
        .find(|f| f.heading == "定義")
        .unwrap();
    assert_eq!(old_def.key, new_def.key);
    assert_eq!(new_def.label, "第2条の2");
    let added = v2
        .flatten()
        .into_iter()
        .find(|f| f.heading == "適用範囲")
        .unwrap();
    assert!(added.key.starts_with('n'));
    let entries = compare(&v1, &v2);
    let by_key = |k: &str| entries.iter().find(|e| e.key == k).unwrap();
    assert_eq!(by_key(&new_def.key).change, Change::Moved);
    assert_eq!(by_key(&added.key).change, Change::Added);
    // Keys are unique.
    let mut keys: Vec<String> = v2.flatten().into_iter().map(|f| f.key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), v2.flatten().len());
}

#[test]
fn the_comparison_marks_changed_words_and_elides_the_rest() {
    let v1 = keyed(reiki(), None, "k");
    let mut v2 = v1.clone();
    let key = v2.flatten()[4].key.clone(); // (2) 職員
    v2.find_mut(&key).unwrap().text = "本市の職員（会計年度任用職員を含む。）をいう。".into();
    let removed = v2.provisions[1].children[0].children[0].children[0].children[1]
        .key
        .clone();
    v2.provisions[1].children[0].children[0].children[0]
        .children
        .remove(1); // イ
    let entries = compare(&v1, &v2);
    let changed = entries.iter().find(|e| e.key == key).unwrap();
    assert_eq!(changed.change, Change::Changed);
    let new = changed.new.as_ref().unwrap();
    let marked: String = new
        .text_spans
        .iter()
        .filter(|s| s.changed)
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(marked, "の（会計年度任用職員を含む。）");
    let old = changed.old.as_ref().unwrap();
    assert!(old.text_spans.iter().all(|s| !s.changed));
    let gone = entries.iter().find(|e| e.key == removed).unwrap();
    assert_eq!(gone.change, Change::Removed);
    assert!(gone.new.is_none());
    // The removed イ sits after ア, where it was.
    let pos = |k: &str| entries.iter().position(|e| e.key == k).unwrap();
    let a = v1.provisions[1].children[0].children[0].children[0].children[0]
        .key
        .clone();
    assert_eq!(pos(&removed), pos(&a) + 1);
    // Rows: the changed item with its article and chapter as context, イ removed
    // with its sub-items, the rest elided.
    let shown: Vec<String> = rows(&entries)
        .into_iter()
        .map(|r| match r {
            Row::Entry(e) => e.new.as_ref().or(e.old.as_ref()).unwrap().label.clone(),
            Row::Elided(n) => format!("略{n}"),
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            "第1章", "略1", "第2条", "略1", "(2)", "略1", "第2章", "第1節", "第3条", "(1)", "略1",
            "イ", "(ア)", "(イ)", "略2"
        ]
    );
}

#[test]
fn flat_and_back() {
    let b = keyed(reiki(), None, "k");
    let again = Body::from_flat(b.title.clone(), b.flatten());
    assert_eq!(again, b);
}
