//! A refused page form comes back with what was typed (once, escaped, on the
//! page the refusal returns to), and a stale edit comes back with what is
//! stored now, not with the overwritten values.

use axum::http::StatusCode;
use mamori_core::org::SystemRole;
use serde_json::json;

use crate::client::{Client, PASSWORD, clients};
use crate::org::{section, staff};
use crate::risk::user;

#[tokio::test]
async fn a_refused_incident_report_keeps_what_was_typed_once() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        staff(&c, "yamada", a).await;
        let mut page = c.fresh();
        page.sign_in("yamada", PASSWORD).await;
        let form = page.get("/incidents/new").await;
        let csrf = Client::csrf_of(&form.body);
        let long = "USBメモリを紛失した。".repeat(40);
        let r = page
            .post_form(
                "/incidents",
                &[
                    ("csrf", &csrf),
                    ("title", "USB紛失 \"><b>x</b>"),
                    ("description", &long),
                    ("noticed_at", "昨日の朝"),
                    ("kind", "loss_theft"),
                    ("severity", "high"),
                    ("personal_info", "on"),
                    ("affected", "3"),
                    ("place", "本庁舎3階"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        assert_eq!(r.location(), "/incidents/new", "{backend}");
        let p = page.get("/incidents/new").await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        // The reason, and every field as typed, escaped.
        assert!(
            p.body.contains("class=\"flash-error\"") && p.body.contains("昨日の朝"),
            "{backend}: the reason names the value"
        );
        assert!(
            p.body
                .contains("value=\"USB紛失 &#34;&#62;&#60;b&#62;x&#60;/b&#62;\"")
                || p.body
                    .contains("value=\"USB紛失 &quot;&gt;&lt;b&gt;x&lt;/b&gt;\""),
            "{backend}: the title comes back escaped"
        );
        assert!(!p.body.contains("<b>x</b>"), "{backend}");
        assert!(p.body.contains(&long), "{backend}");
        assert!(p.body.contains("value=\"本庁舎3階\""), "{backend}");
        assert!(p.body.contains("value=\"昨日の朝\""), "{backend}");
        assert!(
            p.body.contains("name=\"personal_info\" checked")
                && !p.body.contains("name=\"my_number\" checked"),
            "{backend}"
        );
        assert!(
            p.body.contains("value=\"loss_theft\" selected")
                && p.body.contains("value=\"high\" selected")
                && !p.body.contains("value=\"medium\" selected"),
            "{backend}"
        );
        // Once: the next showing is empty again, with its defaults.
        let p = page.get("/incidents/new").await;
        assert!(!p.body.contains("本庁舎3階"), "{backend}");
        assert!(p.body.contains("value=\"medium\" selected"), "{backend}");
        // Kept for the page the refusal returns to only.
        let r = page
            .post_form(
                "/incidents",
                &[("csrf", &csrf), ("title", "別件"), ("noticed_at", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        page.get("/incidents").await;
        let p = page.get("/incidents/new").await;
        assert!(!p.body.contains("別件"), "{backend}");
    }
}

#[tokio::test]
async fn a_refused_edit_keeps_the_typing_and_a_stale_one_shows_what_is_stored() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        user(&c, "sec", dept, vec![SystemRole::SecurityOfficer]).await;
        let mut cl = c.fresh();
        let sec = cl.token("sec", PASSWORD).await;
        let r = cl
            .api(
                "POST",
                "/api/v1/contractors",
                Some(&sec),
                Some(json!({"name": "さくら印刷", "business": "納税通知書の印刷",
                    "highest_class": "2", "data_location": "国内"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let revision = r.json()["revision"].as_i64().unwrap().to_string();
        let at = format!("/contractors/{id}");

        let mut page = c.fresh();
        page.sign_in("sec", PASSWORD).await;
        let p = page.get(&at).await;
        let csrf = Client::csrf_of(&p.body);
        // Invalid (no data location): the typed business comes back, the form open.
        let r = page
            .post_form(
                &at,
                &[
                    ("csrf", &csrf),
                    ("revision", &revision),
                    ("name", "さくら印刷"),
                    ("business", "納税通知書と督促状の印刷"),
                    ("highest_class", "3"),
                    ("data_location", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let p = page.get(&at).await;
        assert!(p.body.contains("納税通知書と督促状の印刷"), "{backend}");
        assert!(
            p.body.contains("<details id=\"contractor-edit\" open>"),
            "{backend}"
        );
        assert!(
            p.body
                .contains(&format!("name=\"revision\" value=\"{revision}\"")),
            "{backend}: the revision is the page's own"
        );
        // Someone else saves first; the stale save keeps nothing typed.
        let r = cl
            .api(
                "PUT",
                &format!("/api/v1/contractors/{id}"),
                Some(&sec),
                Some(
                    json!({"revision": revision.parse::<i64>().unwrap(), "name": "さくら印刷",
                    "business": "印刷（他の人の変更）", "highest_class": "2",
                    "data_location": "国内"}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let r = page
            .post_form(
                &at,
                &[
                    ("csrf", &csrf),
                    ("revision", &revision),
                    ("name", "さくら印刷"),
                    ("business", "古い画面からの変更"),
                    ("highest_class", "2"),
                    ("data_location", "国内"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let p = page.get(&at).await;
        assert!(!p.body.contains("古い画面からの変更"), "{backend}");
        assert!(p.body.contains("印刷（他の人の変更）"), "{backend}");

        // A page of several forms: a contract refused (it ends before it
        // starts) comes back in the contract form, its clauses ticked as
        // sent; the contractor's edit form shows what is stored.
        let r = page
            .post_form(
                &format!("{at}/contracts"),
                &[
                    ("csrf", &csrf),
                    ("title", "令和9年度 印刷業務委託"),
                    ("starts_on", "2027-04-01"),
                    ("ends_on", "2027-03-31"),
                    ("clauses", "confidentiality"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let p = page.get(&at).await;
        assert!(
            p.body.contains("value=\"令和9年度 印刷業務委託\"")
                && p.body.contains("value=\"2027-03-31\"")
                && p.body.contains("value=\"confidentiality\" checked")
                && !p.body.contains("value=\"no_subcontracting\" checked"),
            "{backend}: {}",
            p.body
        );
        assert!(
            p.body.contains("value=\"さくら印刷\" required")
                && p.body.contains("印刷（他の人の変更）</textarea>"),
            "{backend}: the edit form keeps the stored values"
        );
        assert!(
            !p.body.contains("<details id=\"contractor-edit\" open>"),
            "{backend}"
        );
    }
}
