//! The JavaScript API: each export reads its arguments into the serde model, calls the pure
//! modules, and answers plain objects or `QingCloudError`s. ClickHouse and EHPC share one generic
//! path ([`AddUser`]). Nothing here panics: every failure becomes an exception or a rejection.

use super::bulk::{self, JobLookup, Settings};
use super::convert::{
    self, error, error_with, hook, invalid_options, read_input, read_options, to_js, Own,
};
use super::guard::{self, ListRefused};
use super::http::{self, SendPolicy};
use crate::api::{self, AddUser, ClickHouse, Ehpc, Resolved};
use crate::bulk::{BulkResult, BulkRun, MAX_ROWS};
use crate::concurrency::Concurrency;
use crate::input::{
    whole, BulkSettings, DefaultCluster, DescribeJobsInput, PreviousRow, RequestOptions,
    RequestToPreview, SendSettings, ServiceParamsInput, ValidateOptions, WaitForJobOptions,
    LIMIT_MS, MAX_ATTEMPTS, WAIT_MS,
};
use crate::messages::Lang;
use crate::output::{RequestPreview, SignedRequest, ValidationReport};
use crate::refusal::{Arg, Refusal};
use crate::request::{self, Credentials, HttpRequest, Method};
use crate::response::{job_set, ApiError, ErrorKind, JobStatus};
use crate::validation::{self, Issue};
use futures::future::LocalBoxFuture;
use std::future::Future;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = crate::output::TYPES;

#[wasm_bindgen]
extern "C" {
    /// Optional options arguments, typed for TypeScript (`options?: T`).
    #[wasm_bindgen(typescript_type = "ValidateOptions")]
    pub type ValidateOptionsArg;
    #[wasm_bindgen(typescript_type = "RequestOptions")]
    pub type RequestOptionsArg;
    #[wasm_bindgen(typescript_type = "SendOptions")]
    pub type SendOptionsArg;
    #[wasm_bindgen(typescript_type = "ClickHouseBulkOptions")]
    pub type ClickHouseBulkOptionsArg;
    #[wasm_bindgen(typescript_type = "EhpcBulkOptions")]
    pub type EhpcBulkOptionsArg;
}

/// An optional argument as a plain value (`undefined` when absent).
fn optional<T: Into<JsValue>>(options: Option<T>) -> JsValue {
    options.map_or(JsValue::UNDEFINED, Into::into)
}

/// A promise of `future`. Boxed, so that `future_to_promise` is compiled once for every export.
fn promise(future: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> js_sys::Promise {
    let future: LocalBoxFuture<'static, Result<JsValue, JsValue>> = Box::pin(future);
    wasm_bindgen_futures::future_to_promise(future)
}

/// The options resolved for API `A`, with the clock and a random `req_id` as defaults.
fn resolve<A: AddUser>(options: &RequestOptions) -> Result<Resolved, ApiError> {
    resolve_for(options, A::DEFAULT_ENDPOINT, A::SENDS_REQ_ID)
}

fn resolve_for(
    options: &RequestOptions,
    default_endpoint: &str,
    sends_req_id: bool,
) -> Result<Resolved, ApiError> {
    // EHPC requests carry no `req_id`, and drawing random bytes is not free.
    let req_id = if sends_req_id {
        http::random_req_id
    } else {
        String::new
    };
    options.resolve(default_endpoint, http::now_ms, req_id)
}

/// The credentials argument, read and checked.
fn credentials(value: &JsValue, lang: Lang) -> Result<Credentials, JsValue> {
    let credentials =
        convert::read(value, Arg::Credentials).map_err(|shape| invalid_options(&shape.0, lang))?;
    api::check_credentials(credentials, lang).map_err(|e| error(&e))
}

/// Validates and signs one user of API `A`.
fn signed<A: AddUser>(
    input: &JsValue,
    creds: &JsValue,
    options: &RequestOptions,
) -> Result<HttpRequest, JsValue> {
    let lang = options.lang;
    let user: A::Input = read_input(input, A::WHAT, lang)?;
    let credentials = credentials(creds, lang)?;
    let resolved = resolve::<A>(options).map_err(|e| error(&e))?;
    api::build::<A>(&user.into(), &credentials, &resolved, lang)
        .map_err(|(e, report)| error_with(&e, &report.errors))
}

fn validate<A: AddUser>(
    input: &JsValue,
    options: Option<ValidateOptionsArg>,
) -> Result<JsValue, JsValue> {
    let options: ValidateOptions = read_options(&optional(options))?;
    let user: A::Input = read_input(input, A::WHAT, options.lang)?;
    Ok(to_js(&ValidationReport::from(
        &A::validate(&user.into(), options.lang).report,
    )))
}

#[wasm_bindgen(js_name = validateClickHouseUser, unchecked_return_type = "ValidationReport")]
pub fn validate_clickhouse_user(
    #[wasm_bindgen(unchecked_param_type = "ClickHouseUserInput")] input: JsValue,
    options: Option<ValidateOptionsArg>,
) -> Result<JsValue, JsValue> {
    validate::<ClickHouse>(&input, options)
}

#[wasm_bindgen(js_name = validateEhpcUser, unchecked_return_type = "ValidationReport")]
pub fn validate_ehpc_user(
    #[wasm_bindgen(unchecked_param_type = "EhpcUserInput")] input: JsValue,
    options: Option<ValidateOptionsArg>,
) -> Result<JsValue, JsValue> {
    validate::<Ehpc>(&input, options)
}

/// The URL-encoded `service_params` value: compact JSON in the documented key order, networks
/// trimmed, deduplicated and joined with `;`. It encodes; it does not validate.
#[wasm_bindgen(js_name = encodeServiceParams)]
pub fn encode_service_params(
    #[wasm_bindgen(unchecked_param_type = "ServiceParamsInput")] input: JsValue,
) -> Result<String, JsValue> {
    let input: ServiceParamsInput = read_input(&input, Arg::ServiceParams, Lang::En)?;
    Ok(crate::encoding::encode_service_params(
        &validation::join_networks(&input.user_networks.0),
        &input.user_password.0,
        &input.user_name.0,
    ))
}

fn build<A: AddUser>(
    input: &JsValue,
    creds: &JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: RequestOptions = read_options(&options)?;
    signed::<A>(input, creds, &options).map(|request| to_js(&SignedRequest::from(&request)))
}

#[wasm_bindgen(js_name = buildClickHouseAddUsersRequest, unchecked_return_type = "SignedRequest")]
pub fn build_clickhouse_add_users_request(
    #[wasm_bindgen(unchecked_param_type = "ClickHouseUserInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<RequestOptionsArg>,
) -> Result<JsValue, JsValue> {
    build::<ClickHouse>(&input, &credentials, optional(options))
}

#[wasm_bindgen(js_name = buildEhpcAddUserRequest, unchecked_return_type = "SignedRequest")]
pub fn build_ehpc_add_user_request(
    #[wasm_bindgen(unchecked_param_type = "EhpcUserInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<RequestOptionsArg>,
) -> Result<JsValue, JsValue> {
    build::<Ehpc>(&input, &credentials, optional(options))
}

#[wasm_bindgen(js_name = buildDescribeJobsRequest, unchecked_return_type = "SignedRequest")]
pub fn build_describe_jobs_request(
    #[wasm_bindgen(unchecked_param_type = "DescribeJobsInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<RequestOptionsArg>,
) -> Result<JsValue, JsValue> {
    let options: RequestOptions = read_options(&optional(options))?;
    let lang = options.lang;
    let input: DescribeJobsInput = read_input(&input, Arg::DescribeJobs, lang)?;
    let credentials = self::credentials(&credentials, lang)?;
    let resolved =
        resolve_for(&options, request::DEFAULT_IAAS_ENDPOINT, true).map_err(|e| error(&e))?;
    api::build_describe_jobs(input, &credentials, &resolved, lang)
        .map(|request| to_js(&SignedRequest::from(&request)))
        .map_err(|e| error(&e))
}

/// A signed request with its signature and passwords masked, and as a curl command.
#[wasm_bindgen(js_name = previewRequest, unchecked_return_type = "RequestPreview")]
pub fn preview_request(
    #[wasm_bindgen(unchecked_param_type = "SignedRequest")] request: JsValue,
) -> Result<JsValue, JsValue> {
    let request: RequestToPreview = read_input(&request, Arg::Request, Lang::En)?;
    // What the preview shows must be what would be sent: no other method passes for GET.
    let method = match request.method.to_ascii_uppercase().as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        _ => {
            let shape = api::WrongShape(Refusal::Method);
            return Err(error(&shape.into_error(Lang::En)));
        }
    };
    let request = HttpRequest {
        method,
        url: request.url,
        headers: request.headers,
        body: request.body,
    };
    Ok(to_js(&RequestPreview::from(&crate::preview::preview(
        &request,
    ))))
}

/// Attempts a single send makes when the caller does not say, and a bulk run's row.
const SINGLE_ATTEMPTS: u32 = 3;
const ROW_ATTEMPTS: u32 = 5;

/// How a sender sends, making at most `default_attempts` unless the caller says; a number that
/// cannot be used is refused with its rule.
fn send_policy(
    settings: &SendSettings,
    default_attempts: u32,
    lang: Lang,
) -> Result<SendPolicy, Refusal> {
    let defaults = SendPolicy::new(lang);
    Ok(SendPolicy {
        timeout_ms: whole(
            "timeoutMs",
            settings.timeout_ms,
            defaults.timeout_ms,
            LIMIT_MS,
        )?,
        max_attempts: whole(
            "maxAttempts",
            settings.max_attempts,
            default_attempts,
            1..=MAX_ATTEMPTS,
        )?,
        retry_base_ms: whole(
            "retryBaseMs",
            settings.retry_base_ms,
            defaults.retry_base_ms,
            WAIT_MS,
        )?,
        ..defaults
    })
}

/// The options of a single send, read and checked: what to sign with, how to send, and the
/// caller's signal.
fn send_options(
    options: &JsValue,
) -> Result<(RequestOptions, SendPolicy, Option<AbortSignal>), JsValue> {
    let own = Own::of_options(options)?;
    let options: RequestOptions = own.options()?;
    let settings: SendSettings = own.options()?;
    let lang = options.lang;
    let policy = send_policy(&settings, SINGLE_ATTEMPTS, lang)
        .map_err(|refusal| invalid_options(&refusal, lang))?;
    Ok((options, policy, convert::signal(&settings.signal)))
}

/// Sends one signed add-user request; only busy answers are tried again.
fn send_add_user(
    request: HttpRequest,
    policy: SendPolicy,
    signal: Option<AbortSignal>,
) -> js_sys::Promise {
    promise(async move {
        let lang = policy.lang;
        let response = http::send(
            request,
            http::same_request(),
            &|answer| answer.add_user(lang),
            &policy,
            signal.as_ref(),
            true,
            &ApiError::is_retryable,
            &mut |_| {},
        )
        .await
        .map_err(|e| error(&e))?;
        Ok(to_js(&response))
    })
}

/// Validates, signs and sends one user of API `A`.
fn add<A: AddUser>(input: JsValue, creds: JsValue, options: JsValue) -> js_sys::Promise {
    let signed = send_options(&options).and_then(|(options, policy, signal)| {
        Ok((signed::<A>(&input, &creds, &options)?, policy, signal))
    });
    match signed {
        Ok((request, policy, signal)) => send_add_user(request, policy, signal),
        Err(error) => js_sys::Promise::reject(&error),
    }
}

/// Validates, signs and sends `add_users`; resolves to `{ action, jobId, retCode, ... }`.
#[wasm_bindgen(js_name = addClickHouseUser, unchecked_return_type = "Promise<AddUserResponse>")]
pub fn add_clickhouse_user(
    #[wasm_bindgen(unchecked_param_type = "ClickHouseUserInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<SendOptionsArg>,
) -> js_sys::Promise {
    add::<ClickHouse>(input, credentials, optional(options))
}

/// Validates, signs and sends EHPC `addUser`; resolves to `{ action, jobId, retCode }`.
#[wasm_bindgen(js_name = addEhpcUser, unchecked_return_type = "Promise<AddUserResponse>")]
pub fn add_ehpc_user(
    #[wasm_bindgen(unchecked_param_type = "EhpcUserInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<SendOptionsArg>,
) -> js_sys::Promise {
    add::<Ehpc>(input, credentials, optional(options))
}

/// The rows argument of a bulk call, each row read on its own: a row of the wrong shape is an
/// invalid row, not a refused call.
fn rows<R: serde::de::DeserializeOwned + Default>(
    value: &JsValue,
    lang: Lang,
) -> Result<Vec<Result<R, api::WrongShape>>, JsValue> {
    let items = guard::copy_list(value, MAX_ROWS).map_err(|refused| {
        let refusal = match refused {
            ListRefused::NotAList | ListRefused::Unreadable => Refusal::NotAList("rows"),
            ListRefused::TooLong => Refusal::TooManyRows { most: MAX_ROWS },
        };
        error(&api::WrongShape(refusal).into_error(lang))
    })?;
    Ok(items
        .iter()
        .map(|row| convert::read(&row, Arg::Row))
        .collect())
}

/// `options.previous`, when given: a list, copied as the rows are, of entries that must all be
/// readable.
fn previous(value: &JsValue, lang: Lang) -> Result<Option<Vec<PreviousRow>>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let refuse = |refusal: Refusal| invalid_options(&refusal, lang);
    let items = guard::copy_list(value, MAX_ROWS).map_err(|refused| {
        refuse(match refused {
            ListRefused::NotAList | ListRefused::Unreadable => Refusal::NotAList("previous"),
            ListRefused::TooLong => Refusal::TooManyEntries { most: MAX_ROWS },
        })
    })?;
    items
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            convert::read(&entry, Arg::Row)
                .map_err(|shape| refuse(Refusal::PreviousEntry(index, Box::new(shape.0))))
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

/// The run set up from the validated rows: resumed from `previous` when given, and stopped
/// before sending when rows are invalid and `onInvalid` is not `'skip'`.
fn new_run(
    invalid: Vec<Vec<Issue>>,
    previous: Option<&[PreviousRow]>,
    skip_invalid: bool,
    lang: Lang,
) -> BulkRun {
    let mut run = BulkRun::new(invalid, lang);
    if let Some(previous) = previous {
        run.resume(previous, http::now_ms());
    }
    if run.has_invalid() && !skip_invalid {
        run.stop_for_invalid();
    }
    run
}

/// Signs the valid row at an index with the given credentials and options.
type SignRow = Box<dyn Fn(usize, &Credentials, &Resolved) -> Option<HttpRequest>>;

/// What a bulk call's options and credentials say, read and checked before its rows. The steps
/// of a bulk call that do not depend on the kind of user are plain functions, compiled once.
struct BulkCall {
    request_options: RequestOptions,
    send_settings: SendSettings,
    opts: BulkSettings,
    defaults: DefaultCluster,
    credentials: Credentials,
    /// Of the API called (see [`AddUser`]).
    default_endpoint: &'static str,
    sends_req_id: bool,
}

/// What [`BulkCall::check`] finds, once the rows are read.
struct Checked {
    previous: Option<Vec<PreviousRow>>,
    resolved: Resolved,
    jobs_endpoint: String,
    skip_invalid: bool,
}

impl BulkCall {
    fn lang(&self) -> Lang {
        self.request_options.lang
    }

    fn invalid_options(&self, refusal: &Refusal) -> JsValue {
        invalid_options(refusal, self.lang())
    }

    /// The options and credentials, read, for an API with these defaults (see [`AddUser`]);
    /// the rest is checked by [`BulkCall::check`].
    fn read(
        creds: &JsValue,
        options: &JsValue,
        default_endpoint: &'static str,
        sends_req_id: bool,
    ) -> Result<Self, JsValue> {
        let own = Own::of_options(options)?;
        let request_options: RequestOptions = own.options()?;
        let send_settings: SendSettings = own.options()?;
        let opts: BulkSettings = own.options()?;
        let defaults: DefaultCluster = own.options()?;
        let credentials = credentials(creds, request_options.lang)?;
        Ok(BulkCall {
            request_options,
            send_settings,
            opts,
            defaults,
            credentials,
            default_endpoint,
            sends_req_id,
        })
    }

    /// Checks `previous`, the endpoints and `onInvalid`, after the rows have been read.
    fn check(&self) -> Result<Checked, JsValue> {
        let previous = previous(&self.opts.previous.0, self.lang())?;
        let resolved = resolve_for(
            &self.request_options,
            self.default_endpoint,
            self.sends_req_id,
        )
        .map_err(|e| error(&e))?;
        let jobs_endpoint = match &self.opts.jobs_endpoint {
            Some(endpoint) => request::normalize_endpoint(endpoint)
                .ok_or_else(|| self.invalid_options(&Refusal::Endpoint("jobsEndpoint")))?,
            None if self.request_options.endpoint.is_some() => resolved.endpoint.clone(),
            None => request::DEFAULT_IAAS_ENDPOINT.to_string(),
        };
        let skip_invalid = match self.opts.on_invalid.as_deref() {
            None | Some("stop") => false,
            Some("skip") => true,
            Some(_) => return Err(self.invalid_options(&Refusal::OnInvalid)),
        };
        Ok(Checked {
            previous,
            resolved,
            jobs_endpoint,
            skip_invalid,
        })
    }

    /// The run of the prepared rows: `invalid` holds each row's issues (none for a row to send),
    /// `zones` each valid row's zone, and `sign` signs a valid row with fresh options.
    fn start(
        self,
        checked: Checked,
        invalid: Vec<Vec<Issue>>,
        zones: Vec<String>,
        sign: SignRow,
    ) -> Result<std::rc::Rc<bulk::Run>, JsValue> {
        let lang = self.lang();
        let opts = &self.opts;
        let refuse = |refusal: Refusal| self.invalid_options(&refusal);
        let concurrency =
            Concurrency::from_options(opts.concurrency.as_ref(), opts.max_concurrency)
                .map_err(refuse)?;
        let run = new_run(
            invalid,
            checked.previous.as_deref(),
            checked.skip_invalid,
            lang,
        );
        let send = SendPolicy {
            retry_cap_ms: whole("retryCapMs", opts.retry_cap_ms, 8_000, WAIT_MS).map_err(refuse)?,
            ..send_policy(&self.send_settings, ROW_ATTEMPTS, lang).map_err(refuse)?
        };
        let settings = Settings {
            concurrency,
            send,
            poll_interval_ms: whole("pollIntervalMs", opts.poll_interval_ms, 1_000, WAIT_MS)
                .map_err(refuse)?,
            job_timeout_ms: whole("jobTimeoutMs", opts.job_timeout_ms, 300_000, LIMIT_MS)
                .map_err(refuse)?,
        };
        let lookup = JobLookup {
            endpoint: checked.jobs_endpoint,
            method: checked.resolved.method,
            credentials: self.credentials.clone(),
            zones,
        };
        let (signal, on_progress) = (
            convert::signal(&self.send_settings.signal),
            hook(&opts.on_progress),
        );
        // The signer keeps only what it needs, not the rest of the options.
        let BulkCall {
            request_options,
            credentials,
            default_endpoint,
            sends_req_id,
            ..
        } = self;
        let resolved = checked.resolved;
        let sign = Box::new(move |index: usize| {
            // Resolved for every attempt: a long run must not sign with a stale clock.
            let fresh = resolve_for(&request_options, default_endpoint, sends_req_id)
                .unwrap_or_else(|_| resolved.clone());
            sign(index, &credentials, &fresh)
        });
        Ok(bulk::Run::new(
            run,
            sign,
            lookup,
            settings,
            signal,
            on_progress,
        ))
    }
}

/// Reads and checks every argument of a bulk call, so that a bad one rejects before anything is
/// sent, and sets the run up. Only reading, validating and signing the rows depend on `A`.
fn bulk_run<A: AddUser + 'static>(
    rows: &JsValue,
    creds: &JsValue,
    options: &JsValue,
) -> Result<std::rc::Rc<bulk::Run>, JsValue> {
    let call = BulkCall::read(creds, options, A::DEFAULT_ENDPOINT, A::SENDS_REQ_ID)?;
    let lang = call.lang();
    let rows = self::rows::<A::Input>(rows, lang)?;
    let checked = call.check()?;
    let prepared = api::bulk_rows(
        rows,
        &A::ROWS,
        (A::default_cluster(&call.defaults), &call.opts.zone),
        checked.previous.as_deref(),
        lang,
    )
    .map_err(|refusal| call.invalid_options(&refusal))?;
    let zones = prepared
        .iter()
        .map(|row| {
            row.as_ref()
                .map_or(String::new(), |user| (A::ROWS.zone)(user).to_string())
        })
        .collect();
    let (users, invalid): (Vec<Option<A::Valid>>, Vec<Vec<Issue>>) = prepared
        .into_iter()
        .map(|row| match row {
            Ok(user) => (Some(user), Vec::new()),
            Err(issues) => (None, issues),
        })
        .unzip();
    let sign = Box::new(
        move |index: usize, credentials: &Credentials, options: &Resolved| {
            Some(A::sign(users.get(index)?.as_ref()?, credentials, options))
        },
    );
    call.start(checked, invalid, zones, sign)
}

fn add_many<A: AddUser + 'static>(
    rows: JsValue,
    creds: JsValue,
    options: JsValue,
) -> js_sys::Promise {
    match bulk_run::<A>(&rows, &creds, &options) {
        Ok(run) => promise(async move {
            bulk::run(run.clone()).await;
            let rows = run.rows.borrow();
            Ok(to_js(&BulkResult {
                results: rows.results(),
                counts: rows.counts(),
            }))
        }),
        Err(error) => js_sys::Promise::reject(&error),
    }
}

/// Adds many ClickHouse accounts (at most 100,000 rows per call); resolves to `{ results, counts }`
/// with one result per row.
#[wasm_bindgen(js_name = addClickHouseUsers, unchecked_return_type = "Promise<BulkResult>")]
pub fn add_clickhouse_users(
    #[wasm_bindgen(unchecked_param_type = "ClickHouseUserRow[]")] rows: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<ClickHouseBulkOptionsArg>,
) -> js_sys::Promise {
    add_many::<ClickHouse>(rows, credentials, optional(options))
}

/// Adds many EHPC users (at most 100,000 rows per call); resolves to `{ results, counts }`
/// with one result per row.
#[wasm_bindgen(js_name = addEhpcUsers, unchecked_return_type = "Promise<BulkResult>")]
pub fn add_ehpc_users(
    #[wasm_bindgen(unchecked_param_type = "EhpcUserRow[]")] rows: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    options: Option<EhpcBulkOptionsArg>,
) -> js_sys::Promise {
    add_many::<Ehpc>(rows, credentials, optional(options))
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
    let options: WaitForJobOptions = read_options(&options)?;
    let lang = options.lang;
    let credentials = credentials(&options.credentials.0, lang)?;
    let request_options = RequestOptions {
        endpoint: options.endpoint.clone(),
        method: options.method.clone(),
        lang,
        ..RequestOptions::default()
    };
    let invalid = |refusal: Refusal| invalid_options(&refusal, lang);
    let interval_ms = whole("intervalMs", options.interval_ms, 1_000, WAIT_MS).map_err(invalid)?;
    let timeout_ms = whole("timeoutMs", options.timeout_ms, 300_000, LIMIT_MS).map_err(invalid)?;
    let on_status: Option<js_sys::Function> = hook(&options.on_status);
    let signal = convert::signal(&options.signal);
    let mut policy = SendPolicy::new(lang);
    let deadline = http::now_ms() + f64::from(timeout_ms);
    let mut last_status: Option<JobStatus> = None;
    let input = DescribeJobsInput {
        zone: options.zone.clone(),
        jobs: crate::de::Texts(vec![job_id.clone()]),
        limit: None,
    };
    loop {
        let build = || {
            let resolved = resolve_for(&request_options, request::DEFAULT_IAAS_ENDPOINT, true)?;
            api::build_describe_jobs(input.clone(), &credentials, &resolved, lang)
        };
        let first = build().map_err(|e| error(&e))?;
        let remaining = (deadline - http::now_ms()).max(1.0);
        policy.timeout_ms = SendPolicy::new(lang).timeout_ms.min(remaining as u32);
        let answer = http::send(
            first,
            http::resign_with(|| build().ok()),
            &Ok,
            &policy,
            signal.as_ref(),
            true,
            &ApiError::is_retryable,
            &mut |_| {},
        )
        .await;
        match answer {
            Ok(answer) => {
                if let Some((_, status, job)) = job_set(&answer).find(|(id, ..)| *id == job_id) {
                    let job_js = to_js(job);
                    if last_status != Some(status) {
                        last_status = Some(status);
                        if let Some(callback) = &on_status {
                            let _ = callback.call1(&JsValue::UNDEFINED, &job_js);
                        }
                    }
                    match status {
                        JobStatus::Successful => return Ok(job_js),
                        JobStatus::Failed => {
                            return Err(error(&ApiError::job_failed(&job_id, job, lang)))
                        }
                        JobStatus::Pending | JobStatus::Working => {}
                    }
                }
            }
            Err(failure) if is_transient(&failure) => {}
            Err(failure) => return Err(error(&failure)),
        }
        if http::now_ms() + f64::from(interval_ms) >= deadline {
            return Err(error(&ApiError::job_timeout(&job_id, timeout_ms, lang)));
        }
        http::sleep(interval_ms, signal.as_ref(), lang)
            .await
            .map_err(|e| error(&e))?;
    }
}

/// Whether `value` is an error raised by this library.
#[wasm_bindgen(js_name = isQingCloudError, unchecked_return_type = "value is QingCloudError")]
pub fn is_qingcloud_error(
    #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
) -> bool {
    value.is_instance_of::<js_sys::Error>()
        && js_sys::Reflect::get(&value, &"name".into())
            .ok()
            .and_then(|name| name.as_string())
            .as_deref()
            == Some("QingCloudError")
}
