//! A demo city, so that a newcomer sees living screens: departments, sections,
//! teams and staff. Loaded by `mamori serve --demo` once.

use crate::org::NewRoleAssignment;
use crate::training::{NewCourse, NewTrainingAssignment};
use mamori_core::org::{SystemRole, UnitKind};

use crate::units::NewUnit;
use crate::users::NewUser;
use crate::{Actor, Store, StoreError};

/// The setting that records that the demo city was loaded.
const DEMO_LOADED: &str = "demo.loaded";

/// The password of every demo account (the demo is for trying Mamori, never for real data).
pub const DEMO_PASSWORD: &str = "mamori-demo-2025";

/// (code, name, English name, sections: (code, name, English name))
type DemoDepartment = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, &'static str)],
);

const DEPARTMENTS: &[DemoDepartment] = &[
    (
        "D01",
        "総務局",
        "General Affairs Bureau",
        &[
            ("D01-S01", "総務課", "General Affairs Section"),
            ("D01-S02", "情報システム課", "Information Systems Section"),
            ("D01-S03", "人事課", "Personnel Section"),
        ],
    ),
    (
        "D02",
        "市民局",
        "Citizens Bureau",
        &[
            ("D02-S01", "市民課", "Residents Section"),
            ("D02-S02", "区政推進課", "Ward Administration Section"),
        ],
    ),
    (
        "D03",
        "財政局",
        "Finance Bureau",
        &[
            ("D03-S01", "税務課", "Taxation Section"),
            ("D03-S02", "財政課", "Budget Section"),
        ],
    ),
    (
        "D04",
        "保健福祉局",
        "Health and Welfare Bureau",
        &[
            ("D04-S01", "介護保険課", "Long-term Care Insurance Section"),
            ("D04-S02", "保護課", "Public Assistance Section"),
            ("D04-S03", "健康推進課", "Health Promotion Section"),
        ],
    ),
    (
        "D05",
        "教育委員会事務局",
        "Board of Education Secretariat",
        &[("D05-S01", "学事課", "School Affairs Section")],
    ),
];

/// (user name, name, section code, roles)
const STAFF: &[(&str, &str, &str, &[SystemRole])] = &[
    (
        "ciso",
        "佐藤 一郎",
        "D01-S01",
        &[SystemRole::SecurityOfficer],
    ),
    (
        "security",
        "鈴木 花子",
        "D01-S02",
        &[SystemRole::SecurityOfficer],
    ),
    ("auditor", "高橋 健", "D01-S01", &[SystemRole::Auditor]),
    ("tanaka", "田中 美咲", "D02-S01", &[SystemRole::Staff]),
    ("watanabe", "渡辺 翔", "D03-S01", &[SystemRole::Staff]),
    ("ito", "伊藤 直子", "D04-S01", &[SystemRole::Staff]),
    ("yamamoto", "山本 大輔", "D04-S02", &[SystemRole::Staff]),
    ("nakamura", "中村 由美", "D05-S01", &[SystemRole::Staff]),
    ("kobayashi", "小林 誠", "D01-S03", &[SystemRole::Staff]),
    ("kimura", "木村 健太", "D02", &[SystemRole::Staff]),
    ("sasaki", "佐々木 恵", "D02-S01", &[SystemRole::Staff]),
    // --- h15 --- the manager of an information system (情報システム管理者).
    ("matsumoto", "松本 拓也", "D01-S02", &[SystemRole::Staff]),
];

/// The guideline roles (第5) of the demo city, so that every flow can be tried:
/// (user name, role, unit code of the scope or "" for the whole organisation).
const GUIDELINE: &[(&str, &str, &str)] = &[
    ("ciso", "ciso", ""),
    ("kimura", "security_manager", "D02"),
    ("sasaki", "security_administrator", "D02-S01"),
];

/// Loads the demo city unless it is there already. Returns true when it was loaded now.
pub async fn load_demo(store: &Store) -> Result<bool, StoreError> {
    if store.setting(DEMO_LOADED).await?.is_some() {
        return Ok(false);
    }
    let actor = Actor::System("demo");
    for (code, name, name_en, sections) in DEPARTMENTS {
        let dept = store
            .create_unit(
                &actor,
                NewUnit {
                    parent_id: None,
                    code: (*code).into(),
                    name: (*name).into(),
                    name_en: (*name_en).into(),
                    kind: UnitKind::Department,
                },
            )
            .await?;
        for (scode, sname, sname_en) in *sections {
            let section = store
                .create_unit(
                    &actor,
                    NewUnit {
                        parent_id: Some(dept.id),
                        code: (*scode).into(),
                        name: (*sname).into(),
                        name_en: (*sname_en).into(),
                        kind: UnitKind::Section,
                    },
                )
                .await?;
            store
                .create_unit(
                    &actor,
                    NewUnit {
                        parent_id: Some(section.id),
                        code: format!("{scode}-T01"),
                        name: format!("{sname}庶務係"),
                        name_en: format!("{sname_en}, General Affairs Team"),
                        kind: UnitKind::Team,
                    },
                )
                .await?;
        }
    }
    for (username, name, unit_code, roles) in STAFF {
        let unit = store.unit_by_code(unit_code).await?;
        if store.user_by_name(username).await?.is_some() {
            continue;
        }
        store
            .create_user(
                &actor,
                NewUser {
                    username: (*username).into(),
                    display_name: (*name).into(),
                    // Every demo person has an address, so that notices by
                    // mail can be tried with a city's SMTP server.
                    email: Some(format!("{username}@demo.city.example")),
                    unit_id: unit.map(|u| u.id),
                    roles: roles.to_vec(),
                    password: DEMO_PASSWORD.into(),
                    must_change_password: false,
                },
            )
            .await?;
    }
    for (username, role, unit_code) in GUIDELINE {
        let (Some(user), unit) = (
            store.user_by_name(username).await?,
            store.unit_by_code(unit_code).await?,
        ) else {
            continue;
        };
        store
            .assign_role(
                &actor,
                NewRoleAssignment {
                    user_id: user.id,
                    role: (*role).into(),
                    unit_id: unit.map(|u| u.id),
                    system_id: None,
                    starts_on: crate::org::today(),
                    ends_on: None,
                    note: "デモ / demo".into(),
                },
            )
            .await?;
    }
    load_demo_training(store, &actor).await?;
    // --- audits (issue 14) ---
    load_demo_audits(store, &actor).await?;
    load_demo_ops(store, &actor).await?;
    // --- h15 ---
    load_demo_ops2(store, &actor).await?;
    store.set_setting(&actor, DEMO_LOADED, "1").await?;
    Ok(true)
}

/// The demo city's training: the yearly security training for everyone, due at
/// the end of the fiscal year, and My Number work training for one section's
/// staff, due a week ago.
async fn load_demo_training(store: &Store, actor: &Actor) -> Result<(), StoreError> {
    let today = time::OffsetDateTime::now_utc()
        .to_offset(mamori_core::wareki::JST)
        .date();
    let fiscal_end_year = if u8::from(today.month()) >= 4 {
        today.year() + 1
    } else {
        today.year()
    };
    let yearly = store
        .create_course(
            actor,
            NewCourse {
                code: "SEC-YEARLY".into(),
                title: "情報セキュリティ研修（年次）".into(),
                title_en: "Yearly information security training".into(),
                description: "基本方針と対策基準、職員の遵守事項（第4）を毎年確認する研修".into(),
                kind: "yearly".into(),
                valid_months: Some(12),
            },
        )
        .await?;
    store
        .assign_training(
            actor,
            NewTrainingAssignment {
                course_id: yearly.id,
                target_kind: "everyone".into(),
                target: String::new(),
                due_on: format!("{fiscal_end_year}-03-31"),
                note: String::new(),
            },
        )
        .await?;
    let my_number = store
        .create_course(
            actor,
            NewCourse {
                code: "SEC-MYNUMBER".into(),
                title: "特定個人情報の取扱研修".into(),
                title_en: "Handling My Number information".into(),
                description: "マイナンバー利用事務に従事する職員のための研修".into(),
                kind: "my_number".into(),
                valid_months: None,
            },
        )
        .await?;
    if let Some(unit) = store.unit_by_code("D02-S01").await? {
        store
            .assign_training(
                actor,
                NewTrainingAssignment {
                    course_id: my_number.id,
                    target_kind: "unit".into(),
                    target: unit.id.to_string(),
                    // Already past: the status page has someone overdue to show.
                    due_on: (today - time::Duration::days(7)).to_string(),
                    note: String::new(),
                },
            )
            .await?;
    }
    Ok(())
}

// --- audits (issue 14) ---

/// The demo city's self-inspection: a small checklist drawn from the first
/// controls of chapters 1 to 3 (the first of each chapter mandatory), and a
/// campaign over every section, due in sixty days, that the sections'
/// managers (sasaki for D02-S01, kimura for D02's sections) can answer.
async fn load_demo_audits(store: &Store, actor: &Actor) -> Result<(), StoreError> {
    use crate::audits::{ChecklistInput, InspectionInput, ItemInput};
    let controls = store
        .list_controls(
            &crate::catalogs::ControlFilter::default(),
            crate::PageRequest::new(Some(1), Some(500)),
        )
        .await?
        .items;
    let mut items = Vec::new();
    for chapter in 1..=3 {
        for (i, c) in controls
            .iter()
            .filter(|c| c.chapter == chapter)
            .take(3)
            .enumerate()
        {
            items.push(ItemInput {
                provision: mamori_core::audit::control_provision(&c.code),
                chapter,
                question: format!("「{}」を実施していますか。", c.name),
                mandatory: i == 0,
                evidence_hint: c.description.clone(),
                method: mamori_core::audit::Method::Document.code().into(),
                answers: mamori_core::audit::answers_text(mamori_core::audit::Answer::ALL),
            });
        }
    }
    if items.is_empty() {
        return Ok(());
    }
    let checklist = store
        .create_checklist(
            actor,
            &ChecklistInput {
                name: "自己点検チェックリスト（デモ）".into(),
                description: "対策カタログの第1章から第3章の一部".into(),
                source: mamori_core::audit::ChecklistSource::Controls.code().into(),
            },
            &items,
        )
        .await?;
    let sections: Vec<i64> = store
        .all_units()
        .await?
        .into_iter()
        .filter(|u| u.active && u.kind == "section")
        .map(|u| u.id)
        .collect();
    let deadline = time::OffsetDateTime::now_utc()
        .to_offset(mamori_core::wareki::JST)
        .date()
        + time::Duration::days(60);
    store
        .open_inspection(
            actor,
            &InspectionInput {
                title: "自己点検（デモ）".into(),
                template_id: checklist.id,
                target_kind: mamori_core::audit::TargetKind::Unit.code().into(),
                target_ids: sections,
                deadline: deadline.to_string(),
            },
        )
        .await?;
    Ok(())
}

// --- operations (issue 15) ---

/// The demo city's operations: an e-mail sent to the wrong address by tanaka
/// (personal information of a few people, waiting for the section's
/// 情報セキュリティ管理者 sasaki), and an exception asked for by sasaki,
/// awaiting the CISO's decision.
async fn load_demo_ops(store: &Store, actor: &Actor) -> Result<(), StoreError> {
    use crate::ops::exceptions::ExceptionInput;
    use crate::ops::incidents::{IncidentAssessment, IncidentInput};
    let (Some(tanaka), Some(sasaki), Some(unit)) = (
        store.user_by_name("tanaka").await?,
        store.user_by_name("sasaki").await?,
        store.unit_by_code("D02-S01").await?,
    ) else {
        return Ok(());
    };
    let noticed = time::OffsetDateTime::now_utc() - time::Duration::days(2);
    store
        .create_incident(
            actor,
            tanaka.id,
            &IncidentInput {
                title: "メールの誤送信".into(),
                description:
                    "講座の申込者5名の氏名と電話番号を載せた一覧を、別の申込者に誤って送信した"
                        .into(),
                noticed_at: crate::format_rfc3339(noticed),
                place: "庁内（電子メール）".into(),
                unit_id: Some(unit.id),
                assessment: IncidentAssessment {
                    kind: "missending".into(),
                    severity: "medium".into(),
                    personal_info: true,
                    affected: Some(5),
                    publication: "undecided".into(),
                    ..Default::default()
                },
                assets: Vec::new(),
                systems: Vec::new(),
            },
        )
        .await?;
    let today = crate::org::today();
    let ends = crate::policy_docs::today_jst() + time::Duration::days(60);
    store
        .create_exception(
            actor,
            sasaki.id,
            &ExceptionInput {
                deviation: "S4-01".into(),
                reason: "窓口端末の更新が完了するまで、旧端末を使い続ける必要がある".into(),
                compensating: "端末の利用者を限定し、操作ログを毎週確認する".into(),
                unit_id: Some(unit.id),
                scope_units: vec![unit.id],
                starts_on: today,
                ends_on: ends.to_string(),
                ..Default::default()
            },
        )
        .await?;
    Ok(())
}

// --- h15: operations and outsourcing, part 2 (issue 15), and a system manager (issue 17) ---

/// The rest of the demo city's operations, so that every register has
/// something to show and the attention page something to ask: a system
/// manager (matsumoto, of the groupware); a lost USB stick with personal
/// information of 120 residents (report deadlines running) and a suspected
/// unauthorised access with sensitive data whose prompt report is overdue;
/// an approved exception ending in a week; a 持ち出し request waiting for
/// its decision and one granted whose return is overdue; a violation;
/// contractors with their criteria, contracts (one lacking clauses), staff
/// and an assessment due; external services (one approved for α', in ISMAP,
/// with its address ranges); an emergency response plan with a drill.
async fn load_demo_ops2(store: &Store, actor: &Actor) -> Result<(), StoreError> {
    use crate::ops::exceptions::ExceptionInput;
    use crate::ops::incidents::{IncidentAssessment, IncidentInput};
    use crate::ops::outsourcing::{AssessmentInput, ContractInput, ContractorInput, ServiceInput};
    use crate::ops::permissions::PermissionInput;
    use crate::ops::plans::PlanInput;
    use crate::ops::violations::ViolationInput;

    crate::assets::demo::ensure_reference_data(store, actor).await?;
    let user = |name: &'static str| async move { store.user_by_name(name).await };
    let unit = |code: &'static str| async move { store.unit_by_code(code).await };
    let system = |code: &'static str| async move {
        Ok::<_, StoreError>(store.information_system_by_code(code).await?.map(|s| s.id))
    };
    let (
        Some(ciso),
        Some(security),
        Some(tanaka),
        Some(watanabe),
        Some(yamamoto),
        Some(kimura),
        Some(matsumoto),
    ) = (
        user("ciso").await?,
        user("security").await?,
        user("tanaka").await?,
        user("watanabe").await?,
        user("yamamoto").await?,
        user("kimura").await?,
        user("matsumoto").await?,
    )
    else {
        return Ok(());
    };
    let (Some(residents), Some(taxation), Some(welfare)) = (
        unit("D02-S01").await?,
        unit("D03-S01").await?,
        unit("D04-S02").await?,
    ) else {
        return Ok(());
    };
    let today = crate::policy_docs::today_jst();
    let day = |offset: i64| (today + time::Duration::days(offset)).to_string();

    // The system manager (情報システム管理者) of the groupware (issue 17).
    if let Some(gw) = system("SYS-GW").await? {
        store
            .assign_role(
                actor,
                NewRoleAssignment {
                    user_id: matsumoto.id,
                    role: mamori_core::org::SYSTEM_MANAGER_ROLE.into(),
                    unit_id: None,
                    system_id: Some(gw),
                    starts_on: crate::org::today(),
                    ends_on: None,
                    note: "デモ / demo".into(),
                },
            )
            .await?;
    }
    let juki = system("SYS-JUKI").await?;
    let hogo = system("SYS-HOGO").await?;
    let mail = system("SYS-MAIL").await?;

    // Incidents: report deadlines running, and one overdue.
    let now = time::OffsetDateTime::now_utc();
    store
        .create_incident(
            actor,
            tanaka.id,
            &IncidentInput {
                title: "USBメモリの紛失".into(),
                description: "窓口で使った住民120名分の氏名・住所を保存したUSBメモリ（暗号化なし）が見当たらない".into(),
                noticed_at: crate::format_rfc3339(now - time::Duration::hours(20)),
                place: "市民課 窓口".into(),
                unit_id: Some(residents.id),
                assessment: IncidentAssessment {
                    kind: "loss_theft".into(),
                    severity: "high".into(),
                    personal_info: true,
                    affected: Some(120),
                    publication: "undecided".into(),
                    ..Default::default()
                },
                assets: Vec::new(),
                systems: juki.into_iter().collect(),
            },
        )
        .await?;
    let access = store
        .create_incident(
            actor,
            yamamoto.id,
            &IncidentInput {
                title: "不正アクセスのおそれ".into(),
                description: "保護課の端末から、業務時間外に生活保護システムへの不審なログインが記録された（要配慮個人情報を含む）".into(),
                noticed_at: crate::format_rfc3339(now - time::Duration::days(8)),
                place: "保護課".into(),
                unit_id: Some(welfare.id),
                assessment: IncidentAssessment {
                    kind: "unauthorised_access".into(),
                    severity: "critical".into(),
                    personal_info: true,
                    sensitive: true,
                    affected: Some(30),
                    publication: "undecided".into(),
                    ..Default::default()
                },
                assets: Vec::new(),
                systems: hogo.into_iter().collect(),
            },
        )
        .await?;

    // An exception approved by the CISO, ending in a week.
    let exception = store
        .create_exception(
            actor,
            kimura.id,
            &ExceptionInput {
                deviation: "S4-01".into(),
                reason: "区政推進課の旧ファイルサーバーを移行が終わるまで使い続ける".into(),
                compensating: "書き込みを係長2名に限り、アクセスログを毎日確認する".into(),
                unit_id: unit("D02-S02").await?.map(|u| u.id),
                scope_units: unit("D02-S02").await?.map(|u| u.id).into_iter().collect(),
                starts_on: day(-60),
                ends_on: day(7),
                ..Default::default()
            },
        )
        .await?;
    store
        .decide_exception(
            actor,
            ciso.id,
            exception.id,
            exception.revision,
            "approved",
            "移行完了までの期限付きで承認 / approved until the migration ends",
        )
        .await?;

    // Permissions: a 持ち出し waiting for its decision, and one granted
    // whose return is overdue.
    store
        .create_permission(
            actor,
            tanaka.id,
            &PermissionInput {
                kind: "take_out".into(),
                what: "住民説明会の資料（ノートPC 1台）".into(),
                reason: "地区センターでの住民説明会".into(),
                assets: Vec::new(),
                starts_on: day(2),
                until_on: day(3),
                unit_id: Some(residents.id),
            },
        )
        .await?;
    let lent = store
        .create_permission(
            actor,
            watanabe.id,
            &PermissionInput {
                kind: "take_out".into(),
                what: "課税資料の写し（暗号化USBメモリ）".into(),
                reason: "税務署との打合せ".into(),
                assets: Vec::new(),
                starts_on: day(-10),
                until_on: day(-3),
                unit_id: Some(taxation.id),
            },
        )
        .await?;
    store
        .decide_permission(
            actor,
            ciso.id,
            lent.id,
            lent.revision,
            "granted",
            "打合せ後すぐに返却すること / return it right after the meeting",
        )
        .await?;

    // A violation, linked to the unauthorised access.
    store
        .create_violation(
            actor,
            security.id,
            &ViolationInput {
                what: "共用IDとパスワードを付箋で端末に貼っていた".into(),
                found_on: day(-7),
                found_by: "情報セキュリティ担当 鈴木".into(),
                offender_id: Some(yamamoto.id),
                unit_id: Some(welfare.id),
                action: "instruction".into(),
                action_note: "個人IDの利用を指導し、共用IDを停止した".into(),
                incident_id: Some(access.id),
                finding_id: None,
            },
        )
        .await?;

    // Contractors: criteria, contracts (one lacking clauses), staff and assessments.
    let all_clauses: Vec<String> = [
        "confidentiality",
        "no_subcontracting",
        "data_return_deletion",
        "incident_reporting",
        "audit_rights",
        "staff_training",
        "purpose_limitation",
        "breach_liability",
        "security_controls",
    ]
    .iter()
    .map(|c| (*c).to_string())
    .collect();
    let mirai = store
        .create_contractor(
            actor,
            &ContractorInput {
                name: "株式会社みらい情報システム".into(),
                business: "住民記録システムの運用保守".into(),
                systems: juki.into_iter().collect(),
                highest_class: "3A".into(),
                data_location: "庁内サーバー室".into(),
            },
        )
        .await?;
    store
        .set_contractor_criteria(
            actor,
            mirai.id,
            mirai.revision,
            &[
                "certification".into(),
                "track_record".into(),
                "security_organisation".into(),
                "data_location_known".into(),
                "incident_capability".into(),
            ],
            "ISMS認証取得（ISO/IEC 27001）",
        )
        .await?;
    store
        .create_contract(
            actor,
            mirai.id,
            &ContractInput {
                title: "住民記録システム運用保守業務委託契約".into(),
                starts_on: day(-200),
                ends_on: Some(day(165)),
                clauses: all_clauses.clone(),
            },
        )
        .await?;
    store
        .add_contractor_staff(actor, mirai.id, None, "みらい 保守担当 石田")
        .await?;
    store
        .add_assessment(
            actor,
            security.id,
            mirai.id,
            &AssessmentInput {
                assessed_on: day(-375),
                result: "概ね良好。作業記録の提出が遅れがち".into(),
                follow_up: "作業記録を月次で提出させる".into(),
                next_due: day(-10),
            },
        )
        .await?;
    let dc = store
        .create_contractor(
            actor,
            &ContractorInput {
                name: "東日本データセンター株式会社".into(),
                business: "庁内クラウドメールの提供と運用".into(),
                systems: mail.into_iter().collect(),
                highest_class: "2".into(),
                data_location: "国内（東京・大阪）".into(),
            },
        )
        .await?;
    store
        .set_contractor_criteria(
            actor,
            dc.id,
            dc.revision,
            &["certification".into(), "data_location_known".into()],
            "",
        )
        .await?;
    store
        .create_contract(
            actor,
            dc.id,
            &ContractInput {
                title: "クラウドメール利用契約".into(),
                starts_on: day(-30),
                ends_on: None,
                clauses: vec!["confidentiality".into(), "incident_reporting".into()],
            },
        )
        .await?;
    let print = store
        .create_contractor(
            actor,
            &ContractorInput {
                name: "株式会社さくら印刷".into(),
                business: "納税通知書の印刷・封入".into(),
                systems: system("SYS-TAX").await?.into_iter().collect(),
                highest_class: "3A".into(),
                data_location: "委託先の印刷工場（市内）".into(),
            },
        )
        .await?;
    store
        .create_contract(
            actor,
            print.id,
            &ContractInput {
                title: "納税通知書印刷封入業務委託契約".into(),
                starts_on: day(-90),
                ends_on: Some(day(275)),
                clauses: all_clauses,
            },
        )
        .await?;
    store
        .add_assessment(
            actor,
            security.id,
            print.id,
            &AssessmentInput {
                assessed_on: day(-30),
                result: "立入検査で問題なし".into(),
                follow_up: String::new(),
                next_due: day(335),
            },
        )
        .await?;

    // External services: one approved for α' with its address ranges.
    store
        .create_service(
            actor,
            &ServiceInput {
                name: "庁内クラウドメール".into(),
                contractor_id: Some(dc.id),
                cloud: true,
                purpose: "職員のメール（α'モデルでLGWAN接続系から利用）".into(),
                systems: mail.into_iter().collect(),
                highest_class: "2".into(),
                data_location: "国内（東京・大阪）".into(),
                ismap: true,
                ismap_id: "C22-0001-1".into(),
                alpha_prime: true,
                ranges: vec!["203.0.113.0/24".into(), "2001:db8:100::/48".into()],
            },
        )
        .await?;
    store
        .create_service(
            actor,
            &ServiceInput {
                name: "オンライン申請サービス".into(),
                contractor_id: None,
                cloud: true,
                purpose: "住民からの電子申請の受付".into(),
                systems: Vec::new(),
                highest_class: "2".into(),
                data_location: "国内".into(),
                ismap: true,
                ismap_id: "C23-0042-1".into(),
                alpha_prime: false,
                ranges: Vec::new(),
            },
        )
        .await?;
    store
        .create_service(
            actor,
            &ServiceInput {
                name: "電子契約サービス".into(),
                contractor_id: None,
                cloud: true,
                purpose: "契約書の電子締結".into(),
                systems: Vec::new(),
                highest_class: "2".into(),
                data_location: "国外（米国）".into(),
                ismap: false,
                ismap_id: String::new(),
                alpha_prime: false,
                ranges: Vec::new(),
            },
        )
        .await?;

    // An emergency response plan with a drill.
    let plan = store
        .create_plan(
            actor,
            &PlanInput {
                category: "cyber_attack".into(),
                title: "ランサムウェア感染時の対応計画".into(),
                contacts: "CISO 佐藤（内線1001）、情報システム課 鈴木（内線2201）、CSIRT 代表メール csirt@demo.city.example".into(),
                steps: "1. 感染端末をネットワークから切り離す\n2. 情報セキュリティ管理者とCSIRTに報告する\n3. 被害範囲を確認し、バックアップからの復旧を判断する\n4. 県・総務省へ報告する".into(),
                systems: [system("SYS-GW").await?, mail].into_iter().flatten().collect(),
            },
        )
        .await?;
    store
        .add_drill(
            actor,
            security.id,
            plan.id,
            &day(-45),
            "机上訓練：感染端末の切り離しから報告まで40分",
        )
        .await?;
    Ok(())
}
