//! Errors as the user sees them: JSON with a stable code under `/api`, an HTML page
//! elsewhere. Every message says what is wrong, in Japanese and English.

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use mamori_core::problem::{Class, Lang, Problem};
use mamori_store::StoreError;
use serde::Serialize;

/// An error answered to a request.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Answer as JSON (API) rather than HTML.
    pub json: bool,
    /// The fields that were wrong (a 422), each with why.
    pub fields: Vec<FieldProblem>,
    /// The specific condition (a code of `problems.toml`), when more precise
    /// than `code`.
    pub reason: Option<&'static str>,
    /// What to do about it, or whom to ask (Japanese / English).
    pub hint: String,
    /// The problems behind the error, when known: an error page words them
    /// (message and hint) in the reader's language. Not part of the JSON body.
    /// (Boxed: an error stays small to return.)
    pub problems: Option<Box<Problems>>,
}

/// The problems behind an error.
#[derive(Debug, Clone)]
pub struct Problems(pub Vec<Problem>);

/// One field a request got wrong, and why (Japanese and English).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// The field as the request names it (`name`, `owner_unit_id`, `confidentiality` …).
    pub field: String,
    pub message: String,
    pub message_en: String,
    /// The condition, a code of the problem catalogue (README, "Error codes").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The row of an uploaded sheet the problem is on (as the spreadsheet
    /// numbers it), where it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
}

impl FieldProblem {
    pub fn new(
        field: impl Into<String>,
        message: impl Into<String>,
        message_en: impl Into<String>,
    ) -> FieldProblem {
        FieldProblem {
            field: field.into(),
            message: message.into(),
            message_en: message_en.into(),
            code: None,
            row: None,
        }
    }

    /// A problem of the shared vocabulary, worded in both languages.
    pub fn of(p: &Problem) -> FieldProblem {
        FieldProblem {
            field: p.field.clone().unwrap_or_default(),
            message: p.message(Lang::Ja),
            message_en: p.message(Lang::En),
            code: Some(p.code.to_string()),
            row: p.row,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable code a help desk can look up.
    pub code: String,
    pub message: String,
    /// With MAMORI-INVALID: every field that was wrong.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
    /// The specific condition, a code of the problem catalogue, when more
    /// precise than `code` (README, "Error codes").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What to do about it, or whom to ask.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub hint: String,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            message: message.into(),
            json: false,
            fields: Vec::new(),
            reason: None,
            hint: String::new(),
            problems: None,
        }
    }

    /// The problem behind the error, for the error page's wording (the JSON
    /// body keeps `message` and `hint` as they are).
    pub fn with_problem(mut self, p: Problem) -> AppError {
        self.problems = Some(Box::new(Problems(vec![p])));
        self
    }

    /// 422 naming each bad field.
    pub fn invalid_fields(fields: Vec<FieldProblem>) -> AppError {
        let list: Vec<String> = fields
            .iter()
            .map(|f| match f.row {
                Some(row) => format!(
                    "{row}行目 / row {row}, {}: {} / {}",
                    f.field, f.message, f.message_en
                ),
                None => format!("{}: {} / {}", f.field, f.message, f.message_en),
            })
            .collect();
        let mut e = AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "MAMORI-INVALID",
            list.join("; "),
        );
        e.fields = fields;
        e
    }

    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, "MAMORI-BAD-REQUEST", message)
    }

    pub fn unauthorized() -> AppError {
        AppError::new(
            StatusCode::UNAUTHORIZED,
            "MAMORI-AUTH-REQUIRED",
            "サインインが必要です / sign-in required: send 'Authorization: Bearer TOKEN' (POST /api/v1/auth/token)",
        )
        .as_json()
    }

    pub fn forbidden() -> AppError {
        AppError::new(
            StatusCode::FORBIDDEN,
            "MAMORI-FORBIDDEN",
            "この操作の権限がありません / you are not permitted to do this",
        )
        .with_problem(Problem::new("MAMORI-FORBIDDEN"))
    }

    pub fn not_found(what: impl Into<String>) -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "MAMORI-NOT-FOUND", what)
    }

    /// Answer as JSON.
    pub fn as_json(mut self) -> AppError {
        self.json = true;
        self
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        // A condition of the shared vocabulary: worded from its code.
        if let StoreError::Rejected(_) = e {
            return mamori_app::Error::from(e).into();
        }
        let status = match &e {
            StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
            StoreError::Conflict(_) => StatusCode::CONFLICT,
            StoreError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            StoreError::Connect(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "internal error");
            "内部エラーが発生しました。管理者に連絡してください / an internal error occurred; please tell the administrator".to_string()
        } else {
            e.to_string()
        };
        AppError::new(status, e.code(), message)
    }
}

fn status_of(class: Class) -> StatusCode {
    match class {
        Class::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        Class::NotFound => StatusCode::NOT_FOUND,
        Class::Conflict => StatusCode::CONFLICT,
        Class::Forbidden => StatusCode::FORBIDDEN,
        Class::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Class::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn both(ja: String, en: String) -> String {
    if ja == en || en.is_empty() {
        ja
    } else if ja.is_empty() {
        en
    } else {
        format!("{ja} / {en}")
    }
}

impl From<mamori_app::Error> for AppError {
    fn from(e: mamori_app::Error) -> AppError {
        let class = e.class();
        let problems = e.problems();
        let status = status_of(class);
        let first = problems.first();
        let hint = first
            .map(|p| both(p.hint(Lang::Ja), p.hint(Lang::En)))
            .unwrap_or_default();
        let reason = first.map(|p| p.code).filter(|c| *c != class.code());
        let mut err = if class == Class::Invalid {
            AppError::invalid_fields(problems.iter().map(FieldProblem::of).collect())
        } else {
            let message = problems
                .iter()
                .map(|p| both(p.message(Lang::Ja), p.message(Lang::En)))
                .collect::<Vec<_>>()
                .join("; ");
            AppError::new(status, class.code(), message)
        };
        err.reason = reason;
        err.hint = hint;
        err.problems = Some(Box::new(Problems(problems)));
        err
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> AppError {
        AppError::new(
            r.status(),
            "MAMORI-BAD-JSON",
            format!(
                "JSON の本文が正しくありません / the JSON body is malformed: {}",
                r.body_text()
            ),
        )
        .as_json()
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> AppError {
        AppError::bad_request(format!(
            "クエリが正しくありません / invalid query parameters: {}",
            r.body_text()
        ))
    }
}

impl From<PathRejection> for AppError {
    fn from(r: PathRejection) -> AppError {
        AppError::bad_request(format!(
            "URL が正しくありません / invalid path: {}",
            r.body_text()
        ))
    }
}

impl From<FormRejection> for AppError {
    fn from(r: FormRejection) -> AppError {
        AppError::bad_request(format!(
            "フォームの内容が正しくありません / invalid form: {}",
            r.body_text()
        ))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.json {
            let body = ErrorBody {
                error: ErrorDetail {
                    code: self.code.to_string(),
                    message: self.message,
                    fields: self.fields,
                    reason: self.reason.map(str::to_string),
                    hint: self.hint,
                },
            };
            return (self.status, Json(body)).into_response();
        }
        let page = ErrorPage::of(&self);
        // A bare page in both languages; `render_error_pages` re-renders it
        // inside the layout, in the reader's language, when it can.
        let body = format!(
            "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>{status} — Mamori</title>\
             <link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main class=\"error-page\">\
             <h1>{status}</h1><p class=\"error\">{message}</p>{hint}<p class=\"muted\">{code}</p>\
             <p><a href=\"/\">ダッシュボードへ戻る / Back to the dashboard</a></p></main></body></html>",
            status = self.status.as_u16(),
            message = html_escape(&self.message),
            hint = if self.hint.is_empty() {
                String::new()
            } else {
                format!("<p class=\"hint\">{}</p>", html_escape(&self.hint))
            },
            code = page.code,
        );
        let mut res = (self.status, Html(body)).into_response();
        res.extensions_mut().insert(page);
        res
    }
}

/// What an HTML error page says, in both languages: carried on the response
/// for [`render_error_pages`].
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub status: StatusCode,
    /// The most precise code (the reason, or the class's code).
    pub code: &'static str,
    pub message_ja: String,
    pub message_en: String,
    pub hint_ja: String,
    pub hint_en: String,
}

/// The Japanese and English of "日本語 / English" (each of "; "-joined parts).
fn split_both(text: &str) -> (String, String) {
    let (mut ja, mut en) = (Vec::new(), Vec::new());
    for part in text.split("; ") {
        match part.split_once(" / ") {
            Some((j, e)) => {
                ja.push(j.to_string());
                en.push(e.to_string());
            }
            None => {
                ja.push(part.to_string());
                en.push(part.to_string());
            }
        }
    }
    (ja.join("; "), en.join("; "))
}

impl ErrorPage {
    fn of(e: &AppError) -> ErrorPage {
        let problems: &[Problem] = e.problems.as_deref().map_or(&[], |p| &p.0);
        let code = e
            .reason
            .or_else(|| problems.first().map(|p| p.code))
            .unwrap_or(e.code);
        let from_problems = !problems.is_empty();
        let word = |lang: Lang| -> (String, String) {
            let reader = crate::i18n::T {
                lang: match lang {
                    Lang::En => crate::i18n::Lang::En,
                    _ => crate::i18n::Lang::Ja,
                },
            };
            let message = problems
                .iter()
                .map(|p| match &p.field {
                    Some(f)
                        if problems.len() > 1 || e.status == StatusCode::UNPROCESSABLE_ENTITY =>
                    {
                        reader.located(Some(f), p.message(lang))
                    }
                    _ => p.message(lang),
                })
                .collect::<Vec<_>>()
                .join("; ");
            let hint = problems.first().map(|p| p.hint(lang)).unwrap_or_default();
            (message, hint)
        };
        let ((message_ja, hint_ja), (message_en, hint_en)) = if from_problems {
            (word(Lang::Ja), word(Lang::En))
        } else {
            let (mj, me) = split_both(&e.message);
            let (hj, he) = split_both(&e.hint);
            ((mj, hj), (me, he))
        };
        // Without a hint of its own, the page says what to do about its class.
        let class_hint = |lang: Lang| {
            let code = match e.status {
                StatusCode::NOT_FOUND => "MAMORI-NOT-FOUND",
                StatusCode::FORBIDDEN => "MAMORI-FORBIDDEN",
                StatusCode::CONFLICT => "MAMORI-CONFLICT",
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "MAMORI-INVALID",
                s if s.is_server_error() => "MAMORI-INTERNAL",
                _ => return String::new(),
            };
            Problem::new(code).hint(lang)
        };
        let hint_ja = if hint_ja.is_empty() {
            class_hint(Lang::Ja)
        } else {
            hint_ja
        };
        let hint_en = if hint_en.is_empty() {
            class_hint(Lang::En)
        } else {
            hint_en
        };
        ErrorPage {
            status: e.status,
            code,
            message_ja,
            message_en,
            hint_ja,
            hint_en,
        }
    }

    /// The message and hint in one language.
    pub fn words(&self, lang: crate::i18n::Lang) -> (&str, &str) {
        match lang {
            crate::i18n::Lang::En => (&self.message_en, &self.hint_en),
            crate::i18n::Lang::Ja => (&self.message_ja, &self.hint_ja),
        }
    }
}

/// Re-renders an HTML error page inside the common layout: the menu when
/// someone is signed in, the message and what to do in the reader's language
/// (the `mamori_lang` cookie), and the code. API answers (JSON) pass untouched.
pub async fn render_error_pages(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::extract::FromRequestParts;
    let (mut parts, body) = req.into_parts();
    let lang = match crate::i18n::Lang::from_request_parts(&mut parts, &state).await {
        Ok(l) => l,
        Err(never) => match never {},
    };
    let session = parts.extensions.get::<tower_sessions::Session>().cloned();
    let path = parts.uri.path().to_string();
    let back = same_origin_referer(&parts.headers).filter(|b| *b != path);
    let res = next
        .run(axum::extract::Request::from_parts(parts, body))
        .await;
    let Some(page) = res.extensions().get::<ErrorPage>().cloned() else {
        return res;
    };
    let Some(session) = session else {
        return res;
    };
    match crate::pages::error_page(&state, &session, lang, &path, back.as_deref(), &page).await {
        Some(html) => {
            let (mut parts, _) = res.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            parts.headers.insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("text/html; charset=utf-8"),
            );
            Response::from_parts(parts, Body::from(html))
        }
        None => res,
    }
}

/// The page a form was sent from (the Referer's path and query when it is
/// this server's own page), to lead back to from an error.
fn same_origin_referer(headers: &axum::http::HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let rest = referer
        .strip_prefix("https://")
        .or_else(|| referer.strip_prefix("http://"))?;
    let path = rest.strip_prefix(host)?;
    (path.starts_with('/') && !path.starts_with("//") && path.len() <= 2000)
        .then(|| path.to_string())
}

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Requests that match no route: JSON under `/api`, a page elsewhere.
pub async fn fallback(uri: Uri) -> AppError {
    let err = AppError::not_found(format!(
        "ページが見つかりません / no such page or API route: {}",
        uri.path()
    ));
    if uri.path().starts_with("/api/") {
        err.as_json()
    } else {
        err.with_problem(Problem::new("MAMORI-NO-SUCH-PAGE").with("path", uri.path()))
    }
}

/// The answer to a request refused by the cross-site check.
pub fn csrf_rejection(_e: tower_http::csrf::ProtectionError) -> Response<Body> {
    let mut res = AppError::new(
        StatusCode::FORBIDDEN,
        "MAMORI-CSRF",
        "他のサイトからの送信は受け付けません / cross-site requests are refused",
    )
    .into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}

/// Result type of handlers.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, header};

    fn headers(referer: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "mamori.city.example:8080".parse().unwrap());
        h.insert(header::REFERER, referer.parse().unwrap());
        h
    }

    #[test]
    fn an_error_leads_back_only_to_a_page_of_this_server() {
        assert_eq!(
            super::same_origin_referer(&headers(
                "https://mamori.city.example:8080/assets/3/edit?x=1"
            ))
            .as_deref(),
            Some("/assets/3/edit?x=1")
        );
        for other in [
            "https://evil.example/assets",
            "https://mamori.city.example:8080.evil.example/",
            "https://mamori.city.example:8080//evil.example/",
            "javascript:alert(1)",
        ] {
            assert_eq!(super::same_origin_referer(&headers(other)), None, "{other}");
        }
    }
}
