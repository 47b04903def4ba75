//! The ledger's export as a download: the operation writes it to a temporary
//! file first (the export writes synchronously, batch by batch), then the file
//! is streamed, so that a large register never sits in memory.

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use mamori_store::StoreError;
use mamori_store::assets::{AssetFilter, LedgerFormat};
use tokio::io::AsyncReadExt;

use crate::auth::{Authed, urlencode};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The ledger of what the user may see (all of it, or the filtered view) as a
/// download.
pub async fn export(
    state: &AppState,
    user: &Authed,
    filter: &AssetFilter,
    format: LedgerFormat,
) -> AppResult<Response> {
    let path = std::env::temp_dir().join(format!(
        "mamori-export-{}.{}",
        mamori_store::tokens::random_token(),
        format.extension()
    ));
    let io = |e: std::io::Error| {
        AppError::from(StoreError::Internal(format!(
            "the export's temporary file {}: {e}",
            path.display()
        )))
    };
    // Gone however this ends (a dropped request included).
    let guard = RemoveOnDrop(path.clone());
    let written = async {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(io)?;
        let mut out = std::io::BufWriter::new(file);
        state
            .app
            .export_ledger(user, filter, format, &mut out)
            .await?;
        std::io::Write::flush(&mut out).map_err(io)?;
        Ok::<_, AppError>(())
    }
    .await;
    let opened = match written {
        Ok(()) => tokio::fs::File::open(&path).await.map_err(io),
        Err(e) => Err(e),
    };
    // The open file stays readable once its name is gone.
    drop(guard);
    let file = opened?;
    let stream = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0_u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    let name = format!(
        "{}.{}",
        mamori_app::imports::LEDGER_SHEET_NAME,
        format.extension()
    );
    let disposition = format!(
        "attachment; filename=\"assets.{}\"; filename*=UTF-8''{}",
        format.extension(),
        urlencode(&name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Removes a temporary file when dropped.
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
