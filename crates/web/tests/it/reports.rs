//! Reports for the CISO and the committee (issue 14, part 3) through the real
//! router, on both databases: two campaigns of the same checklist answered
//! differently; the second's results page and report compare with the first
//! (delta per chapter and for the city, the trend); the .xlsx report (page
//! and API) holds the same figures as the print view; the first campaign says
//! it has nothing to compare with; a unit's manager and staff may not read a
//! report; an audit's report names its auditors, scope, results with
//! evidence and the findings raised, and an .xlsx with the same.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::audits::{City, city};
use crate::client::{Client, PASSWORD};

/// The text of the element with this id in a page (first occurrence).
fn text_of(page: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in the page"))
        + marker.len();
    let end = page[start..].find('<').unwrap() + start;
    page[start..end].to_string()
}

/// The rows of a report sheet after its header (the header found by its
/// first cell).
fn sheet<'a>(book: &'a [(String, Vec<Vec<String>>)], name: &str) -> &'a Vec<Vec<String>> {
    &book
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
        .1
}

async fn answer_all(
    c: &mut Client,
    token: &str,
    inspection: i64,
    unit: i64,
    items: &[Value],
    first: &str,
    rest: &str,
) {
    let base = format!("/api/v1/self-inspections/{inspection}/units/{unit}");
    let answers: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(n, i)| json!({"item_id": i["id"], "answer": if n == 0 { first } else { rest }}))
        .collect();
    let r = c
        .api(
            "PUT",
            &format!("{base}/answers"),
            Some(token),
            Some(json!({"revision": 1, "answers": answers})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let revision = r.json()["revision"].as_i64().unwrap();
    let r = c
        .api(
            "POST",
            &format!("{base}/submit"),
            Some(token),
            Some(json!({"revision": revision})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn a_campaign_report_compares_with_the_previous_and_its_xlsx_has_the_same_figures() {
    for City {
        backend,
        mut c,
        a,
        b,
        sec,
        mgr_a,
        mgr_b,
        staff_a,
        inspection: first,
        items,
    } in city().await
    {
        answer_all(&mut c, &mgr_a, first, a, &items, "not_done", "partial").await;
        answer_all(&mut c, &mgr_b, first, b, &items, "partial", "partial").await;
        // The first campaign has nothing to compare with.
        let mut office = c.fresh();
        office.sign_in("sec", PASSWORD).await;
        let p = office
            .get(&format!("/audits/inspections/{first}/results"))
            .await;
        assert_eq!(p.status, StatusCode::OK, "{backend}: {}", p.body);
        assert!(p.body.contains("id=\"no-previous\""), "{backend}");
        assert!(p.body.contains("trend-chart"), "{backend}");
        // A second campaign of the same template, answered better.
        let r = c.api("GET", "/api/v1/checklists", Some(&sec), None).await;
        let template = r.json()["items"][0]["id"].as_i64().unwrap();
        let r = c
            .api(
                "POST",
                "/api/v1/self-inspections",
                Some(&sec),
                Some(
                    json!({"title": "令和8年度 自己点検", "checklist_id": template,
                    "target_kind": "unit", "target_ids": [a, b], "deadline": "2999-12-31"}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let second = r.json()["id"].as_i64().unwrap();
        let r = c
            .api(
                "GET",
                &format!("/api/v1/self-inspections/{second}/units/{a}"),
                Some(&mgr_a),
                None,
            )
            .await;
        let items2 = r.json()["items"].as_array().unwrap().clone();
        answer_all(&mut c, &mgr_a, second, a, &items2, "partial", "done").await;
        // B does not answer: completion 1 of 2.
        let p = office
            .get(&format!("/audits/inspections/{second}/results"))
            .await;
        assert_eq!(p.status, StatusCode::OK, "{backend}: {}", p.body);
        let delta = text_of(&p.body, "score-delta");
        assert!(delta.starts_with('＋'), "{backend}: {delta}");
        assert!(
            p.body.contains("令和7年度 自己点検"),
            "{backend}: the trend"
        );

        // The print view.
        let page = office
            .get(&format!("/audits/inspections/{second}/report"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        let body = &page.body;
        assert!(body.contains("sec さん"), "{backend}: who printed it");
        assert!(
            text_of(body, "printed-at").starts_with("令和"),
            "{backend}: 和暦"
        );
        let score = text_of(body, "report-score");
        assert_eq!(text_of(body, "report-delta"), delta, "{backend}");
        assert!(
            body.contains("trend-chart") && body.contains("chapter-chart"),
            "{backend}"
        );

        // The .xlsx (API and page) with the same figures.
        let url = format!("/api/v1/self-inspections/{second}/report.xlsx");
        let r = c.api("GET", &url, Some(&sec), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let book = mamori_sheet::report::read_report(&r.bytes).unwrap();
        let summary = sheet(&book, "概要");
        let city_row = summary
            .iter()
            .find(|row| row.first().is_some_and(|c| c.starts_with("全体の得点")))
            .unwrap();
        assert_eq!(city_row[1], score, "{backend}");
        assert_eq!(city_row[3], delta, "{backend}");
        assert!(
            summary[1][0].contains("sec さん"),
            "{backend}: {:?}",
            summary[1]
        );
        let units = sheet(&book, "課別");
        let unit_rows: Vec<&Vec<String>> = units.iter().skip(3).collect();
        assert_eq!(unit_rows.len(), 2, "{backend}: {units:?}");
        for row in &unit_rows {
            assert!(
                body.contains(&format!("<td>{}</td><td>{}</td>", row[5], row[6])),
                "{backend}: unit {row:?} on the page"
            );
        }
        let chapters = sheet(&book, "章別");
        let chapter_rows: Vec<&Vec<String>> = chapters.iter().skip(3).collect();
        assert!(!chapter_rows.is_empty(), "{backend}");
        for row in chapter_rows {
            assert!(
                body.contains(&format!(
                    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
                    row[0], row[1], row[2], row[3]
                )),
                "{backend}: chapter {row:?} on the page"
            );
        }
        let items_sheet = sheet(&book, "項目別");
        assert_eq!(items_sheet.len() - 3, items2.len(), "{backend}: every item");
        let trend = sheet(&book, "推移");
        assert_eq!(trend.len() - 3, 2, "{backend}: two campaigns");
        let r = office
            .get(&format!("/audits/inspections/{second}/report.xlsx"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let again = mamori_sheet::report::read_report(&r.bytes).unwrap();
        assert_eq!(
            sheet(&again, "章別"),
            chapters,
            "{backend}: page and API alike"
        );

        // Those who may not read the results may not read the report.
        for token in [&mgr_a, &mgr_b, &staff_a] {
            let r = c.api("GET", &url, Some(token), None).await;
            assert!(
                matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{backend}: {}",
                r.status
            );
        }
        let mut manager = c.fresh();
        manager.sign_in("mgrb", PASSWORD).await;
        let p = manager
            .get(&format!("/audits/inspections/{second}/report"))
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{backend}");
        let r = c
            .api(
                "GET",
                "/api/v1/self-inspections/999999/report.xlsx",
                Some(&sec),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
    }
}

#[tokio::test]
async fn an_audit_report_names_auditors_scope_results_and_findings() {
    use crate::risk::user;
    use mamori_core::org::SystemRole;
    for City {
        backend,
        mut c,
        a,
        b,
        sec,
        staff_a,
        ..
    } in city().await
    {
        let aud_b = user(&c, "audb", b, vec![SystemRole::Auditor]).await;
        let aud_b_t = c.token("audb", PASSWORD).await;
        let r = c
            .api(
                "POST",
                "/api/v1/audit-programmes",
                Some(&sec),
                Some(json!({"title": "第3期 監査計画", "first_year": 2026, "last_year": 2028})),
            )
            .await;
        let plan = r.json()["plans"][0]["id"].as_i64().unwrap();
        let r = c.api("GET", "/api/v1/checklists", Some(&sec), None).await;
        let template = r.json()["items"][0]["id"].as_i64().unwrap();
        let r = c
            .api(
                "POST",
                "/api/v1/audits",
                Some(&sec),
                Some(
                    json!({"plan_id": plan, "title": "A課の監査", "scope_units": [a],
                "period_from": "2026-06-01", "period_to": "2026-06-30", "template_id": template,
                "auditors": [{"user_id": aud_b}, {"name": "監査 太郎", "firm": "監査法人みらい"}]}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let audit = r.json()["id"].as_i64().unwrap();
        let r = c
            .api(
                "GET",
                &format!("/api/v1/audits/{audit}"),
                Some(&aud_b_t),
                None,
            )
            .await;
        let item = r.json()["results"][0]["item_id"].as_i64().unwrap();
        let r = c
            .api("POST", &format!("/api/v1/audits/{audit}/results"), Some(&aud_b_t), Some(json!({"item_id": item, "result": "nonconforming",
                "evidence": "規程が未改正", "evidence_link": "https://example.jp/kitei", "raise_finding": true, "severity": "high"})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);

        let mut office = c.fresh();
        office.sign_in("sec", PASSWORD).await;
        let p = office.get(&format!("/audits/{audit}/report")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}: {}", p.body);
        let auditors = text_of(&p.body, "report-auditors");
        assert!(
            auditors.contains("audb さん") && auditors.contains("監査法人みらい"),
            "{backend}: {auditors}"
        );
        assert!(
            text_of(&p.body, "report-period").contains("令和8年6月1日"),
            "{backend}"
        );
        assert_eq!(text_of(&p.body, "report-units"), "A課", "{backend}");
        assert_eq!(text_of(&p.body, "report-finding-count"), "1", "{backend}");
        assert!(
            p.body.contains("規程が未改正") && p.body.contains("不適合"),
            "{backend}"
        );

        let r = c
            .api(
                "GET",
                &format!("/api/v1/audits/{audit}/report.xlsx"),
                Some(&sec),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let book = mamori_sheet::report::read_report(&r.bytes).unwrap();
        let summary = sheet(&book, "概要");
        let row = |k: &str| {
            summary
                .iter()
                .find(|r| r.first().is_some_and(|c| c.starts_with(k)))
                .unwrap()[1]
                .clone()
        };
        assert_eq!(row("監査人"), auditors, "{backend}");
        assert_eq!(row("対象の課"), "A課", "{backend}");
        assert_eq!(row("指摘事項"), "1", "{backend}");
        let results = sheet(&book, "結果");
        assert!(
            results
                .iter()
                .any(|r| r.len() > 4 && r[3] == "不適合" && r[4] == "規程が未改正"),
            "{backend}: {results:?}"
        );
        let findings = sheet(&book, "指摘事項");
        assert_eq!(findings.len() - 3, 1, "{backend}: {findings:?}");
        assert_eq!(findings[3][1], "高", "{backend}");
        // Staff may not read the audit, nor its report.
        let r = c
            .api(
                "GET",
                &format!("/api/v1/audits/{audit}/report.xlsx"),
                Some(&staff_a),
                None,
            )
            .await;
        assert!(
            matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{backend}: {}",
            r.status
        );
        let p = office.get(&format!("/audits/{audit}")).await;
        assert!(
            p.body.contains(&format!("/audits/{audit}/report")),
            "{backend}: the audit links its report"
        );
    }
}

/// A firewall check's violation is raised as a finding from the run's page
/// (by the security office, with the rule's file:line); once only.
#[tokio::test]
async fn a_netcheck_violation_is_raised_from_the_run_page() {
    use crate::netcheck::{BAD_IPTABLES, SEGMENTS};
    for City {
        backend,
        mut c,
        a,
        sec,
        ..
    } in city().await
    {
        let body = json!({"device": "fw-core-1", "segments": SEGMENTS, "configs": [{"file": "fw1.rules", "text": BAD_IPTABLES}]});
        let r = c
            .api("POST", "/api/v1/netcheck/runs", Some(&sec), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let run = r.json()["run"]["id"].as_i64().unwrap();
        let mut office = c.fresh();
        office.sign_in("sec", PASSWORD).await;
        let path = format!("/netcheck/runs/{run}");
        let page = office.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(
            page.body.contains("指摘として登録"),
            "{backend}: the button"
        );
        let csrf = Client::csrf_of(&page.body);
        let unit = a.to_string();
        let form = [
            ("csrf", csrf.as_str()),
            ("violation", "0"),
            ("severity", "high"),
            ("provision", "S3-04"),
            ("unit_id", unit.as_str()),
        ];
        let r = office
            .post_form(&format!("{path}/findings"), &form[1..])
            .await;
        assert_ne!(
            r.status,
            StatusCode::SEE_OTHER,
            "{backend}: no CSRF, nothing raised"
        );
        let r = office.post_form(&format!("{path}/findings"), &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.body);
        if !r.location().starts_with("/findings/") {
            let back = office.get(&r.location()).await;
            let at = back.body.find("flash").unwrap_or(0);
            let shown: String = back.body[at..].chars().take(300).collect();
            panic!("{backend}: {shown}");
        }
        let f = office.get(&r.location()).await;
        assert!(f.body.contains("fw1.rules:5"), "{backend}: file:line");
        // Raised once: the second time is refused, back on the run's page.
        let r = office.post_form(&format!("{path}/findings"), &form).await;
        assert_eq!(r.location(), path, "{backend}");
        let r = c.api("GET", "/api/v1/findings", Some(&sec), None).await;
        assert_eq!(r.json()["total"], 1, "{backend}: {}", r.body);
    }
}

/// "作成: 対策基準から": with no standards document in force the items come
/// from the control catalogue; once one is in force, one item per article,
/// each naming the provision it checks, in its chapter.
#[tokio::test]
async fn a_checklist_is_drawn_from_the_standards_in_force() {
    use crate::risk::{role, user};
    use mamori_core::org::SystemRole;
    for City {
        backend,
        mut c,
        a,
        sec,
        ..
    } in city().await
    {
        let body = json!({"name": "基準から", "source": "policy", "mandatory": true});
        let r = c
            .api("POST", "/api/v1/checklists", Some(&sec), Some(body.clone()))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        assert_eq!(
            r.json()["source"],
            "controls",
            "{backend}: none in force yet"
        );
        // A standards document of two chapters and three articles, in force.
        let ciso = user(&c, "ciso2", a, vec![SystemRole::Staff]).await;
        role(&c, ciso, "ciso", None).await;
        let mut office = c.fresh();
        office.sign_in("sec", PASSWORD).await;
        let page = office.get("/policy-documents").await;
        let csrf = Client::csrf_of(&page.body);
        let text = "情報セキュリティ対策基準\n第1章　組織\n（体制）\n第1条　体制を置く。\n第2章　物理\n（施錠）\n第2条　施錠する。\n（入退室）\n第3条　記録する。\n";
        let r = office
            .post_form(
                "/policy-documents/import",
                &[
                    ("csrf", &csrf),
                    ("code", "kijun"),
                    ("level", "standard"),
                    ("format", "reiki"),
                    ("text", text),
                ],
            )
            .await;
        assert_eq!(
            r.location(),
            "/policy-documents/kijun/versions/1",
            "{backend}: {}",
            r.body
        );
        let path = "/policy-documents/kijun/versions/1";
        let csrf = Client::csrf_of(&office.get(path).await.body);
        office
            .post_form(&format!("{path}/submit"), &[("csrf", &csrf)])
            .await;
        let mut boss = c.fresh();
        boss.sign_in("ciso2", PASSWORD).await;
        let csrf = Client::csrf_of(&boss.get(path).await.body);
        let today = mamori_store::policy_docs::today_jst().to_string();
        let r = boss
            .post_form(
                &format!("{path}/approve"),
                &[
                    ("csrf", &csrf),
                    ("body", "情報セキュリティ委員会"),
                    ("decision_number", "第1号"),
                    ("approved_on", &today),
                    ("effective_on", &today),
                ],
            )
            .await;
        assert_eq!(r.location(), path, "{backend}: {}", r.body);

        let r = c
            .api("POST", "/api/v1/checklists", Some(&sec), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        assert_eq!(r.json()["source"], "policy", "{backend}");
        assert_eq!(r.json()["item_count"], 3, "{backend}");
        let id = r.json()["id"].as_i64().unwrap();
        let r = c
            .api("GET", &format!("/api/v1/checklists/{id}"), Some(&sec), None)
            .await;
        let items = r.json()["items"].as_array().unwrap().clone();
        assert!(
            items
                .iter()
                .all(|i| i["provision"].as_str().unwrap().starts_with("kijun#")),
            "{backend}: {items:?}"
        );
        assert_eq!(items[0]["chapter"], 1, "{backend}");
        assert_eq!(items[2]["chapter"], 2, "{backend}");
        assert!(
            items[1]["question"].as_str().unwrap().contains("施錠"),
            "{backend}: {items:?}"
        );
    }
}
