use axum::http::StatusCode;
use mamori_core::org::SystemRole;

use super::{asset, units, user};
use crate::client::{Client, PASSWORD, clients};

fn asset_id(location: &str) -> i64 {
    location
        .strip_prefix("/assets/")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an asset page: {location}"))
}

#[tokio::test]
async fn the_forms_show_each_error_and_write_with_a_flash() {
    for (backend, mut c) in clients().await {
        let (own, other) = units(&c).await;
        c.sign_in("tanaka", PASSWORD).await;
        let page = c.get("/assets/new").await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        let csrf = Client::csrf_of(&page.body);
        let unit = own.id.to_string();
        // Required fields are marked; the classification comes first, each
        // axis with the questions that decide it.
        let body = &page.body;
        assert!(body.contains("id=\"required-note\""), "{backend}");
        let levels_at = body.find("id=\"levels-fieldset\"").expect("levels");
        let facts_at = body.find("id=\"facts-fieldset\"").expect("facts");
        assert!(levels_at < facts_at, "{backend}: classification first");
        assert!(
            body.contains("id=\"confidentiality-guide\"")
                && body.contains("aria-required=\"true\""),
            "{backend}"
        );

        // 特定個人情報 without 個人情報 is refused, named beside the boxes.
        let r = c
            .post_form(
                "/assets/new",
                &[
                    ("csrf", &csrf),
                    ("name", "番号連携ファイル"),
                    ("kind", "electronic_information"),
                    ("owner_unit_id", &unit),
                    ("confidentiality", "3B"),
                    ("integrity", "2"),
                    ("availability", "2"),
                    ("lifecycle", "in_use"),
                    ("my_number", "1"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert!(
            r.body.contains("id=\"personal_info-error\"")
                && r.body.contains("個人情報も「有」にしてください"),
            "{backend}: {}",
            r.body
        );

        // A level without handling rules says so instead of an empty table.
        let r = c
            .post_form(
                "/assets/new",
                &[
                    ("csrf", &csrf),
                    ("name", "庁内掲示物"),
                    ("kind", "equipment"),
                    ("owner_unit_id", &unit),
                    ("confidentiality", "1"),
                    ("integrity", "1"),
                    ("availability", "1"),
                    ("lifecycle", "in_use"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let detail = c.get(&r.location()).await;
        assert!(
            detail.body.contains("id=\"no-handling\"") && !detail.body.contains("id=\"handling\""),
            "{backend}: {}",
            detail.body
        );

        // Every bad field is shown beside it, the values kept.
        let r = c
            .post_form(
                "/assets/new",
                &[
                    ("csrf", &csrf),
                    ("name", ""),
                    ("kind", "equipment"),
                    ("owner_unit_id", &unit),
                    ("administrator", "田中"),
                    ("confidentiality", "9"),
                    ("integrity", "1"),
                    ("availability", ""),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert!(r.body.contains("id=\"name-error\""), "{backend}");
        assert!(r.body.contains("資産名が空です"), "{backend}");
        assert!(r.body.contains("id=\"confidentiality-error\""), "{backend}");
        assert!(r.body.contains("id=\"availability-error\""), "{backend}");
        assert!(!r.body.contains("id=\"integrity-error\""), "{backend}");
        assert!(
            r.body.contains("value=\"田中\""),
            "{backend}: the values stay"
        );

        // Staff may not register an asset of another unit.
        let r = c
            .post_form(
                "/assets/new",
                &[
                    ("csrf", &csrf),
                    ("name", "他局の端末"),
                    ("kind", "equipment"),
                    ("owner_unit_id", &other.id.to_string()),
                    ("confidentiality", "2"),
                    ("integrity", "1"),
                    ("availability", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");

        // In English too.
        c.get("/lang/en?next=/").await;
        let r = c
            .post_form(
                "/assets/new",
                &[
                    ("csrf", &csrf),
                    ("name", ""),
                    ("kind", "equipment"),
                    ("owner_unit_id", &unit),
                ],
            )
            .await;
        assert!(r.body.contains("the asset name is empty"), "{backend}");
        c.get("/lang/ja?next=/").await;

        let r = c
            .post_form(
                "/assets/new",
                &[
                    ("csrf", &csrf),
                    ("name", "窓口端末"),
                    ("kind", "equipment"),
                    ("owner_unit_id", &unit),
                    ("confidentiality", "2"),
                    ("integrity", "1"),
                    ("availability", "1"),
                    ("lifecycle", "in_use"),
                    ("personal_info", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let id = asset_id(&r.location());
        let detail = c.get(&r.location()).await;
        assert!(
            detail.body.contains("情報資産を登録しました"),
            "{backend}: flash"
        );
        assert!(
            detail.body.contains("id=\"edit-asset\""),
            "{backend}: may act"
        );
        assert!(detail.body.contains("C2-I1-A1"));

        // Edit.
        let r = c
            .post_form(
                &format!("/assets/{id}/edit"),
                &[
                    ("csrf", &csrf),
                    ("name", "窓口端末（1番）"),
                    ("kind", "equipment"),
                    ("owner_unit_id", &unit),
                    ("lifecycle", "in_use"),
                    ("location", "本庁舎1階"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        let a = c.store.asset(id, &Default::default()).await.unwrap();
        assert_eq!(
            (a.record.name.as_str(), a.record.location.as_str()),
            ("窓口端末（1番）", "本庁舎1階")
        );
        assert!(
            !a.record.personal_info,
            "{backend}: an unticked box is false"
        );
        let r = c
            .post_form(
                &format!("/assets/{id}/edit"),
                &[
                    ("csrf", &csrf),
                    ("name", ""),
                    ("kind", "x"),
                    ("owner_unit_id", &unit),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            r.body.contains("id=\"name-error\"") && r.body.contains("id=\"kind-error\""),
            "{backend}"
        );

        // Reclassify: a reason is needed.
        let page = c.get(&format!("/assets/{id}/reclassify")).await;
        assert!(page.body.contains("id=\"label-now\""), "{backend}");
        let r = c
            .post_form(
                &format!("/assets/{id}/reclassify"),
                &[
                    ("csrf", &csrf),
                    ("confidentiality", "3B"),
                    ("integrity", "2"),
                    ("availability", "2"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(r.body.contains("id=\"reason-error\""), "{backend}");
        let r = c
            .post_form(
                &format!("/assets/{id}/reclassify"),
                &[
                    ("csrf", &csrf),
                    ("confidentiality", "3B"),
                    ("integrity", "2"),
                    ("availability", "2"),
                    ("reason", "住民情報を扱うため"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        // A member of staff's change is a request for the section's manager.
        let to = r.location();
        assert!(
            to.starts_with("/classification-requests/"),
            "{backend}: {to}"
        );
        let request = c.get(&to).await;
        assert!(
            request.body.contains("格付けの変更を申請しました")
                && request.body.contains("→ C3B-I2-A2")
                && request.body.contains("承認待ち")
                && request.body.contains("住民情報を扱うため"),
            "{backend}: {}",
            request.body
        );
        let detail = c.get(&format!("/assets/{id}")).await;
        assert!(!detail.body.contains("C3B-I2-A2"), "{backend}: not yet");

        // Dispose.
        let r = c
            .post_form(
                &format!("/assets/{id}/dispose"),
                &[("csrf", &csrf), ("disposed_on", "2025-13-45")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        for field in ["disposed_on", "disposal_method", "disposal_confirmed_by"] {
            assert!(
                r.body.contains(&format!("id=\"{field}-error\"")),
                "{backend}: {field}"
            );
        }
        let r = c
            .post_form(
                &format!("/assets/{id}/dispose"),
                &[
                    ("csrf", &csrf),
                    ("disposed_on", "2025-04-01"),
                    ("disposal_method", "物理破壊"),
                    ("disposal_confirmed_by", "情報政策課 佐藤"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let detail = c.get(&format!("/assets/{id}")).await;
        assert!(detail.body.contains("廃棄を記録しました") && detail.body.contains("物理破壊"));
        assert!(
            !detail.body.contains("id=\"edit-asset\""),
            "{backend}: a disposed asset is not changed"
        );
        // Its forms lead back to its page, which says why it cannot change.
        let r = c.get(&format!("/assets/{id}/edit")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(r.location(), format!("/assets/{id}"), "{backend}");
        let detail = c.get(&format!("/assets/{id}")).await;
        assert!(
            detail.body.contains("id=\"disposed-note\"")
                && detail.body.contains("廃棄済みのため変更できません"),
            "{backend}: {}",
            detail.body
        );
        let r = c
            .post_form(
                &format!("/assets/{id}/reclassify"),
                &[
                    ("csrf", &csrf),
                    ("confidentiality", "1"),
                    ("integrity", "1"),
                    ("availability", "1"),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(r.location(), format!("/assets/{id}"), "{backend}");

        // A forged form changes nothing.
        let r = c
            .post_form(
                &format!("/assets/{id}/edit"),
                &[("csrf", "forged"), ("name", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
    }
}

#[tokio::test]
async fn the_links_and_forms_follow_the_policy() {
    for (backend, mut c) in clients().await {
        let (own, other) = units(&c).await;
        user(&c, "kansa", other.id, SystemRole::Auditor).await;
        let mine = asset(&c, "自課の資料", own.id, "2").await;
        let theirs = asset(&c, "他局の資料", other.id, "2").await;

        c.sign_in("tanaka", PASSWORD).await;
        let register = c.get("/assets").await;
        assert!(
            register.body.contains("id=\"new-asset\"")
                && register.body.contains("id=\"import-ledger\"")
        );
        assert!(register.body.contains("id=\"export-xlsx\""), "{backend}");
        for form in ["edit", "reclassify", "dispose"] {
            assert_eq!(
                c.get(&format!("/assets/{}/{form}", mine.id)).await.status,
                StatusCode::OK,
                "{backend}"
            );
            assert_eq!(
                c.get(&format!("/assets/{}/{form}", theirs.id)).await.status,
                StatusCode::NOT_FOUND,
                "{backend}: {form}"
            );
        }

        let mut auditor = c.fresh();
        auditor.sign_in("kansa", PASSWORD).await;
        let register = auditor.get("/assets").await;
        assert!(
            !register.body.contains("id=\"new-asset\"")
                && !register.body.contains("id=\"import-ledger\"")
        );
        let detail = auditor.get(&format!("/assets/{}", mine.id)).await;
        assert_eq!(detail.status, StatusCode::OK, "{backend}");
        assert!(
            !detail.body.contains("id=\"edit-asset\""),
            "{backend}: no links for a reader"
        );
        assert_eq!(
            auditor
                .get(&format!("/assets/{}/edit", mine.id))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            auditor.get("/assets/new").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            auditor.get("/assets/import").await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn the_register_filters_sorts_and_pages_on_the_server() {
    for (backend, mut c) in clients().await {
        let (own, _) = units(&c).await;
        for i in 0..7 {
            let level = if i % 2 == 0 { "2" } else { "3B" };
            asset(&c, &format!("資料{i}"), own.id, level).await;
        }
        let mut b = super::input("廃棄予定の端末", own.id, "2");
        b.levels.integrity = "2".into();
        b.lifecycle = mamori_core::asset::Lifecycle::Registered;
        c.store.create_asset(&super::ACTOR, b).await.unwrap();
        c.sign_in("admin", PASSWORD).await;

        let r = c.get("/assets?integrity=2").await;
        assert!(
            r.body.contains("廃棄予定の端末") && !r.body.contains("資料0"),
            "{backend}"
        );
        let r = c.get("/assets?state=registered").await;
        assert!(
            r.body.contains("廃棄予定の端末") && !r.body.contains("資料0"),
            "{backend}"
        );
        let r = c
            .get("/assets?confidentiality=3B&sort=name&desc=true")
            .await;
        let (p5, p1) = (r.body.find("資料5").unwrap(), r.body.find("資料1").unwrap());
        assert!(p5 < p1, "{backend}: sorted by name, descending");
        assert!(!r.body.contains("資料2"), "{backend}");
        let r = c.get("/assets?per_page=3&page=2").await;
        assert!(
            r.body.contains("全8件（2/3ページ）"),
            "{backend}: {}",
            r.body
        );
        assert!(
            r.body.contains("資料3") && !r.body.contains("資料0"),
            "{backend}"
        );
        assert_eq!(
            c.get("/assets?state=lost").await.status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            c.get("/assets?sort=colour").await.status,
            StatusCode::BAD_REQUEST
        );
    }
}

#[tokio::test]
async fn a_broad_register_page_bounds_its_count() {
    for (backend, mut c) in clients().await {
        mamori_store::assets::demo::load_demo_assets(&c.store, 10_050)
            .await
            .unwrap();
        c.sign_in("admin", PASSWORD).await;
        let r = c.get("/assets").await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.body.contains("10,000件以上（1ページ目）"), "{backend}");
        let r = c.get("/assets?q=%E5%BA%81%E8%88%8E&per_page=5").await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");

        // The API bounds its count the same way unless asked for an exact one.
        let token = c.token("admin", PASSWORD).await;
        let r = c
            .api("GET", "/api/v1/assets?per_page=5", Some(&token), None)
            .await
            .json();
        assert_eq!(r["total"], 10_000, "{backend}: {}", r["total"]);
        assert_eq!(r["more"], true, "{backend}");
        assert_eq!(r["items"].as_array().unwrap().len(), 5, "{backend}");
        let r = c
            .api(
                "GET",
                "/api/v1/assets?per_page=5&exact_total=true",
                Some(&token),
                None,
            )
            .await
            .json();
        assert!(
            r["total"].as_i64().unwrap() >= 10_050,
            "{backend}: {}",
            r["total"]
        );
        assert_eq!(r["more"], false, "{backend}");
    }
}
