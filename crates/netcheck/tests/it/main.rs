//! Integration tests of mamori-netcheck (one binary, modules by subject).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

mod algebra;
mod crosscheck;
mod firstmatch;
mod hostile;
mod parsers;
mod support;
mod vendor_props;
mod vendors;
