//! Policy documents through the real router, on both databases: a procedure
//! of section A created, imported, submitted, approved by the CISO and in
//! force; amended clause by clause (a stale save refused, the first kept),
//! approved again; read with its table of contents, compared (新旧対照表 page,
//! print view, API), and refused to a member of another section by every route.

use axum::http::StatusCode;
use mamori_core::org::SystemRole;
use mamori_store::Actor;
use mamori_store::org::NewRoleAssignment;
use mamori_store::users::NewUser;

use crate::client::{Client, PASSWORD, clients};
use crate::org::{section, staff};

const TEXT: &str = "\
窓口端末運用手順
第1章　総則
（目的）
第1条　この手順は、窓口端末の運用を定める。
（管理）
第2条　端末は、施錠された場所に保管する。
(1)　職員　本市職員をいう。
";

async fn user(c: &Client, name: &str, unit: i64, roles: Vec<SystemRole>) -> i64 {
    c.store
        .create_user(
            &Actor::System("test"),
            NewUser {
                username: name.into(),
                display_name: format!("{name} さん"),
                email: None,
                unit_id: Some(unit),
                roles,
                password: PASSWORD.into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap()
        .id
}

/// A security officer `sec` and a CISO `ciso` (the guideline role) in `unit`.
async fn office_and_ciso(c: &Client, unit: i64) {
    user(c, "sec", unit, vec![SystemRole::SecurityOfficer]).await;
    let ciso_id = user(c, "ciso", unit, vec![SystemRole::Staff]).await;
    c.store
        .assign_role(
            &Actor::System("test"),
            NewRoleAssignment {
                user_id: ciso_id,
                role: "ciso".into(),
                unit_id: None,
                system_id: None,
                starts_on: "2000-01-01".into(),
                ends_on: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
}

async fn page_csrf(c: &mut Client, path: &str) -> String {
    let page = c.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    Client::csrf_of(&page.body)
}

#[tokio::test]
async fn a_procedure_is_amended_approved_compared_and_kept_from_other_sections() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        let b = section(&c, "B", dept).await;
        office_and_ciso(&c, dept).await;
        staff(&c, "suzuki", a).await;
        staff(&c, "sato", b).await;

        let mut sec = c.fresh();
        sec.sign_in("sec", PASSWORD).await;
        let mut ciso = c.fresh();
        ciso.sign_in("ciso", PASSWORD).await;

        // Create the procedure of section A and import its text.
        let csrf = page_csrf(&mut sec, "/policy-documents").await;
        let r = sec
            .post_form(
                "/policy-documents",
                &[
                    ("csrf", &csrf),
                    ("code", "proc-a"),
                    ("level", "procedure"),
                    ("title", "窓口端末運用手順"),
                    ("unit_id", &a.to_string()),
                ],
            )
            .await;
        assert_eq!(
            r.location(),
            "/policy-documents/proc-a",
            "{backend}: {}",
            r.body
        );
        let r = sec
            .post_form(
                "/policy-documents/import",
                &[
                    ("csrf", &csrf),
                    ("code", "proc-a"),
                    ("level", "procedure"),
                    ("format", "reiki"),
                    ("text", TEXT),
                ],
            )
            .await;
        assert_eq!(
            r.location(),
            "/policy-documents/proc-a/versions/1",
            "{backend}"
        );
        // A bad import: the line is named, nothing written.
        let r = sec
            .post_form(
                "/policy-documents/import",
                &[
                    ("csrf", &csrf),
                    ("code", "proc-x"),
                    ("level", "procedure"),
                    ("format", "reiki"),
                    ("text", "規程\n第2条　a。\n第1条　b。\n"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/policy-documents");
        let listed = sec.get("/policy-documents").await;
        assert!(listed.body.contains("3行目"), "{backend}: {}", listed.body);
        assert!(!listed.body.contains("proc-x"));

        submit(&mut sec, "proc-a", 1).await;
        // Nothing is in force yet: no amendment is offered.
        let doc_page = sec.get("/policy-documents/proc-a").await;
        assert!(!doc_page.body.contains("id=\"new-draft\""), "{backend}");
        // The drafter's office may not approve: no form for them.
        let page = sec.get("/policy-documents/proc-a/versions/1").await;
        assert!(!page.body.contains("approve-form"), "{backend}");
        approve(&mut ciso, "proc-a", 1).await;
        let page = ciso.get("/policy-documents/proc-a/versions/1").await;
        assert!(page.body.contains("施行中"), "{backend}: {}", page.body);
        assert!(page.body.contains("から施行する。"), "{backend}");

        // A new draft from the version now in force; the API gives the keys.
        let doc_page = sec.get("/policy-documents/proc-a").await;
        assert!(doc_page.body.contains("id=\"new-draft\""), "{backend}");
        let csrf = page_csrf(&mut sec, "/policy-documents/proc-a").await;
        let r = sec
            .post_form("/policy-documents/proc-a/drafts", &[("csrf", &csrf)])
            .await;
        assert_eq!(
            r.location(),
            "/policy-documents/proc-a/versions/2",
            "{backend}"
        );
        let token = sec.token("sec", PASSWORD).await;
        let v2 = sec
            .api(
                "GET",
                "/api/v1/policy-documents/proc-a/versions/2",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(v2.status, StatusCode::OK, "{}", v2.body);
        let v2 = v2.json();
        assert_eq!(v2["state"], "draft");
        let chapter = &v2["provisions"][0];
        assert_eq!(chapter["kind"], "chapter");
        assert_eq!(chapter["label"], "第1章");
        let article = &chapter["children"][1];
        assert_eq!(article["label"], "第2条");
        assert_eq!(article["heading"], "管理");
        assert_eq!(article["children"][0]["kind"], "item");
        assert_eq!(article["children"][0]["label"], "(1)");
        let key = article["key"].as_str().unwrap().to_string();
        // Clause by clause: the edit form carries the revision read.
        let edit = format!("/policy-documents/proc-a/versions/2/provisions/{key}");
        let form = sec.get(&edit).await;
        assert_eq!(form.status, StatusCode::OK);
        let marker = "name=\"revision\" value=\"";
        let at = form.body.find(marker).unwrap() + marker.len();
        let revision: String = form.body[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let csrf = Client::csrf_of(&form.body);
        let save = async |sec: &mut Client, text: &str| {
            sec.post_form(
                &edit,
                &[
                    ("csrf", &csrf),
                    ("revision", &revision),
                    ("heading", "管理"),
                    ("text", text),
                    ("links", ""),
                ],
            )
            .await
        };
        let r = save(&mut sec, "端末は、施錠された保管庫に保管する。").await;
        assert!(
            r.location().ends_with(&format!("#p-{key}")),
            "{backend}: {}",
            r.location()
        );
        // The second save on the same revision is refused, the first kept.
        let r = save(&mut sec, "上書きしようとする文。").await;
        assert_eq!(r.location(), edit, "{backend}");
        let refused = sec.get(&edit).await;
        assert!(
            refused.body.contains("他の人が保存しました"),
            "{backend}: {}",
            refused.body
        );
        // Refused as written (a link to nothing): the form comes back with
        // the text typed, and nothing is saved.
        let current = (revision.parse::<i64>().unwrap() + 1).to_string();
        let r = sec
            .post_form(
                &edit,
                &[
                    ("csrf", &csrf),
                    ("revision", &current),
                    ("heading", "管理"),
                    ("text", "鍵は課長が保管する。"),
                    ("links", "NOPE#9"),
                ],
            )
            .await;
        assert_eq!(r.location(), edit, "{backend}");
        let again = sec.get(&edit).await;
        assert!(
            again.body.contains(">鍵は課長が保管する。</textarea>")
                && again.body.contains(">NOPE#9</textarea>"),
            "{backend}: {}",
            again.body
        );
        let page = sec.get("/policy-documents/proc-a/versions/2").await;
        assert!(page.body.contains("施錠された保管庫"), "{backend}");
        assert!(!page.body.contains("上書きしようとする文"));
        assert!(!page.body.contains("鍵は課長が保管する"), "{backend}");
        // Table of contents with anchors.
        assert!(page.body.contains(&format!("href=\"#p-{key}\"")));
        assert!(page.body.contains(&format!("id=\"p-{key}\"")));
        submit(&mut sec, "proc-a", 2).await;
        approve(&mut ciso, "proc-a", 2).await;

        // The 新旧対照表: page, print view and API.
        let cmp = ciso
            .get("/policy-documents/proc-a/compare?from=1&to=2")
            .await;
        assert_eq!(cmp.status, StatusCode::OK, "{}", cmp.body);
        assert!(cmp.body.contains("改正後") && cmp.body.contains("改正前"));
        assert!(cmp.body.contains("<span class=\"chg\">"), "{backend}");
        assert!(
            cmp.body.contains("（略）"),
            "{backend}: unchanged provisions elided"
        );
        let print = ciso
            .get("/policy-documents/proc-a/compare/print?from=1&to=2")
            .await;
        assert_eq!(print.status, StatusCode::OK);
        assert!(print.body.contains("print-a4"));
        // The same comparison as files for the committee, from the page and the API.
        let t_ciso = ciso.token("ciso", PASSWORD).await;
        for (path, api, kind) in [
            (
                "/policy-documents/proc-a/compare/file.xlsx?from=1&to=2",
                false,
                "spreadsheetml",
            ),
            (
                "/policy-documents/proc-a/compare/file.docx?from=1&to=2",
                false,
                "wordprocessingml",
            ),
            (
                "/api/v1/policy-documents/proc-a/compare.xlsx?from=1&to=2",
                true,
                "spreadsheetml",
            ),
            (
                "/api/v1/policy-documents/proc-a/compare.docx?from=1&to=2",
                true,
                "wordprocessingml",
            ),
        ] {
            let r = if api {
                ciso.api("GET", path, Some(&t_ciso), None).await
            } else {
                ciso.get(path).await
            };
            assert_eq!(r.status, StatusCode::OK, "{backend}: {path}: {}", r.body);
            let ct = r.headers["content-type"].to_str().unwrap();
            assert!(ct.contains(kind), "{path}: {ct}");
            assert!(
                r.headers["content-disposition"]
                    .to_str()
                    .unwrap()
                    .starts_with("attachment")
            );
            assert_eq!(&r.bytes[..2], b"PK", "{path}");
        }
        let docx = ciso
            .get("/policy-documents/proc-a/compare/file.docx?from=1&to=2")
            .await;
        let paragraphs = mamori_sheet::docx::read_paragraphs(
            &docx.bytes,
            &mamori_core::table::ImportLimits::default(),
        )
        .unwrap();
        assert!(
            paragraphs.iter().any(|p| p.contains("施錠された保管庫")),
            "{backend}: {paragraphs:?}"
        );
        assert!(paragraphs.iter().any(|p| p == "改正前"));

        let mut suzuki = c.fresh();
        let t_suzuki = suzuki.token("suzuki", PASSWORD).await;
        let versions = suzuki
            .api(
                "GET",
                "/api/v1/policy-documents/proc-a/versions",
                Some(&t_suzuki),
                None,
            )
            .await;
        assert_eq!(versions.status, StatusCode::OK, "{}", versions.body);
        let v = versions.json();
        assert_eq!(v["total"], 2, "{backend}: {v}");
        assert_eq!(v["items"][0]["number"], 2);
        assert_eq!(v["items"][0]["state"], "in_force");
        assert_eq!(v["items"][0]["approved_by"], "ciso さん");
        assert_eq!(v["items"][1]["state"], "superseded");
        let cmp = suzuki
            .api(
                "GET",
                "/api/v1/policy-documents/proc-a/compare?from=1&to=2",
                Some(&t_suzuki),
                None,
            )
            .await;
        assert_eq!(cmp.status, StatusCode::OK, "{}", cmp.body);
        let entries = cmp.json()["entries"].as_array().unwrap().clone();
        let changed: Vec<_> = entries
            .iter()
            .filter(|e| e["change"] == "changed")
            .collect();
        assert_eq!(changed.len(), 1, "{backend}: {entries:?}");
        assert_eq!(changed[0]["old_label"], "第2条");
        assert_eq!(
            changed[0]["new_text"],
            "端末は、施錠された保管庫に保管する。"
        );
        assert!(entries.iter().any(|e| e["change"] == "unchanged"));
        let list = suzuki
            .api(
                "GET",
                "/api/v1/versioned-policy-documents",
                Some(&t_suzuki),
                None,
            )
            .await;
        assert_eq!(list.json()["total"], 1, "{backend}: {}", list.body);

        // Section B's staff: refused by every route, as not found.
        let mut sato = c.fresh();
        let t_sato = sato.token("sato", PASSWORD).await;
        for path in [
            "/api/v1/policy-documents/proc-a/versions",
            "/api/v1/policy-documents/proc-a/versions/1",
            "/api/v1/policy-documents/proc-a/versions/2",
            "/api/v1/policy-documents/proc-a/compare?from=1&to=2",
            "/api/v1/policy-documents/proc-a/compare.xlsx?from=1&to=2",
            "/api/v1/policy-documents/proc-a/compare.docx?from=1&to=2",
        ] {
            let r = sato.api("GET", path, Some(&t_sato), None).await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "{backend}: {path}: {}",
                r.body
            );
            assert!(!r.body.contains("施錠"), "{path}");
        }
        let list = sato
            .api(
                "GET",
                "/api/v1/versioned-policy-documents",
                Some(&t_sato),
                None,
            )
            .await;
        assert_eq!(list.json()["total"], 0, "{backend}");
        sato.sign_in("sato", PASSWORD).await;
        for path in [
            "/policy-documents/proc-a",
            "/policy-documents/proc-a/versions/2",
            "/policy-documents/proc-a/compare?from=1&to=2",
            "/policy-documents/proc-a/compare/file.xlsx?from=1&to=2",
            "/policy-documents/proc-a/compare/file.docx?from=1&to=2",
        ] {
            let r = sato.get(path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {path}");
        }
        let r = sato.get("/policy-documents?q=施錠").await;
        assert!(
            !r.body.contains("保管庫"),
            "{backend}: search keeps to the readership"
        );
        suzuki.sign_in("suzuki", PASSWORD).await;
        let r = suzuki.get("/policy-documents?q=施錠").await;
        assert!(r.body.contains("保管庫"), "{backend}: {}", r.body);
    }
}

/// Submits version `n` of `code` for review.
async fn submit(sec: &mut Client, code: &str, n: i64) {
    let path = format!("/policy-documents/{code}/versions/{n}");
    let csrf = page_csrf(sec, &path).await;
    let r = sec
        .post_form(&format!("{path}/submit"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.location(), path);
}

/// Approves version `n` of `code`, in force today.
async fn approve(ciso: &mut Client, code: &str, n: i64) {
    let path = format!("/policy-documents/{code}/versions/{n}");
    let csrf = page_csrf(ciso, &path).await;
    let today = mamori_store::policy_docs::today_jst().to_string();
    let r = ciso
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
    assert_eq!(r.location(), path);
}

async fn submit_and_approve(sec: &mut Client, ciso: &mut Client, code: &str, n: i64) {
    submit(sec, code, n).await;
    approve(ciso, code, n).await;
}

#[tokio::test]
async fn the_levels_link_and_the_coverage_names_what_is_missing() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        office_and_ciso(&c, dept).await;
        staff(&c, "suzuki", dept).await;
        let mut sec = c.fresh();
        sec.sign_in("sec", PASSWORD).await;
        let mut ciso = c.fresh();
        ciso.sign_in("ciso", PASSWORD).await;
        let controls = c.store.control_codes().await.unwrap().len();
        assert!(controls > 50, "{backend}: the catalogue is loaded");

        // The basic policy, in force.
        let csrf = page_csrf(&mut sec, "/policy-documents").await;
        let basic = "情報セキュリティ対策基本方針\n（目的）\n第1条　情報資産を守る。\n（対策）\n第2条　対策を講ずる。\n";
        let r = sec
            .post_form(
                "/policy-documents/import",
                &[
                    ("csrf", &csrf),
                    ("code", "basic"),
                    ("level", "basic"),
                    ("format", "reiki"),
                    ("text", basic),
                ],
            )
            .await;
        assert_eq!(
            r.location(),
            "/policy-documents/basic/versions/1",
            "{backend}"
        );
        submit_and_approve(&mut sec, &mut ciso, "basic", 1).await;

        // The standards drafted from the catalogue: one article a control.
        let r = sec
            .post_form(
                "/policy-documents/generate-standards",
                &[("csrf", &csrf), ("code", "standards"), ("title", "")],
            )
            .await;
        assert_eq!(
            r.location(),
            "/policy-documents/standards/versions/1",
            "{backend}"
        );
        let page = sec.get("/policy-documents/standards/versions/1").await;
        assert!(page.body.contains("情報セキュリティ対策基準"), "{backend}");
        assert!(page.body.contains("最高情報セキュリティ責任者の設置"));
        // Generated again under the same code: refused, nothing written.
        let r = sec
            .post_form(
                "/policy-documents/generate-standards",
                &[("csrf", &csrf), ("code", "standards"), ("title", "")],
            )
            .await;
        assert_eq!(r.location(), "/policy-documents");
        assert!(
            sec.get("/policy-documents")
                .await
                .body
                .contains("既にあります")
        );

        // Before the standards are in force, no control is placed.
        let cov = sec.get("/policy-coverage").await;
        assert_eq!(cov.status, StatusCode::OK, "{backend}: {}", cov.body);
        assert!(
            cov.body.contains(&format!("{controls} / {controls}")),
            "{backend}: {}",
            cov.body
        );
        submit_and_approve(&mut sec, &mut ciso, "standards", 1).await;
        let cov = sec.get("/policy-coverage").await;
        assert!(
            cov.body.contains(&format!("0 / {controls}")),
            "{backend}: {}",
            cov.body
        );
        assert!(
            cov.body.contains("2 / 2"),
            "{backend}: both articles of the basic policy lack a standard"
        );
        assert!(
            cov.body.contains(&format!("{controls} / {controls}")),
            "{backend}: no procedure yet"
        );

        // An amendment links 第1条 of the standards to 第1条 of the basic policy,
        // written as a person would: by its number.
        let csrf = page_csrf(&mut sec, "/policy-documents/standards").await;
        let r = sec
            .post_form("/policy-documents/standards/drafts", &[("csrf", &csrf)])
            .await;
        assert_eq!(
            r.location(),
            "/policy-documents/standards/versions/2",
            "{backend}"
        );
        let token = sec.token("sec", PASSWORD).await;
        let v2 = sec
            .api(
                "GET",
                "/api/v1/policy-documents/standards/versions/2",
                Some(&token),
                None,
            )
            .await
            .json();
        let first = &v2["provisions"][0]["children"][0];
        assert_eq!(first["label"], "第1条");
        let key = first["key"].as_str().unwrap().to_string();
        let edit = format!("/policy-documents/standards/versions/2/provisions/{key}");
        let save = async |sec: &mut Client, links: &str| {
            let form = sec.get(&edit).await;
            let marker = "name=\"revision\" value=\"";
            let at = form.body.find(marker).unwrap() + marker.len();
            let revision: String = form.body[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let csrf = Client::csrf_of(&form.body);
            sec.post_form(
                &edit,
                &[
                    ("csrf", &csrf),
                    ("revision", &revision),
                    ("heading", first["heading"].as_str().unwrap()),
                    ("text", first["text"].as_str().unwrap()),
                    ("links", links),
                ],
            )
            .await
        };
        // A link to an article that does not exist: refused, named, nothing written.
        let r = save(&mut sec, "basic#第9条\nS1-01").await;
        assert_eq!(r.location(), edit, "{backend}");
        let refused = sec.get(&edit).await;
        assert!(
            refused.body.contains("basic#第9条"),
            "{backend}: {}",
            refused.body
        );
        let r = save(&mut sec, "basic#第1条\nS1-01").await;
        assert!(
            r.location().ends_with(&format!("#p-{key}")),
            "{backend}: {}",
            r.location()
        );
        let v2 = sec
            .api(
                "GET",
                "/api/v1/policy-documents/standards/versions/2",
                Some(&token),
                None,
            )
            .await
            .json();
        let links = v2["provisions"][0]["children"][0]["links"].clone();
        assert!(
            links[0].as_str().unwrap().starts_with("basic#"),
            "{backend}: {links}"
        );
        assert_eq!(links[1], "control:S1-01", "{backend}: {links}");
        let page = sec.get("/policy-documents/standards/versions/2").await;
        assert!(
            page.body
                .contains("情報セキュリティ対策基本方針 第1条（目的）"),
            "{backend}"
        );
        submit_and_approve(&mut sec, &mut ciso, "standards", 2).await;
        let cov = sec.get("/policy-coverage").await;
        assert!(cov.body.contains("1 / 2"), "{backend}: {}", cov.body);
        assert!(cov.body.contains("第2条（対策）"), "{backend}");
        // A member of staff reads the coverage of what they may read.
        let mut suzuki = c.fresh();
        suzuki.sign_in("suzuki", PASSWORD).await;
        let cov = suzuki.get("/policy-coverage").await;
        assert_eq!(cov.status, StatusCode::OK, "{backend}");
        assert!(cov.body.contains("1 / 2"), "{backend}");
    }
}

#[tokio::test]
async fn a_version_coming_into_force_opens_its_acknowledgement_round() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        office_and_ciso(&c, dept).await;
        staff(&c, "suzuki", dept).await;
        let mut sec = c.fresh();
        sec.sign_in("sec", PASSWORD).await;
        let mut ciso = c.fresh();
        ciso.sign_in("ciso", PASSWORD).await;
        let csrf = page_csrf(&mut sec, "/policy-documents").await;
        for (code, ack) in [("standards", "1"), ("quiet", "")] {
            let mut form = vec![
                ("csrf", csrf.as_str()),
                ("code", code),
                ("level", "standard"),
                ("title", "情報セキュリティ対策基準"),
            ];
            if !ack.is_empty() {
                form.push(("needs_acknowledgement", ack));
            }
            let r = sec.post_form("/policy-documents", &form).await;
            assert_eq!(
                r.location(),
                format!("/policy-documents/{code}"),
                "{backend}"
            );
            let r = sec
                .post_form(
                    "/policy-documents/import",
                    &[
                        ("csrf", &csrf),
                        ("code", code),
                        ("level", "standard"),
                        ("format", "reiki"),
                        ("text", "対策基準\n第1条　情報資産を守る。\n"),
                    ],
                )
                .await;
            assert_eq!(r.location(), format!("/policy-documents/{code}/versions/1"));
            submit_and_approve(&mut sec, &mut ciso, code, 1).await;
        }
        // One round, for the document that asks for it, sent to everyone.
        let campaigns = c
            .store
            .list_ack_campaigns(mamori_store::PageRequest::new(Some(1), Some(50)))
            .await
            .unwrap();
        assert_eq!(campaigns.total, 1, "{backend}");
        let round = &campaigns.items[0];
        assert_eq!(round.title, "情報セキュリティ対策基準 第1版の確認");
        assert_eq!(round.document_code, "standards");
        assert_eq!(round.version_number, Some(1));
        assert_eq!(round.revision_id, None);
        assert_eq!(round.revision_label, "第1版");
        assert!(round.requested >= 3, "{backend}: {}", round.requested);
        // Reading the version again does not open a second round.
        sec.get("/policy-documents/standards/versions/1").await;
        let again = c
            .store
            .list_ack_campaigns(mamori_store::PageRequest::new(Some(1), Some(50)))
            .await
            .unwrap();
        assert_eq!(again.total, 1, "{backend}");
        // A member of staff is asked, reads the text from the request, confirms.
        let mut suzuki = c.fresh();
        suzuki.sign_in("suzuki", PASSWORD).await;
        let page = suzuki.get("/acknowledgements").await;
        assert!(
            page.body
                .contains("href=\"/policy-documents/standards/versions/1\""),
            "{backend}: {}",
            page.body
        );
        let csrf = Client::csrf_of(&page.body);
        let r = suzuki
            .post_form(
                &format!("/acknowledgements/{}/confirm", round.id),
                &[("csrf", &csrf)],
            )
            .await;
        assert!(r.status.is_redirection(), "{backend}: {}", r.body);
        let page = suzuki.get("/acknowledgements").await;
        assert!(!page.body.contains("name=\"confirm\""), "{backend}");
    }
}

#[tokio::test]
async fn a_docx_or_a_text_file_is_imported_from_the_page_and_an_unreadable_one_writes_nothing() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        office_and_ciso(&c, dept).await;
        let mut sec = c.fresh();
        sec.sign_in("sec", PASSWORD).await;
        let csrf = page_csrf(&mut sec, "/policy-documents").await;
        let docx = mamori_sheet::docx::write_paragraphs(TEXT.lines()).unwrap();
        let fields = |code: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("code", code.to_string()),
                ("level", "procedure".to_string()),
                ("title", String::new()),
                ("format", String::new()),
            ]
        };
        let send = async |sec: &mut Client, code: &'static str, name: &str, bytes: &[u8]| {
            let f = fields(code);
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            sec.post_multipart(
                "/policy-documents/import-file",
                &pairs,
                ("file", name, bytes),
            )
            .await
        };
        let r = send(&mut sec, "proc-docx", "手順.docx", &docx).await;
        assert_eq!(
            r.location(),
            "/policy-documents/proc-docx/versions/1",
            "{backend}: {}",
            r.body
        );
        let page = sec.get("/policy-documents/proc-docx/versions/1").await;
        assert!(page.body.contains("施錠された場所"), "{backend}");
        let r = send(
            &mut sec,
            "proc-txt",
            "手順.txt",
            format!("\u{feff}{TEXT}").as_bytes(),
        )
        .await;
        assert_eq!(
            r.location(),
            "/policy-documents/proc-txt/versions/1",
            "{backend}"
        );
        // Not a .docx, and not UTF-8: refused with the reason, nothing written.
        for (code, name, bytes) in [
            ("proc-bad", "手順.docx", b"not a zip at all".as_slice()),
            (
                "proc-sjis",
                "手順.txt",
                b"\x91\xe6\x82\x50\x8f\xf0".as_slice(),
            ),
        ] {
            let r = send(&mut sec, code, name, bytes).await;
            assert_eq!(r.location(), "/policy-documents", "{backend}: {name}");
            let listed = sec.get("/policy-documents").await;
            assert!(
                listed.body.contains("ファイルを読めません"),
                "{backend}: {name}: {}",
                listed.body
            );
            assert!(
                !listed.body.contains(code),
                "{backend}: nothing written for {name}"
            );
        }
    }
}
