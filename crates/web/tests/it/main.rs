//! Web conformance: the pages and the API, in process, on SQLite and (when
//! configured) PostgreSQL.

mod api;
mod assets;
mod client;
mod contract;
mod netcheck;
mod org;
mod orgimport;
mod pages;
mod segments;
mod training;
