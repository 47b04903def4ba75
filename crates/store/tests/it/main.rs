//! Store conformance: every story runs on SQLite and, when configured, PostgreSQL.

mod assets;
mod auth;
mod catalogs;
mod events;
mod limits;
mod migrations;
mod org;
mod org_import;
mod training;
mod users;
