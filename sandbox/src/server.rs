//! The HTTP server: the axum router with its layers, and the accept loop (connection cap, raw
//! hyper connections so that a fault can drop one).

use crate::app::App;
use crate::endpoint::{self, DropConnection, MAX_REQUEST_BODY};
use crate::{control, faults, log, static_files};
use axum::extract::Request;
use axum::http::header::{HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN, HOST};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// The longest a request may take in all: the longest latency fault, a slow body and upstream.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(240);

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

/// DNS rebinding: a page elsewhere must not reach the sandbox through a name of its own.
async fn loopback_only(request: Request, next: Next) -> Response {
    if host_allowed(request.headers().get(HOST)) {
        return next.run(request).await;
    }
    endpoint::respond(
        StatusCode::FORBIDDEN,
        "text/plain; charset=utf-8",
        "the sandbox only answers requests addressed to 127.0.0.1 or localhost\n",
    )
}

/// CORS for `--allow-origin`; by default none, as on the real endpoints.
fn cors(app: &Arc<App>) -> CorsLayer {
    let origins = if app.allow_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let app = app.clone();
        AllowOrigin::predicate(move |origin, _| app.origin_allowed(origin.as_bytes()))
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(AllowHeaders::mirror_request())
        .max_age(Duration::from_secs(600))
}

/// An `OPTIONS` request (a preflight) that the CORS layer did not allow is refused outright.
async fn refuse_disallowed_preflight(request: Request, next: Next) -> Response {
    let preflight = request.method() == Method::OPTIONS;
    let mut response = next.run(request).await;
    if preflight && !response.headers().contains_key(ACCESS_CONTROL_ALLOW_ORIGIN) {
        *response.status_mut() = StatusCode::FORBIDDEN;
    }
    response
}

/// Every route and layer of the sandbox.
pub fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route("/iaas", any(endpoint::iaas))
        .route("/iaas/", any(endpoint::iaas))
        .route("/iaas/{*rest}", any(endpoint::iaas))
        .route("/api", any(endpoint::ehpc))
        .route("/api/", any(endpoint::ehpc))
        .route("/api/{*rest}", any(endpoint::ehpc))
        .merge(control::routes(app.clone()))
        .layer(cors(&app))
        .layer(middleware::from_fn(refuse_disallowed_preflight))
        .with_state(app.clone());
    api.fallback_service(static_files::service(&app.www, &app.pkg))
        .layer(middleware::from_fn_with_state(app.clone(), log::layer))
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BODY))
        .layer(RequestBodyTimeoutLayer::new(app.body_timeout))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(middleware::from_fn(loopback_only))
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

/// Serves until `shutdown` completes, then closes every connection and writes the state file.
/// At most `app.max_connections` are served at once; further ones wait in the listen queue until
/// one closes.
pub async fn serve<F>(app: Arc<App>, listener: TcpListener, shutdown: F)
where
    F: Future<Output = ()>,
{
    let slots = Arc::new(Semaphore::new(app.max_connections));
    let router = router(app.clone());
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            _ = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => slot,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let Ok(slot) = slot else { break };
        let stream = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    app.log.note(format!("accept failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let header_timeout = app.header_timeout;
        let app = app.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let router = router.clone();
                let app = app.clone();
                async move {
                    // Other websites open in the browser may not name faults: an endless answer
                    // or a minute of latency each, as often as they like.
                    let request =
                        faults::fault_from_path(request.map(axum::body::Body::new), |headers| {
                            !control::from_other_site(&app, headers)
                        });
                    let response = match router.oneshot(request).await {
                        Ok(response) => response,
                        Err(never) => match never {},
                    };
                    if response.extensions().get::<DropConnection>().is_some() {
                        return Err(Dropped);
                    }
                    Ok(response)
                }
            });
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
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
pub async fn start(options: crate::Options, port: u16) -> Result<Running, String> {
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
