//! The verdict as an officer reads it, for a Cisco ASA and a PAN-OS
//! configuration (issue 16): the first sentence says whether the device
//! conforms, the matrix is a segments × segments grid of ○ × —, each cell
//! with the model's rule in Japanese, no raw identifiers on the Japanese
//! page, English on the English page, and an A4 print stylesheet.

use axum::http::StatusCode;
use serde_json::json;

use crate::client::{Client, PASSWORD, clients};

const SEGMENTS: &str = r#"model = "alpha"
[[segment]]
name = "mynumber"
role = "mynumber"
ranges = ["10.10.0.0/16"]
interfaces = ["mynumber"]
[[segment]]
name = "lgwan"
role = "lgwan"
ranges = ["10.20.0.0/16"]
interfaces = ["lgwan"]
[[segment]]
name = "internet"
role = "internet"
ranges = ["0.0.0.0/0"]
interfaces = ["outside", "untrust"]
"#;

const ASA: &str = "ASA Version 9.16(2)
hostname city-fw01
interface GigabitEthernet0/0
 nameif outside
 security-level 0
interface GigabitEthernet0/1
 nameif lgwan
 security-level 50
interface GigabitEthernet0/2
 nameif mynumber
 security-level 100
object network MN-ADMIN
 host 10.10.2.20
access-list LG_IN extended permit tcp any object MN-ADMIN eq 3389
access-list LG_IN extended deny ip any any
access-list MN_IN extended deny ip any any
access-group LG_IN in interface lgwan
access-group MN_IN in interface mynumber
";

const ASA_CLEAN: &str = "ASA Version 9.16(2)
interface GigabitEthernet0/0
 nameif outside
 security-level 0
interface GigabitEthernet0/1
 nameif lgwan
 security-level 50
interface GigabitEthernet0/2
 nameif mynumber
 security-level 100
access-list DENY extended deny ip any any
access-group DENY global
";

const PANOS: &str = r#"<?xml version="1.0"?>
<config version="10.2.0">
  <devices>
    <entry name="localhost.localdomain">
      <vsys>
        <entry name="vsys1">
          <zone>
            <entry name="untrust"><network><layer3><member>ethernet1/1</member></layer3></network></entry>
            <entry name="lgwan"><network><layer3><member>ethernet1/2</member></layer3></network></entry>
            <entry name="mynumber"><network><layer3><member>ethernet1/3</member></layer3></network></entry>
          </zone>
          <rulebase>
            <security>
              <rules>
                <entry name="mn-out">
                  <from><member>mynumber</member></from>
                  <to><member>untrust</member></to>
                  <source><member>any</member></source>
                  <destination><member>any</member></destination>
                  <application><member>any</member></application>
                  <service><member>service-https</member></service>
                  <action>allow</action>
                </entry>
              </rules>
            </security>
          </rulebase>
        </entry>
      </vsys>
    </entry>
  </devices>
</config>
"#;

async fn run_page(c: &mut Client, file: &str, text: &str) -> String {
    let admin = c.token("admin", PASSWORD).await;
    let body = json!({"device": "city-fw", "segments": SEGMENTS, "configs": [{"file": file, "text": text}]});
    let r = c
        .api("POST", "/api/v1/netcheck/runs", Some(&admin), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{file}: {}", r.body);
    let id = r.json()["run"]["id"].as_i64().unwrap();
    let page = c.get(&format!("/netcheck/runs/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.body
}

/// The text of the grid tables only.
fn grid(body: &str) -> &str {
    let start = body.find("class=\"nc-grid\"").expect("a grid");
    let end = body[start..].find("</table>").unwrap() + start;
    &body[start..end]
}

fn no_raw_labels(body: &str, what: &str) {
    // Identifiers of the report must not reach the reader, in the grid,
    // the verdict or the violations.
    let g = grid(body);
    for raw in [
        "specific-flows",
        "relay",
        "violation",
        "conforming",
        ">none<",
        "alpha-prime",
        "(mynumber)",
        "(lgwan)",
    ] {
        assert!(!g.contains(raw), "{what}: {raw} in the grid:\n{g}");
    }
    let head = &body[..body.find("class=\"nc-grid\"").unwrap()];
    assert!(!head.contains("specific-flows"), "{what}");
}

#[tokio::test]
async fn asa_and_panos_verdicts_read_at_a_glance() {
    for (backend, mut c) in clients().await {
        c.sign_in("admin", PASSWORD).await;
        // ASA: RDP from LGWAN into My Number is a violation.
        let body = run_page(&mut c, "city-fw.asa.txt", ASA).await;
        assert!(
            body.contains("この設定はモデル「αモデル」に適合していません：違反 1 件。"),
            "{backend}: the verdict sentence\n{body}"
        );
        // The sentence comes before anything else of the result.
        let verdict_at = body.find("id=\"conformance\"").unwrap();
        assert!(verdict_at < body.find("class=\"facts card\"").unwrap());
        let g = grid(&body);
        assert!(g.contains(">×<"), "{backend}: a violation mark");
        assert!(g.contains(">—<"), "{backend}: nothing permitted");
        assert!(
            g.contains("マイナンバー利用事務系とインターネット接続系の間は通信させない。"),
            "{backend}: the model's rule in its words"
        );
        assert!(
            g.contains("mynumber（マイナンバー利用事務系）"),
            "{backend}"
        );
        assert!(
            body.contains("city-fw.asa.txt:14"),
            "{backend}: file and line"
        );
        no_raw_labels(&body, "asa");
        // 和暦 and western date of the check.
        assert!(body.contains("令和"), "{backend}: 和暦");
        assert!(body.contains("id=\"checked-on\""));

        // A finding (any source into My Number) is worded in Japanese.
        let any = "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -d 10.10.1.0/24 -p tcp --dport 443 -j ACCEPT\nCOMMIT\n";
        let body = run_page(&mut c, "any.rules", any).await;
        assert!(
            body.contains(
                "マイナンバー利用事務系への通信を次の条件で許可しています：送信元アドレスが any"
            ),
            "{backend}: {body}"
        );
        assert!(!body.contains("accepts traffic"), "{backend}");

        // ASA that permits nothing: conforms.
        let body = run_page(&mut c, "clean.asa.txt", ASA_CLEAN).await;
        assert!(
            body.contains("この設定はモデル「αモデル」に適合しています。"),
            "{backend}\n{body}"
        );
        assert!(!grid(&body).contains(">×<"));
        assert!(grid(&body).contains(">—<"));

        // PAN-OS: My Number to the Internet on 443 is a violation, the
        // rest is the interzone deny.
        let body = run_page(&mut c, "city-pa.xml", PANOS).await;
        assert!(
            body.contains("適合していません：違反 1 件"),
            "{backend}: {body}"
        );
        let g = grid(&body);
        assert!(g.contains(">×<") && g.contains(">—<"), "{backend}");
        assert!(
            body.contains("city-pa.xml:15"),
            "{backend}: the rule's line"
        );
        no_raw_labels(&body, "panos");

        // The history and the form name models as the guideline does.
        let list = c.get("/netcheck").await.body;
        assert!(list.contains("<td>αモデル</td>"), "{backend}: {list}");
        assert!(
            list.contains("β") && list.contains("モデル</option>"),
            "{backend}"
        );
        assert!(!list.contains("<td>alpha</td>"), "{backend}");

        // The English page: English words, no Japanese verdict.
        let r = c.get("/lang/en?next=/netcheck").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let id_page = c.get("/netcheck").await;
        let id = id_page
            .body
            .split("/netcheck/runs/")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        let en = c.get(&format!("/netcheck/runs/{id}")).await.body;
        assert!(
            en.contains("does not conform to the model “Alpha model”: 1 violations")
                || en.contains("does not conform to the model"),
            "{backend}: {en}"
        );
        assert!(grid(&en).contains("Nothing permitted"), "{backend}");
        assert!(!grid(&en).contains("通信させない"), "{backend}");
    }
}

#[tokio::test]
async fn the_stylesheet_prints_the_report_on_a4() {
    let mut all = clients().await;
    let (_, c) = all.first_mut().unwrap();
    let css = c.get("/static/app.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("@page { size: A4"), "A4 page");
    assert!(css.body.contains("@media print"), "print rules");
    assert!(css.body.contains(".no-print"));
}
