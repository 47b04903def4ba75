//! Mamori domain model.
