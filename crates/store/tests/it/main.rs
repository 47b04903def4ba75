//! Store conformance: every story runs on SQLite and, when configured, PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

mod assets;
// Audits and self-inspections (issue 14).
mod audits;
mod auth;
mod catalogs;
mod events;
mod fixtures;
mod migrations;
mod org;
mod org_import;
mod policy_docs;
// Risk analysis (issue 13, part 2).
mod risk;
mod training;
mod users;
// --- operations (issue 15) ---
mod ops;
// --- audit2 ---
mod findings;
// --- ops2 ---
mod ops2;
