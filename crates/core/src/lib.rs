//! Mamori domain model.
pub mod asset;
pub mod catalog;
pub mod classification;
pub mod control;
pub mod org;
pub mod policy_doc;
pub mod problem;
pub mod table;
pub mod text;
pub mod training;
pub mod wareki;
// Risk analysis (issue 13, part 2).
pub mod risk;
// Audits and self-inspections (第10; issue 14).
pub mod audit;
// Operations and outsourcing (issue 15).
pub mod ops;
