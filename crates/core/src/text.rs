//! Checks of the text people enter: how long it may be, and characters that
//! have no place in a register — control characters (NUL and the like break
//! exports and other programs) and the bidirectional overrides and isolates
//! (U+202A–U+202E, U+2066–U+2069) that make a name read differently from what
//! it is.

/// The longest one-line value (a name, a place, a person) in characters.
pub const MAX_LINE_CHARS: usize = 200;

/// The longest free text (a description, notes) in characters. Well under
/// Excel's 32,767 characters a cell, so every export can hold it.
pub const MAX_TEXT_CHARS: usize = 4000;

/// What is wrong with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// Longer than `max` characters.
    TooLong { max: usize },
    /// A control character at this position (1-based, in characters).
    Control { at: usize },
    /// A bidirectional override or isolate at this position (1-based).
    Bidi { at: usize },
}

impl TextProblem {
    /// The problem in Japanese, naming the field as `label`.
    pub fn ja(&self, label: &str) -> String {
        match self {
            TextProblem::TooLong { max } => format!("{label}は{max}文字以内にしてください"),
            TextProblem::Control { at } => {
                format!("{label}の{at}文字目に制御文字があります（削除してください）")
            }
            TextProblem::Bidi { at } => format!(
                "{label}の{at}文字目に文字の向きを変える制御文字があります（削除してください）"
            ),
        }
    }

    /// The problem in English, naming the field as `label`.
    pub fn en(&self, label: &str) -> String {
        match self {
            TextProblem::TooLong { max } => {
                format!("the {label} is longer than {max} characters")
            }
            TextProblem::Control { at } => {
                format!("the {label} has a control character at position {at}")
            }
            TextProblem::Bidi { at } => {
                format!("the {label} has a bidirectional override character at position {at}")
            }
        }
    }
}

impl TextProblem {
    /// The problem as one of the shared vocabulary, for `field`, labelled
    /// `label` (Japanese) and `label_en`.
    pub fn problem(&self, field: &str, label: &str, label_en: &str) -> crate::problem::Problem {
        use crate::problem::Problem;
        let p = match self {
            TextProblem::TooLong { max } => Problem::new("MAMORI-TEXT-TOO-LONG").with("max", max),
            TextProblem::Control { at } => Problem::new("MAMORI-TEXT-CONTROL").with("at", at),
            TextProblem::Bidi { at } => Problem::new("MAMORI-TEXT-BIDI").with("at", at),
        };
        p.field(field)
            .with("label", label)
            .with("label_en", label_en)
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn check(text: &str, max: usize, allow: impl Fn(char) -> bool) -> Result<(), TextProblem> {
    let mut count = 0;
    for (i, c) in text.chars().enumerate() {
        count = i + 1;
        if is_bidi_control(c) {
            return Err(TextProblem::Bidi { at: i + 1 });
        }
        if c.is_control() && !allow(c) {
            return Err(TextProblem::Control { at: i + 1 });
        }
    }
    if count > max {
        return Err(TextProblem::TooLong { max });
    }
    Ok(())
}

/// A one-line value: no control characters at all (tabs and line breaks
/// included), at most `max` characters.
pub fn check_line(text: &str, max: usize) -> Result<(), TextProblem> {
    check(text, max, |_| false)
}

/// Free text: line breaks and tabs allowed, other control characters not,
/// at most `max` characters.
pub fn check_text(text: &str, max: usize) -> Result<(), TextProblem> {
    check(text, max, |c| matches!(c, '\n' | '\r' | '\t'))
}

/// Whether `email` is an e-mail address as RFC 5321/5322 write one (a local
/// part, `@`, a domain), without display names or comments.
pub fn is_email(email: &str) -> bool {
    !email.contains(|c: char| c.is_whitespace() || c.is_control())
        && email_address::EmailAddress::is_valid(email)
        && email.len() <= 254
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_refuse_control_and_bidi_characters() {
        assert_eq!(check_line("総務課", 10), Ok(()));
        assert_eq!(
            check_line("総務\0課", 10),
            Err(TextProblem::Control { at: 3 })
        );
        assert_eq!(check_line("a\nb", 10), Err(TextProblem::Control { at: 2 }));
        assert_eq!(
            check_line("abc\u{202E}gpj.exe", 20),
            Err(TextProblem::Bidi { at: 4 })
        );
        assert_eq!(
            check_line("x\u{2067}", 20),
            Err(TextProblem::Bidi { at: 2 })
        );
        assert_eq!(
            check_line(&"あ".repeat(11), 10),
            Err(TextProblem::TooLong { max: 10 })
        );
        assert_eq!(check_line(&"あ".repeat(10), 10), Ok(()));
    }

    #[test]
    fn text_allows_line_breaks_only() {
        assert_eq!(check_text("一行目\n二行目\r\n\tx", 100), Ok(()));
        assert_eq!(
            check_text("a\u{7}", 100),
            Err(TextProblem::Control { at: 2 })
        );
        assert_eq!(
            check_text("a\u{85}", 100),
            Err(TextProblem::Control { at: 2 })
        );
    }

    #[test]
    fn messages_name_the_field_and_position() {
        let p = TextProblem::Control { at: 3 };
        assert!(p.ja("氏名").contains("氏名の3文字目"));
        assert!(p.en("name").contains("position 3"));
        assert!(
            TextProblem::TooLong { max: 200 }
                .ja("備考")
                .contains("200文字以内")
        );
    }

    #[test]
    fn email_addresses() {
        for ok in ["tanaka@city.example.lg.jp", "a.b+c@example.jp"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "tanaka",
            "@example.jp",
            "tanaka@",
            "a b@example.jp",
            "tanaka@example.jp\n",
            "田中 <tanaka@example.jp>",
            "a@@example.jp",
        ] {
            assert!(!is_email(bad), "{bad:?}");
        }
    }
}
