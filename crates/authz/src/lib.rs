//! mamori authz
