//! The readers and writers of mamori-sheet, without a database.

mod limits;
mod writers;
