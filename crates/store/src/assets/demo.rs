//! Demo assets for the demo city: the three segments, a dozen information
//! systems and as many varied assets as asked for, written through the same
//! batched path as an import. Also the generator the benchmark uses.

use mamori_core::asset::{AssetKind, Lifecycle};
use mamori_core::classification::{Axis, Scheme};

use super::AssetRecord;
use super::import::write_planned;
use super::segments::{NewInformationSystem, NewSegment};
use super::write::Context;
use crate::{Actor, Store, StoreError};

/// The setting that records that the demo assets were loaded.
const DEMO_ASSETS_LOADED: &str = "demo.assets.loaded";

/// Assets written per transaction when loading many.
pub(crate) const LOAD_CHUNK: usize = 20_000;

/// (name, English name, role, ranges)
const SEGMENTS: &[(&str, &str, &str, &str)] = &[
    (
        "マイナンバー利用事務系",
        "My Number segment",
        "mynumber",
        "10.10.0.0/16",
    ),
    (
        "LGWAN接続系",
        "LGWAN segment",
        "lgwan",
        "10.20.0.0/16\n172.16.0.0/20",
    ),
    (
        "インターネット接続系",
        "Internet segment",
        "internet",
        "10.30.0.0/16",
    ),
];

/// (code, name, owning unit code, segment role)
const SYSTEMS: &[(&str, &str, &str, &str)] = &[
    ("SYS-JUKI", "住民記録システム", "D02-S01", "mynumber"),
    ("SYS-TAX", "税務システム", "D03-S01", "mynumber"),
    ("SYS-KAIGO", "介護保険システム", "D04-S01", "mynumber"),
    ("SYS-HOGO", "生活保護システム", "D04-S02", "mynumber"),
    ("SYS-GAKUREI", "学齢簿システム", "D05-S01", "mynumber"),
    ("SYS-ZAIMU", "財務会計システム", "D03-S02", "lgwan"),
    ("SYS-JINJI", "人事給与システム", "D01-S03", "lgwan"),
    ("SYS-BUNSHO", "文書管理システム", "D01-S01", "lgwan"),
    ("SYS-GW", "グループウェア", "D01-S02", "lgwan"),
    ("SYS-KENKO", "健康管理システム", "D04-S03", "lgwan"),
    ("SYS-WEB", "公式ホームページ", "D01-S02", "internet"),
    ("SYS-MAIL", "インターネットメール", "D01-S02", "internet"),
];

/// (kind, name pattern, location, needs a system, personal information,
/// My Number, confidentiality step from the top (0 = top), integrity high,
/// availability high, retention)
type Template = (
    AssetKind,
    &'static str,
    &'static str,
    bool,
    bool,
    bool,
    usize,
    bool,
    bool,
    &'static str,
);

const TEMPLATES: &[Template] = &[
    (
        AssetKind::Equipment,
        "{sys} データベースサーバ",
        "本庁舎 サーバ室 ラック",
        true,
        false,
        false,
        2,
        true,
        true,
        "機器更新まで",
    ),
    (
        AssetKind::Equipment,
        "{sys} 業務端末",
        "{unit} 執務室",
        true,
        false,
        false,
        3,
        false,
        false,
        "機器更新まで",
    ),
    (
        AssetKind::Equipment,
        "ネットワークスイッチ",
        "本庁舎 各階配線室",
        false,
        false,
        false,
        3,
        true,
        true,
        "機器更新まで",
    ),
    (
        AssetKind::Equipment,
        "USBメモリ（許可済み）",
        "{unit} 施錠保管庫",
        false,
        true,
        false,
        3,
        false,
        false,
        "使用終了まで",
    ),
    (
        AssetKind::Facility,
        "サーバ室 入退室管理装置",
        "本庁舎 地下1階",
        false,
        false,
        false,
        3,
        true,
        true,
        "設備更新まで",
    ),
    (
        AssetKind::Facility,
        "無停電電源装置",
        "本庁舎 サーバ室",
        false,
        false,
        false,
        4,
        true,
        true,
        "設備更新まで",
    ),
    (
        AssetKind::ElectronicInformation,
        "{sys} 住民データ",
        "{sys} データベース",
        true,
        true,
        true,
        0,
        true,
        true,
        "常用",
    ),
    (
        AssetKind::ElectronicInformation,
        "{sys} 帳票出力データ",
        "{sys} 共有フォルダ",
        true,
        true,
        false,
        2,
        true,
        false,
        "5年",
    ),
    (
        AssetKind::ElectronicInformation,
        "{unit} 業務統計データ",
        "LGWAN 共有フォルダ",
        false,
        false,
        false,
        3,
        false,
        false,
        "3年",
    ),
    (
        AssetKind::ElectronicInformation,
        "公開用 報道発表資料",
        "ホームページ 公開領域",
        false,
        false,
        false,
        4,
        true,
        false,
        "1年",
    ),
    (
        AssetKind::SystemDocument,
        "{sys} 運用手順書",
        "{unit} 書庫",
        true,
        false,
        false,
        3,
        true,
        false,
        "システム廃止まで",
    ),
    (
        AssetKind::SystemDocument,
        "{sys} 管理者パスワード管理簿",
        "{unit} 金庫",
        true,
        false,
        false,
        0,
        true,
        true,
        "システム廃止まで",
    ),
    (
        AssetKind::SystemDocument,
        "ネットワーク構成図",
        "情報システム課 施錠保管庫",
        false,
        false,
        false,
        1,
        true,
        false,
        "更新まで",
    ),
    (
        AssetKind::AdministrativeInformation,
        "{unit} 申請書（個人情報を含む）",
        "{unit} 書庫",
        false,
        true,
        false,
        3,
        true,
        false,
        "5年",
    ),
    (
        AssetKind::AdministrativeInformation,
        "{unit} 決裁文書",
        "文書管理システム",
        false,
        false,
        false,
        3,
        true,
        false,
        "10年",
    ),
    (
        AssetKind::AdministrativeInformation,
        "入札予定価格調書",
        "{unit} 金庫",
        false,
        false,
        false,
        0,
        true,
        false,
        "5年",
    ),
    (
        AssetKind::AdministrativeInformation,
        "{unit} 個人番号関係事務 届出書",
        "{unit} 施錠保管庫",
        false,
        true,
        true,
        0,
        true,
        false,
        "7年",
    ),
    (
        AssetKind::SelfManagedInformation,
        "{unit} 会議メモ",
        "職員端末",
        false,
        false,
        false,
        4,
        false,
        false,
        "1年",
    ),
    (
        AssetKind::SelfManagedInformation,
        "{unit} 作業用集計表",
        "職員端末",
        false,
        true,
        false,
        3,
        false,
        false,
        "1年",
    ),
];

const ADMINISTRATORS: &[&str] = &["課長", "課長補佐", "係長", "主査", "情報セキュリティ管理者"];

/// A small deterministic generator (xorshift64*), so demo data is the same every time.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Makes varied asset records over the units, systems and segments of `ctx`,
/// classified under `scheme`. About one in twenty-five contradicts its
/// classification on purpose, so the consistency checks have work to do.
pub(crate) struct Generator<'a> {
    ctx: &'a Context,
    scheme: &'a Scheme,
    units: Vec<(i64, String)>,
    systems: Vec<(i64, String, Option<i64>)>,
    segment_by_role: Vec<(String, i64)>,
    rng: Rng,
    serial: u64,
}

impl<'a> Generator<'a> {
    pub(crate) fn new(ctx: &'a Context, scheme: &'a Scheme, seed: u64) -> Generator<'a> {
        let mut units: Vec<(i64, String)> = ctx
            .units
            .values()
            .filter(|u| u.active && u.code.contains("-S"))
            .map(|u| (u.id, u.name.clone()))
            .collect();
        if units.is_empty() {
            units = ctx
                .units
                .values()
                .filter(|u| u.active)
                .map(|u| (u.id, u.name.clone()))
                .collect();
        }
        units.sort();
        let mut systems: Vec<(i64, String, Option<i64>)> = ctx
            .systems
            .values()
            .map(|s| (s.id, s.name.clone(), None))
            .collect();
        systems.sort();
        let mut segment_by_role: Vec<(String, i64)> = ctx
            .segments
            .values()
            .map(|s| (s.role.clone(), s.id))
            .collect();
        segment_by_role.sort();
        Generator {
            ctx,
            scheme,
            units,
            systems,
            segment_by_role,
            rng: Rng::new(seed),
            serial: seed % 1_000_000,
        }
    }

    /// The systems with the segment each lives in (set by the caller that knows).
    pub(crate) fn set_system_segments(&mut self, segments: &[(i64, Option<i64>)]) {
        for (id, seg) in segments {
            if let Some(s) = self.systems.iter_mut().find(|s| s.0 == *id) {
                s.2 = *seg;
            }
        }
    }

    fn segment(&self, role: &str) -> Option<i64> {
        self.segment_by_role
            .iter()
            .find(|(r, _)| r == role)
            .map(|(_, id)| *id)
    }

    fn level(&self, axis: Axis, step: usize) -> String {
        let levels = self.scheme.levels_of(axis);
        let step = step.min(levels.len().saturating_sub(1));
        levels.get(step).map(|l| l.code.clone()).unwrap_or_default()
    }

    pub(crate) fn has_units(&self) -> bool {
        !self.units.is_empty()
    }

    /// One record.
    pub(crate) fn record(&mut self) -> AssetRecord {
        self.serial += 1;
        let t = TEMPLATES[self.rng.below(TEMPLATES.len())];
        let (
            kind,
            pattern,
            location,
            needs_system,
            personal,
            my_number,
            c_step,
            i_high,
            a_high,
            retention,
        ) = t;
        let (unit_id, unit_name) = self.units[self.rng.below(self.units.len())].clone();
        let system = if needs_system && !self.systems.is_empty() {
            Some(self.systems[self.rng.below(self.systems.len())].clone())
        } else {
            None
        };
        let sys_name = system.as_ref().map_or("共通基盤", |s| s.1.as_str());
        let name = format!(
            "{} 第{}号",
            pattern
                .replace("{sys}", sys_name)
                .replace("{unit}", &unit_name),
            self.serial
        );
        let location = location
            .replace("{sys}", sys_name)
            .replace("{unit}", &unit_name);
        let mut segment = match (&system, kind) {
            (Some(s), _) => s.2,
            (None, AssetKind::Facility) => None,
            (None, _) if my_number => self.segment("mynumber"),
            (None, _) => self.segment("lgwan"),
        };
        let mut c_step = c_step;
        let mut my_number = my_number;
        // Deliberate contradictions (about 4 %).
        match self.rng.below(100) {
            0 => c_step = 3,                           // My Number data classified too low
            1 => segment = self.segment("internet"),   // in the wrong segment
            2 if !my_number && personal => c_step = 4, // personal information at the bottom level
            3 => my_number = personal,                 // My Number outside its segment
            _ => {}
        }
        let lifecycle = match self.rng.below(20) {
            0 => Lifecycle::Registered,
            1 => Lifecycle::Disposed,
            _ => Lifecycle::InUse,
        };
        let (disposed_on, disposal_method, disposal_confirmed_by) =
            if lifecycle == Lifecycle::Disposed {
                let month = 1 + self.rng.below(12);
                let day = 1 + self.rng.below(28);
                (
                    Some(format!("2024-{month:02}-{day:02}")),
                    Some(
                        if kind == AssetKind::Equipment {
                            "物理破壊"
                        } else {
                            "データ消去ソフトによる消去・裁断"
                        }
                        .to_string(),
                    ),
                    Some(format!("{unit_name} 情報セキュリティ管理者")),
                )
            } else {
                (None, None, None)
            };
        let notes = if self.rng.chance(10) {
            "年1回 棚卸で確認".to_string()
        } else {
            String::new()
        };
        AssetRecord {
            name,
            kind,
            description: format!("{}が所管する{}", unit_name, kind.short_ja()),
            owner_unit_id: unit_id,
            administrator: format!(
                "{} {}",
                unit_name,
                ADMINISTRATORS[self.rng.below(ADMINISTRATORS.len())]
            ),
            location,
            system_id: system.as_ref().map(|s| s.0),
            segment_id: segment,
            personal_info: personal || my_number,
            my_number,
            retention: retention.to_string(),
            scheme: self.scheme.code.clone(),
            confidentiality: self.level(Axis::Confidentiality, c_step),
            integrity: self.level(Axis::Integrity, usize::from(!i_high)),
            availability: self.level(Axis::Availability, usize::from(!a_high)),
            lifecycle,
            disposed_on,
            disposal_method,
            disposal_confirmed_by,
            notes,
        }
    }

    pub(crate) fn context(&self) -> &Context {
        self.ctx
    }
}

/// Creates the three segments and the demo information systems where they are
/// missing. Returns the (system id, segment id) pairs.
pub(crate) async fn ensure_reference_data(
    store: &Store,
    actor: &Actor,
) -> Result<Vec<(i64, Option<i64>)>, StoreError> {
    for (name, name_en, role, ranges) in SEGMENTS {
        if store.segment_by_name(name).await?.is_none() {
            store
                .create_segment(
                    actor,
                    NewSegment {
                        name: (*name).into(),
                        name_en: (*name_en).into(),
                        role: (*role).into(),
                        ranges: (*ranges).into(),
                        description: String::new(),
                        interfaces: String::new(),
                    },
                )
                .await?;
        }
    }
    let segments = store.segments().await?;
    let mut pairs = Vec::new();
    for (code, name, unit_code, role) in SYSTEMS {
        let system = match store.information_system_by_code(code).await? {
            Some(s) => s,
            None => {
                let unit = store.unit_by_code(unit_code).await?;
                let segment = segments.iter().find(|s| s.role == *role).map(|s| s.id);
                store
                    .create_information_system(
                        actor,
                        NewInformationSystem {
                            code: (*code).into(),
                            name: (*name).into(),
                            owner_unit_id: unit.map(|u| u.id),
                            segment_id: segment,
                            description: String::new(),
                        },
                    )
                    .await?
            }
        };
        pairs.push((system.id, system.segment_id));
    }
    Ok(pairs)
}

/// Writes `count` generated assets in transactions of [`LOAD_CHUNK`], with
/// their events. Returns the number written.
pub(crate) async fn generate_assets(
    store: &Store,
    actor: &Actor,
    count: usize,
    seed: u64,
) -> Result<usize, StoreError> {
    let pairs = ensure_reference_data(store, actor).await?;
    let scheme = store.active_scheme().await?;
    let ctx = Context::load(store, &scheme).await?;
    let mut generator = Generator::new(&ctx, &scheme, seed);
    generator.set_system_segments(&pairs);
    if !generator.has_units() {
        return Err(StoreError::invalid(
            "units",
            "組織が登録されていないため資産を作れません / there are no units to own the assets",
        ));
    }
    let mut written = 0;
    while written < count {
        let n = LOAD_CHUNK.min(count - written);
        let records: Vec<AssetRecord> = (0..n).map(|_| generator.record()).collect();
        write_planned(
            store,
            actor,
            generator.context(),
            records,
            Vec::new(),
            None,
            None,
        )
        .await?;
        written += n;
    }
    Ok(written)
}

/// Loads the demo assets once (the demo city's units must be there: see
/// [`crate::demo::load_demo`]). Returns the number of assets created now (0
/// when they were loaded before).
pub async fn load_demo_assets(store: &Store, count: usize) -> Result<usize, StoreError> {
    if store.setting(DEMO_ASSETS_LOADED).await?.is_some() {
        return Ok(0);
    }
    let actor = Actor::System("demo");
    let written = generate_assets(store, &actor, count, 20_250_401).await?;
    store.set_setting(&actor, DEMO_ASSETS_LOADED, "1").await?;
    Ok(written)
}
