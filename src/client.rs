//! Sending requests with `fetch` (the global one, so it works in pages, workers and Node), with a
//! time limit, the caller's `AbortSignal`, and bounded retries of busy answers.

use crate::messages::Lang;
use crate::request::HttpRequest;
use crate::response::{backoff_ms, parse_response, ApiError};
use js_sys::{Function, Promise};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` of pages, workers and Node.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch_with_init(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
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
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Resolves after `ms`, or fails as aborted as soon as `signal` fires.
pub async fn sleep(ms: u32, signal: Option<&AbortSignal>, lang: Lang) -> Result<(), ApiError> {
    if signal.is_some_and(AbortSignal::aborted) {
        return Err(ApiError::aborted(lang));
    }
    let promise = Promise::new(&mut |resolve, reject| {
        let handle = set_timeout(&resolve, ms.min(i32::MAX as u32) as i32);
        if let Some(signal) = signal {
            let on_abort = Closure::once_into_js(move || {
                clear_timeout(&handle);
                let _ = reject.call0(&JsValue::UNDEFINED);
            });
            let _ = signal.add_event_listener_with_callback("abort", on_abort.unchecked_ref());
        }
    });
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| ApiError::aborted(lang))
}

/// Sends once: the parsed answer when `ret_code` is 0, the error otherwise.
pub async fn send_once(
    request: &HttpRequest,
    policy: &SendPolicy,
    signal: Option<&AbortSignal>,
) -> Result<JsValue, ApiError> {
    let lang = policy.lang;
    if signal.is_some_and(AbortSignal::aborted) {
        return Err(ApiError::aborted(lang));
    }
    let controller = AbortController::new()
        .map_err(|_| ApiError::network("AbortController is not available", lang))?;
    let timed_out = Rc::new(Cell::new(false));
    let timer = {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        let on_timeout = Closure::once_into_js(move || {
            timed_out.set(true);
            controller.abort();
        });
        set_timeout(
            on_timeout.unchecked_ref(),
            policy.timeout_ms.min(i32::MAX as u32) as i32,
        )
    };
    if let Some(signal) = signal {
        let controller = controller.clone();
        let on_abort = Closure::once_into_js(move || controller.abort());
        let _ = signal.add_event_listener_with_callback("abort", on_abort.unchecked_ref());
    }
    let result = fetch_text(request, &controller.signal()).await;
    clear_timeout(&timer);
    match result {
        Ok((status, body)) => parse_response(status, js_sys::JSON::parse(&body).ok(), lang),
        Err(_) if signal.is_some_and(AbortSignal::aborted) => Err(ApiError::aborted(lang)),
        Err(_) if timed_out.get() => Err(ApiError::timeout(policy.timeout_ms, lang)),
        Err(detail) => Err(ApiError::network(&detail, lang)),
    }
}

/// The status and text of the answer; the error is what `fetch` threw, as `name: message`.
async fn fetch_text(request: &HttpRequest, signal: &AbortSignal) -> Result<(u16, String), String> {
    let init = RequestInit::new();
    init.set_method(request.method.as_str());
    let headers = js_sys::Object::new();
    for (name, value) in &request.headers {
        crate::js::set(&headers, name, &JsValue::from_str(value));
    }
    init.set_headers(&headers);
    if let Some(body) = &request.body {
        init.set_body(&JsValue::from_str(body));
    }
    init.set_signal(Some(signal));
    let describe = |error: JsValue| match error.dyn_ref::<js_sys::Error>() {
        Some(error) => format!(
            "{}: {}",
            String::from(error.name()),
            String::from(error.message())
        ),
        None => "fetch failed".to_string(),
    };
    let response: Response =
        JsFuture::from(fetch_with_init(&request.url, &init).map_err(describe)?)
            .await
            .map_err(describe)?
            .unchecked_into();
    let status = response.status();
    let text = JsFuture::from(response.text().map_err(describe)?)
        .await
        .map_err(describe)?;
    Ok((status, text.as_string().unwrap_or_default()))
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
