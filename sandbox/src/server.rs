//! The HTTP server: routing, fault injection, the control endpoints, logging and the accept loop.

use crate::api::{ApiError, Reply};
use crate::auth::Account;
use crate::config::Config;
use crate::faults::{self, Fault, FaultConfig, Plan, Rng};
use crate::iaas::Handled;
use crate::log::{clean, Entry, Log};
use crate::proxy::{Proxy, Upstream};
use crate::state::{now_ms, Store};
use crate::{ehpc, form, iaas, static_files};
use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full, Limited};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::header::{
    HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS,
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, HOST, ORIGIN, VARY,
};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type Body = BoxBody<Bytes, BoxError>;

/// The largest request body an API endpoint reads.
pub const MAX_REQUEST_BODY: usize = 1 << 20;
/// How long a client may take to send a request body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything the sandbox is started with.
#[derive(Clone, Debug)]
pub struct Options {
    pub config: Config,
    pub state_file: Option<PathBuf>,
    pub www: PathBuf,
    pub pkg: PathBuf,
    pub upstream_iaas: Option<String>,
    pub upstream_ehpc: Option<String>,
    /// One line per request on stderr.
    pub log_requests: bool,
    /// Origins whose pages may call the API across origins (`*` for any). The real endpoints send
    /// no CORS headers, so by default neither does the sandbox; tests whose page is served from
    /// another origin (wasm-bindgen-test-runner) opt in.
    pub allow_origins: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            config: Config::demo(),
            state_file: None,
            www: PathBuf::from("www"),
            pkg: PathBuf::from("pkg/web"),
            upstream_iaas: None,
            upstream_ehpc: None,
            log_requests: false,
            allow_origins: Vec::new(),
        }
    }
}

pub struct App {
    accounts: HashMap<String, Account>,
    pub store: Store,
    max_skew_s: u64,
    faults: RwLock<FaultConfig>,
    rng: Rng,
    pub log: Log,
    www: PathBuf,
    pkg: PathBuf,
    upstream_iaas: Option<Upstream>,
    upstream_ehpc: Option<Upstream>,
    proxy: Option<Proxy>,
    allow_origins: Vec<String>,
}

impl App {
    pub fn new(options: Options) -> Result<Arc<App>, String> {
        let config = options.config.checked()?;
        let accounts = config
            .accounts
            .iter()
            .map(|a| {
                (
                    a.access_key_id.clone(),
                    Account {
                        access_key_id: a.access_key_id.clone(),
                        secret_access_key: a.secret_access_key.clone(),
                        zones: a.zones.clone(),
                    },
                )
            })
            .collect();
        let store = Store::new(&config, options.state_file.clone())?;
        let upstream_iaas = options
            .upstream_iaas
            .as_deref()
            .map(Upstream::parse)
            .transpose()?;
        let upstream_ehpc = options
            .upstream_ehpc
            .as_deref()
            .map(Upstream::parse)
            .transpose()?;
        let proxy = if upstream_iaas.is_some() || upstream_ehpc.is_some() {
            Some(Proxy::new()?)
        } else {
            None
        };
        let rng = match config.faults.seed {
            Some(seed) => Rng::new(seed),
            None => Rng::from_clock(),
        };
        Ok(Arc::new(App {
            accounts,
            store,
            max_skew_s: config.max_clock_skew_s,
            faults: RwLock::new(config.faults.clone()),
            rng,
            log: Log::new(options.log_requests),
            www: options.www,
            pkg: options.pkg,
            upstream_iaas,
            upstream_ehpc,
            proxy,
            allow_origins: options.allow_origins,
        }))
    }

    pub fn faults(&self) -> FaultConfig {
        self.faults
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, if it is allowed.
    fn cors_origin(&self, origin: Option<&HeaderValue>) -> Option<HeaderValue> {
        let origin = origin?;
        if self.allow_origins.iter().any(|o| o == "*") {
            return Some(HeaderValue::from_static("*"));
        }
        let text = origin.to_str().ok()?;
        self.allow_origins
            .iter()
            .any(|o| o.trim_end_matches('/') == text)
            .then(|| origin.clone())
    }

    pub fn set_faults(&self, faults: FaultConfig) {
        if let Some(seed) = faults.seed {
            self.rng.reseed(seed);
        }
        *self.faults.write().unwrap_or_else(|e| e.into_inner()) = faults;
    }
}

/// Which part of the sandbox a path belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Iaas,
    Ehpc,
    Control,
    Static,
}

fn route(path: &str) -> Route {
    if path == "/iaas" || path.starts_with("/iaas/") {
        Route::Iaas
    } else if path == "/api" || path.starts_with("/api/") {
        Route::Ehpc
    } else if path.starts_with("/_sandbox/") {
        Route::Control
    } else {
        Route::Static
    }
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

fn respond(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn json(status: u16, body: impl Into<Bytes>) -> Response<Body> {
    // Exactly `application/json`: `qingcloud-hpc` only reads a successful answer's body when the
    // content type is that string.
    respond(status, "application/json", body)
}

/// The error hyper gets to close a connection without answering.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

/// A body that announces its full length, sends its first half, waits for it to be flushed and
/// then fails, so that the connection closes in the middle of the answer.
struct TruncatedBody {
    first_half: Option<Bytes>,
    declared: u64,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl hyper::body::Body for TruncatedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if let Some(chunk) = self.first_half.take() {
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        match self.pause.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => {
                Poll::Ready(Some(Err("answer truncated by an injected fault".into())))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        false
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.declared)
    }
}

fn truncate(response: Response<Body>, body: Bytes) -> Response<Body> {
    let (mut parts, _) = response.into_parts();
    let declared = body.len().max(2) as u64;
    parts.headers.remove(CONTENT_LENGTH);
    let truncated = TruncatedBody {
        first_half: Some(body.slice(..body.len() / 2)),
        declared,
        pause: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
    };
    Response::from_parts(parts, truncated.boxed())
}

fn injected(fault: Fault) -> (u16, &'static str, Bytes, Option<i64>) {
    match fault {
        Fault::Busy => {
            let reply: Reply = ApiError::busy().into();
            (200, "application/json", reply.body.into(), Some(5100))
        }
        Fault::Internal => {
            let reply: Reply =
                ApiError::internal("the server met an unexpected error, please try again").into();
            (200, "application/json", reply.body.into(), Some(5000))
        }
        Fault::Malformed => (
            200,
            "application/json",
            Bytes::from_static(b"{\"ret_code\": 0, \"action\": \"Describ"),
            None,
        ),
        Fault::Http(status) => {
            let reason = StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error");
            let page = format!(
                "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
            );
            (status, "text/html", page.into(), None)
        }
        // Handled by the caller.
        Fault::Truncated | Fault::Drop => (200, "text/plain", Bytes::new(), None),
    }
}

fn ret_code_of(body: &[u8]) -> Option<i64> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()?
        .get("ret_code")?
        .as_i64()
}

/// Whether the `Host` header names this machine's loopback (any port); no header is fine.
fn host_allowed(host: Option<&HeaderValue>) -> bool {
    let Some(host) = host else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default()
    };
    matches!(
        name.to_ascii_lowercase().as_str(),
        "127.0.0.1" | "localhost" | "::1"
    )
}

struct Summary {
    action: Option<String>,
    access_key_id: Option<String>,
}

async fn handle(app: Arc<App>, request: Request<Incoming>) -> Result<Response<Body>, Dropped> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    if !host_allowed(request.headers().get(HOST)) {
        // DNS rebinding: a page elsewhere must not reach the sandbox through a name of its own.
        return Ok(respond(
            403,
            "text/plain; charset=utf-8",
            "the sandbox only answers requests addressed to 127.0.0.1 or localhost\n",
        ));
    }
    let route = route(&path);
    let cors = match route {
        Route::Static => None,
        _ => app.cors_origin(request.headers().get(ORIGIN)),
    };
    if method == Method::OPTIONS && route != Route::Static {
        return Ok(preflight(cors, request.headers()));
    }
    let mut entry = Entry {
        time: qingcloud_useradd::timestamp::format_timestamp(now_ms() / 1000),
        method: clean(method.as_str()),
        path: clean(&path),
        api: match route {
            Route::Iaas => "iaas",
            Route::Ehpc => "ehpc",
            Route::Control => "control",
            Route::Static => "static",
        },
        action: None,
        access_key_id: None,
        ret_code: None,
        status: None,
        result: String::new(),
        duration_ms: 0.0,
    };
    let outcome = match route {
        Route::Iaas | Route::Ehpc => api(&app, request, route, &mut entry).await,
        Route::Control => Ok(control(&app, request).await),
        Route::Static => Ok(static_file(&app, &method, &path).await),
    };
    entry.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    match &outcome {
        Ok(response) => {
            entry.status = Some(response.status().as_u16());
            if entry.result.is_empty() {
                entry.result = if response.status().is_success() {
                    "ok".into()
                } else {
                    "error".into()
                };
            }
        }
        Err(_) => entry.result = "dropped".into(),
    }
    app.log.record(entry);
    match (outcome, cors) {
        (Ok(mut response), Some(origin)) => {
            let headers = response.headers_mut();
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(VARY, HeaderValue::from_static("Origin"));
            Ok(response)
        }
        (outcome, _) => outcome,
    }
}

/// The answer to a CORS preflight: allowed only for the configured origins.
fn preflight(origin: Option<HeaderValue>, request: &hyper::HeaderMap) -> Response<Body> {
    let mut response = respond(204, "text/plain; charset=utf-8", Bytes::new());
    let Some(origin) = origin else {
        *response.status_mut() = StatusCode::FORBIDDEN;
        return response;
    };
    let headers = response.headers_mut();
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(VARY, HeaderValue::from_static("Origin"));
    headers.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    let asked = request
        .get(ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("content-type, x-sandbox-fault"));
    headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, asked);
    headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}

async fn static_file(app: &App, method: &Method, path: &str) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        return respond(405, "text/plain; charset=utf-8", "method not allowed\n");
    }
    let file = match path.strip_prefix("/pkg/") {
        Some(rest) => static_files::serve(&app.pkg, rest).await,
        None => static_files::serve(&app.www, path.trim_start_matches('/')).await,
    };
    let mut response = respond(file.status, file.content_type, file.body);
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Reads a request body of at most [`MAX_REQUEST_BODY`] bytes, within [`BODY_TIMEOUT`].
async fn read_body(body: Incoming) -> Result<Bytes, ()> {
    let collected =
        tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, MAX_REQUEST_BODY).collect())
            .await
            .map_err(|_| ())?;
    collected.map(|c| c.to_bytes()).map_err(|_| ())
}

async fn api(
    app: &App,
    request: Request<Incoming>,
    route: Route,
    entry: &mut Entry,
) -> Result<Response<Body>, Dropped> {
    let mut plan: Plan = app.faults().draw(&app.rng);
    if let Some(value) = request.headers().get(faults::FAULT_HEADER) {
        match faults::parse_header(value.to_str().unwrap_or("?")) {
            Ok(asked) => {
                plan.latency_ms = plan.latency_ms.saturating_add(asked.latency_ms);
                if asked.fault.is_some() {
                    plan.fault = asked.fault;
                }
            }
            Err(e) => {
                entry.result = "error".into();
                return Ok(respond(
                    400,
                    "text/plain; charset=utf-8",
                    format!("bad {} header: {e}\n", faults::FAULT_HEADER),
                ));
            }
        }
    }
    if plan.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(
            plan.latency_ms.min(faults::MAX_LATENCY_MS),
        ))
        .await;
    }
    let (parts, body) = request.into_parts();
    let Ok(body) = read_body(body).await else {
        entry.result = "error".into();
        return Ok(respond(
            413,
            "text/plain; charset=utf-8",
            "request body too large or unreadable\n",
        ));
    };
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = form::decode_pairs(parts.uri.query().unwrap_or_default());
    let mut pairs = query.clone();
    if route == Route::Iaas && parts.method == Method::POST {
        pairs.extend(form::decode_pairs(&String::from_utf8_lossy(&body)));
    }
    let summary = Summary {
        action: match route {
            Route::Iaas => form::get(&pairs, "action").map(clean),
            _ => Some(ehpc::action_name(&method, &path).to_string()),
        },
        access_key_id: form::get(&pairs, "access_key_id").map(clean),
    };
    entry.action = summary.action;
    entry.access_key_id = summary.access_key_id;

    if let Some(fault) = plan.fault {
        match fault {
            Fault::Drop => return Err(Dropped),
            Fault::Truncated => {}
            other => {
                entry.result = format!("fault:{}", other.name());
                let (status, content_type, body, ret_code) = injected(other);
                entry.ret_code = ret_code;
                return Ok(respond(status, content_type, body));
            }
        }
    }

    let upstream = match route {
        Route::Iaas => app.upstream_iaas.as_ref(),
        _ => app.upstream_ehpc.as_ref(),
    };
    let (response, body_bytes) = match (upstream, &app.proxy) {
        (Some(upstream), Some(proxy)) => {
            let path_and_query = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            match proxy
                .forward(
                    upstream,
                    &parts.method,
                    path_and_query,
                    &parts.headers,
                    body,
                )
                .await
            {
                Ok(forwarded) => {
                    entry.result = "proxied".into();
                    entry.ret_code = ret_code_of(&forwarded.body);
                    let mut response = Response::new(full(forwarded.body.clone()));
                    *response.status_mut() = forwarded.status;
                    *response.headers_mut() = forwarded.headers;
                    (response, forwarded.body)
                }
                Err(e) => {
                    app.log.note(format!("proxy error: {e}"));
                    let error = ApiError::internal(format!("the sandbox proxy failed: {e}"));
                    entry.ret_code = Some(error.ret_code);
                    entry.result = "error".into();
                    let body = Bytes::from(error.to_json());
                    (json(502, body.clone()), body)
                }
            }
        }
        _ => {
            let now_s = now_ms().div_euclid(1000);
            let handled: Handled = match route {
                Route::Iaas if parts.method == Method::GET || parts.method == Method::POST => {
                    iaas::handle(
                        &app.accounts,
                        &app.store,
                        &method,
                        &pairs,
                        now_s,
                        app.max_skew_s,
                    )
                }
                Route::Iaas => ApiError::unknown_action(format!(
                    "method [{}] is not allowed, use GET or POST",
                    clean(&method)
                ))
                .into(),
                _ => ehpc::handle(
                    &app.accounts,
                    &app.store,
                    &method,
                    &path,
                    &query,
                    &body,
                    now_s,
                    app.max_skew_s,
                ),
            };
            if handled.mutated {
                if let Err(e) = app.store.persist().await {
                    app.log.note(format!("state file error: {e}"));
                }
            }
            entry.ret_code = Some(handled.reply.ret_code);
            entry.result = if handled.reply.ret_code == 0 {
                "ok".into()
            } else {
                "error".into()
            };
            let body = Bytes::from(handled.reply.body);
            (json(200, body.clone()), body)
        }
    };
    if plan.fault == Some(Fault::Truncated) {
        entry.result = "fault:truncated".into();
        return Ok(truncate(response, body_bytes));
    }
    Ok(response)
}

#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ResetRequest {
    /// Also put clusters and users back as configured and forget every job.
    state: bool,
}

async fn control(app: &App, request: Request<Incoming>) -> Response<Body> {
    let method = request.method().clone();
    let path = request.uri().path().trim_end_matches('/').to_string();
    let body = match read_body(request.into_body()).await {
        Ok(body) => body,
        Err(()) => return json(413, r#"{"error":"request body too large"}"#),
    };
    let error = |status: u16, message: String| {
        json(status, serde_json::json!({ "error": message }).to_string())
    };
    match (method.as_str(), path.as_str()) {
        ("GET", "/_sandbox/requests") => json(
            200,
            serde_json::to_string(&app.log.recent()).unwrap_or_else(|_| "[]".into()),
        ),
        ("POST", "/_sandbox/reset") => {
            let reset: ResetRequest = if body.iter().all(u8::is_ascii_whitespace) {
                ResetRequest::default()
            } else {
                match serde_json::from_slice(&body) {
                    Ok(reset) => reset,
                    Err(e) => return error(400, format!("invalid reset request: {e}")),
                }
            };
            app.log.clear();
            if reset.state {
                app.store.reset();
                if let Err(e) = app.store.persist().await {
                    return error(500, e);
                }
            }
            json(200, r#"{"ok":true}"#)
        }
        ("GET", "/_sandbox/faults") => json(
            200,
            serde_json::to_string(&app.faults()).unwrap_or_else(|_| "{}".into()),
        ),
        ("POST", "/_sandbox/faults") => match serde_json::from_slice::<FaultConfig>(&body) {
            Ok(faults) => {
                app.set_faults(faults);
                json(
                    200,
                    serde_json::to_string(&app.faults()).unwrap_or_else(|_| "{}".into()),
                )
            }
            Err(e) => error(400, format!("invalid fault config: {e}")),
        },
        ("GET", "/_sandbox/users") => json(200, app.store.users_overview().to_string()),
        ("GET", "/_sandbox/health") => json(200, r#"{"ok":true}"#),
        _ => error(
            404,
            format!("no control endpoint {method} {}", clean(&path)),
        ),
    }
}

/// Serves until `shutdown` completes, then closes every connection and writes the state file.
pub async fn serve<F>(app: Arc<App>, listener: TcpListener, shutdown: F)
where
    F: Future<Output = ()>,
{
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Out of file descriptors and the like: wait instead of spinning.
                        app.log.note(format!("accept failed: {e}"));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| handle(app.clone(), request));
                    let _ = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(Duration::from_secs(60))
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
    if let Err(e) = app.store.persist().await {
        app.log.note(format!("state file error: {e}"));
    }
}

/// A sandbox running on a tokio task, for tests and the benchmark.
pub struct Running {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, closes connections and writes the state file.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Starts a sandbox on 127.0.0.1:`port` (0 picks a free port).
pub async fn start(options: Options, port: u16) -> Result<Running, String> {
    let app = App::new(options)?;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(app.clone(), listener, async move {
        let _ = stopped.await;
    }));
    Ok(Running {
        addr,
        app,
        stop: Some(stop),
        task,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts() {
        let ok = |h: &str| host_allowed(Some(&HeaderValue::from_str(h).expect("header")));
        for good in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "localhost:1",
            "LOCALHOST",
            "[::1]:80",
        ] {
            assert!(ok(good), "{good}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "127.0.0.1.evil.example",
            "[::2]:80",
            "",
        ] {
            assert!(!ok(bad), "{bad}");
        }
        assert!(host_allowed(None));
    }
}
