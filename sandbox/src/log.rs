//! One line per request on stderr, and the recent API requests for `GET /_sandbox/requests`.
//! Only the method, path (never the query string), action, access key id, result and time are
//! kept: never a signature, a secret, a password or `service_params`.
//!
//! [`layer`] writes the entry of every request; the API handlers add what only they know (a
//! [`Summary`] in the response's extensions).

use crate::app::App;
use crate::state::now_ms;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Instant;

/// How many API requests `/_sandbox/requests` remembers.
pub const KEEP: usize = 10_000;

#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    pub time: String,
    /// When the request arrived, in Unix milliseconds (for timing a client's schedule).
    pub started_ms: i64,
    pub method: String,
    pub path: String,
    /// `iaas`, `ehpc`, `static` or `control`.
    pub api: &'static str,
    pub action: Option<String>,
    pub access_key_id: Option<String>,
    pub ret_code: Option<i64>,
    pub status: Option<u16>,
    /// `ok`, `error`, `fault:<name>` (`fault:capacity` for a refusal past the capacity),
    /// `proxied` or `dropped`.
    pub result: String,
    pub duration_ms: f64,
    /// Of an answer streamed after its headers (the `endless` fault), the bytes sent so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_bytes: Option<SentBytes>,
}

/// A count of bytes the body of an answer adds to as it is sent, and its log entry reads.
#[derive(Clone, Debug, Default)]
pub struct SentBytes(pub Arc<AtomicU64>);

impl Serialize for SentBytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0.load(Ordering::Relaxed))
    }
}

impl Entry {
    fn line(&self) -> String {
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        format!(
            "{} {} {} action={} access_key_id={} result={} ret_code={} status={} time_ms={:.2}",
            self.time,
            self.method,
            self.path,
            or_dash(&self.action),
            or_dash(&self.access_key_id),
            self.result,
            self.ret_code
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into()),
            self.status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "-".into()),
            self.duration_ms
        )
    }
}

/// What an API handler knows about its request, for the log.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub action: Option<String>,
    pub access_key_id: Option<String>,
    pub ret_code: Option<i64>,
    /// Empty: `ok` or `error` from the HTTP status.
    pub result: String,
    pub sent_bytes: Option<SentBytes>,
}

/// Which part of the sandbox a path belongs to.
pub fn api_of(path: &str) -> &'static str {
    if path == "/iaas" || path.starts_with("/iaas/") {
        "iaas"
    } else if path == "/api" || path.starts_with("/api/") {
        "ehpc"
    } else if path.starts_with("/_sandbox/") {
        "control"
    } else {
        "static"
    }
}

/// The middleware that records one entry per request.
pub async fn layer(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let started_ms = now_ms();
    let method = clean(request.method().as_str());
    let path = clean(request.uri().path());
    let api = api_of(request.uri().path());
    let response = next.run(request).await;
    let summary = response
        .extensions()
        .get::<Summary>()
        .cloned()
        .unwrap_or_default();
    let status = response.status();
    let result = match summary.result.as_str() {
        "" if status.is_success() => "ok".to_string(),
        "" => "error".to_string(),
        _ => summary.result,
    };
    app.log.record(Entry {
        time: qingcloud_useradd::timestamp::format_timestamp(now_ms().div_euclid(1000)),
        started_ms,
        method,
        path,
        api,
        action: summary.action,
        access_key_id: summary.access_key_id,
        ret_code: summary.ret_code,
        // A dropped connection gets no answer at all.
        status: (result != "dropped").then_some(status.as_u16()),
        result,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        sent_bytes: summary.sent_bytes,
    });
    response
}

/// Keeps only characters that cannot forge a log line or hide in one, and at most 64 of them.
pub fn clean(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
        .take(64)
        .collect()
}

pub struct Log {
    recent: Mutex<VecDeque<Entry>>,
    /// Lines go to a thread that writes stderr, so that a slow reader never stalls a request.
    /// When it falls 10,000 lines behind, lines are dropped rather than requests delayed.
    stderr: Option<SyncSender<String>>,
}

impl Log {
    pub fn new(to_stderr: bool) -> Self {
        let stderr = to_stderr.then(|| {
            let (tx, rx) = sync_channel::<String>(10_000);
            let spawned = std::thread::Builder::new()
                .name("sandbox-log".into())
                .spawn(move || {
                    use std::io::Write;
                    let stderr = std::io::stderr();
                    while let Ok(line) = rx.recv() {
                        let mut out = stderr.lock();
                        let _ = writeln!(out, "{line}");
                    }
                });
            spawned.ok().map(|_| tx)
        });
        Log {
            recent: Mutex::new(VecDeque::new()),
            stderr: stderr.flatten(),
        }
    }

    /// Prints a line that is not about a request (start-up, errors).
    pub fn note(&self, line: String) {
        if let Some(tx) = &self.stderr {
            if let Err(TrySendError::Full(_)) = tx.try_send(line) {
                // Dropped: see `stderr`.
            }
        }
    }

    pub fn record(&self, entry: Entry) {
        if let Some(tx) = &self.stderr {
            let _ = tx.try_send(entry.line());
        }
        if matches!(entry.api, "iaas" | "ehpc") {
            let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            if recent.len() >= KEEP {
                recent.pop_front();
            }
            recent.push_back(entry);
        }
    }

    pub fn recent(&self) -> Vec<Entry> {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent.iter().cloned().collect()
    }

    pub fn clear(&self) {
        self.recent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_hold_no_query_and_clean_values() {
        let entry = Entry {
            time: "2026-01-01T00:00:00Z".into(),
            started_ms: 1_767_225_600_000,
            method: "GET".into(),
            path: "/iaas/".into(),
            api: "iaas",
            action: Some(clean("Describe\nJobs \"x\"")),
            access_key_id: None,
            ret_code: Some(0),
            status: Some(200),
            result: "ok".into(),
            duration_ms: 1.234,
            sent_bytes: None,
        };
        assert_eq!(
            entry.line(),
            "2026-01-01T00:00:00Z GET /iaas/ action=DescribeJobsx access_key_id=- result=ok ret_code=0 status=200 time_ms=1.23"
        );
    }
}
