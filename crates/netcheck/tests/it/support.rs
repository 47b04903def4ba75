//! Helpers shared by the test modules.

use mamori_netcheck::{
    ConfigInput, PacketSet, Report, SegmentsFile, builtin_model, check, parse_segments,
    permitted_matrix,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn segments(rel: &str) -> SegmentsFile {
    parse_segments(&read(&fixtures().join(rel))).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn input(path: &Path) -> ConfigInput {
    ConfigInput {
        file: path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        text: read(path),
        format: None,
    }
}

pub fn text_input(name: &str, text: &str) -> ConfigInput {
    ConfigInput {
        file: name.to_string(),
        text: text.to_string(),
        format: None,
    }
}

pub type Matrix = BTreeMap<(String, String), PacketSet>;

pub fn matrix(segs: &SegmentsFile, cfg: &ConfigInput) -> Matrix {
    permitted_matrix(segs, cfg)
        .unwrap_or_else(|e| panic!("{}: {e}", cfg.file))
        .into_iter()
        .map(|(a, b, s)| ((a, b), s))
        .collect()
}

pub fn report(segs: &SegmentsFile, cfgs: &[ConfigInput]) -> Report {
    let model = builtin_model(&segs.model)
        .unwrap_or_else(|| panic!("no model {}", segs.model))
        .unwrap_or_else(|e| panic!("{e}"));
    check(segs, &model, cfgs).unwrap_or_else(|e| panic!("{e}"))
}
