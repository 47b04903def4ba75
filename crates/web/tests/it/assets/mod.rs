//! The asset register through the web: reading (read), the write routes of the
//! API (api_write), the forms (forms), the ledger's export and import (ledger),
//! and the flags following the active scheme (scheme).

mod api_write;
mod forms;
mod ledger;
mod read;
mod scheme;

use mamori_core::org::{SystemRole, UnitKind};
use mamori_store::Actor;
use mamori_store::assets::{Asset, AssetInput};
use mamori_store::units::{NewUnit, Unit};
use mamori_store::users::NewUser;

use crate::client::{Client, PASSWORD};

pub const ACTOR: Actor = Actor::System("test");

/// An asset of `unit` at confidentiality `c` (integrity and availability 1).
pub fn input(name: &str, unit: i64, c: &str) -> AssetInput {
    serde_json::from_value(serde_json::json!({
        "name": name, "kind": "electronic_information", "owner_unit_id": unit,
        "levels": {"confidentiality": c, "integrity": "1", "availability": "1"},
        "lifecycle": "in_use"
    }))
    .unwrap()
}

pub async fn asset(c: &Client, name: &str, unit: i64, level: &str) -> Asset {
    c.store
        .create_asset(&ACTOR, input(name, unit, level))
        .await
        .unwrap()
}

/// The staff's unit (D01) and another department (D09).
pub async fn units(c: &Client) -> (Unit, Unit) {
    let own = c.store.unit_by_code("D01").await.unwrap().unwrap();
    let other = c
        .store
        .create_unit(
            &ACTOR,
            NewUnit {
                parent_id: None,
                code: "D09".into(),
                name: "他局".into(),
                name_en: "Other".into(),
                kind: UnitKind::Department,
            },
        )
        .await
        .unwrap();
    (own, other)
}

pub async fn user(c: &Client, username: &str, unit: i64, role: SystemRole) {
    c.store
        .create_user(
            &ACTOR,
            NewUser {
                username: username.into(),
                display_name: username.into(),
                email: None,
                unit_id: Some(unit),
                roles: vec![role],
                password: PASSWORD.into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
}

/// The fields a 422 names.
pub fn fields(body: &serde_json::Value) -> Vec<String> {
    let mut f: Vec<String> = body["error"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields in {body}"))
        .iter()
        .map(|p| p["field"].as_str().unwrap().to_string())
        .collect();
    f.sort();
    f.dedup();
    f
}
