use axum::http::{StatusCode, header};
use mamori_core::org::SystemRole;

use super::{asset, units, user};
use crate::client::{Client, PASSWORD, clients};

const HEADER: &str = "資産名,種別,所管課,管理者,保管場所,情報システム,ネットワーク区分,機密性,完全性,可用性,個人情報,特定個人情報,保存期間,状態,備考\r\n";

async fn total(c: &mut Client, token: &str) -> i64 {
    c.api("GET", "/api/v1/assets", Some(token), None)
        .await
        .json()["total"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn an_export_imports_back_unchanged_through_the_api() {
    for (backend, mut c) in clients().await {
        let (own, other) = units(&c).await;
        asset(&c, "住民基本台帳の写し", own.id, "3A").await;
        asset(&c, "会議録", own.id, "2").await;
        asset(&c, "他局の台帳", other.id, "2").await;
        let admin = c.token("admin", PASSWORD).await;
        for (format, magic) in [("csv", &b"\xEF\xBB\xBF"[..]), ("xlsx", &b"PK\x03\x04"[..])] {
            let r = c
                .api(
                    "GET",
                    &format!("/api/v1/assets/export?format={format}"),
                    Some(&admin),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{backend} {format}: {}", r.body);
            assert!(r.bytes.starts_with(magic), "{backend} {format}");
            let ct = r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .to_string();
            assert!(
                r.headers[header::CONTENT_DISPOSITION]
                    .to_str()
                    .unwrap()
                    .contains("attachment"),
                "{backend}"
            );
            let back = c
                .api_bytes(
                    "POST",
                    "/api/v1/assets/import",
                    &admin,
                    &ct,
                    r.bytes.clone(),
                )
                .await;
            assert_eq!(
                back.status,
                StatusCode::OK,
                "{backend} {format}: {}",
                back.body
            );
            let report = back.json();
            assert_eq!(report["written"], true);
            assert_eq!(report["rows"], 3, "{backend} {format}");
            assert_eq!(report["unchanged"], 3, "{backend} {format}: {report}");
            assert_eq!(report["created"], 0);
        }
        assert_eq!(total(&mut c, &admin).await, 3, "{backend}");

        // The filtered view, and only what the caller may see.
        let r = c
            .api(
                "GET",
                "/api/v1/assets/export?format=csv&q=台帳",
                Some(&admin),
                None,
            )
            .await;
        assert!(r.body.contains("住民基本台帳の写し") && r.body.contains("他局の台帳"));
        assert!(!r.body.contains("会議録"), "{backend}: filtered");
        let staff = c.token("tanaka", PASSWORD).await;
        let r = c
            .api(
                "GET",
                "/api/v1/assets/export?format=csv",
                Some(&staff),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.body.contains("会議録") && r.body.contains("住民基本台帳の写し"));
        assert!(
            !r.body.contains("他局の台帳"),
            "{backend}: scoped to the caller"
        );
        let r = c
            .api(
                "GET",
                "/api/v1/assets/export?format=pdf",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
    }
}

#[tokio::test]
async fn an_import_with_errors_writes_nothing_and_says_where() {
    for (backend, mut c) in clients().await {
        let (own, other) = units(&c).await;
        let admin = c.token("admin", PASSWORD).await;
        let file = format!(
            "{HEADER}\
             窓口端末,機器,総務局,田中,本庁舎1階,,,2,1,1,無,無,5年,使用中,\r\n\
             ,電子情報,総務局,,,,,2,1,1,無,無,,登録,名前がない\r\n\
             宛名データ,電子情報,存在しない課,,,,,2,1,1,有,無,,使用中,\r\n\
             税務資料,行政情報,他局,,,,,9,1,1,無,無,,使用中,\r\n"
        );
        let r = c
            .api_bytes(
                "POST",
                "/api/v1/assets/import",
                &admin,
                "text/csv",
                file.into_bytes(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let report = r.json();
        assert_eq!(report["written"], false);
        let errors: Vec<(u64, String)> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_u64().unwrap(),
                    e["column"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            errors,
            vec![
                (3, "資産名".into()),
                (4, "所管課".into()),
                (5, "機密性".into())
            ],
            "{backend}: {report}"
        );
        assert_eq!(total(&mut c, &admin).await, 0, "{backend}: nothing written");

        // A malformed file, by ?format=.
        let r = c
            .api_bytes(
                "POST",
                "/api/v1/assets/import?format=xlsx",
                &admin,
                "application/octet-stream",
                b"not a workbook".to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            r.json()["errors"][0]["row"].is_null(),
            "{backend}: the file as a whole"
        );

        // Staff import rows of their own unit only.
        user(&c, "yamada", other.id, SystemRole::Staff).await;
        let staff = c.token("tanaka", PASSWORD).await;
        let file = format!(
            "{HEADER}自課の資産,電子情報,総務局,,,,,2,1,1,無,無,,使用中,\r\n他局の資産,電子情報,他局,,,,,2,1,1,無,無,,使用中,\r\n"
        );
        let r = c
            .api_bytes(
                "POST",
                "/api/v1/assets/import",
                &staff,
                "text/csv",
                file.clone().into_bytes(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert_eq!(r.json()["errors"][0]["row"], 3, "{backend}");
        // An auditor may not import at all.
        user(&c, "kansa", own.id, SystemRole::Auditor).await;
        let auditor = c.token("kansa", PASSWORD).await;
        let r = c
            .api_bytes(
                "POST",
                "/api/v1/assets/import",
                &auditor,
                "text/csv",
                file.into_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");

        // Larger than axum's 2 MiB default is taken; beyond 64 MiB is refused.
        let mut big = format!("{HEADER}大きな台帳,電子情報,総務局,,,,,2,1,1,無,無,,使用中,\r\n");
        while big.len() < 3 * 1024 * 1024 {
            big.push_str(",,,,,,,,,,,,,,\r\n");
        }
        let r = c
            .api_bytes(
                "POST",
                "/api/v1/assets/import",
                &admin,
                "text/csv",
                big.into_bytes(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{backend}: {}",
            &r.body[..r.body.len().min(500)]
        );
        assert_eq!(r.json()["created"], 1);
        let r = c
            .api_bytes(
                "POST",
                "/api/v1/assets/import",
                &admin,
                "text/csv",
                vec![b' '; 65 * 1024 * 1024],
            )
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{backend}");
    }
}

#[tokio::test]
async fn the_import_page_shows_the_report() {
    for (backend, mut c) in clients().await {
        units(&c).await;
        c.sign_in("admin", PASSWORD).await;
        let page = c.get("/assets/import").await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        let csrf = Client::csrf_of(&page.body);
        let bad = format!(
            "{HEADER},電子情報,総務局,,,,,2,1,1,無,無,,使用中,\r\n窓口端末,機器,どこか,,,,,2,1,1,無,無,,使用中,\r\n"
        );
        let r = c
            .post_multipart(
                "/assets/import",
                &[("csrf", &csrf)],
                ("file", "ledger.csv", bad.as_bytes()),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert!(r.body.contains("id=\"import-errors\""), "{backend}");
        assert!(r.body.contains("資産名が空です"), "{backend}");
        assert!(
            r.body.contains("<td>3</td>") && r.body.contains("<td>2</td>"),
            "{backend}: rows named"
        );
        assert!(r.body.contains("1行も書き込んでいません"), "{backend}");

        let good =
            format!("{HEADER}窓口端末,機器,総務局,田中,本庁舎1階,,,2,1,1,無,無,5年,使用中,\r\n");
        let r = c
            .post_multipart(
                "/assets/import",
                &[("csrf", &csrf)],
                ("file", "ledger.csv", good.as_bytes()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert!(r.body.contains("取り込みました: 1行（新規 1"), "{backend}");
        assert!(c.get("/assets?q=窓口端末").await.body.contains("窓口端末"));

        // Without the form's token nothing is read.
        let r = c
            .post_multipart(
                "/assets/import",
                &[("csrf", "forged")],
                ("file", "ledger.csv", good.as_bytes()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");

        // The register page offers the export of its filtered view.
        let r = c.get("/assets?q=窓口").await;
        assert!(
            r.body
                .contains("/assets/export?q=%E7%AA%93%E5%8F%A3&#38;format=csv"),
            "{backend}: {}",
            r.body
        );
        let r = c
            .get("/assets/export?q=%E7%AA%93%E5%8F%A3&format=csv")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.body.contains("窓口端末"), "{backend}");
    }
}

/// The page checks a file first and shows what it would do: the new and
/// changed rows, the values read as something else, and names the unit
/// already uses; only the confirmation writes. The API's dry run answers the
/// same, writing nothing.
#[tokio::test]
async fn the_import_page_previews_before_writing() {
    for (backend, mut c) in clients().await {
        units(&c).await;
        c.sign_in("admin", PASSWORD).await;
        let admin = c.token("admin", PASSWORD).await;
        let page = c.get("/assets/import").await;
        assert!(
            page.body.contains("name=\"step\" value=\"preview\""),
            "{backend}"
        );
        let csrf = Client::csrf_of(&page.body);
        let before = total(&mut c, &admin).await;
        let file = format!(
            "{HEADER}窓口端末,機器,総務局,田中,本庁舎1階,,,2,1,1,無,無,5年,使用中,\r\n戸籍の控え,電子データ,総務局,,,,,2,1,1,はい,無,,運用中,\r\n"
        );
        let r = c
            .post_multipart(
                "/assets/import",
                &[("csrf", &csrf), ("step", "preview"), ("reason", "")],
                ("file", "ledger.csv", file.as_bytes()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert!(
            r.body.contains("id=\"import-preview\"")
                && r.body.contains("まだ取り込んでいません")
                && r.body.contains("新規 2"),
            "{backend}: {}",
            r.body
        );
        // 「電子データ」 is shown as read: 電子情報; 「はい」 as 有; 「運用中」 as 使用中.
        for shown in [
            "「電子データ」→「電子情報」",
            "「はい」→「有」",
            "「運用中」→「使用中」",
        ] {
            assert!(r.body.contains(shown), "{backend}: {shown}");
        }
        assert_eq!(
            total(&mut c, &admin).await,
            before,
            "{backend}: nothing written yet"
        );
        let marker = "name=\"draft\" value=\"";
        let at = r.body.find(marker).expect("a draft") + marker.len();
        let draft = r.body[at..at + 64].to_string();

        // Another person cannot confirm it.
        let mut other = c.fresh();
        other.sign_in("tanaka", PASSWORD).await;
        let other_csrf = Client::csrf_of(&other.get("/assets").await.body);
        let r = other
            .post_multipart(
                "/assets/import",
                &[("csrf", &other_csrf), ("draft", &draft)],
                ("file", "", b""),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(total(&mut c, &admin).await, before, "{backend}");

        // The confirmation writes, once.
        let r = c
            .post_multipart(
                "/assets/import",
                &[("csrf", &csrf), ("draft", &draft)],
                ("file", "", b""),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert!(r.body.contains("取り込みました: 2行（新規 2"), "{backend}");
        assert_eq!(total(&mut c, &admin).await, before + 2, "{backend}");
        let r = c
            .post_multipart(
                "/assets/import",
                &[("csrf", &csrf), ("draft", &draft)],
                ("file", "", b""),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: taken once");
        assert!(
            c.get("/assets/import").await.body.contains("有効期限"),
            "{backend}"
        );

        // The same file again: each new row names the asset its unit already has.
        let r = c
            .post_multipart(
                "/assets/import",
                &[("csrf", &csrf), ("step", "preview")],
                ("file", "ledger.csv", file.as_bytes()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(
            r.body.contains("id=\"import-warnings\"")
                && r.body.matches("同じ所管課に同名の資産").count() == 2,
            "{backend}: {}",
            r.body
        );

        // The API's dry run: the same preview, nothing written.
        let r = c
            .api_bytes(
                "POST",
                "/api/v1/assets/import?dry_run=true",
                &admin,
                "text/csv",
                file.clone().into_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let j = r.json();
        assert_eq!(j["preview"], true, "{backend}");
        assert_eq!(j["written"], false, "{backend}");
        assert_eq!(j["created"], 2, "{backend}");
        assert_eq!(
            j["preview_rows"][1]["normalised"][0]["before"],
            "電子データ"
        );
        assert_eq!(j["warnings"].as_array().map(Vec::len), Some(2), "{backend}");
        assert_eq!(total(&mut c, &admin).await, before + 2, "{backend}");

        // An update shows each field it changes.
        let id = c
            .api(
                "GET",
                "/api/v1/assets?q=%E7%AA%93%E5%8F%A3",
                Some(&admin),
                None,
            )
            .await
            .json()["items"][0]["id"]
            .as_i64()
            .unwrap();
        let changed = format!(
            "資産番号,{HEADER}{id},窓口端末,機器,総務局,田中,本庁舎2階,,,2,1,1,無,無,5年,使用中,\r\n"
        );
        let r = c
            .api_bytes(
                "POST",
                "/api/v1/assets/import?dry_run=true",
                &admin,
                "text/csv",
                changed.into_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let change = &r.json()["preview_rows"][0]["changes"][0];
        assert_eq!(change["column"], "保管場所", "{backend}");
        assert_eq!(change["before"], "本庁舎1階", "{backend}");
        assert_eq!(change["after"], "本庁舎2階", "{backend}");
    }
}
