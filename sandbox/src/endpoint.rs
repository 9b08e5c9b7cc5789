//! `/iaas/` and `/api/`: faults first, then the request answered locally or forwarded upstream.

use crate::api::{ApiError, Reply};
use crate::app::App;
use crate::faults::{self, Fault, FaultConfig, Plan};
use crate::iaas::Handled;
use crate::log::{clean, SentBytes, Summary};
use crate::state::now_ms;
use crate::{ehpc, form, iaas, proxy};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// The largest request body read (enforced by the server's body limit layer).
pub const MAX_REQUEST_BODY: usize = 1 << 20;

/// Marks a response whose connection must be closed without answering (the `drop` fault).
#[derive(Clone, Copy, Debug)]
pub struct DropConnection;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Api {
    Iaas,
    Ehpc,
}

pub async fn iaas(State(app): State<Arc<App>>, request: Request) -> Response {
    handle(&app, Api::Iaas, request).await
}

pub async fn ehpc(State(app): State<Arc<App>>, request: Request) -> Response {
    handle(&app, Api::Ehpc, request).await
}

pub fn respond(status: StatusCode, content_type: &str, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub fn json(status: StatusCode, body: impl Into<Body>) -> Response {
    // Exactly `application/json`: `qingcloud-hpc` only reads a successful answer's body when the
    // content type is that string.
    respond(status, "application/json", body)
}

fn text(status: StatusCode, message: String) -> Response {
    respond(status, "text/plain; charset=utf-8", message)
}

/// A body that announces its full length, sends its first half, waits for it to be flushed and
/// then fails, so that the connection closes in the middle of the answer.
struct TruncatedBody {
    first_half: Option<Bytes>,
    declared: u64,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for TruncatedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
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

fn truncate(response: Response, body: Bytes) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_LENGTH);
    let truncated = TruncatedBody {
        declared: body.len().max(2) as u64,
        first_half: Some(body.slice(..body.len() / 2)),
        pause: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
    };
    Response::from_parts(parts, Body::new(truncated))
}

/// JSON's white space for as long as the client reads it, up to [`faults::ENDLESS_MOST_BYTES`],
/// counted in `sent` as it goes.
struct EndlessBody {
    chunk: Bytes,
    sent: SentBytes,
}

impl http_body::Body for EndlessBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let sent = self.sent.0.load(Ordering::Relaxed);
        if sent >= faults::ENDLESS_MOST_BYTES {
            return Poll::Ready(None);
        }
        self.sent
            .0
            .fetch_add(self.chunk.len() as u64, Ordering::Relaxed);
        Poll::Ready(Some(Ok(Frame::data(self.chunk.clone()))))
    }
}

/// An answer without end (the `endless` fault), and the count of what it sent.
fn endless() -> (Response, SentBytes) {
    let sent = SentBytes::default();
    let body = EndlessBody {
        chunk: Bytes::from(vec![b' '; 64 << 10]),
        sent: sent.clone(),
    };
    (json(StatusCode::OK, Body::new(body)), sent)
}

/// The answer of an injected fault other than `drop`, `truncated` and `endless`, with its `ret_code`.
fn injected(fault: Fault) -> (Response, Option<i64>) {
    let api_error = |error: ApiError| {
        let code = error.ret_code;
        let reply: Reply = error.into();
        (json(StatusCode::OK, reply.body), Some(code))
    };
    match fault {
        Fault::Busy | Fault::Capacity => api_error(ApiError::busy()),
        Fault::Internal => api_error(ApiError::internal(
            "the server met an unexpected error, please try again",
        )),
        Fault::Malformed => (
            json(
                StatusCode::OK,
                Bytes::from_static(b"{\"ret_code\": 0, \"action\": \"Describ"),
            ),
            None,
        ),
        Fault::Http(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            let page = format!(
                "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
            );
            (respond(status, "text/html", page), None)
        }
        // Handled by the caller.
        Fault::Truncated | Fault::Drop | Fault::Endless => (Response::new(Body::empty()), None),
    }
}

/// 413 for a body over the limit; 408 for one that stalled (or broke off).
fn unreadable(error: &axum::Error) -> Response {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        if e.is::<http_body_util::LengthLimitError>() {
            let message = format!("request body larger than {MAX_REQUEST_BODY} bytes\n");
            return text(StatusCode::PAYLOAD_TOO_LARGE, message);
        }
        cause = e.source();
    }
    let message = "request body not received in time\n".to_string();
    text(StatusCode::REQUEST_TIMEOUT, message)
}

fn ret_code_of(body: &[u8]) -> Option<i64> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()?
        .get("ret_code")?
        .as_i64()
}

fn with_summary(mut response: Response, summary: Summary) -> Response {
    response.extensions_mut().insert(summary);
    response
}

/// This request's faults: the configured shares, then the `X-Sandbox-Fault` header.
fn plan(app: &App, config: &FaultConfig, request: &Request) -> Result<Plan, String> {
    let mut plan = config.draw(&app.rng);
    if let Some(value) = request.headers().get(faults::FAULT_HEADER) {
        let asked = faults::parse_header(value.to_str().unwrap_or("?"))?;
        plan.latency_ms = plan.latency_ms.saturating_add(asked.latency_ms);
        if asked.fault.is_some() {
            plan.fault = asked.fault;
        }
    }
    Ok(plan)
}

async fn handle(app: &App, api: Api, request: Request) -> Response {
    let mut summary = Summary::default();
    let config = app.faults();
    let mut plan = match plan(app, &config, &request) {
        Ok(plan) => plan,
        Err(e) => {
            summary.result = "error".into();
            let message = format!("bad {} header: {e}\n", faults::FAULT_HEADER);
            return with_summary(text(StatusCode::BAD_REQUEST, message), summary);
        }
    };
    // Held until this handler returns or is dropped; a refused request holds none.
    let slot = app.in_flight.enter(config.capacity);
    if slot.is_none() {
        plan = Plan {
            latency_ms: 0,
            fault: Some(Fault::Capacity),
        };
    }
    if plan.latency_ms > 0 {
        let latency = plan.latency_ms.min(faults::MAX_LATENCY_MS);
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let (parts, body) = request.into_parts();
    // The body limit and timeout layers bound what this reads.
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(e) => {
            summary.result = "error".into();
            return with_summary(unreadable(&e), summary);
        }
    };
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = form::decode_pairs(parts.uri.query().unwrap_or_default());
    let mut pairs = query.clone();
    if api == Api::Iaas && parts.method == Method::POST {
        pairs.extend(form::decode_pairs(&String::from_utf8_lossy(&body)));
    }
    summary.action = match api {
        Api::Iaas => form::get(&pairs, "action").map(clean),
        Api::Ehpc => Some(ehpc::action_name(&method, &path).to_string()),
    };
    summary.access_key_id = form::get(&pairs, "access_key_id").map(clean);

    match plan.fault {
        Some(Fault::Drop) => {
            summary.result = "dropped".into();
            let mut response = with_summary(Response::new(Body::empty()), summary);
            response.extensions_mut().insert(DropConnection);
            return response;
        }
        Some(Fault::Endless) => {
            summary.result = "fault:endless".into();
            let (response, sent) = endless();
            summary.sent_bytes = Some(sent);
            return with_summary(response, summary);
        }
        Some(Fault::Truncated) | None => {}
        Some(other) => {
            summary.result = format!("fault:{}", other.name());
            let (response, ret_code) = injected(other);
            summary.ret_code = ret_code;
            return with_summary(response, summary);
        }
    }

    let upstream = match api {
        Api::Iaas => app.upstream_iaas.as_ref(),
        Api::Ehpc => app.upstream_ehpc.as_ref(),
    };
    let (response, body_bytes) = match (upstream, &app.proxy) {
        (Some(upstream), Some(proxy)) => {
            if let Err(e) = proxy::check_path(parts.uri.path()) {
                summary.result = "error".into();
                return with_summary(text(StatusCode::BAD_REQUEST, format!("{e}\n")), summary);
            }
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
                    summary.result = "proxied".into();
                    summary.ret_code = ret_code_of(&forwarded.body);
                    let mut response = Response::new(Body::from(forwarded.body.clone()));
                    *response.status_mut() = forwarded.status;
                    *response.headers_mut() = forwarded.headers;
                    (response, forwarded.body)
                }
                Err(e) => {
                    app.log.note(format!("proxy error: {e}"));
                    let error = ApiError::internal(format!("the sandbox proxy failed: {e}"));
                    summary.ret_code = Some(error.ret_code);
                    summary.result = "error".into();
                    let body = Bytes::from(error.to_json());
                    (json(StatusCode::BAD_GATEWAY, body.clone()), body)
                }
            }
        }
        _ => {
            let handled = answer_locally(app, api, &parts.method, &path, &pairs, &query, &body);
            if handled.mutated {
                if let Err(e) = app.store.persist().await {
                    app.log.note(format!("state file error: {e}"));
                }
            }
            summary.ret_code = Some(handled.reply.ret_code);
            summary.result = if handled.reply.ret_code == 0 {
                "ok".into()
            } else {
                "error".into()
            };
            let body = Bytes::from(handled.reply.body);
            (json(StatusCode::OK, body.clone()), body)
        }
    };
    if plan.fault == Some(Fault::Truncated) {
        summary.result = "fault:truncated".into();
        return with_summary(truncate(response, body_bytes), summary);
    }
    with_summary(response, summary)
}

fn answer_locally(
    app: &App,
    api: Api,
    method: &Method,
    path: &str,
    pairs: &[(String, String)],
    query: &[(String, String)],
    body: &[u8],
) -> Handled {
    let now_s = now_ms().div_euclid(1000);
    match api {
        Api::Iaas if method == Method::GET || method == Method::POST => iaas::handle(
            &app.accounts,
            &app.store,
            method.as_str(),
            pairs,
            now_s,
            app.max_skew_s,
        ),
        Api::Iaas => ApiError::unknown_action(format!(
            "method [{}] is not allowed, use GET or POST",
            clean(method.as_str())
        ))
        .into(),
        Api::Ehpc => ehpc::handle(
            &app.accounts,
            &app.store,
            method.as_str(),
            path,
            query,
            body,
            now_s,
            app.max_skew_s,
        ),
    }
}
