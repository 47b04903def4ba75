//! Files handed to the browser as downloads: never shown inline, never sniffed.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `bytes` as an attachment of type `content_type`, saved as `file` (an ASCII
/// name the caller made).
pub(crate) fn attachment(bytes: Vec<u8>, content_type: &str, file: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}
