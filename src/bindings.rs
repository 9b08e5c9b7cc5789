//! The JavaScript API: thin wrappers that read arguments in place (through [`Arg`]), call the pure
//! modules, and answer plain objects or `QingCloudError`s (through [`crate::js`]). `signal` and the
//! callbacks are taken as they are. Nothing here panics: every failure becomes an exception or a
//! rejection.

use crate::api::{self, RequestOptions, WrongShape};
use crate::arg::Arg;
use crate::client::{self, SendPolicy};
use crate::js;
use crate::messages::Lang;
use crate::request::{self, HttpRequest, Method};
use crate::response::{job_set, ApiError, ErrorKind, JobStatus};
use crate::validation::{self, Report};
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
pub(crate) fn promise(
    future: impl std::future::Future<Output = Result<JsValue, JsValue>> + 'static,
) -> js_sys::Promise {
    let boxed: std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>> =
        Box::pin(future);
    wasm_bindgen_futures::future_to_promise(boxed)
}

fn shape_error(lang: Lang) -> impl Fn(WrongShape) -> JsValue {
    move |shape| js::error(&shape.into_error(lang))
}

fn options_of(options: &JsValue) -> Result<RequestOptions, JsValue> {
    RequestOptions::read(options).map_err(|e| js::error(&e))
}

/// The API a call goes to: it decides the default endpoint, and whether a `req_id` is drawn.
#[derive(Clone, Copy)]
enum Host {
    Iaas,
    Ehpc,
}

fn resolve(options: &RequestOptions, host: Host) -> Result<api::Resolved, JsValue> {
    let (default_endpoint, random_req_id): (&str, fn() -> String) = match host {
        Host::Iaas => (request::DEFAULT_IAAS_ENDPOINT, client::random_req_id),
        // EHPC requests carry no `req_id`, and drawing random bytes is not free.
        Host::Ehpc => (request::DEFAULT_EHPC_ENDPOINT, String::new),
    };
    options
        .resolve(default_endpoint, client::now_ms, random_req_id)
        .map_err(|e| js::error(&e))
}

fn credentials(value: &JsValue, lang: Lang) -> Result<request::Credentials, JsValue> {
    api::credentials(value, lang).map_err(|e| js::error(&e))
}

/// A non-negative whole-number option, or its default.
fn number(options: &JsValue, key: &'static str, default: u32) -> u32 {
    options
        .field(key)
        .as_f64()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map_or(default, |n| n.min(f64::from(u32::MAX)) as u32)
}

fn callback(options: &JsValue, key: &'static str) -> Option<js_sys::Function> {
    options.field(key).dyn_into().ok()
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
    options.field("signal").dyn_into::<AbortSignal>().ok()
}

/// Validation failures carry the whole report as `errors`.
fn build_error(error: ApiError, report: impl FnOnce() -> Report) -> JsValue {
    match error.kind {
        ErrorKind::InvalidInput => js::invalid_input(&error, &report()),
        _ => js::error(&error),
    }
}

fn clickhouse_request(
    input: &JsValue,
    creds: &JsValue,
    options: &JsValue,
) -> Result<HttpRequest, JsValue> {
    let options = options_of(options)?;
    let lang = options.lang;
    let user = api::clickhouse_user(input).map_err(shape_error(lang))?;
    let credentials = credentials(creds, lang)?;
    let resolved = resolve(&options, Host::Iaas)?;
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
    let options = options_of(options)?;
    let lang = options.lang;
    let user = api::ehpc_user(input).map_err(shape_error(lang))?;
    let credentials = credentials(creds, lang)?;
    let resolved = resolve(&options, Host::Ehpc)?;
    api::build_ehpc(&user, &credentials, &resolved, lang)
        .map_err(|e| build_error(e, || validation::validate_ehpc_user(&user, lang).report))
}

#[wasm_bindgen(js_name = validateClickHouseUser, unchecked_return_type = "ValidationReport")]
pub fn validate_clickhouse_user(
    #[wasm_bindgen(unchecked_param_type = "ClickHouseUserInput")] input: JsValue,
    options: Option<ValidateOptions>,
) -> Result<JsValue, JsValue> {
    let lang = api::lang(&optional(options));
    let user = api::clickhouse_user(&input).map_err(shape_error(lang))?;
    Ok(js::report(
        &validation::validate_clickhouse_user(&user, lang).report,
    ))
}

#[wasm_bindgen(js_name = validateEhpcUser, unchecked_return_type = "ValidationReport")]
pub fn validate_ehpc_user(
    #[wasm_bindgen(unchecked_param_type = "EhpcUserInput")] input: JsValue,
    options: Option<ValidateOptions>,
) -> Result<JsValue, JsValue> {
    let lang = api::lang(&optional(options));
    let user = api::ehpc_user(&input).map_err(shape_error(lang))?;
    Ok(js::report(
        &validation::validate_ehpc_user(&user, lang).report,
    ))
}

/// The URL-encoded `service_params` value: compact JSON in the documented key order, networks
/// trimmed, deduplicated and joined with `;`. It encodes; it does not validate.
#[wasm_bindgen(js_name = encodeServiceParams)]
pub fn encode_service_params(
    #[wasm_bindgen(unchecked_param_type = "ServiceParamsInput")] input: JsValue,
) -> Result<String, JsValue> {
    let user = api::clickhouse_user(&input).map_err(shape_error(Lang::En))?;
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
    clickhouse_request(&input, &credentials, &optional(options)).map(|r| js::request(&r))
}

#[wasm_bindgen(js_name = buildEhpcAddUserRequest, unchecked_return_type = "SignedRequest")]
pub fn build_ehpc_add_user_request(
    #[wasm_bindgen(unchecked_param_type = "EhpcUserInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<RequestOptionsArg>,
) -> Result<JsValue, JsValue> {
    ehpc_request(&input, &credentials, &optional(options)).map(|r| js::request(&r))
}

#[wasm_bindgen(js_name = buildDescribeJobsRequest, unchecked_return_type = "SignedRequest")]
pub fn build_describe_jobs_request(
    #[wasm_bindgen(unchecked_param_type = "DescribeJobsInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<RequestOptionsArg>,
) -> Result<JsValue, JsValue> {
    let options = options_of(&optional(options))?;
    let lang = options.lang;
    let input = api::describe_jobs_input(&input).map_err(shape_error(lang))?;
    let credentials = self::credentials(&credentials, lang)?;
    let resolved = resolve(&options, Host::Iaas)?;
    api::build_describe_jobs(input, &credentials, &resolved, lang)
        .map(|r| js::request(&r))
        .map_err(|e| js::error(&e))
}

/// A signed request with its signature and passwords masked, and as a curl command.
#[wasm_bindgen(js_name = previewRequest, unchecked_return_type = "RequestPreview")]
pub fn preview_request(
    #[wasm_bindgen(unchecked_param_type = "SignedRequest")] request: JsValue,
) -> JsValue {
    let headers = js::entries(&request.field("headers"))
        .filter_map(|(name, value)| Some((name, value.as_string()?)))
        .collect();
    let method = request.field("method").as_string();
    let request = HttpRequest {
        method: if method.is_some_and(|m| m.eq_ignore_ascii_case("POST")) {
            Method::Post
        } else {
            Method::Get
        },
        url: request.field("url").as_string().unwrap_or_default(),
        headers,
        body: request.field("body").as_string(),
    };
    js::preview(&crate::preview::preview(&request))
}

/// Sends a built request and answers the response with camelCase keys.
async fn submit(request: HttpRequest, options: JsValue) -> Result<JsValue, JsValue> {
    let policy = send_policy(&options, api::lang(&options));
    let signal = signal_of(&options);
    let response = client::send(&request, &policy, signal.as_ref())
        .await
        .map_err(|e| js::error(&e))?;
    Ok(js::camel_case_keys(&response))
}

/// Validates, signs and sends `add_users`; resolves to `{ action, jobId, retCode, ... }`.
#[wasm_bindgen(js_name = addClickHouseUser, unchecked_return_type = "Promise<AddUserResponse>")]
pub fn add_clickhouse_user(
    #[wasm_bindgen(unchecked_param_type = "ClickHouseUserInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<SendOptions>,
) -> js_sys::Promise {
    let options = optional(options);
    match clickhouse_request(&input, &credentials, &options) {
        Ok(request) => promise(submit(request, options)),
        Err(error) => js_sys::Promise::reject(&error),
    }
}

/// Validates, signs and sends EHPC `addUser`; resolves to `{ action, jobId, retCode }`.
#[wasm_bindgen(js_name = addEhpcUser, unchecked_return_type = "Promise<AddUserResponse>")]
pub fn add_ehpc_user(
    #[wasm_bindgen(unchecked_param_type = "EhpcUserInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<SendOptions>,
) -> js_sys::Promise {
    let options = optional(options);
    match ehpc_request(&input, &credentials, &options) {
        Ok(request) => promise(submit(request, options)),
        Err(error) => js_sys::Promise::reject(&error),
    }
}

/// A valid row of either bulk call. An enum rather than a type parameter, so that the bulk code
/// is compiled once for both APIs.
enum RowUser {
    ClickHouse(validation::ValidClickHouseUser),
    Ehpc(validation::ValidEhpcUser),
}

impl RowUser {
    fn zone(&self) -> &str {
        match self {
            RowUser::ClickHouse(user) => &user.zone,
            RowUser::Ehpc(user) => &user.zone,
        }
    }

    fn sign(&self, credentials: &request::Credentials, resolved: &api::Resolved) -> HttpRequest {
        match self {
            RowUser::ClickHouse(user) => api::sign_clickhouse(user, credentials, resolved),
            RowUser::Ehpc(user) => api::sign_ehpc(user, credentials, resolved),
        }
    }
}

/// What differs between the two bulk calls.
struct BulkApi {
    prepare: fn(&JsValue, &JsValue, Lang) -> api::PreparedRows<RowUser>,
    host: Host,
}

/// Reads and checks every argument of a bulk call, so that a bad one rejects before anything is
/// sent, and sets the run up.
fn bulk_run(
    which: BulkApi,
    rows: &JsValue,
    credentials: &JsValue,
    options: &JsValue,
) -> Result<std::rc::Rc<crate::bulk_driver::Shared>, JsValue> {
    let opts = options_of(options)?;
    let lang = opts.lang;
    let credentials = self::credentials(credentials, lang)?;
    let rows = (which.prepare)(rows, options, lang).map_err(shape_error(lang))?;
    let resolved = resolve(&opts, which.host)?;
    let invalid_options = |detail: &str| js::error(&ApiError::invalid_options(detail, lang));
    let jobs_endpoint = match options.field("jobsEndpoint").as_string() {
        Some(endpoint) => request::normalize_endpoint(&endpoint).map_err(|e| {
            invalid_options(&format!(
                "jobsEndpoint \"{}\" must be an http:// or https:// URL",
                e.0
            ))
        })?,
        None if opts.endpoint.is_some() => resolved.endpoint.clone(),
        None => request::DEFAULT_IAAS_ENDPOINT.to_string(),
    };
    let skip_invalid = match options.field("onInvalid").as_string().as_deref() {
        None | Some("stop") => false,
        Some("skip") => true,
        Some(_) => return Err(invalid_options("onInvalid must be 'stop' or 'skip'")),
    };
    let zones = rows
        .iter()
        .map(|row| row.as_ref().map_or("", RowUser::zone).to_string())
        .collect();
    let (users, invalid): (Vec<Option<RowUser>>, Vec<Vec<validation::Issue>>) = rows
        .into_iter()
        .map(|row| match row {
            Ok(user) => (Some(user), Vec::new()),
            Err(issues) => (None, issues),
        })
        .unzip();
    let mut run = crate::bulk::BulkRun::new(invalid, lang);
    if run.has_invalid() && !skip_invalid {
        run.stop_for_invalid();
    }
    let mut send = send_policy(options, lang);
    send.max_attempts = number(options, "maxAttempts", 5);
    send.retry_cap_ms = number(options, "retryCapMs", 8_000);
    let settings = crate::bulk_driver::Settings {
        concurrency: number(options, "concurrency", 4).clamp(1, 64),
        send,
        poll_interval_ms: number(options, "pollIntervalMs", 1_000),
        job_timeout_ms: number(options, "jobTimeoutMs", 300_000),
    };
    let lookup = crate::bulk_driver::JobLookup {
        endpoint: jobs_endpoint,
        method: resolved.method,
        credentials: credentials.clone(),
        zones,
    };
    let host = which.host;
    let build = Box::new(move |index: usize| {
        // Re-resolved for every attempt: a long run must not sign with a stale clock.
        let fresh = resolve(&opts, host).unwrap_or_else(|_| resolved.clone());
        Some(users.get(index)?.as_ref()?.sign(&credentials, &fresh))
    });
    Ok(crate::bulk_driver::Shared::new(
        run,
        build,
        lookup,
        settings,
        signal_of(options),
        callback(options, "onProgress"),
    ))
}

fn bulk_promise(
    which: BulkApi,
    rows: JsValue,
    credentials: JsValue,
    options: JsValue,
) -> js_sys::Promise {
    match bulk_run(which, &rows, &credentials, &options) {
        Ok(shared) => promise(async move {
            crate::bulk_driver::run(shared.clone()).await;
            let run = shared.run.borrow();
            let result = js_sys::Object::new();
            js::set(&result, "results", &js::row_results(&run.results()));
            js::set(&result, "counts", &js::counts(&run.counts()));
            Ok(result.into())
        }),
        Err(error) => js_sys::Promise::reject(&error),
    }
}

/// Adds many ClickHouse accounts; resolves to `{ results, counts }` with one result per row.
#[wasm_bindgen(js_name = addClickHouseUsers, unchecked_return_type = "Promise<BulkResult>")]
pub fn add_clickhouse_users(
    #[wasm_bindgen(unchecked_param_type = "ClickHouseUserRow[]")] rows: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<ClickHouseBulkOptions>,
) -> js_sys::Promise {
    let which = BulkApi {
        prepare: |rows, options, lang| {
            let rows = api::clickhouse_rows(rows, options, lang)?;
            Ok(rows
                .into_iter()
                .map(|row| row.map(RowUser::ClickHouse))
                .collect())
        },
        host: Host::Iaas,
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
        prepare: |rows, options, lang| {
            let rows = api::ehpc_rows(rows, options, lang)?;
            Ok(rows.into_iter().map(|row| row.map(RowUser::Ehpc)).collect())
        },
        host: Host::Ehpc,
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
    let opts = options_of(&options)?;
    let lang = opts.lang;
    let interval_ms = number(&options, "intervalMs", 1_000);
    let timeout_ms = number(&options, "timeoutMs", 300_000);
    let on_status = callback(&options, "onStatus");
    let signal = signal_of(&options);
    let zone = options.field("zone").as_string().unwrap_or_default();
    let credentials = credentials(&options.field("credentials"), lang)?;
    let mut policy = SendPolicy {
        lang,
        ..SendPolicy::default()
    };
    let deadline = client::now_ms() + f64::from(timeout_ms);
    let mut last_status: Option<JobStatus> = None;
    loop {
        let resolved = resolve(&opts, Host::Iaas)?;
        let input = api::DescribeJobsInput {
            zone: zone.clone(),
            jobs: vec![job_id.clone()],
            limit: None,
        };
        let request = api::build_describe_jobs(input, &credentials, &resolved, lang)
            .map_err(|e| js::error(&e))?;
        let remaining = (deadline - client::now_ms()).max(1.0);
        policy.timeout_ms = SendPolicy::default().timeout_ms.min(remaining as u32);
        match client::send(&request, &policy, signal.as_ref()).await {
            Ok(response) => {
                if let Some((_, status, job)) = job_set(&response)
                    .into_iter()
                    .find(|(id, ..)| *id == job_id)
                {
                    let job_js = js::camel_case_keys(&job);
                    if last_status != Some(status) {
                        last_status = Some(status);
                        if let Some(callback) = &on_status {
                            let _ = callback.call1(&JsValue::UNDEFINED, &job_js);
                        }
                    }
                    match status {
                        JobStatus::Successful => return Ok(job_js),
                        JobStatus::Failed => {
                            return Err(js::error(&ApiError::job_failed(&job_id, &job, lang)))
                        }
                        JobStatus::Pending | JobStatus::Working => {}
                    }
                }
            }
            Err(error) if is_transient(&error) => {}
            Err(error) => return Err(js::error(&error)),
        }
        if client::now_ms() + f64::from(interval_ms) >= deadline {
            return Err(js::error(&ApiError::job_timeout(&job_id, timeout_ms, lang)));
        }
        client::sleep(interval_ms, signal.as_ref(), lang)
            .await
            .map_err(|e| js::error(&e))?;
    }
}

/// Whether `value` is an error raised by this library.
#[wasm_bindgen(js_name = isQingCloudError, unchecked_return_type = "value is QingCloudError")]
pub fn is_qingcloud_error(
    #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
) -> bool {
    value.is_instance_of::<js_sys::Error>()
        && value.field("name").as_string().as_deref() == Some("QingCloudError")
}
