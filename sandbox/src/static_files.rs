//! The page (`--www`, at `/`) and the built package (`--pkg`, at `/pkg/`), served by tower-http's
//! `ServeDir`, with the right content types and headers that keep other sites from framing or
//! sniffing them. Nothing outside those two directories is ever served, nor any dotfile: `.` and
//! `..` segments, names starting with `.` or `~`, backslashes, colons and NUL are refused before
//! the file system is asked, and the resolved path must still lie inside the directory (which
//! also rules out symbolic links leading out).

use axum::extract::{Request, State};
use axum::http::header::{
    HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The page's own policy (its `<meta http-equiv="Content-Security-Policy">`) and what only a
/// header can say: no site may frame it.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' https://api.qingcloud.com https://hpc.api.qingcloud.com; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The content type of a file name.
pub fn content_type(name: &str) -> &'static str {
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" | "cjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" | "webmanifest" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" | "md" | "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The safe relative path of a raw (still percent-encoded) URL path below its mount point, or
/// `None` when it tries to leave the directory or names a dotfile.
pub fn safe_relative(raw: &str) -> Option<PathBuf> {
    let decoded = String::from_utf8(crate::form::percent_decode_path(raw)).ok()?;
    let mut relative = PathBuf::new();
    for segment in decoded.split('/') {
        if segment.is_empty() {
            continue;
        }
        if segment.starts_with(['.', '~']) || segment.contains(['\\', '\0', ':']) {
            return None;
        }
        relative.push(segment);
    }
    if decoded.is_empty() || decoded.ends_with('/') {
        relative.push("index.html");
    }
    Some(relative)
}

/// Whether `raw` names something inside `root` that may be served.
async fn servable(root: &Path, raw: &str) -> Option<PathBuf> {
    let relative = safe_relative(raw)?;
    let root = tokio::fs::canonicalize(root).await.ok()?;
    let resolved = tokio::fs::canonicalize(root.join(&relative)).await.ok()?;
    resolved.starts_with(&root).then_some(relative)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        "not found\n",
    )
        .into_response()
}

async fn guard(State(root): State<Arc<PathBuf>>, request: Request, next: Next) -> Response {
    let Some(relative) = servable(&root, request.uri().path()).await else {
        return not_found();
    };
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let name = relative.to_string_lossy();
        let value = HeaderValue::from_static(content_type(&name));
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

fn directory(root: &Path) -> Router {
    let files = ServeDir::new(root).not_found_service(tower::service_fn(|_: Request| async {
        Ok::<_, std::convert::Infallible>(not_found())
    }));
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(
            Arc::new(root.to_path_buf()),
            guard,
        ))
}

fn header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// `www` at `/` and `pkg` at `/pkg/`.
pub fn service(www: &Path, pkg: &Path) -> Router {
    Router::new()
        .nest_service("/pkg", directory(pkg))
        .fallback_service(directory(www))
        .layer(header(X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(
            CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY_VALUE,
        ))
        .layer(header(REFERRER_POLICY, "no-referrer"))
        .layer(header(CACHE_CONTROL, "no-cache"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_dotfiles_are_refused() {
        for bad in [
            "../etc/passwd",
            "a/../../x",
            "%2e%2e/x",
            "%2E%2E%2Fx",
            "a\\..\\x",
            "a%5c..%5cx",
            "x%00.js",
            "C:/x",
            "~root",
            "%ff",
            ".git/config",
            "a/.env",
            "%2eenv",
            "./x",
        ] {
            assert_eq!(safe_relative(bad), None, "{bad}");
        }
        assert_eq!(safe_relative(""), Some(PathBuf::from("index.html")));
        assert_eq!(safe_relative("a//b.js"), Some(PathBuf::from("a/b.js")));
        assert_eq!(safe_relative("d/"), Some(PathBuf::from("d/index.html")));
        assert_eq!(safe_relative("a.b/c.js"), Some(PathBuf::from("a.b/c.js")));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("x.wasm"), "application/wasm");
        assert_eq!(content_type("x.MJS"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("x.d.ts"), "text/plain; charset=utf-8");
        assert_eq!(content_type("x"), "application/octet-stream");
    }
}
