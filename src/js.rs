//! The crate's results as plain JavaScript objects, built property by property (no JSON text in
//! between), and `QingCloudError`s. Field names are the ones the TypeScript declarations give.

use crate::arg::{js_set, js_set_text, with_js_key};
use crate::bulk::{Counts, RowError, RowResult, RowView};
use crate::preview::Preview;
use crate::request::HttpRequest;
use crate::response::{camel_case, ApiError};
use crate::validation::{Issue, Report};
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// `target[key] = value` for a property name written in the code.
pub fn set(target: &JsValue, key: &'static str, value: &JsValue) {
    with_js_key(key, |key| js_set(target, key, value));
}

fn set_str(target: &JsValue, key: &'static str, value: &str) {
    with_js_key(key, |key| js_set_text(target, key, value));
}

fn set_number(target: &JsValue, key: &'static str, value: f64) {
    set(target, key, &JsValue::from_f64(value));
}

/// HTTP headers as an object, as `fetch` takes them and `SignedRequest` shows them.
pub fn headers(headers: &[(String, String)]) -> JsValue {
    let js = new_object();
    for (name, value) in headers {
        js_set_text(&js, &JsValue::from_str(name), value);
    }
    js
}

fn new_object() -> JsValue {
    Object::new().into()
}

fn array<T>(items: &[T], convert: fn(&T) -> JsValue) -> JsValue {
    items.iter().map(convert).collect::<Array>().into()
}

fn issue(issue: &Issue) -> JsValue {
    let js = new_object();
    set_str(&js, "field", issue.field);
    set_str(&js, "code", issue.code);
    set_str(&js, "message", &issue.message);
    js
}

pub fn issues(issues: &[Issue]) -> JsValue {
    array(issues, issue)
}

/// `{ ok, errors, warnings }`.
pub fn report(report: &Report) -> JsValue {
    let js = new_object();
    set(&js, "ok", &JsValue::from_bool(report.ok));
    set(&js, "errors", &issues(&report.errors));
    set(&js, "warnings", &issues(&report.warnings));
    js
}

#[wasm_bindgen(inline_js = r#"
export function signed(method, url, body) { return { method, url, headers: {}, body: body ?? null }; }
"#)]
extern "C" {
    /// `{ method, url, headers: {}, body }` in one call rather than one per property: every
    /// builder returns one.
    #[wasm_bindgen(js_name = signed)]
    fn js_signed(method: &str, url: &str, body: Option<&str>) -> JsValue;
}

/// `{ method, url, headers, body }`, with an absent body as `null`.
fn signed(method: &str, url: &str, headers: &[(String, String)], body: Option<&str>) -> JsValue {
    let js = js_signed(method, url, body);
    if !headers.is_empty() {
        set(&js, "headers", &self::headers(headers));
    }
    js
}

pub fn request(request: &HttpRequest) -> JsValue {
    signed(
        request.method.as_str(),
        &request.url,
        &request.headers,
        request.body.as_deref(),
    )
}

/// A request preview: the redacted request and its curl line.
pub fn preview(preview: &Preview) -> JsValue {
    let js = signed(
        preview.method,
        &preview.url,
        &preview.headers,
        preview.body.as_deref(),
    );
    set_str(&js, "curl", &preview.curl);
    js
}

/// An `Error` named `QingCloudError` with `code`, and `retCode` and `status` when known.
pub fn error(error: &ApiError) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name("QingCloudError");
    let js: JsValue = js.into();
    set_str(&js, "code", error.kind.code());
    if let Some(code) = error.ret_code {
        set_number(&js, "retCode", code as f64);
    }
    if let Some(status) = error.status {
        set_number(&js, "status", f64::from(status));
    }
    js
}

/// A validation failure: the error with every broken rule as `errors`.
pub fn invalid_input(error: &ApiError, report: &Report) -> JsValue {
    let js = self::error(error);
    set(&js, "errors", &issues(&report.errors));
    js
}

fn row_error(error: &RowError) -> JsValue {
    let js = new_object();
    set_str(&js, "code", error.code);
    set_str(&js, "message", &error.message);
    if let Some(code) = error.ret_code {
        set_number(&js, "retCode", code as f64);
    }
    if !error.errors.is_empty() {
        set(&js, "errors", &issues(&error.errors));
    }
    js
}

/// `{ index, status, jobId? }`, what every view of a row has.
fn row(index: usize, status: &str, job_id: Option<&str>) -> JsValue {
    let js = new_object();
    set_number(&js, "index", index as f64);
    set_str(&js, "status", status);
    if let Some(job_id) = job_id {
        set_str(&js, "jobId", job_id);
    }
    js
}

/// `{ index, status, jobId?, retCode?, error?, note? }`.
pub fn row_result(row: &RowResult) -> JsValue {
    let js = self::row(row.index, row.status.as_str(), row.job_id.as_deref());
    if let Some(code) = row.ret_code {
        set_number(&js, "retCode", code as f64);
    }
    if let Some(error) = &row.error {
        set(&js, "error", &row_error(error));
    }
    if let Some(note) = &row.note {
        set_str(&js, "note", note);
    }
    js
}

pub fn row_results(rows: &[RowResult]) -> JsValue {
    array(rows, row_result)
}

pub fn row_view(view: &RowView<'_>) -> JsValue {
    match view {
        RowView::Done(result) => row_result(result),
        RowView::Interim {
            index,
            status,
            job_id,
        } => row(*index, status, *job_id),
    }
}

/// `{ total, queued, ... }`.
pub fn counts(counts: &Counts) -> JsValue {
    let js = new_object();
    for (name, count) in counts.fields() {
        set_number(&js, name, count as f64);
    }
    js
}

/// The own enumerable properties of an object (none for anything else), as `Object.entries`.
pub fn entries(value: &JsValue) -> impl Iterator<Item = (String, JsValue)> {
    let entries = if value.is_object() {
        Object::entries(value.unchecked_ref())
    } else {
        Array::new()
    };
    entries.into_iter().map(|entry| {
        let entry: Array = entry.unchecked_into();
        (entry.get(0).as_string().unwrap_or_default(), entry.get(1))
    })
}

/// A copy of an answer with `camelCase` keys at every depth.
pub fn camel_case_keys(value: &JsValue) -> JsValue {
    if let Some(array) = value.dyn_ref::<Array>() {
        return array
            .iter()
            .map(|item| camel_case_keys(&item))
            .collect::<Array>()
            .into();
    }
    if !value.is_object() {
        return value.clone();
    }
    let js = new_object();
    for (key, value) in entries(value) {
        js_set(
            &js,
            &JsValue::from_str(&camel_case(&key)),
            &camel_case_keys(&value),
        );
    }
    js
}
