//! The JavaScript API: thin wrappers that convert values, call the pure modules, and turn
//! [`ApiError`]s into `QingCloudError`s. Arguments cross as JSON (`JSON.stringify` in, `JSON.parse`
//! out), which keeps the module small; `signal` and `onStatus` are read as they are. Nothing here
//! panics: every failure becomes an exception or a rejection.

use crate::api::{self, RequestOptions, SignedRequest};
use crate::client::{self, SendPolicy};
use crate::messages::Lang;
use crate::request::{self, HttpRequest, Method};
use crate::response::{camel_case_keys, job_set, ApiError, ErrorKind, JobStatus};
use crate::validation::{self, Report};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** The language of every message: English or Chinese. */
export type Lang = 'en' | 'zh';

/** Stable identifiers of validation rules; see the README for which are QingCloud's and which are ours. */
export type ValidationCode =
  | 'required' | 'cluster_format' | 'zone_format' | 'starts_with_digit' | 'invalid_characters'
  | 'too_short' | 'too_long' | 'invalid_network' | 'invalid_prefix' | 'mod_format'
  | 'short_password' | 'all_networks' | 'duplicate_network'
  /** Bulk only: a row that repeats an earlier row's cluster and user, or one of the wrong shape. */
  | 'duplicate_row' | 'invalid_row';

export interface ValidationIssue {
  /** The field's wire name, such as `user_name`. */
  field: string;
  code: ValidationCode;
  message: string;
}

export interface ValidationReport {
  ok: boolean;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

export interface ValidateOptions { lang?: Lang }

export interface ClickHouseUserInput {
  /** `cl-` and 8 lowercase letters or digits. */
  cluster: string;
  zone: string;
  userName: string;
  userPassword: string;
  /** Addresses or CIDR blocks, as a list or one string separated by `;` or line breaks. */
  userNetworks: string | string[];
}

export interface ServiceParamsInput {
  userName: string;
  userPassword: string;
  userNetworks: string | string[];
}

export interface EhpcUserInput {
  /** `ehpc-` and 8 lowercase letters or digits. */
  clusterId: string;
  zone: string;
  username: string;
  password: string;
  /** The home directory's permissions, three octal digits such as `700`. */
  mod?: string;
}

export interface DescribeJobsInput {
  zone: string;
  /** 1 to 100 job ids. */
  jobs: string[];
  limit?: number;
}

export interface Credentials {
  accessKeyId: string;
  /** Used to sign, and for nothing else. */
  secretAccessKey: string;
}

export type HttpMethod = 'GET' | 'POST';

export interface RequestOptions {
  /** Scheme, host and optional path prefix; defaults to QingCloud's API host for the call. */
  endpoint?: string;
  /** When the request is signed; defaults to now. */
  timestamp?: string | number | Date;
  /** IaaS calls only: GET (the default, as documented) or POST (keeps passwords out of URLs). */
  method?: HttpMethod;
  /** The IaaS `req_id`, 32 hex digits; random by default. */
  reqId?: string;
  lang?: Lang;
}

export interface SendOptions extends RequestOptions {
  /** Milliseconds before one HTTP exchange is given up (default 30000). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Attempts in all when the server is busy (ret_code 5000 or 5100); default 3. */
  maxAttempts?: number;
  /** Base of the exponential backoff between attempts, in milliseconds (default 250). */
  retryBaseMs?: number;
}

export interface SignedRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface RequestPreview extends SignedRequest {
  /** The same request as a curl command line, redacted like the rest. */
  curl: string;
}

export interface AddUserResponse {
  action: string;
  jobId: string;
  retCode: number;
  [key: string]: unknown;
}

export type JobStatus = 'pending' | 'working' | 'successful' | 'failed';

export interface Job {
  jobId: string;
  status: JobStatus;
  jobAction?: string;
  createTime?: string;
  statusTime?: string;
  /** Sandbox extension: why a job failed. */
  errorCode?: number;
  errorMessage?: string;
  [key: string]: unknown;
}

export interface WaitForJobOptions {
  zone: string;
  credentials: Credentials;
  /** The IaaS endpoint that answers DescribeJobs. */
  endpoint?: string;
  method?: HttpMethod;
  /** Milliseconds between polls (default 1000). */
  intervalMs?: number;
  /** Milliseconds before giving up on the job (default 300000). */
  timeoutMs?: number;
  signal?: AbortSignal;
  lang?: Lang;
  /** Called whenever the job's status changes. */
  onStatus?: (job: Job) => void;
}

export type QingCloudErrorCode =
  | 'invalid_input' | 'invalid_options' | 'api_error' | 'http_error' | 'network_error'
  | 'timeout' | 'aborted' | 'bad_response' | 'job_failed' | 'job_timeout';

export interface ClickHouseUserRow {
  /** Defaults to `options.cluster`. */
  cluster?: string;
  /** Defaults to `options.zone`. */
  zone?: string;
  userName: string;
  userPassword: string;
  userNetworks: string | string[];
}

export interface EhpcUserRow {
  /** Defaults to `options.clusterId`. */
  clusterId?: string;
  /** Defaults to `options.zone`. */
  zone?: string;
  username: string;
  password: string;
  mod?: string;
}

export type RowStatus = 'created' | 'exists' | 'invalid' | 'failed' | 'not_sent';

export interface RowError {
  code: QingCloudErrorCode;
  message: string;
  retCode?: number;
  /** With `invalid_input`: every broken rule of the row. */
  errors?: ValidationIssue[];
}

export interface RowResult {
  /** The row's position in the input. */
  index: number;
  status: RowStatus;
  jobId?: string;
  retCode?: number;
  error?: RowError;
  /** What the status cannot say alone, e.g. that an earlier, timed-out attempt may have created the user. */
  note?: string;
}

/** Rows per state; `created + exists + invalid + failed + not_sent` is `total` once a run ends. */
export interface BulkCounts {
  total: number;
  queued: number;
  sending: number;
  /** Accepted, job still running. */
  sent: number;
  /** `created + exists`. */
  succeeded: number;
  created: number;
  exists: number;
  invalid: number;
  failed: number;
  not_sent: number;
}

export interface BulkProgress extends BulkCounts {
  /** The row that changed, in its new state. */
  row: Omit<RowResult, 'status'> & { status: RowStatus | 'queued' | 'sending' | 'sent' };
}

export interface BulkOptions extends SendOptions {
  zone?: string;
  /** Rows sent at once (default 4, at most 64). */
  concurrency?: number;
  onProgress?: (event: BulkProgress) => void;
  /** With invalid rows: send nothing (`'stop'`, the default) or send the valid ones (`'skip'`). */
  onInvalid?: 'stop' | 'skip';
  /** Cap of the backoff between attempts, in milliseconds (default 8000). `maxAttempts` defaults to 5. */
  retryCapMs?: number;
  /** Milliseconds between DescribeJobs polls (default 1000). */
  pollIntervalMs?: number;
  /** Milliseconds a job may run before its row is reported failed (default 300000). */
  jobTimeoutMs?: number;
  /** Where DescribeJobs goes; defaults to `endpoint` when given, else QingCloud's IaaS host. */
  jobsEndpoint?: string;
}

export interface ClickHouseBulkOptions extends BulkOptions {
  cluster?: string;
}

export interface EhpcBulkOptions extends BulkOptions {
  clusterId?: string;
}

export interface BulkResult {
  /** One entry per input row, in input order. */
  results: RowResult[];
  counts: BulkCounts;
}

/** Every rejection of this library is an `Error` with these fields. */
export interface QingCloudError extends Error {
  name: 'QingCloudError';
  code: QingCloudErrorCode;
  /** The API's `ret_code`, when it sent one. */
  retCode?: number;
  /** The HTTP status, when an answer arrived. */
  status?: number;
  /** With `invalid_input`: every broken rule. */
  errors?: ValidationIssue[];
}
"#;

#[wasm_bindgen]
extern "C" {
    /// Optional options arguments, typed for TypeScript (`options?: T`).
    #[wasm_bindgen(typescript_type = "ValidateOptions")]
    pub type ValidateOptions;
    #[wasm_bindgen(typescript_type = "RequestOptions")]
    pub type RequestOptionsArg;
    #[wasm_bindgen(typescript_type = "SendOptions")]
    pub type SendOptions;
    #[wasm_bindgen(typescript_type = "ClickHouseBulkOptions")]
    pub type ClickHouseBulkOptions;
    #[wasm_bindgen(typescript_type = "EhpcBulkOptions")]
    pub type EhpcBulkOptions;
}

/// An optional options argument as a plain value (`undefined` when absent).
fn optional<T: Into<JsValue>>(options: Option<T>) -> JsValue {
    options.map_or(JsValue::UNDEFINED, Into::into)
}

/// A promise of `future`. Boxing gives `future_to_promise` one type to be compiled for, not one
/// per exported function.
fn promise(
    future: impl std::future::Future<Output = Result<JsValue, JsValue>> + 'static,
) -> js_sys::Promise {
    let boxed: std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>> =
        Box::pin(future);
    wasm_bindgen_futures::future_to_promise(boxed)
}

/// A result as a plain JavaScript value.
fn to_js<T: Serialize>(value: &T) -> JsValue {
    serde_json::to_string(value)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or(JsValue::NULL)
}

/// An argument as JSON; `undefined` is `null`. What `JSON.stringify` refuses is invalid input.
fn to_json(value: &JsValue, lang: Lang) -> Result<Value, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Value::Null);
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .and_then(|text| serde_json::from_str(&text).ok())
        .ok_or_else(|| {
            let shape = api::WrongShape("an argument cannot be read as JSON".into());
            js_error(&shape.into_error(lang), None)
        })
}

fn get(target: &JsValue, key: &str) -> JsValue {
    if target.is_object() {
        js_sys::Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

/// An `Error` named `QingCloudError` with `code`, `retCode`, `status` and, for invalid input, `errors`.
fn js_error(error: &ApiError, report: Option<&Report>) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name("QingCloudError");
    let js: JsValue = js.into();
    set(&js, "code", &JsValue::from_str(error.kind.code()));
    if let Some(code) = error.ret_code {
        set(&js, "retCode", &JsValue::from_f64(code as f64));
    }
    if let Some(status) = error.status {
        set(&js, "status", &JsValue::from(status));
    }
    if let Some(report) = report {
        set(&js, "errors", &to_js(&report.errors));
    }
    js
}

/// The language and the parsed options of an options argument.
fn options_of(options: &JsValue) -> Result<(Lang, RequestOptions), JsValue> {
    let json = to_json(options, Lang::En)?;
    let lang = api::lang(&json);
    let parsed = RequestOptions::from_json(&json).map_err(|e| js_error(&e, None))?;
    Ok((lang, parsed))
}

fn resolve(options: &RequestOptions, default_endpoint: &str) -> Result<api::Resolved, JsValue> {
    options
        .resolve(default_endpoint, client::now_ms(), client::random_req_id)
        .map_err(|e| js_error(&e, None))
}

fn credentials(value: &JsValue, lang: Lang) -> Result<request::Credentials, JsValue> {
    api::credentials(&to_json(value, lang)?, lang).map_err(|e| js_error(&e, None))
}

/// A non-negative whole-number option, or its default.
fn number(options: &JsValue, key: &str, default: u32) -> u32 {
    get(options, key)
        .as_f64()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map_or(default, |n| n.min(f64::from(u32::MAX)) as u32)
}

fn send_policy(options: &JsValue, lang: Lang) -> SendPolicy {
    let defaults = SendPolicy::default();
    SendPolicy {
        timeout_ms: number(options, "timeoutMs", defaults.timeout_ms),
        max_attempts: number(options, "maxAttempts", defaults.max_attempts),
        retry_base_ms: number(options, "retryBaseMs", defaults.retry_base_ms),
        retry_cap_ms: defaults.retry_cap_ms,
        lang,
    }
}

fn signal_of(options: &JsValue) -> Option<AbortSignal> {
    get(options, "signal").dyn_into::<AbortSignal>().ok()
}

/// Validation failures carry the whole report as `errors`.
fn build_error(error: ApiError, report: impl FnOnce() -> Report) -> JsValue {
    match error.kind {
        ErrorKind::InvalidInput => js_error(&error, Some(&report())),
        _ => js_error(&error, None),
    }
}

fn clickhouse_request(
    input: &JsValue,
    creds: &JsValue,
    options: &JsValue,
) -> Result<HttpRequest, JsValue> {
    let (lang, opts) = options_of(options)?;
    let user = api::clickhouse_user(&to_json(input, lang)?)
        .map_err(|e| js_error(&e.into_error(lang), None))?;
    let credentials = credentials(creds, lang)?;
    let resolved = resolve(&opts, request::DEFAULT_IAAS_ENDPOINT)?;
    api::build_clickhouse(&user, &credentials, &resolved, lang).map_err(|e| {
        build_error(e, || {
            validation::validate_clickhouse_user(&user, lang).report
        })
    })
}

fn ehpc_request(
    input: &JsValue,
    creds: &JsValue,
    options: &JsValue,
) -> Result<HttpRequest, JsValue> {
    let (lang, opts) = options_of(options)?;
    let user =
        api::ehpc_user(&to_json(input, lang)?).map_err(|e| js_error(&e.into_error(lang), None))?;
    let credentials = credentials(creds, lang)?;
    let resolved = resolve(&opts, request::DEFAULT_EHPC_ENDPOINT)?;
    api::build_ehpc(&user, &credentials, &resolved, lang)
        .map_err(|e| build_error(e, || validation::validate_ehpc_user(&user, lang).report))
}

fn describe_jobs_request(
    input: &JsValue,
    creds: &JsValue,
    options: &JsValue,
) -> Result<HttpRequest, JsValue> {
    let (lang, opts) = options_of(options)?;
    let input = api::describe_jobs_input(&to_json(input, lang)?)
        .map_err(|e| js_error(&e.into_error(lang), None))?;
    let credentials = credentials(creds, lang)?;
    let resolved = resolve(&opts, request::DEFAULT_IAAS_ENDPOINT)?;
    api::build_describe_jobs(input, &credentials, &resolved, lang).map_err(|e| js_error(&e, None))
}

#[wasm_bindgen(js_name = validateClickHouseUser, unchecked_return_type = "ValidationReport")]
pub fn validate_clickhouse_user(
    #[wasm_bindgen(unchecked_param_type = "ClickHouseUserInput")] input: JsValue,
    options: Option<ValidateOptions>,
) -> Result<JsValue, JsValue> {
    let lang = api::lang(&to_json(&optional(options), Lang::En)?);
    let user = api::clickhouse_user(&to_json(&input, lang)?)
        .map_err(|e| js_error(&e.into_error(lang), None))?;
    Ok(to_js(
        &validation::validate_clickhouse_user(&user, lang).report,
    ))
}

#[wasm_bindgen(js_name = validateEhpcUser, unchecked_return_type = "ValidationReport")]
pub fn validate_ehpc_user(
    #[wasm_bindgen(unchecked_param_type = "EhpcUserInput")] input: JsValue,
    options: Option<ValidateOptions>,
) -> Result<JsValue, JsValue> {
    let lang = api::lang(&to_json(&optional(options), Lang::En)?);
    let user =
        api::ehpc_user(&to_json(&input, lang)?).map_err(|e| js_error(&e.into_error(lang), None))?;
    Ok(to_js(&validation::validate_ehpc_user(&user, lang).report))
}

/// The URL-encoded `service_params` value: compact JSON in the documented key order, networks
/// trimmed, deduplicated and joined with `;`. It encodes; it does not validate.
#[wasm_bindgen(js_name = encodeServiceParams)]
pub fn encode_service_params(
    #[wasm_bindgen(unchecked_param_type = "ServiceParamsInput")] input: JsValue,
) -> Result<String, JsValue> {
    let user = api::clickhouse_user(&to_json(&input, Lang::En)?)
        .map_err(|e| js_error(&e.into_error(Lang::En), None))?;
    Ok(crate::encoding::encode_service_params(
        &validation::join_networks(&user.user_networks),
        &user.user_password,
        &user.user_name,
    ))
}

#[wasm_bindgen(js_name = buildClickHouseAddUsersRequest, unchecked_return_type = "SignedRequest")]
pub fn build_clickhouse_add_users_request(
    #[wasm_bindgen(unchecked_param_type = "ClickHouseUserInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<RequestOptionsArg>,
) -> Result<JsValue, JsValue> {
    clickhouse_request(&input, &credentials, &optional(options))
        .map(|r| to_js(&SignedRequest::from(r)))
}

#[wasm_bindgen(js_name = buildEhpcAddUserRequest, unchecked_return_type = "SignedRequest")]
pub fn build_ehpc_add_user_request(
    #[wasm_bindgen(unchecked_param_type = "EhpcUserInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<RequestOptionsArg>,
) -> Result<JsValue, JsValue> {
    ehpc_request(&input, &credentials, &optional(options)).map(|r| to_js(&SignedRequest::from(r)))
}

#[wasm_bindgen(js_name = buildDescribeJobsRequest, unchecked_return_type = "SignedRequest")]
pub fn build_describe_jobs_request(
    #[wasm_bindgen(unchecked_param_type = "DescribeJobsInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<RequestOptionsArg>,
) -> Result<JsValue, JsValue> {
    describe_jobs_request(&input, &credentials, &optional(options))
        .map(|r| to_js(&SignedRequest::from(r)))
}

/// A signed request with its signature and passwords masked, and as a curl command.
#[wasm_bindgen(js_name = previewRequest, unchecked_return_type = "RequestPreview")]
pub fn preview_request(
    #[wasm_bindgen(unchecked_param_type = "SignedRequest")] request: JsValue,
) -> Result<JsValue, JsValue> {
    let json = to_json(&request, Lang::En)?;
    let text = |key: &str| json.get(key).and_then(Value::as_str).map(String::from);
    let headers = json
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect();
    let request = HttpRequest {
        method: if text("method").is_some_and(|m| m.eq_ignore_ascii_case("POST")) {
            Method::Post
        } else {
            Method::Get
        },
        url: text("url").unwrap_or_default(),
        headers,
        body: text("body"),
    };
    Ok(to_js(&crate::preview::preview(&request)))
}

/// Sends a built request and answers the response with camelCase keys.
async fn submit(request: HttpRequest, options: JsValue, lang: Lang) -> Result<JsValue, JsValue> {
    let policy = send_policy(&options, lang);
    let signal = signal_of(&options);
    let response = client::send(&request, &policy, signal.as_ref())
        .await
        .map_err(|e| js_error(&e, None))?;
    Ok(to_js(&camel_case_keys(Value::Object(response))))
}

fn lang_or_default(options: &JsValue) -> Lang {
    to_json(options, Lang::En)
        .map(|json| api::lang(&json))
        .unwrap_or_default()
}

/// Validates, signs and sends `add_users`; resolves to `{ action, jobId, retCode, ... }`.
#[wasm_bindgen(js_name = addClickHouseUser, unchecked_return_type = "Promise<AddUserResponse>")]
pub fn add_clickhouse_user(
    #[wasm_bindgen(unchecked_param_type = "ClickHouseUserInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<SendOptions>,
) -> js_sys::Promise {
    let options = optional(options);
    let request = clickhouse_request(&input, &credentials, &options);
    let lang = lang_or_default(&options);
    promise(async move { submit(request?, options, lang).await })
}

/// Validates, signs and sends EHPC `addUser`; resolves to `{ action, jobId, retCode }`.
#[wasm_bindgen(js_name = addEhpcUser, unchecked_return_type = "Promise<AddUserResponse>")]
pub fn add_ehpc_user(
    #[wasm_bindgen(unchecked_param_type = "EhpcUserInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<SendOptions>,
) -> js_sys::Promise {
    let options = optional(options);
    let request = ehpc_request(&input, &credentials, &options);
    let lang = lang_or_default(&options);
    promise(async move { submit(request?, options, lang).await })
}

/// Splits prepared rows into each row's zone, its user (valid rows) and its issues (invalid rows).
fn split_rows<V>(
    rows: Vec<api::BulkRow<V>>,
    zone_of: fn(&V) -> &str,
) -> (Vec<String>, Vec<Option<V>>, Vec<Vec<validation::Issue>>) {
    let zones = rows
        .iter()
        .map(|row| {
            row.as_ref()
                .map(|user| zone_of(user).to_string())
                .unwrap_or_default()
        })
        .collect();
    let (users, invalid) = rows
        .into_iter()
        .map(|row| match row {
            Ok(user) => (Some(user), Vec::new()),
            Err(issues) => (None, issues),
        })
        .unzip();
    (zones, users, invalid)
}

/// Signs the request of a valid row; `None` for an invalid one (never queued, so never asked).
type RowSigner = Box<dyn Fn(usize, &request::Credentials, &api::Resolved) -> Option<HttpRequest>>;

/// Runs a bulk add. Not generic, so that both APIs share one compiled copy.
async fn bulk(
    zones: Vec<String>,
    invalid: Vec<Vec<validation::Issue>>,
    sign: RowSigner,
    credentials: request::Credentials,
    options: JsValue,
    default_endpoint: &'static str,
) -> Result<JsValue, JsValue> {
    let (lang, opts) = options_of(&options)?;
    let resolved = resolve(&opts, default_endpoint)?;
    let json = to_json(&options, lang)?;
    let jobs_endpoint = match json.get("jobsEndpoint").and_then(Value::as_str) {
        Some(endpoint) => request::normalize_endpoint(endpoint).map_err(|e| {
            let detail = format!(
                "jobsEndpoint \"{}\" must be an http:// or https:// URL",
                e.0
            );
            js_error(&ApiError::invalid_options(&detail, lang), None)
        })?,
        None if opts.endpoint.is_some() => resolved.endpoint.clone(),
        None => request::DEFAULT_IAAS_ENDPOINT.to_string(),
    };
    let on_invalid_skip = match json.get("onInvalid").and_then(Value::as_str) {
        None | Some("stop") => false,
        Some("skip") => true,
        Some(_) => {
            let error = ApiError::invalid_options("onInvalid must be 'stop' or 'skip'", lang);
            return Err(js_error(&error, None));
        }
    };
    let mut run = crate::bulk::BulkRun::new(invalid, lang);
    if run.has_invalid() && !on_invalid_skip {
        run.stop_for_invalid();
    }
    let mut send = send_policy(&options, lang);
    send.max_attempts = number(&options, "maxAttempts", 5);
    send.retry_cap_ms = number(&options, "retryCapMs", 8_000);
    let settings = crate::bulk_driver::Settings {
        concurrency: number(&options, "concurrency", 4).clamp(1, 64),
        send,
        poll_interval_ms: number(&options, "pollIntervalMs", 1_000),
        job_timeout_ms: number(&options, "jobTimeoutMs", 300_000),
    };
    let lookup = crate::bulk_driver::JobLookup {
        endpoint: jobs_endpoint,
        method: resolved.method,
        credentials: credentials.clone(),
        zones,
    };
    let build = Box::new(move |index: usize| {
        // Re-resolved for every attempt: a long run must not sign with a stale clock.
        let fresh = resolve(&opts, default_endpoint).unwrap_or_else(|_| resolved.clone());
        sign(index, &credentials, &fresh)
    });
    let on_progress = get(&options, "onProgress")
        .dyn_into::<js_sys::Function>()
        .ok();
    let shared = crate::bulk_driver::Shared::new(
        run,
        build,
        lookup,
        settings,
        signal_of(&options),
        on_progress,
    );
    crate::bulk_driver::run(shared.clone()).await;
    let run = shared.run.borrow();
    #[derive(Serialize)]
    struct BulkResult {
        results: Vec<crate::bulk::RowResult>,
        counts: crate::bulk::Counts,
    }
    Ok(to_js(&BulkResult {
        results: run.results(),
        counts: run.counts(),
    }))
}

/// What differs between the two bulk calls.
struct BulkApi<V> {
    prepare: fn(&Value, &Value, Lang) -> api::PreparedRows<V>,
    zone_of: fn(&V) -> &str,
    sign: fn(&V, &request::Credentials, &api::Resolved) -> HttpRequest,
    default_endpoint: &'static str,
}

fn bulk_promise<V: 'static>(
    which: BulkApi<V>,
    rows: JsValue,
    credentials: JsValue,
    options: JsValue,
) -> js_sys::Promise {
    promise(async move {
        let (lang, _) = options_of(&options)?;
        let credentials = self::credentials(&credentials, lang)?;
        let rows = (which.prepare)(&to_json(&rows, lang)?, &to_json(&options, lang)?, lang)
            .map_err(|e| js_error(&e.into_error(lang), None))?;
        let (zones, users, invalid) = split_rows(rows, which.zone_of);
        let sign_user = which.sign;
        let sign: RowSigner = Box::new(move |index, credentials, resolved| {
            Some(sign_user(
                users.get(index)?.as_ref()?,
                credentials,
                resolved,
            ))
        });
        bulk(
            zones,
            invalid,
            sign,
            credentials,
            options,
            which.default_endpoint,
        )
        .await
    })
}

/// Adds many ClickHouse accounts; resolves to `{ results, counts }` with one result per row.
#[wasm_bindgen(js_name = addClickHouseUsers, unchecked_return_type = "Promise<BulkResult>")]
pub fn add_clickhouse_users(
    #[wasm_bindgen(unchecked_param_type = "ClickHouseUserRow[]")] rows: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<ClickHouseBulkOptions>,
) -> js_sys::Promise {
    let which = BulkApi {
        prepare: api::clickhouse_rows,
        zone_of: |user| &user.zone,
        sign: |user, credentials, resolved| {
            request::clickhouse_add_users(
                user,
                credentials,
                &resolved.endpoint,
                resolved.method,
                &resolved.stamp,
            )
        },
        default_endpoint: request::DEFAULT_IAAS_ENDPOINT,
    };
    bulk_promise(which, rows, credentials, optional(options))
}

/// Adds many EHPC users; resolves to `{ results, counts }` with one result per row.
#[wasm_bindgen(js_name = addEhpcUsers, unchecked_return_type = "Promise<BulkResult>")]
pub fn add_ehpc_users(
    #[wasm_bindgen(unchecked_param_type = "EhpcUserRow[]")] rows: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<EhpcBulkOptions>,
) -> js_sys::Promise {
    let which = BulkApi {
        prepare: api::ehpc_rows,
        zone_of: |user| &user.zone,
        sign: |user, credentials, resolved| {
            request::ehpc_add_user(
                user,
                credentials,
                &resolved.endpoint,
                &resolved.stamp.time_stamp,
            )
        },
        default_endpoint: request::DEFAULT_EHPC_ENDPOINT,
    };
    bulk_promise(which, rows, credentials, optional(options))
}

/// Errors worth polling through: the job may still finish.
fn is_transient(error: &ApiError) -> bool {
    match error.kind {
        ErrorKind::Network | ErrorKind::Timeout => true,
        ErrorKind::Http => error.status.is_some_and(|s| s >= 500),
        ErrorKind::Api => error.is_retryable(),
        _ => false,
    }
}

/// Polls DescribeJobs until the job is successful (resolves to the job) or failed (rejects).
#[wasm_bindgen(js_name = waitForJob, unchecked_return_type = "Promise<Job>")]
pub fn wait_for_job(
    #[wasm_bindgen(js_name = jobId)] job_id: String,
    #[wasm_bindgen(unchecked_param_type = "WaitForJobOptions")] options: JsValue,
) -> js_sys::Promise {
    promise(async move { wait(job_id, options).await })
}

async fn wait(job_id: String, options: JsValue) -> Result<JsValue, JsValue> {
    let (lang, opts) = options_of(&options)?;
    let interval_ms = number(&options, "intervalMs", 1_000);
    let timeout_ms = number(&options, "timeoutMs", 300_000);
    let on_status = get(&options, "onStatus")
        .dyn_into::<js_sys::Function>()
        .ok();
    let signal = signal_of(&options);
    let zone = get(&options, "zone").as_string().unwrap_or_default();
    let credentials = credentials(&get(&options, "credentials"), lang)?;
    let mut policy = SendPolicy {
        lang,
        ..SendPolicy::default()
    };
    let deadline = client::now_ms() + f64::from(timeout_ms);
    let mut last_status: Option<JobStatus> = None;
    loop {
        let resolved = resolve(&opts, request::DEFAULT_IAAS_ENDPOINT)?;
        let input = api::DescribeJobsInput {
            zone: zone.clone(),
            jobs: vec![job_id.clone()],
            limit: None,
        };
        let request = api::build_describe_jobs(input, &credentials, &resolved, lang)
            .map_err(|e| js_error(&e, None))?;
        let remaining = (deadline - client::now_ms()).max(1.0);
        policy.timeout_ms = SendPolicy::default().timeout_ms.min(remaining as u32);
        match client::send(&request, &policy, signal.as_ref()).await {
            Ok(response) => {
                if let Some((_, status, job)) = job_set(&response)
                    .into_iter()
                    .find(|(id, ..)| *id == job_id)
                {
                    let job_js = to_js(&camel_case_keys(Value::Object(job.clone())));
                    if last_status != Some(status) {
                        last_status = Some(status);
                        if let Some(callback) = &on_status {
                            let _ = callback.call1(&JsValue::UNDEFINED, &job_js);
                        }
                    }
                    match status {
                        JobStatus::Successful => return Ok(job_js),
                        JobStatus::Failed => {
                            return Err(js_error(&ApiError::job_failed(&job_id, job, lang), None))
                        }
                        JobStatus::Pending | JobStatus::Working => {}
                    }
                }
            }
            Err(error) if is_transient(&error) => {}
            Err(error) => return Err(js_error(&error, None)),
        }
        if client::now_ms() + f64::from(interval_ms) >= deadline {
            return Err(js_error(
                &ApiError::job_timeout(&job_id, timeout_ms, lang),
                None,
            ));
        }
        client::sleep(interval_ms, signal.as_ref(), lang)
            .await
            .map_err(|e| js_error(&e, None))?;
    }
}

/// Whether `value` is an error raised by this library.
#[wasm_bindgen(js_name = isQingCloudError, unchecked_return_type = "value is QingCloudError")]
pub fn is_qingcloud_error(
    #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
) -> bool {
    value.is_instance_of::<js_sys::Error>()
        && get(&value, "name").as_string().as_deref() == Some("QingCloudError")
}
