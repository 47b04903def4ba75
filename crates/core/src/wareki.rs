//! Dates as Japanese documents write them: the era (和暦) — 令和7年3月1日 —,
//! the western year in Japanese — 2025年3月1日 —, and English — 1 March 2025.

use time::{Date, Month};

/// An era (元号) and the day it began (Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Era {
    pub name: &'static str,
    pub name_en: &'static str,
    /// First day of the era.
    pub start: (i32, u8, u8),
}

/// The modern eras, newest first. 明治 is counted from 1868-01-25 (the first
/// day of 慶応4年, to which the era was applied back), as is usual.
pub const ERAS: [Era; 5] = [
    Era {
        name: "令和",
        name_en: "Reiwa",
        start: (2019, 5, 1),
    },
    Era {
        name: "平成",
        name_en: "Heisei",
        start: (1989, 1, 8),
    },
    Era {
        name: "昭和",
        name_en: "Showa",
        start: (1926, 12, 25),
    },
    Era {
        name: "大正",
        name_en: "Taisho",
        start: (1912, 7, 30),
    },
    Era {
        name: "明治",
        name_en: "Meiji",
        start: (1868, 1, 25),
    },
];

fn starts_on_or_before(era: &Era, date: Date) -> bool {
    let (y, m, d) = era.start;
    (date.year(), u8::from(date.month()), date.day()) >= (y, m, d)
}

/// The era of a date and the year within it (1 for 元年); `None` before 明治.
pub fn era_of(date: Date) -> Option<(&'static Era, i32)> {
    ERAS.iter()
        .find(|era| starts_on_or_before(era, date))
        .map(|era| (era, date.year() - era.start.0 + 1))
}

/// 令和7年3月1日; the first year of an era is 元年 (令和元年5月1日). A date
/// before 明治 is written in the western calendar (1867年12月31日).
pub fn format_wareki(date: Date) -> String {
    match era_of(date) {
        Some((era, 1)) => format!(
            "{}元年{}月{}日",
            era.name,
            u8::from(date.month()),
            date.day()
        ),
        Some((era, year)) => format!(
            "{}{}年{}月{}日",
            era.name,
            year,
            u8::from(date.month()),
            date.day()
        ),
        None => format_western_ja(date),
    }
}

/// The year in the era only: 令和7年, 令和元年.
pub fn format_wareki_year(date: Date) -> String {
    match era_of(date) {
        Some((era, 1)) => format!("{}元年", era.name),
        Some((era, year)) => format!("{}{}年", era.name, year),
        None => format!("{}年", date.year()),
    }
}

/// 2025年3月1日.
pub fn format_western_ja(date: Date) -> String {
    format!(
        "{}年{}月{}日",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// 1 March 2025.
pub fn format_en(date: Date) -> String {
    format!("{} {} {}", date.day(), month_en(date.month()), date.year())
}

/// Japan's time zone (UTC+9, no summer time).
pub const JST: time::UtcOffset = match time::UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => time::UtcOffset::UTC,
};

/// A moment as a Japanese reader reads it, in Japan's time: the date in 和暦
/// with the western date beside it, then the time to the second (never
/// fractions): 令和8年12月5日（2026-12-05）22:10:29.
pub fn format_datetime_ja(at: time::OffsetDateTime) -> String {
    let t = at.to_offset(JST);
    format!(
        "{}（{}）{:02}:{:02}:{:02}",
        format_wareki(t.date()),
        format_iso_date(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The same moment for an English reader: 5 December 2026, 22:10:29 JST.
pub fn format_datetime_en(at: time::OffsetDateTime) -> String {
    let t = at.to_offset(JST);
    format!(
        "{}, {:02}:{:02}:{:02} JST",
        format_en(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A date as a Japanese reader reads it where it matters (disposals,
/// approvals, receipts): 令和7年3月31日（2025-03-31）.
pub fn format_date_ja(date: Date) -> String {
    format!("{}（{}）", format_wareki(date), format_iso_date(date))
}

/// 2025-03-31.
pub fn format_iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn month_en(month: Month) -> &'static str {
    match month {
        Month::January => "January",
        Month::February => "February",
        Month::March => "March",
        Month::April => "April",
        Month::May => "May",
        Month::June => "June",
        Month::July => "July",
        Month::August => "August",
        Month::September => "September",
        Month::October => "October",
        Month::November => "November",
        Month::December => "December",
    }
}

#[cfg(test)]
mod datetime_tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn moments_are_shown_in_japan_time_without_fractions() {
        let at = datetime!(2026-12-05 13:10:29.710332 UTC);
        assert_eq!(
            format_datetime_ja(at),
            "令和8年12月5日（2026-12-05）22:10:29"
        );
        assert_eq!(format_datetime_en(at), "5 December 2026, 22:10:29 JST");
        // Late in the UTC evening is the next day in Japan.
        let late = datetime!(2019-04-30 15:30:00 UTC);
        assert_eq!(
            format_datetime_ja(late),
            "令和元年5月1日（2019-05-01）00:30:00"
        );
        assert_eq!(
            format_date_ja(time::macros::date!(2025 - 03 - 31)),
            "令和7年3月31日（2025-03-31）"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn reiwa() {
        assert_eq!(format_wareki(date!(2025 - 03 - 01)), "令和7年3月1日");
        assert_eq!(format_wareki(date!(2019 - 05 - 01)), "令和元年5月1日");
        assert_eq!(format_wareki(date!(2019 - 12 - 31)), "令和元年12月31日");
        assert_eq!(format_wareki(date!(2020 - 01 - 01)), "令和2年1月1日");
        assert_eq!(format_wareki(date!(2022 - 04 - 01)), "令和4年4月1日");
    }

    #[test]
    fn heisei_boundaries() {
        assert_eq!(format_wareki(date!(2019 - 04 - 30)), "平成31年4月30日");
        assert_eq!(format_wareki(date!(1989 - 01 - 08)), "平成元年1月8日");
        assert_eq!(format_wareki(date!(1990 - 01 - 01)), "平成2年1月1日");
        assert_eq!(format_wareki(date!(2002 - 11 - 01)), "平成14年11月1日");
        assert_eq!(format_wareki(date!(2008 - 04 - 01)), "平成20年4月1日");
        assert_eq!(format_wareki(date!(2012 - 06 - 05)), "平成24年6月5日");
    }

    #[test]
    fn showa_taisho_meiji_boundaries() {
        assert_eq!(format_wareki(date!(1989 - 01 - 07)), "昭和64年1月7日");
        assert_eq!(format_wareki(date!(1926 - 12 - 25)), "昭和元年12月25日");
        assert_eq!(format_wareki(date!(1926 - 12 - 24)), "大正15年12月24日");
        assert_eq!(format_wareki(date!(1912 - 07 - 30)), "大正元年7月30日");
        assert_eq!(format_wareki(date!(1912 - 07 - 29)), "明治45年7月29日");
        assert_eq!(format_wareki(date!(1868 - 01 - 25)), "明治元年1月25日");
        assert_eq!(format_wareki(date!(1868 - 01 - 24)), "1868年1月24日");
    }

    #[test]
    fn era_year_only() {
        assert_eq!(format_wareki_year(date!(2019 - 05 - 01)), "令和元年");
        assert_eq!(format_wareki_year(date!(2025 - 03 - 01)), "令和7年");
        assert_eq!(
            era_of(date!(2025 - 03 - 01)).map(|(e, y)| (e.name_en, y)),
            Some(("Reiwa", 7))
        );
    }

    #[test]
    fn western() {
        assert_eq!(format_western_ja(date!(2025 - 03 - 01)), "2025年3月1日");
        assert_eq!(format_western_ja(date!(2002 - 11 - 01)), "2002年11月1日");
        assert_eq!(format_en(date!(2025 - 03 - 01)), "1 March 2025");
        assert_eq!(format_en(date!(2012 - 06 - 05)), "5 June 2012");
        assert_eq!(format_en(date!(2002 - 11 - 01)), "1 November 2002");
    }
}
