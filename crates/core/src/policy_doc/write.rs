//! Writing a version out: Markdown (the seed's shape) and the text layout of a
//! 例規集. Each writer reads back to the same provisions with
//! [`super::parse::parse`].

use super::parse::split_heading;
use super::{Body, Kind, Provision};

const WIDE: char = '\u{3000}';

/// The rest of an item's line: heading and text so that the parser splits
/// them back the same way (an empty heading written as a leading separator
/// where the text would otherwise read as heading and text).
fn item_rest(p: &Provision, sep: char) -> String {
    if !p.heading.is_empty() {
        if p.text.is_empty() {
            return p.heading.clone();
        }
        return format!("{}{sep}{}", p.heading, p.text);
    }
    let (h, _) = split_heading(&p.text);
    if h.is_empty() {
        p.text.clone()
    } else {
        format!("{sep}{}", p.text)
    }
}

/// The 例規集 layout: （見出し） / 第1条　本文, 2　…, (1)　…, ア　…, 附　則.
pub fn reiki(body: &Body) -> String {
    let mut out = String::new();
    if !body.title.is_empty() {
        out.push_str(&body.title);
        out.push_str("\n\n");
    }
    fn walk(list: &[Provision], out: &mut String) {
        for p in list {
            match p.kind {
                Kind::Chapter | Kind::Section => {
                    out.push_str(&p.label);
                    if !p.heading.is_empty() {
                        out.push(WIDE);
                        out.push_str(&p.heading);
                    }
                    out.push('\n');
                }
                Kind::Article if p.label.ends_with('条') || p.label.contains("条の") => {
                    if !p.heading.is_empty() {
                        out.push_str(&format!("（{}）\n", p.heading));
                    }
                    out.push_str(&p.label);
                    if !p.text.is_empty() {
                        out.push(WIDE);
                        out.push_str(&p.text);
                    }
                    out.push('\n');
                }
                Kind::Article => {
                    out.push_str(&p.label);
                    if !p.heading.is_empty() {
                        out.push(WIDE);
                        out.push_str(&p.heading);
                    }
                    out.push('\n');
                    if !p.text.is_empty() {
                        out.push(WIDE);
                        out.push_str(&p.text);
                        out.push('\n');
                    }
                }
                Kind::Paragraph => {
                    out.push_str(&p.label);
                    out.push(WIDE);
                    out.push_str(&p.text.replace('\n', &format!("\n{WIDE}")));
                    out.push('\n');
                }
                Kind::Item | Kind::Subitem => {
                    out.push_str(&p.label);
                    out.push(WIDE);
                    out.push_str(&item_rest(p, WIDE));
                    out.push('\n');
                }
                Kind::Supplementary => {
                    out.push('\n');
                    out.push_str("附\u{3000}則");
                    if !p.heading.is_empty() {
                        out.push_str(&format!("（{}）", p.heading));
                    }
                    out.push('\n');
                    for line in p.text.lines() {
                        out.push(WIDE);
                        out.push_str(line);
                        out.push('\n');
                    }
                }
            }
            walk(&p.children, out);
        }
    }
    walk(&body.provisions, &mut out);
    out
}

/// Markdown in the seed's shape: `## 第1 目的`, its text, `- (1) 用語 定義`.
pub fn markdown(body: &Body) -> String {
    let mut out = String::new();
    if !body.title.is_empty() {
        out.push_str(&format!("# {}\n\n", body.title));
    }
    let chapters = body.provisions.iter().any(|p| p.kind == Kind::Chapter);
    fn walk(list: &[Provision], chapters: bool, indent: usize, out: &mut String) {
        for p in list {
            match p.kind {
                Kind::Chapter | Kind::Section | Kind::Article => {
                    let level = match p.kind {
                        Kind::Chapter => "##",
                        Kind::Section => "###",
                        _ if chapters => "####",
                        _ => "##",
                    };
                    out.push_str(level);
                    out.push(' ');
                    out.push_str(&p.label);
                    if !p.heading.is_empty() {
                        out.push(' ');
                        out.push_str(&p.heading);
                    }
                    out.push_str("\n\n");
                    if !p.text.is_empty() {
                        out.push_str(&p.text);
                        out.push_str("\n\n");
                    }
                    walk(&p.children, chapters, 0, out);
                }
                Kind::Paragraph => {
                    out.push_str(&format!("{} {}\n\n", p.label, p.text.replace('\n', "\n\n")));
                    walk(&p.children, chapters, 0, out);
                }
                Kind::Item | Kind::Subitem => {
                    if !p.heading.is_empty() && p.text.is_empty() {
                        out.push_str(&format!("#### {} {}\n\n", p.label, p.heading));
                    } else {
                        out.push_str(&"  ".repeat(indent));
                        out.push_str(&format!("- {} {}\n", p.label, item_rest(p, ' ')));
                    }
                    walk(&p.children, chapters, indent + 1, out);
                    if indent == 0 {
                        out.push('\n');
                    }
                }
                Kind::Supplementary => {
                    out.push_str("## 附則");
                    if !p.heading.is_empty() {
                        out.push_str(&format!(" （{}）", p.heading));
                    }
                    out.push_str("\n\n");
                    for line in p.text.lines() {
                        out.push_str(line);
                        out.push('\n');
                    }
                    out.push('\n');
                    walk(&p.children, chapters, 0, out);
                }
            }
        }
    }
    walk(&body.provisions, chapters, 0, &mut out);
    out
}
