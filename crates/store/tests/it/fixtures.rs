//! What the store's stories share: units to hang records on, looked up or made.

use mamori_core::org::UnitKind;
use mamori_store::units::{NewUnit, Unit};
use mamori_store::{Actor, Store};

/// The actor of set-up steps.
pub const SETUP: Actor = Actor::System("test");

/// A unit to create: `{code}課`, no English name.
pub fn new_unit(code: &str, parent: Option<i64>, kind: UnitKind) -> NewUnit {
    NewUnit {
        parent_id: parent,
        code: code.into(),
        name: format!("{code}課"),
        name_en: String::new(),
        kind,
    }
}

/// Creates a department (no parent) or a section (under `parent`) and
/// returns its id.
pub async fn add_unit(store: &Store, parent: Option<i64>, code: &str, name: &str) -> i64 {
    let kind = if parent.is_some() {
        UnitKind::Section
    } else {
        UnitKind::Department
    };
    store
        .create_unit(
            &SETUP,
            NewUnit {
                parent_id: parent,
                code: code.into(),
                name: name.into(),
                name_en: String::new(),
                kind,
            },
        )
        .await
        .unwrap()
        .id
}

/// The unit with this code, which the story made earlier.
pub async fn unit_by_code(store: &Store, code: &str) -> Unit {
    store.unit_by_code(code).await.unwrap().unwrap()
}
