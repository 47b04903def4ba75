//! Charts drawn on the server as SVG (no script: the CSP forbids it), each
//! with a title and a table of the same figures beside it for those who
//! would rather read, or cannot see the chart.

/// One bar: its label, the figure as text, and its length in pixels.
pub struct ChartBar {
    pub label: String,
    pub value: String,
    pub width: i64,
    pub y: i64,
    /// A colour class: good (100 %), fair (80 % or more), poor.
    pub tone: &'static str,
}

/// A horizontal bar chart of percentages.
pub struct BarChart {
    pub id: &'static str,
    pub title: String,
    pub bars: Vec<ChartBar>,
    pub height: i64,
}

/// The length of the longest bar (100 %).
pub const BAR_SPACE: i64 = 360;
/// Where the bars start (the labels are to their left).
pub const LABEL_SPACE: i64 = 240;

impl BarChart {
    /// Bars of (label, done, of), the percentage done of each.
    pub fn percentages(id: &'static str, title: String, rows: &[(String, i64, i64)]) -> BarChart {
        let bars: Vec<ChartBar> = rows
            .iter()
            .enumerate()
            .map(|(i, (label, done, of))| {
                let pct = if *of == 0 { 100 } else { done * 100 / of };
                ChartBar {
                    label: shorten(label, 18),
                    value: format!("{pct}%（{done}/{of}）"),
                    width: BAR_SPACE * pct / 100,
                    y: i as i64 * 24,
                    tone: if pct >= 100 {
                        "good"
                    } else if pct >= 80 {
                        "fair"
                    } else {
                        "poor"
                    },
                }
            })
            .collect();
        BarChart {
            id,
            title,
            height: (bars.len() as i64 * 24).max(24) + 4,
            bars,
        }
    }

    /// Bars of (label, percentage, the figure as text): scores already
    /// computed (a campaign's trend); a missing percentage draws no bar.
    // --- h14 ---
    pub fn scores(
        id: &'static str,
        title: String,
        rows: &[(String, Option<f64>, String)],
    ) -> BarChart {
        let bars: Vec<ChartBar> = rows
            .iter()
            .enumerate()
            .map(|(i, (label, pct, text))| {
                let p = pct.unwrap_or(0.0).clamp(0.0, 100.0);
                ChartBar {
                    label: shorten(label, 18),
                    value: text.clone(),
                    width: (BAR_SPACE as f64 * p / 100.0).round() as i64,
                    y: i as i64 * 24,
                    tone: if p >= 100.0 {
                        "good"
                    } else if p >= 80.0 {
                        "fair"
                    } else {
                        "poor"
                    },
                }
            })
            .collect();
        BarChart {
            id,
            title,
            height: (bars.len() as i64 * 24).max(24) + 4,
            bars,
        }
    }

    // --- h17ui ---
    /// Bars of (label, count), the longest the largest count.
    pub fn counts(id: &'static str, title: String, rows: &[(String, i64)], unit: &str) -> BarChart {
        let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
        let bars: Vec<ChartBar> = rows
            .iter()
            .enumerate()
            .map(|(i, (label, n))| ChartBar {
                label: shorten(label, 18),
                value: format!("{n}{unit}"),
                width: BAR_SPACE * n.max(&0) / max,
                y: i as i64 * 24,
                tone: "count",
            })
            .collect();
        BarChart {
            id,
            title,
            height: (bars.len() as i64 * 24).max(24) + 4,
            bars,
        }
    }

    pub fn label_space(&self) -> i64 {
        LABEL_SPACE
    }

    pub fn width(&self) -> i64 {
        LABEL_SPACE + BAR_SPACE + 120
    }
}

/// A month (YYYY-MM) as a chart's label: 2026年1月 / 2026-01.
pub fn month_label(t: &crate::i18n::T, month: &str) -> String {
    let year = month.get(0..4).unwrap_or(month);
    let m: u32 = month.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(0);
    match t.lang {
        crate::i18n::Lang::Ja => format!("{year}年{m}月"),
        crate::i18n::Lang::En => month.to_string(),
    }
}

/// The charts of the register's spread and registrations per month.
pub fn register_charts(
    t: &crate::i18n::T,
    spread: &mamori_store::assets::RegisterSpread,
) -> Vec<BarChart> {
    let unit = t.pick("件", "");
    let mut out = Vec::new();
    for (id, title, rows) in [
        (
            "assets-by-c",
            t.pick("機密性の格付け別", "By confidentiality"),
            &spread.confidentiality,
        ),
        (
            "assets-by-i",
            t.pick("完全性の格付け別", "By integrity"),
            &spread.integrity,
        ),
        (
            "assets-by-a",
            t.pick("可用性の格付け別", "By availability"),
            &spread.availability,
        ),
    ] {
        if !rows.is_empty() {
            out.push(BarChart::counts(id, title.to_string(), rows, unit));
        }
    }
    if !spread.segments.is_empty() {
        let rows: Vec<(String, i64)> = spread
            .segments
            .iter()
            .map(|(name, n)| {
                (
                    name.clone().unwrap_or_else(|| {
                        t.pick("（セグメント未設定）", "(no segment)").to_string()
                    }),
                    *n,
                )
            })
            .collect();
        out.push(BarChart::counts(
            "assets-by-segment",
            t.pick("ネットワークセグメント別", "By network segment")
                .to_string(),
            &rows,
            unit,
        ));
    }
    if !spread.registered.is_empty() {
        let rows: Vec<(String, i64)> = spread
            .registered
            .iter()
            .map(|(m, n)| (month_label(t, m), *n))
            .collect();
        out.push(BarChart::counts(
            "assets-per-month",
            t.pick(
                "月ごとの登録数（直近12か月）",
                "Registered per month (last 12 months)",
            )
            .to_string(),
            &rows,
            unit,
        ));
    }
    out
}

/// At most `n` characters, with an ellipsis when cut.
fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n - 1).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_as_long_as_their_share() {
        let c = BarChart::percentages(
            "x",
            "t".into(),
            &[("A".into(), 1, 2), ("B".into(), 0, 0), ("C".into(), 9, 10)],
        );
        assert_eq!(c.bars[0].width, BAR_SPACE / 2);
        assert_eq!(c.bars[0].tone, "poor");
        assert_eq!(c.bars[1].width, BAR_SPACE, "nothing asked counts as done");
        assert_eq!(c.bars[2].tone, "fair");
        assert_eq!(c.bars[2].value, "90%（9/10）");
        assert_eq!(c.height, 3 * 24 + 4);
        assert_eq!(shorten("あいうえお", 3), "あい…");
        let c = BarChart::counts("y", "t".into(), &[("a".into(), 2), ("b".into(), 4)], "件");
        assert_eq!(c.bars[0].width, BAR_SPACE / 2);
        assert_eq!(c.bars[1].value, "4件");
    }

    #[test]
    fn score_bars_take_their_text_as_given() {
        let c = BarChart::scores(
            "t",
            "t".into(),
            &[
                ("A".into(), Some(50.0), "50.0%".into()),
                ("B".into(), None, "—".into()),
            ],
        );
        assert_eq!(c.bars[0].width, BAR_SPACE / 2);
        assert_eq!(c.bars[0].value, "50.0%");
        assert_eq!(c.bars[1].width, 0);
    }
}
