//! Sending requests with `fetch` (the global one, so it works in pages, workers and Node), with a
//! time limit, the caller's `AbortSignal`, and bounded retries of busy answers.

use crate::messages::Lang;
use crate::request::HttpRequest;
use crate::response::{backoff_ms, parse_response, ApiError};
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

// The timer and `fetch` plumbing, which is a few lines of JavaScript and much more code through
// web-sys closures. What to send, and what an answer means, stays in Rust.
#[wasm_bindgen(inline_js = r#"
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject();
    const onAbort = () => { clearTimeout(timer); reject(); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
export async function fetchText(url, method, headers, body, timeoutMs, signal) {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const init = { method, headers, body: body ?? undefined, signal: signal ? AbortSignal.any([signal, timeout]) : timeout };
    const response = await fetch(url, init);
    return [response.status, await response.text()];
  } catch (error) {
    if (signal?.aborted) return [-1, 'aborted'];
    if (timeout.aborted) return [-1, 'timeout'];
    return [-1, 'network', `${error?.name ?? 'Error'}: ${error?.message ?? error}`];
  }
}
"#)]
extern "C" {
    /// Resolves after `ms`; rejects as soon as `signal` fires, and then leaves no listener behind.
    #[wasm_bindgen(js_name = sleep)]
    fn js_sleep(ms: u32, signal: Option<&AbortSignal>) -> Promise;
    /// Resolves to `[status, text]`, or to `[-1, 'aborted' | 'timeout' | 'network', detail]`.
    #[wasm_bindgen(js_name = fetchText)]
    fn fetch_text(
        url: &str,
        method: &str,
        headers: &JsValue,
        body: Option<&str>,
        timeout_ms: u32,
        signal: Option<&AbortSignal>,
    ) -> Promise;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buffer: &mut [u8]);
}

/// How one request is sent.
#[derive(Clone, Debug)]
pub struct SendPolicy {
    pub timeout_ms: u32,
    /// Attempts in all, the first included; only busy answers (5000, 5100) are tried again.
    pub max_attempts: u32,
    pub retry_base_ms: u32,
    pub retry_cap_ms: u32,
    pub lang: Lang,
}

impl Default for SendPolicy {
    fn default() -> Self {
        SendPolicy {
            timeout_ms: 30_000,
            max_attempts: 3,
            retry_base_ms: 250,
            retry_cap_ms: 5_000,
            lang: Lang::En,
        }
    }
}

/// 32 random hex digits, as the IaaS SDK's `uuid4().hex`.
pub fn random_req_id() -> String {
    let mut bytes = [0u8; 16];
    get_random_values(&mut bytes);
    crate::encoding::lower_hex(&bytes)
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Resolves after `ms`, or fails as aborted as soon as `signal` fires.
pub async fn sleep(ms: u32, signal: Option<&AbortSignal>, lang: Lang) -> Result<(), ApiError> {
    JsFuture::from(js_sleep(timer_ms(ms), signal))
        .await
        .map(|_| ())
        .map_err(|_| ApiError::aborted(lang))
}

/// A delay as JavaScript timers take it: they fire at once for anything above `i32::MAX`.
fn timer_ms(ms: u32) -> u32 {
    ms.min(i32::MAX as u32)
}

/// Sends once: the parsed answer when `ret_code` is 0, the error otherwise.
pub async fn send_once(
    request: &HttpRequest,
    policy: &SendPolicy,
    signal: Option<&AbortSignal>,
) -> Result<JsValue, ApiError> {
    let lang = policy.lang;
    let headers = crate::js::headers(&request.headers);
    let outcome = fetch_text(
        &request.url,
        request.method.as_str(),
        &headers,
        request.body.as_deref(),
        timer_ms(policy.timeout_ms),
        signal,
    );
    // `fetchText` never rejects.
    let outcome: Array = JsFuture::from(outcome).await.unwrap_or_default().into();
    let (first, second) = (outcome.get(0), outcome.get(1));
    match (first.as_f64(), second.as_string().unwrap_or_default()) {
        (Some(status), body) if status >= 0.0 => {
            parse_response(status as u16, js_sys::JSON::parse(&body).ok(), lang)
        }
        (_, kind) if kind == "aborted" => Err(ApiError::aborted(lang)),
        (_, kind) if kind == "timeout" => Err(ApiError::timeout(policy.timeout_ms, lang)),
        _ => {
            let detail = outcome.get(2).as_string().unwrap_or_default();
            Err(ApiError::network(&detail, lang))
        }
    }
}

/// Sends, trying busy answers again with exponential backoff and full jitter.
pub async fn send(
    request: &HttpRequest,
    policy: &SendPolicy,
    signal: Option<&AbortSignal>,
) -> Result<JsValue, ApiError> {
    let mut attempt = 0;
    loop {
        match send_once(request, policy, signal).await {
            Err(error) if error.is_retryable() && attempt + 1 < policy.max_attempts.max(1) => {
                let delay = backoff_ms(
                    attempt,
                    policy.retry_base_ms,
                    policy.retry_cap_ms,
                    js_sys::Math::random(),
                );
                sleep(delay, signal, policy.lang).await?;
                attempt += 1;
            }
            result => return result,
        }
    }
}
