//! Security headers on every response, and the one stylesheet (no inline styles or
//! scripts, so the Content-Security-Policy can forbid them).

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower_http::set_header::SetResponseHeaderLayer;

/// The Content-Security-Policy: only this origin, no inline script or style, no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'";

type H = SetResponseHeaderLayer<HeaderValue>;
/// The six header layers, innermost last.
type Six<L> = Stack<H, Stack<H, Stack<H, Stack<H, Stack<H, Stack<H, L>>>>>>;
type Headers = ServiceBuilder<Six<Identity>>;

pub fn headers() -> Headers {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    ServiceBuilder::new()
        .layer(set(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::REFERRER_POLICY, "same-origin"))
        .layer(set(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ))
        .layer(set(header::CACHE_CONTROL, "no-store"))
}

/// `GET /static/app.css`.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
}

/// `GET /favicon.ico`: Mamori's icon (a shield), so browsers stop asking in vain.
pub async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        &include_bytes!("../static/favicon.ico")[..],
    )
}

#[cfg(test)]
mod tests {
    /// Every block of the stylesheet is closed where it should be: a rule
    /// written at the left margin is at the top level (an unclosed
    /// `@media print {` once made half the screen styles print-only).
    #[test]
    fn the_stylesheet_closes_every_block() {
        let css = include_str!("../static/app.css");
        let mut depth = 0_i32;
        for (n, line) in css.lines().enumerate() {
            let at_margin = !line.starts_with(char::is_whitespace)
                && !line.starts_with('}')
                && !line.trim().is_empty();
            assert!(
                !at_margin || depth == 0,
                "app.css line {}: `{line}` is inside an open block",
                n + 1
            );
            depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            assert!(depth >= 0, "app.css line {}: `}}` closes nothing", n + 1);
        }
        assert_eq!(depth, 0, "app.css ends inside a block");
    }
}
