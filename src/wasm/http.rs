//! Sending signed requests with gloo-net (the global `fetch`, so pages, workers and Node alike),
//! each exchange bounded by a timeout made from an `AbortController`, the caller's `AbortSignal`
//! honoured, redirects refused, and failures retried by one loop that single and bulk sends share.

use crate::messages::Lang;
use crate::request::{HttpRequest, Method};
use crate::response::{
    answer_too_long, backoff_ms, parse_response, redirect_error, Answer, ApiError,
};
use futures::future::{select, Either, LocalBoxFuture};
use gloo_net::http::RequestBuilder;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, ReadableStreamDefaultReader, ReadableStreamReadResult,
    RequestRedirect, ResponseType,
};

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse`, of a text that stays in JavaScript: an answer is never copied into the module.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn parse_json(text: &JsValue) -> Result<JsValue, JsValue>;

    /// A UTF-8 `TextDecoder`, bound so that what it decodes stays a JavaScript string (web-sys's
    /// `decode` copies it into the module).
    #[wasm_bindgen(js_name = TextDecoder)]
    type Utf8Decoder;
    #[wasm_bindgen(constructor, js_class = "TextDecoder")]
    fn new() -> Utf8Decoder;
    /// `decode(chunk, options)`: with `{ stream: true }` for each chunk, then with neither for
    /// what is left.
    #[wasm_bindgen(catch, method, js_class = "TextDecoder", js_name = decode)]
    fn decode(this: &Utf8Decoder, chunk: &JsValue, options: &JsValue) -> Result<JsValue, JsValue>;
}

/// The longest answer that is read, in MiB: far longer than any answer of these APIs, and a bound
/// on what a hostile server can make the page hold.
const MAX_ANSWER_MIB: u32 = 4;

/// How requests are sent.
#[derive(Clone, Debug)]
pub struct SendPolicy {
    /// Milliseconds one HTTP exchange may take.
    pub timeout_ms: u32,
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub retry_base_ms: u32,
    pub retry_cap_ms: u32,
    pub lang: Lang,
}

impl SendPolicy {
    pub fn new(lang: Lang) -> Self {
        SendPolicy {
            timeout_ms: 30_000,
            max_attempts: 3,
            retry_base_ms: 250,
            retry_cap_ms: 5_000,
            lang,
        }
    }
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The platform's cryptographic random numbers, in pages, workers and Node alike.
    #[wasm_bindgen(catch, js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buffer: &mut [u8]) -> Result<JsValue, JsValue>;
}

/// 32 random hex digits, as the IaaS SDK's `uuid4().hex`.
pub fn random_req_id() -> String {
    let mut bytes = [0u8; 16];
    if get_random_values(&mut bytes).is_err() {
        // No Web Crypto: a request id only has to be unlikely to repeat.
        for byte in &mut bytes {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    crate::encoding::lower_hex(&bytes)
}

/// A delay as JavaScript timers take it: they fire at once for anything above `i32::MAX`.
fn timer_ms(ms: u32) -> u32 {
    ms.min(i32::MAX as u32)
}

/// Resolves when `signal` fires; stops listening when dropped.
struct AbortListener {
    signal: AbortSignal,
    listener: js_sys::Function,
}

impl AbortListener {
    fn new(signal: &AbortSignal, listener: js_sys::Function) -> Self {
        // Adding a listener to an `AbortSignal` cannot fail.
        let _ = signal.add_event_listener_with_callback("abort", &listener);
        AbortListener {
            signal: signal.clone(),
            listener,
        }
    }

    /// A future that resolves when `signal` fires, and the listener that makes it.
    fn fired(signal: &AbortSignal) -> (JsFuture, Self) {
        let mut resolve = None;
        let promise = js_sys::Promise::new(&mut |resolve_fn, _| resolve = Some(resolve_fn));
        let listener = resolve.unwrap_or_else(|| js_sys::Function::new_no_args(""));
        (
            JsFuture::from(promise),
            AbortListener::new(signal, listener),
        )
    }
}

impl Drop for AbortListener {
    fn drop(&mut self) {
        let _ = self
            .signal
            .remove_event_listener_with_callback("abort", &self.listener);
    }
}

/// Resolves after `ms`, or fails as aborted as soon as `signal` fires.
pub async fn sleep(ms: u32, signal: Option<&AbortSignal>, lang: Lang) -> Result<(), ApiError> {
    let timer = gloo_timers::future::TimeoutFuture::new(timer_ms(ms));
    let Some(signal) = signal else {
        timer.await;
        return Ok(());
    };
    if signal.aborted() {
        return Err(ApiError::aborted(lang));
    }
    let (fired, _listening) = AbortListener::fired(signal);
    match select(timer, fired).await {
        Either::Left(_) => Ok(()),
        Either::Right(_) => Err(ApiError::aborted(lang)),
    }
}

/// What ended an exchange that got no answer.
fn no_answer(
    detail: &str,
    signal: Option<&AbortSignal>,
    timed_out: &Cell<bool>,
    policy: &SendPolicy,
) -> ApiError {
    if signal.is_some_and(AbortSignal::aborted) {
        ApiError::aborted(policy.lang)
    } else if timed_out.get() {
        ApiError::timeout(policy.timeout_ms, policy.lang)
    } else {
        ApiError::network(detail, policy.lang)
    }
}

/// Sends once: the answer when `ret_code` is 0, the error otherwise.
pub async fn send_once(
    request: &HttpRequest,
    policy: &SendPolicy,
    signal: Option<&AbortSignal>,
) -> Result<Answer, ApiError> {
    let lang = policy.lang;
    if signal.is_some_and(AbortSignal::aborted) {
        return Err(ApiError::aborted(lang));
    }
    let controller = AbortController::new()
        .map_err(|_| ApiError::network("AbortController is not available", lang))?;
    // The fetch is aborted only by this controller, without a reason, so that it always rejects
    // with an `AbortError`: the caller's signal is linked to it rather than passed on.
    let _linked = signal.and_then(|signal| {
        let abort = js_sys::Reflect::get(&controller, &"abort".into()).ok()?;
        let abort: js_sys::Function = abort.dyn_into().ok()?;
        Some(AbortListener::new(
            signal,
            abort
                .bind1(&controller, &JsValue::UNDEFINED)
                .unchecked_into(),
        ))
    });
    let timed_out = Rc::new(Cell::new(false));
    let _timer = {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        gloo_timers::callback::Timeout::new(timer_ms(policy.timeout_ms), move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let method = match request.method {
        Method::Get => gloo_net::http::Method::GET,
        Method::Post => gloo_net::http::Method::POST,
    };
    let mut builder = RequestBuilder::new(&request.url)
        .method(method)
        // A signed request, password and all, is never sent on to another address.
        .redirect(RequestRedirect::Manual)
        .abort_signal(Some(&controller.signal()));
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let built = match &request.body {
        Some(body) => builder.body(body.as_str()),
        None => builder.build(),
    }
    .map_err(|e| ApiError::network(&e.to_string(), lang))?;
    let response = built
        .send()
        .await
        .map_err(|e| no_answer(&e.to_string(), signal, &timed_out, policy))?;
    let status = response.status();
    if response.type_() == ResponseType::Opaqueredirect || (300..400).contains(&status) {
        return Err(redirect_error(status, lang));
    }
    let text = match read_text(&web_sys::Response::from(response), MAX_ANSWER_MIB << 20).await {
        Ok(text) => text,
        Err(Unread::TooLong) => {
            // Aborting the fetch closes the connection: nothing more of the answer is received.
            controller.abort();
            return Err(answer_too_long(status, MAX_ANSWER_MIB, lang));
        }
        Err(Unread::Failed(e)) => {
            return Err(no_answer(&rejection(&e), signal, &timed_out, policy))
        }
    };
    // The platform's parser, then only the documented fields: nothing walks the rest.
    let parsed = parse_json(&text)
        .ok()
        .and_then(|json| serde_wasm_bindgen::from_value::<Answer>(json).ok());
    parse_response(status, parsed, lang)
}

/// Why an answer's text was not had.
enum Unread {
    /// Longer than the most that is read.
    TooLong,
    /// Reading it failed (a cut connection, the time limit, an abort).
    Failed(JsValue),
}

/// The answer's body as a JavaScript string, read and decoded chunk by chunk, and given up as
/// soon as it passes `max_bytes` (the caller then aborts the fetch), so a hostile server cannot
/// make the page hold more, nor a compressed answer expand to more. The text never enters the
/// module.
async fn read_text(response: &web_sys::Response, max_bytes: u32) -> Result<JsValue, Unread> {
    let Some(body) = response.body() else {
        return Ok(JsValue::from_str(""));
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let decoder = Utf8Decoder::new();
    let streaming = js_sys::Object::new();
    // Setting a property of a fresh object cannot fail.
    let _ = js_sys::Reflect::set(&streaming, &"stream".into(), &JsValue::TRUE);
    let mut text = js_sys::JsString::from("");
    let mut length = 0u32;
    loop {
        let read: ReadableStreamReadResult = JsFuture::from(reader.read())
            .await
            .map_err(Unread::Failed)?
            .unchecked_into();
        if read.get_done().unwrap_or(true) {
            break;
        }
        let chunk = read.get_value();
        let bytes = chunk
            .dyn_ref::<js_sys::Uint8Array>()
            .map_or(0, js_sys::Uint8Array::byte_length);
        length = length.saturating_add(bytes);
        if length > max_bytes {
            return Err(Unread::TooLong);
        }
        text = text.concat(&decoder.decode(&chunk, &streaming).map_err(Unread::Failed)?);
    }
    let rest = decoder
        .decode(&JsValue::UNDEFINED, &JsValue::UNDEFINED)
        .map_err(Unread::Failed)?;
    Ok(text.concat(&rest).into())
}

/// What a rejection says: an `Error`'s own words (`TypeError: terminated`), else a general one.
fn rejection(error: &JsValue) -> String {
    error.dyn_ref::<js_sys::Error>().map_or_else(
        || "the answer could not be read".to_string(),
        |error| error.to_string().into(),
    )
}

/// Before a retry: may wait (a bulk run's retry waits for room under its limit), then signs the
/// request afresh (a long run must not sign with a stale clock); `None` sends the last one again.
pub type Resign<'a> = Box<dyn FnMut() -> LocalBoxFuture<'a, Option<HttpRequest>> + 'a>;

/// A retry that waits for nothing and signs with `build` (`None`: the last request again).
pub fn resign_with<'a>(mut build: impl FnMut() -> Option<HttpRequest> + 'a) -> Resign<'a> {
    Box::new(move || Box::pin(std::future::ready(build())))
}

/// A retry that signs nothing afresh.
pub fn same_request<'a>() -> Resign<'a> {
    resign_with(|| None)
}

/// Sends until `accept` takes the answer, a failure `retryable` does not allow, or the last
/// attempt, waiting a backoff with full jitter between attempts. `first` is sent first, and
/// `resign` runs before each retry. `on_retry` hears of every failure tried again.
/// `signal` cancels the waits and, when `abort_in_flight`, the requests too. The hooks are trait
/// objects so that every caller shares one copy of this loop.
#[allow(clippy::too_many_arguments)]
pub async fn send<T>(
    first: HttpRequest,
    mut resign: Resign<'_>,
    accept: &dyn Fn(Answer) -> Result<T, ApiError>,
    policy: &SendPolicy,
    signal: Option<&AbortSignal>,
    abort_in_flight: bool,
    retryable: &dyn Fn(&ApiError) -> bool,
    on_retry: &mut dyn FnMut(&ApiError),
) -> Result<T, ApiError> {
    let request_signal = signal.filter(|_| abort_in_flight);
    let mut request = first;
    let mut attempt = 0;
    loop {
        match send_once(&request, policy, request_signal)
            .await
            .and_then(accept)
        {
            Err(error) if retryable(&error) && attempt + 1 < policy.max_attempts.max(1) => {
                on_retry(&error);
                let delay = backoff_ms(
                    attempt,
                    policy.retry_base_ms,
                    policy.retry_cap_ms,
                    js_sys::Math::random(),
                );
                sleep(delay, signal, policy.lang).await?;
                if let Some(fresh) = resign().await {
                    request = fresh;
                }
                attempt += 1;
            }
            result => return result,
        }
    }
}
