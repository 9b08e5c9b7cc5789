//! Runs a bulk add in the browser or Node: `concurrency` senders take rows from the queue, retry
//! what `bulk::retry_kind` allows with exponential backoff and jitter, and one poller follows every
//! accepted row's job with a DescribeJobs call per 100 jobs. The bookkeeping is `bulk::BulkRun`.

use crate::arg::Arg;
use crate::bulk::{self, BulkRun};
use crate::client::{self, SendPolicy};
use crate::messages::Lang;
use crate::request::{Credentials, HttpRequest, Method, Stamp};
use crate::response::{backoff_ms, job_set, ApiError, ErrorKind};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

/// How a bulk run sends and waits.
#[derive(Clone, Debug)]
pub struct Settings {
    pub concurrency: u32,
    pub send: SendPolicy,
    pub poll_interval_ms: u32,
    pub job_timeout_ms: u32,
}

/// Where and how DescribeJobs is called for the rows' jobs.
pub struct JobLookup {
    pub endpoint: String,
    pub method: Method,
    pub credentials: Credentials,
    /// Each row's zone, which DescribeJobs needs.
    pub zones: Vec<String>,
}

/// Everything a run shares between its senders and its poller.
pub struct Shared {
    pub run: RefCell<BulkRun>,
    pub build: Box<dyn Fn(usize) -> Option<HttpRequest>>,
    pub lookup: JobLookup,
    pub settings: Settings,
    pub signal: Option<AbortSignal>,
    pub on_progress: Option<js_sys::Function>,
    senders_done: Cell<bool>,
}

impl Shared {
    pub fn new(
        run: BulkRun,
        build: Box<dyn Fn(usize) -> Option<HttpRequest>>,
        lookup: JobLookup,
        settings: Settings,
        signal: Option<AbortSignal>,
        on_progress: Option<js_sys::Function>,
    ) -> Rc<Self> {
        Rc::new(Shared {
            run: RefCell::new(run),
            build,
            lookup,
            settings,
            signal,
            on_progress,
            senders_done: Cell::new(false),
        })
    }

    fn lang(&self) -> Lang {
        self.settings.send.lang
    }

    /// Tells the caller a row changed, with the counts as they are now.
    fn progress(&self, index: usize) {
        let Some(callback) = &self.on_progress else {
            return;
        };
        let event = {
            let run = self.run.borrow();
            let event = crate::js::counts(&run.counts());
            if let Some(row) = run.row_view(index) {
                crate::js::set(&event, "row", &crate::js::row_view(&row));
            }
            event
        };
        // A throwing callback is the caller's problem; it must not stop the run.
        let _ = callback.call1(&JsValue::UNDEFINED, &event);
    }

    fn aborted(&self) -> bool {
        self.signal.as_ref().is_some_and(AbortSignal::aborted)
    }
}

/// Runs every queued row to a final status: the senders and the poller run as promises, which
/// JavaScript's event loop interleaves, so no executor of our own is needed.
pub async fn run(shared: Rc<Shared>) {
    let queued = shared.run.borrow().counts().queued;
    let senders: js_sys::Array = (0..shared.settings.concurrency.max(1).min(queued.max(1) as u32))
        .map(|_| {
            let shared = shared.clone();
            JsValue::from(crate::bindings::promise(async move {
                sender(shared).await;
                Ok(JsValue::UNDEFINED)
            }))
        })
        .collect();
    let senders = {
        let shared = shared.clone();
        crate::bindings::promise(async move {
            let _ = JsFuture::from(js_sys::Promise::all(&senders)).await;
            shared.senders_done.set(true);
            Ok(JsValue::UNDEFINED)
        })
    };
    poller(shared).await;
    let _ = JsFuture::from(senders).await;
}

async fn sender(shared: Rc<Shared>) {
    loop {
        if shared.aborted() {
            let cancelled = shared.run.borrow_mut().cancel_queued();
            for index in cancelled {
                shared.progress(index);
            }
            return;
        }
        let Some(index) = shared.run.borrow_mut().take_next() else {
            return;
        };
        shared.progress(index);
        send_row(&shared, index).await;
        shared.progress(index);
    }
}

/// Sends one row until it is accepted, refused, or out of attempts. In-flight requests are not
/// aborted by the signal; only waits before a retry are.
async fn send_row(shared: &Shared, index: usize) {
    let policy = &shared.settings.send;
    let mut attempt = 0;
    loop {
        let Some(request) = (shared.build)(index) else {
            // Only valid rows are queued, and every valid row has a request.
            let error = ApiError::invalid_options("no request for this row", shared.lang());
            shared.run.borrow_mut().send_failed(index, &error);
            return;
        };
        let error = match client::send_once(&request, policy, None).await {
            Ok(answer) => match answer.field("job_id").as_string() {
                Some(job_id) => {
                    shared
                        .run
                        .borrow_mut()
                        .sent(index, job_id, client::now_ms());
                    return;
                }
                None => ApiError::missing_job_id(shared.lang()),
            },
            Err(error) => error,
        };
        match bulk::retry_kind(&error) {
            Some(ambiguity) if attempt + 1 < policy.max_attempts.max(1) => {
                shared.run.borrow_mut().attempt_failed(index, ambiguity);
                let delay = backoff_ms(
                    attempt,
                    policy.retry_base_ms,
                    policy.retry_cap_ms,
                    js_sys::Math::random(),
                );
                if client::sleep(delay, shared.signal.as_ref(), shared.lang())
                    .await
                    .is_err()
                {
                    shared.run.borrow_mut().abandoned(index, &error);
                    return;
                }
                attempt += 1;
            }
            _ => {
                shared.run.borrow_mut().send_failed(index, &error);
                return;
            }
        }
    }
}

/// Errors that a later poll may get past.
fn is_transient(error: &ApiError) -> bool {
    bulk::retry_kind(error).is_some() || error.kind == ErrorKind::Aborted
}

/// Follows the jobs of accepted rows until every row is final.
async fn poller(shared: Rc<Shared>) {
    loop {
        let waiting = shared.run.borrow().waiting_jobs();
        if waiting.is_empty() && shared.senders_done.get() {
            return;
        }
        let lookup = &shared.lookup;
        let mut by_zone: Vec<(String, Vec<(usize, String)>)> = Vec::new();
        for (index, job_id) in waiting {
            let zone = lookup.zones.get(index).cloned().unwrap_or_default();
            match by_zone.iter_mut().find(|(z, _)| *z == zone) {
                Some((_, jobs)) => jobs.push((index, job_id)),
                None => by_zone.push((zone, vec![(index, job_id)])),
            }
        }
        for (zone, jobs) in &by_zone {
            for batch in jobs.chunks(bulk::JOBS_PER_POLL) {
                poll_batch(&shared, zone, batch).await;
            }
        }
        let expired = shared
            .run
            .borrow_mut()
            .expire_jobs(client::now_ms(), shared.settings.job_timeout_ms);
        for index in expired {
            shared.progress(index);
        }
        if shared.run.borrow().is_finished() && shared.senders_done.get() {
            return;
        }
        let _ = client::sleep(shared.settings.poll_interval_ms, None, shared.lang()).await;
    }
}

async fn poll_batch(shared: &Shared, zone: &str, batch: &[(usize, String)]) {
    let lookup = &shared.lookup;
    let jobs: Vec<String> = batch.iter().map(|(_, id)| id.clone()).collect();
    let stamp = Stamp {
        time_stamp: crate::timestamp::format_timestamp((client::now_ms() / 1000.0) as i64),
        req_id: client::random_req_id(),
    };
    let request = crate::request::describe_jobs(
        zone,
        &jobs,
        Some(jobs.len() as u32),
        &lookup.credentials,
        &lookup.endpoint,
        lookup.method,
        &stamp,
    );
    match client::send(&request, &shared.settings.send, None).await {
        Ok(answer) => {
            for (job_id, status, job) in job_set(&answer) {
                let Some((index, _)) = batch.iter().find(|(_, id)| *id == job_id) else {
                    continue;
                };
                let changed = shared.run.borrow_mut().job_update(*index, status, &job);
                if changed {
                    shared.progress(*index);
                }
            }
        }
        Err(error) if is_transient(&error) => {}
        Err(error) => {
            for (index, _) in batch {
                shared.run.borrow_mut().job_lookup_failed(*index, &error);
                shared.progress(*index);
            }
        }
    }
}
