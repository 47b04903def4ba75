//! What the fuzz targets share: one store per fuzzing process (a SQLite file
//! in a temporary folder, with the demo city so that units, users and courses
//! are found), and the runtime that drives its imports. The targets call the
//! same operations the CLI calls (`App::operator_import_*`: the app reads the
//! bytes under its import limits, the store checks the rows), so the whole
//! read-parse-and-check step runs on each input (a valid file is written, as
//! it would be).

use std::sync::OnceLock;

use mamori_app::App;
use mamori_sheet::LedgerFormat;
use mamori_store::Store;

struct Shared {
    runtime: tokio::runtime::Runtime,
    app: App,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        // Folders left by earlier fuzzing processes (libFuzzer ends with exit()).
        if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if let Some(pid) = name.strip_prefix("mamori-fuzz-")
                    && !std::path::Path::new(&format!("/proc/{pid}")).exists()
                {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = std::env::temp_dir().join(format!("mamori-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary folder");
        let path = dir.join("mamori.db");
        let _ = std::fs::remove_file(&path);
        let app = runtime.block_on(async {
            let store = Store::open(&format!("sqlite://{}", path.display()))
                .await
                .expect("store");
            let authz = mamori_authz::Authorizer::builtin().expect("policy");
            let app = App::new(store, std::sync::Arc::new(authz));
            app.load_demo(0).await.expect("demo");
            app
        });
        Shared { runtime, app }
    })
}

/// Runs `f` on the shared operations (over the shared store).
pub fn with_app<T>(f: impl AsyncFnOnce(&App) -> T) -> T {
    let s = shared();
    s.runtime.block_on(f(&s.app))
}

/// The format the server would read these bytes as.
pub fn format_of(bytes: &[u8]) -> LedgerFormat {
    mamori_sheet::sniff_format(bytes)
}

/// The segments file the firewall targets check against.
pub const SEGMENTS: &str = include_str!("../../crates/netcheck/tests/fixtures/rich/segments.toml");

/// Segments facing ASA interfaces (nameif) and PAN-OS zones.
pub const VENDOR_SEGMENTS: &str = r#"model = "alpha"
[[segment]]
name = "mynumber"
role = "mynumber"
ranges = ["10.10.0.0/16"]
interfaces = ["mynumber"]
[[segment]]
name = "lgwan"
role = "lgwan"
ranges = ["10.20.0.0/16"]
interfaces = ["lgwan"]
[[segment]]
name = "internet"
role = "internet"
ranges = ["0.0.0.0/0", "::/0"]
interfaces = ["outside", "untrust"]
"#;

/// Parses and checks one Cisco ASA or PAN-OS configuration against
/// [`VENDOR_SEGMENTS`] and the built-in α model.
pub fn netcheck_vendor(data: &[u8], format: mamori_netcheck::ConfigFormat) {
    use std::sync::OnceLock;
    static SETUP: OnceLock<(mamori_netcheck::SegmentsFile, mamori_netcheck::SegmentModel)> =
        OnceLock::new();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (segments, model) = SETUP.get_or_init(|| {
        let segments = mamori_netcheck::parse_segments(VENDOR_SEGMENTS).expect("segments");
        let model = mamori_netcheck::builtin_model("alpha")
            .expect("built-in model")
            .expect("alpha parses");
        (segments, model)
    });
    let input = mamori_netcheck::ConfigInput {
        file: "fuzz.conf".into(),
        text: text.to_string(),
        format: Some(format),
    };
    let _ = mamori_netcheck::check(segments, model, &[input]);
}

/// Parses and checks one firewall configuration of a given format against
/// the segments fixture and the built-in α model.
pub fn netcheck(data: &[u8], format: mamori_netcheck::ConfigFormat) {
    use std::sync::OnceLock;
    static SETUP: OnceLock<(mamori_netcheck::SegmentsFile, mamori_netcheck::SegmentModel)> =
        OnceLock::new();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (segments, model) = SETUP.get_or_init(|| {
        let segments = mamori_netcheck::parse_segments(SEGMENTS).expect("segments fixture");
        let model = mamori_netcheck::builtin_model("alpha")
            .expect("built-in model")
            .expect("alpha parses");
        (segments, model)
    });
    let input = mamori_netcheck::ConfigInput {
        file: "fuzz.conf".into(),
        text: text.to_string(),
        format: Some(format),
    };
    let _ = mamori_netcheck::check(segments, model, &[input]);
}
