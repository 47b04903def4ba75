//! The event log as a person reads it: names instead of internal actors,
//! kinds of record and operations in words, Japan's time with 和暦, what
//! changed, and filters by kind, person and date range.

use axum::http::StatusCode;
use mamori_store::units::NewUnit;

use crate::client::{PASSWORD, clients};

#[tokio::test]
async fn the_log_reads_in_words_with_names_and_japan_time() {
    for (backend, mut c) in clients().await {
        let unit = c
            .store
            .create_unit(
                &mamori_store::Actor::System("test"),
                NewUnit {
                    code: "L1".into(),
                    name: "記録課".into(),
                    name_en: "Records".into(),
                    kind: mamori_core::org::UnitKind::Section,
                    parent_id: None,
                },
            )
            .await
            .unwrap();
        c.sign_in("admin", PASSWORD).await;
        // The unit's page shows its history in the same words.
        let page = c.get(&format!("/units/{}", unit.id)).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(
            page.body.contains("Mamori（テスト）"),
            "{backend}: {}",
            page.body
        );

        let log = c.get("/events").await;
        assert_eq!(log.status, StatusCode::OK, "{backend}");
        // Who: the administrator's sign-in shows a name, never user:1:admin.
        assert!(!log.body.contains("user:1:admin"), "{backend}");
        assert!(
            log.body.contains("サインイン"),
            "{backend}: the kind in words"
        );
        assert!(
            log.body.contains("成功"),
            "{backend}: the operation in words"
        );
        assert!(
            log.body.contains("Mamori（"),
            "{backend}: a part of Mamori named in words"
        );
        // When: Japan's time, 和暦 first, the western date beside it, no fractions.
        assert!(log.body.contains("令和"), "{backend}");
        let iso_fraction = regex_like_fraction(&log.body);
        assert!(!iso_fraction, "{backend}: no raw RFC 3339 moments");
        // What: a unit's entry links to the unit.
        let units = c.get("/events?entity=unit").await;
        assert!(
            units.body.contains(&format!("href=\"/units/{}\"", unit.id)),
            "{backend}: {}",
            units.body
        );
        assert!(units.body.contains("組織"), "{backend}");
        // … and names it as logged.
        assert!(
            units
                .body
                .contains("<span class=\"muted record-name\">記録課</span>"),
            "{backend}: the unit's name beside its id"
        );
        assert!(
            !units.body.contains("サインイン</a>"),
            "{backend}: filtered"
        );
        // The kinds are offered in Japanese.
        assert!(log.body.contains(">情報資産</option>"), "{backend}");

        // By person: the administrator's own entries, and nobody's.
        let mine = c.get("/events?person=admin").await;
        assert!(mine.body.contains("サインイン"), "{backend}");
        assert!(!mine.body.contains("Mamori（"), "{backend}: only admin's");
        let nobody = c
            .get("/events?person=%E5%AD%98%E5%9C%A8%E3%81%97%E3%81%AA%E3%81%84")
            .await;
        assert!(nobody.body.contains("id=\"log-empty\""), "{backend}");

        // By date: today (Japan) has entries, a day long past has none.
        let today = mamori_store::org::today();
        let r = c.get(&format!("/events?from={today}&to={today}")).await;
        assert!(!r.body.contains("id=\"log-empty\""), "{backend}: {today}");
        let r = c.get("/events?from=2001-01-01&to=2001-01-31").await;
        assert!(r.body.contains("id=\"log-empty\""), "{backend}");
        // A date that is not one is refused, naming the field.
        let r = c.get("/events?from=yesterday").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(r.body.contains("開始日"), "{backend}: {}", r.body);

        // In English, the same words in English.
        c.get("/lang/en?next=/events").await;
        let en = c.get("/events").await;
        assert!(en.body.contains("Sign-in"), "{backend}");
        assert!(en.body.contains("JST"), "{backend}");
    }
}

/// Whether the page shows a stored moment as it is stored
/// (`2026-12-05T13:10:29.710332Z`).
fn regex_like_fraction(body: &str) -> bool {
    body.as_bytes().windows(20).any(|w| {
        w[4] == b'-'
            && w[7] == b'-'
            && w[10] == b'T'
            && w[13] == b':'
            && w[16] == b':'
            && w[19] == b'.'
            && w[..4].iter().all(u8::is_ascii_digit)
    })
}

#[tokio::test]
async fn the_api_filters_the_log_by_person_and_day() {
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        let today = mamori_store::org::today();
        let r = c
            .api(
                "GET",
                &format!("/api/v1/events?person=admin&from={today}&to={today}"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let items = r.json()["items"].as_array().unwrap().clone();
        assert!(!items.is_empty(), "{backend}");
        assert!(
            items
                .iter()
                .all(|e| e["actor"].as_str().unwrap().starts_with("user:1:")),
            "{backend}: only admin's entries"
        );
        let r = c
            .api(
                "GET",
                "/api/v1/events?from=2001-01-01&to=2001-01-02",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.json()["total"], 0, "{backend}");
        let r = c
            .api("GET", "/api/v1/events?from=yesterday", Some(&admin), None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(r.body.contains("from"), "{backend}: {}", r.body);
    }
}
