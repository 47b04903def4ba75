//! A starting 対策基準 for a city that has none: one chapter for each chapter
//! of the control catalogue, one article for each control, each article naming
//! its control (and, where the basic policy is known, the article of the basic
//! policy it implements). The city then edits it as its own.

use super::coverage::CONTROL_LINK;
use super::{Body, Kind, Provision};

/// A chapter of the standards as the catalogue has it.
pub struct ChapterSeed<'a> {
    pub number: i64,
    pub name: &'a str,
}

/// A control as the catalogue has it.
pub struct ControlSeed<'a> {
    pub code: &'a str,
    pub chapter: i64,
    pub name: &'a str,
    pub description: &'a str,
}

/// The standards drafted from the catalogue. `implements` is the link (CODE#KEY)
/// to the article of the basic policy every control carries out (第8), if known.
pub fn standards_from_controls(
    title: &str,
    chapters: &[ChapterSeed<'_>],
    controls: &[ControlSeed<'_>],
    implements: Option<&str>,
) -> Body {
    let mut article = 0;
    let mut provisions = Vec::new();
    for chapter in chapters {
        let mut c = Provision::new(Kind::Chapter, format!("第{}章", chapter.number));
        c.heading = chapter.name.to_string();
        for control in controls.iter().filter(|k| k.chapter == chapter.number) {
            article += 1;
            let mut a = Provision::new(Kind::Article, format!("第{article}条"));
            a.heading = control.name.to_string();
            a.text = control.description.to_string();
            a.links.push(format!("{CONTROL_LINK}{}", control.code));
            if let Some(link) = implements {
                a.links.push(link.to_string());
            }
            c.children.push(a);
        }
        if !c.children.is_empty() {
            provisions.push(c);
        }
    }
    Body {
        title: title.to_string(),
        provisions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_article_a_control_numbered_through_the_chapters() {
        let chapters = [
            ChapterSeed {
                number: 1,
                name: "組織体制",
            },
            ChapterSeed {
                number: 2,
                name: "空の章",
            },
            ChapterSeed {
                number: 3,
                name: "物理的セキュリティ",
            },
        ];
        let controls = [
            ControlSeed {
                code: "S1-01",
                chapter: 1,
                name: "CISOの設置",
                description: "CISOを置く。",
            },
            ControlSeed {
                code: "S3-01",
                chapter: 3,
                name: "管理区域",
                description: "管理区域を定める。",
            },
            ControlSeed {
                code: "S3-02",
                chapter: 3,
                name: "入退室",
                description: "入退室を記録する。",
            },
        ];
        let body = standards_from_controls("対策基準", &chapters, &controls, Some("basic#k8"));
        // A chapter without controls is left out; articles are numbered through.
        assert_eq!(body.provisions.len(), 2);
        assert_eq!(body.provisions[1].label, "第3章");
        let third = &body.provisions[1].children[1];
        assert_eq!(third.label, "第3条");
        assert_eq!(third.heading, "入退室");
        assert_eq!(third.links, vec!["control:S3-02", "basic#k8"]);
        // What it writes reads back as the same provisions.
        let text = crate::policy_doc::write::reiki(&body);
        let back = crate::policy_doc::parse::parse(&text, crate::policy_doc::parse::Format::Reiki)
            .unwrap();
        assert_eq!(back.counts(), body.counts());
    }
}
