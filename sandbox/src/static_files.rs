//! The page (`--www`, at `/`) and the built package (`--pkg`, at `/pkg/`), from disk, with the
//! right content types. Nothing outside those two directories is ever served: `.` and `..`
//! segments, backslashes and NUL are refused before the file system is asked, and the resolved
//! path must still lie inside the directory (which also rules out symbolic links leading out).

use std::path::{Path, PathBuf};

pub struct StaticFile {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl StaticFile {
    fn not_found() -> Self {
        StaticFile {
            status: 404,
            content_type: "text/plain; charset=utf-8",
            body: b"not found\n".to_vec(),
        }
    }
}

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
/// `None` when it tries to leave the directory.
pub fn safe_relative(raw: &str) -> Option<PathBuf> {
    let decoded = String::from_utf8(crate::form::percent_decode_path(raw)).ok()?;
    let mut relative = PathBuf::new();
    for segment in decoded.split('/') {
        if segment.is_empty() {
            continue;
        }
        if segment == "."
            || segment == ".."
            || segment.contains(['\\', '\0', ':'])
            || segment.starts_with('~')
        {
            return None;
        }
        relative.push(segment);
    }
    if decoded.is_empty() || decoded.ends_with('/') {
        relative.push("index.html");
    }
    Some(relative)
}

/// Reads `raw` below `root`.
pub async fn serve(root: &Path, raw: &str) -> StaticFile {
    let Some(relative) = safe_relative(raw) else {
        return StaticFile::not_found();
    };
    let Ok(root) = tokio::fs::canonicalize(root).await else {
        return StaticFile::not_found();
    };
    let mut path = root.join(&relative);
    if tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_dir()) {
        path.push("index.html");
    }
    let Ok(resolved) = tokio::fs::canonicalize(&path).await else {
        return StaticFile::not_found();
    };
    if !resolved.starts_with(&root) {
        return StaticFile::not_found();
    }
    match tokio::fs::read(&resolved).await {
        Ok(body) => StaticFile {
            status: 200,
            content_type: content_type(&resolved.to_string_lossy()),
            body,
        },
        Err(_) => StaticFile::not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
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
        ] {
            assert_eq!(safe_relative(bad), None, "{bad}");
        }
        assert_eq!(safe_relative(""), Some(PathBuf::from("index.html")));
        assert_eq!(safe_relative("a//b.js"), Some(PathBuf::from("a/b.js")));
        assert_eq!(safe_relative("d/"), Some(PathBuf::from("d/index.html")));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("x.wasm"), "application/wasm");
        assert_eq!(content_type("x.MJS"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("x.d.ts"), "text/plain; charset=utf-8");
        assert_eq!(content_type("x"), "application/octet-stream");
    }
}
