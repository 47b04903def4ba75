//! Integration tests of mamori-netcheck (one binary, modules by subject).

mod algebra;
mod crosscheck;
mod firstmatch;
mod hostile;
mod parsers;
mod support;
