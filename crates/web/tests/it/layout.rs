//! Issue 17 for the people who use it every day (h17ui): the training pages
//! split by task, the 権限 table read from the policy, page jumps and sorting
//! whitelisted, charts with text beside them, empty states that say what to
//! do. On both databases.

use axum::http::StatusCode;
use serde_json::json;

use crate::client::{Client, PASSWORD, clients};
use crate::org::{section, staff};

/// A page with its links' `&` as written in the source.
fn unescaped(mut r: crate::client::Resp) -> crate::client::Resp {
    r.body = r.body.replace("&#38;", "&").replace("&amp;", "&");
    r
}

#[tokio::test]
async fn the_training_tabs_follow_what_the_person_may_do() {
    for (backend, mut c) in clients().await {
        let mut s = c.fresh();
        s.sign_in("tanaka", PASSWORD).await;
        let p = s.get("/training").await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("id=\"training-tabs\""), "{backend}");
        assert!(
            !p.body.contains("href=\"/training/status\"")
                && !p.body.contains("href=\"/training/courses\""),
            "{backend}: staff see only their own tab"
        );
        assert!(
            p.body.contains("id=\"training-empty\""),
            "{backend}: nothing asked of them, and it says so"
        );
        for path in [
            "/training/status",
            "/training/courses",
            "/training/assignments",
            "/training/import",
        ] {
            assert_eq!(
                s.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{backend}: {path}"
            );
        }

        c.sign_in("admin", PASSWORD).await;
        let p = c.get("/training").await;
        for tab in [
            "/training/status",
            "/training/courses",
            "/training/assignments",
            "/training/import",
        ] {
            assert!(
                p.body.contains(&format!("href=\"{tab}\"")),
                "{backend}: {tab}"
            );
            let page = c.get(tab).await;
            assert_eq!(page.status, StatusCode::OK, "{backend}: {tab}");
            assert!(
                page.body.contains("aria-current=\"page\""),
                "{backend}: {tab} marks its tab"
            );
        }
        // No course yet: the pages say what to do first.
        assert!(
            c.get("/training/courses")
                .await
                .body
                .contains("id=\"courses-empty\""),
            "{backend}"
        );
        assert!(
            c.get("/training/assignments")
                .await
                .body
                .contains("id=\"assign-empty\""),
            "{backend}"
        );

        // Everyone is asked, the administrator (no unit) too: the status
        // names that line （所属なし）, and draws the rates.
        let admin = c.token("admin", PASSWORD).await;
        let r = c
            .api(
                "POST",
                "/api/v1/training/courses",
                Some(&admin),
                Some(json!({"code": "Y-1", "title": "年次研修", "kind": "yearly"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let course = r.json()["id"].as_i64().unwrap();
        let r = c
            .api(
                "POST",
                "/api/v1/training/assignments",
                Some(&admin),
                Some(json!({"course_id": course, "target_kind": "everyone", "target": "", "due_on": "2020-01-31"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let p = c.get("/training/status").await;
        assert!(p.body.contains("（所属なし）"), "{backend}: {}", p.body);
        assert!(
            p.body.contains("id=\"training-status-chart\""),
            "{backend}: a chart"
        );
        assert!(
            p.body.contains("表で見る"),
            "{backend}: with its figures as text"
        );
        assert!(
            !p.body.contains("<td></td><td>"),
            "{backend}: no empty label"
        );
        // The status sorts by its headers; an unknown key is the tree order.
        for path in [
            "/training/status?sort=rate&dir=desc",
            "/training/status?sort=overdue",
            "/training/status?sort=unit&dir=desc",
        ] {
            let p = c.get(path).await;
            assert_eq!(p.status, StatusCode::OK, "{backend}: {path}");
            assert!(
                p.body.contains("aria-sort=\"ascending\"")
                    || p.body.contains("aria-sort=\"descending\""),
                "{backend}: {path}"
            );
        }
        let p = c.get("/training/status?sort=1;DELETE").await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("（所属なし）"), "{backend}");
    }
}

#[tokio::test]
async fn the_authz_page_is_a_table_read_from_the_policy() {
    for (backend, mut c) in clients().await {
        c.sign_in("admin", PASSWORD).await;
        let p = c.get("/authz").await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("class=\"authz-matrix\""), "{backend}");
        for words in [
            "情報セキュリティ管理者",
            "最高情報セキュリティ責任者",
            "監査人",
            "条件付き",
            "所管する所属のみ",
            "本人以外",
            "自分の所属のみ",
            "格付け変更などの承認",
        ] {
            assert!(p.body.contains(words), "{backend}: {words}");
        }
        assert!(
            p.body.contains("id=\"authz-source\"") && p.body.contains("permit ("),
            "{backend}: the Cedar source one click away"
        );
        let own_unit = p.body.matches("自分の所属のみ").count();

        // A city's own rule shows in the table.
        let extra = mamori_authz::Authorizer::with_extra(&[(
            "unit-incidents.cedar".to_string(),
            "permit (principal in Mamori::Role::\"staff\", action == Mamori::Action::\"handle_incident\", resource is Mamori::Incident) when { principal has unit && resource.unit in principal.unit };".to_string(),
        )])
        .unwrap();
        let mut changed = Client::with_authz(c.store.clone(), extra);
        changed.sign_in("admin", PASSWORD).await;
        let p = changed.get("/authz").await;
        assert!(
            p.body.matches("自分の所属のみ").count() > own_unit,
            "{backend}: the new rule gives staff a conditional cell"
        );
        assert!(p.body.contains("unit-incidents.cedar"), "{backend}");

        let mut s = c.fresh();
        s.sign_in("tanaka", PASSWORD).await;
        assert_eq!(s.get("/authz").await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn pages_jump_and_lists_sort_by_whitelisted_keys() {
    for (backend, mut c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        for i in 0..8 {
            staff(&c, &format!("user{i:02}"), a).await;
        }
        c.sign_in("admin", PASSWORD).await;
        // 10 users, one a page: page 5 shows 1 … 3 4 [5] 6 7 … 10 and a jump.
        let p = c.get("/users?per_page=1&page=5").await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        let p = unescaped(p);
        assert!(p.body.contains("aria-current=\"page\">5<"), "{backend}");
        for n in [1, 3, 7, 10] {
            assert!(
                p.body.contains(&format!("page={n}&per_page=1\"")),
                "{backend}: link to {n}: {}",
                &p.body[p.body.find("class=\"pager").unwrap_or(0)..]
            );
        }
        assert!(p.body.contains('…'), "{backend}: gaps");
        assert!(
            p.body.contains("class=\"jump\"")
                && p.body.contains("name=\"page\" min=\"1\" max=\"10\""),
            "{backend}: the jump form"
        );
        // Past the last page: an empty state leading to the last one.
        let p = unescaped(c.get("/users?per_page=1&page=99").await);
        assert!(
            p.body.contains("class=\"past-last\"") && p.body.contains("page=10&per_page=1"),
            "{backend}: {}",
            p.body
        );

        // Sorting: a header link per sortable column, kept through paging.
        let p = unescaped(c.get("/users?sort=username&dir=desc&per_page=2").await);
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("aria-sort=\"descending\""), "{backend}");
        assert!(
            p.body.contains("sort=username&dir=desc&page=2"),
            "{backend}: the pager keeps the order"
        );
        let first = p.body.find("user07").unwrap();
        let second = p.body.find("user06").unwrap();
        assert!(first < second, "{backend}: descending by user name");
        // An unknown key is the default order on a page, never an SQL error.
        for path in [
            "/users?sort=username;DROP%20TABLE%20users&dir=desc",
            "/findings?sort=x%27--&dir=asc",
            "/incidents?sort=evil",
            "/events?sort=hash&dir=asc",
            "/assets?sort=id&dir=sideways",
        ] {
            assert_eq!(
                c.get(path).await.status,
                StatusCode::OK,
                "{backend}: {path}"
            );
        }
        for path in [
            "/findings?sort=severity&dir=desc",
            "/findings?sort=due",
            "/incidents?sort=noticed&dir=desc",
            "/incidents?sort=unit",
            "/assets?sort=name&dir=desc",
        ] {
            let p = c.get(path).await;
            assert_eq!(p.status, StatusCode::OK, "{backend}: {path}");
            assert!(p.body.contains("aria-sort="), "{backend}: {path}");
        }
        // The log by time, oldest first on asking.
        let p = c.get("/events?sort=at&dir=asc").await;
        assert!(p.body.contains("aria-sort=\"ascending\""), "{backend}");
        let p = c.get("/events").await;
        assert!(p.body.contains("aria-sort=\"descending\""), "{backend}");

        // The API: the same keys; an unknown one is a 400.
        let admin = c.token("admin", PASSWORD).await;
        let r = c
            .api(
                "GET",
                "/api/v1/users?sort=username&dir=desc&per_page=1",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["items"][0]["username"], "user07", "{backend}");
        let r = c
            .api("GET", "/api/v1/users?sort=password", Some(&admin), None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}: {}", r.body);
    }
}

#[tokio::test]
async fn the_register_says_what_to_do_and_shows_its_spread() {
    for (backend, mut c) in clients().await {
        c.sign_in("admin", PASSWORD).await;
        let p = c.get("/assets").await;
        assert!(
            p.body.contains("id=\"assets-empty\"") && p.body.contains("href=\"/assets/import\""),
            "{backend}: an empty register leads to 登録 and 取込み"
        );
        let admin = c.token("admin", PASSWORD).await;
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        for (name, conf) in [("名簿", "2"), ("議事録", "2"), ("公開資料", "1")] {
            let r = c
                .api(
                    "POST",
                    "/api/v1/assets",
                    Some(&admin),
                    Some(json!({"name": name, "kind": "electronic_information", "owner_unit_id": dept,
                        "administrator": "課長", "location": "庁舎", "retention": "5年",
                        "lifecycle": "in_use", "confidentiality": conf, "integrity": "2", "availability": "2"})),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        }
        let p = c.get("/assets").await;
        assert!(p.body.contains("id=\"assets-distribution\""), "{backend}");
        for id in [
            "assets-by-c",
            "assets-by-i",
            "assets-by-a",
            "assets-by-segment",
            "assets-per-month",
        ] {
            assert!(p.body.contains(&format!("id=\"{id}\"")), "{backend}: {id}");
        }
        assert!(p.body.contains("2件"), "{backend}: two at level 2");
        assert!(
            p.body.contains("（セグメント未設定）"),
            "{backend}: no segment, in words"
        );
        // A filter that matches nothing says so and leads back.
        let p = c
            .get("/assets?q=%E5%AD%98%E5%9C%A8%E3%81%97%E3%81%AA%E3%81%84")
            .await;
        assert!(
            p.body.contains("id=\"assets-empty\"") && p.body.contains("href=\"/assets\""),
            "{backend}"
        );

        // The security office's dashboard: the register and the trends.
        let p = c.get("/").await;
        for id in [
            "city-charts",
            "assets-by-c",
            "training-per-month",
            "acks-per-month",
        ] {
            assert!(p.body.contains(&format!("id=\"{id}\"")), "{backend}: {id}");
        }
        let mut s = c.fresh();
        s.sign_in("tanaka", PASSWORD).await;
        assert!(
            !s.get("/").await.body.contains("id=\"city-charts\""),
            "{backend}: not for staff"
        );
    }
}
