//! Mamori domain model.
pub mod catalog;
pub mod classification;
pub mod wareki;
