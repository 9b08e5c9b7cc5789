//! `/_sandbox/*`: the request log, resets, faults, users and health.
//!
//! Anything that changes state is refused (403, nothing changed) unless it is sent as
//! `Content-Type: application/json` from no page, the sandbox's own page or an `--allow-origin`
//! one: a page elsewhere can post `text/plain` across sites without a preflight, but not JSON.

use crate::app::App;
use crate::endpoint::json;
use crate::faults::FaultConfig;
use crate::log::clean;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

pub fn routes(app: Arc<App>) -> Router<Arc<App>> {
    Router::new()
        .route("/_sandbox/requests", get(requests))
        .route("/_sandbox/reset", axum::routing::post(reset))
        .route("/_sandbox/faults", get(faults).post(set_faults))
        .route("/_sandbox/users", get(users))
        .route("/_sandbox/health", get(health))
        .route("/_sandbox/{*rest}", axum::routing::any(unknown))
        .route_layer(middleware::from_fn_with_state(app, guard))
}

fn error(status: StatusCode, message: String) -> Response {
    json(status, serde_json::json!({ "error": message }).to_string())
}

/// Why a state-changing request is refused, if it is.
fn refusal(app: &App, headers: &HeaderMap) -> Option<&'static str> {
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Some(
            "control requests that change anything must be Content-Type: application/json",
        );
    }
    // No Origin: not sent by a page, so nothing to refuse.
    let origin = headers.get(ORIGIN)?;
    if trusted_origin(app, headers, origin) {
        None
    } else {
        Some("control requests are refused from pages of other origins (see --allow-origin)")
    }
}

/// Whether `origin` is the sandbox's own or one given with `--allow-origin`.
fn trusted_origin(app: &App, headers: &HeaderMap, origin: &HeaderValue) -> bool {
    // The Host header has been checked to name the loopback, so `http://` + it is our origin.
    let own = headers
        .get(HOST)
        .is_some_and(|host| origin.as_bytes() == [b"http://", host.as_bytes()].concat());
    own || app.origin_allowed(origin.as_bytes())
}

/// Whether a page of another origin than the trusted ones sent the request. Browsers say where a
/// request comes from in `Origin` (CORS requests, and every method but GET and HEAD) or else in
/// `Sec-Fetch-Site`; a request with neither was not sent by a page.
pub fn from_other_site(app: &App, headers: &HeaderMap) -> bool {
    match headers.get(ORIGIN) {
        Some(origin) => !trusted_origin(app, headers, origin),
        None => headers
            .get("sec-fetch-site")
            .is_some_and(|site| site != "same-origin" && site != "none"),
    }
}

async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    if !reads {
        if let Some(why) = refusal(&app, request.headers()) {
            return error(StatusCode::FORBIDDEN, why.to_string());
        }
    }
    next.run(request).await
}

async fn requests(State(app): State<Arc<App>>) -> Response {
    let recent = serde_json::to_string(&app.log.recent()).unwrap_or_else(|_| "[]".into());
    json(StatusCode::OK, recent)
}

#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ResetRequest {
    /// Also put clusters and users back as configured and forget every job.
    state: bool,
}

async fn reset(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let reset: ResetRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ResetRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(reset) => reset,
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("invalid reset request: {e}"),
                )
            }
        }
    };
    app.log.clear();
    if reset.state {
        app.store.reset();
        if let Err(e) = app.store.persist().await {
            return error(StatusCode::INTERNAL_SERVER_ERROR, e);
        }
    }
    json(StatusCode::OK, r#"{"ok":true}"#)
}

fn faults_json(app: &App) -> Response {
    let faults = serde_json::to_string(&app.faults()).unwrap_or_else(|_| "{}".into());
    json(StatusCode::OK, faults)
}

async fn faults(State(app): State<Arc<App>>) -> Response {
    faults_json(&app)
}

async fn set_faults(State(app): State<Arc<App>>, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultConfig>(&body) {
        Ok(faults) => {
            app.set_faults(faults);
            faults_json(&app)
        }
        Err(e) => error(
            StatusCode::BAD_REQUEST,
            format!("invalid fault config: {e}"),
        ),
    }
}

async fn users(State(app): State<Arc<App>>) -> Response {
    json(StatusCode::OK, app.store.users_overview().to_string())
}

async fn health() -> Response {
    json(StatusCode::OK, r#"{"ok":true}"#)
}

async fn unknown(method: Method, uri: Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        format!("no control endpoint {method} {}", clean(uri.path())),
    )
}
