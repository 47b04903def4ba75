//! Web conformance: the pages and the API, in process, on SQLite and (when
//! configured) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

mod api;
mod assets;
// Audits and self-inspections (issue 14).
mod audits;
mod auth;
mod client;
mod contract;
// Information systems, control status and evidence (issue 13, part 1).
mod controls;
mod hostile;
mod limits;
mod log;
mod netcheck;
mod netcheck_vendors;
mod org;
mod orgimport;
mod pages;
mod policy_docs;
// Risk analysis (issue 13, part 2).
mod risk;
mod segments;
mod training;
// --- operations (issue 15) ---
mod ops;
// --- audit2 ---
mod findings;
// --- ops2 ---
mod ops2;
// --- people first (issue 17) ---
mod people;
// --- h14 ---
mod reports;
// --- h15 --- α' services in the segments file; contractor and service filters.
mod alpha_prime;
// --- h17ui ---
mod layout;
// --- h15b --- services and contractors edited; operations exports follow the filters.
mod ops_edit;
// A refused page form comes back with what was typed.
mod refill;
