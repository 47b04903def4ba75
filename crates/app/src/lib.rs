//! Mamori's operations: one function per thing a person can do (register an
//! asset, reclassify it, assign a course, open a campaign, run a firewall
//! check, …). Each takes the acting person ([`Caller`]) and input already read
//! into domain types, decides permission once through the Cedar policy (the
//! store is reached only through a [`access::Permit`]), calls the store, whose
//! write records its event in the same transaction, and returns the record or
//! an [`Error`] in the shared problem vocabulary. Pages, API and CLI call these
//! functions and only translate HTTP, forms and arguments in, and views, JSON
//! and exit codes out. See ARCHITECTURE.md.

pub mod access;
pub mod acknowledgements;
pub mod assets;
#[cfg(feature = "demo")]
pub mod bench;
#[cfg(feature = "demo")]
pub mod bench_policy;
pub mod catalog;
pub mod controls;
pub mod dashboard;
pub mod error;
pub mod events;
pub mod imports;
pub mod netcheck;
// Operations and outsourcing (issue 15).
pub mod notices;
pub mod ops;
pub mod org;
pub mod policy_docs;
pub mod requests;
// Risk analysis (issue 13, part 2).
pub mod risk;
pub mod risk_export;
pub mod segments;
pub mod startup;
pub mod systems;
pub mod training;
pub mod users;
// Audits and self-inspections (第10; issue 14).
pub mod audits;
// --- audit2 ---
pub mod audit_programmes;
pub mod findings;
// --- h14 ---
pub mod audit_reports;

pub use access::{App, Caller};
pub use error::{Error, Result};
