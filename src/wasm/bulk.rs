//! Runs a bulk add: `concurrency` senders take rows from the queue and send them through the
//! shared retry loop (retrying what `bulk::retry_kind` allows), while one poller follows every
//! accepted row's job with a DescribeJobs call per 100 jobs. The bookkeeping is `bulk::BulkRun`;
//! senders and poller are futures joined in one task, so no executor of our own is needed.

use super::convert::to_js;
use super::http::{self, SendPolicy};
use crate::bulk::{self, BulkProgress, BulkRun};
use crate::messages::Lang;
use crate::request::{Credentials, HttpRequest, Method, Stamp};
use crate::response::{job_set, ApiError, ErrorKind};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsValue;
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
pub struct Run {
    pub rows: RefCell<BulkRun>,
    /// Signs a row's request afresh for each attempt; `None` for a row that is not valid.
    pub sign: Box<dyn Fn(usize) -> Option<HttpRequest>>,
    pub lookup: JobLookup,
    pub settings: Settings,
    pub signal: Option<AbortSignal>,
    pub on_progress: Option<js_sys::Function>,
    senders_done: Cell<bool>,
}

impl Run {
    pub fn new(
        rows: BulkRun,
        sign: Box<dyn Fn(usize) -> Option<HttpRequest>>,
        lookup: JobLookup,
        settings: Settings,
        signal: Option<AbortSignal>,
        on_progress: Option<js_sys::Function>,
    ) -> Rc<Self> {
        Rc::new(Run {
            rows: RefCell::new(rows),
            sign,
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
            let rows = self.rows.borrow();
            let Some(row) = rows.row_view(index) else {
                return;
            };
            to_js(&BulkProgress {
                counts: rows.counts(),
                phase: row.phase(),
                row,
            })
        };
        // A throwing callback is the caller's problem; it must not stop the run.
        let _ = callback.call1(&JsValue::UNDEFINED, &event);
    }

    fn aborted(&self) -> bool {
        self.signal.as_ref().is_some_and(AbortSignal::aborted)
    }
}

/// Runs every queued row to a final status.
pub async fn run(run: Rc<Run>) {
    let queued = run.rows.borrow().counts().queued;
    let senders =
        (0..run.settings.concurrency.clamp(1, queued.max(1) as u32)).map(|_| sender(run.clone()));
    let senders = async {
        futures::future::join_all(senders).await;
        run.senders_done.set(true);
    };
    futures::future::join(senders, poller(run.clone())).await;
}

async fn sender(run: Rc<Run>) {
    loop {
        if run.aborted() {
            let cancelled = run.rows.borrow_mut().cancel_queued();
            for index in cancelled {
                run.progress(index);
            }
            return;
        }
        let Some(index) = run.rows.borrow_mut().take_next() else {
            return;
        };
        run.progress(index);
        send_row(&run, index).await;
        run.progress(index);
    }
}

/// Sends one row until it is accepted, refused, or out of attempts. The signal stops the waits
/// between attempts, never a request in flight (its outcome would be unknown).
async fn send_row(run: &Run, index: usize) {
    let lang = run.lang();
    let Some(request) = (run.sign)(index) else {
        // Only valid rows are queued, and every valid row has a request.
        let error = ApiError::invalid_options("no request for this row", lang);
        run.rows.borrow_mut().send_failed(index, &error);
        return;
    };
    let mut last_failure = None;
    let outcome = http::send(
        request,
        || (run.sign)(index),
        |answer| answer.add_user(lang),
        &run.settings.send,
        run.signal.as_ref(),
        false,
        |error| bulk::retry_kind(error).is_some(),
        |error| {
            if let Some(ambiguity) = bulk::retry_kind(error) {
                run.rows.borrow_mut().attempt_failed(index, ambiguity);
            }
            last_failure = Some(error.clone());
        },
    )
    .await;
    let mut rows = run.rows.borrow_mut();
    match (outcome, last_failure) {
        (Ok(response), _) => rows.sent(index, response.job_id, http::now_ms()),
        // The wait before a retry was cancelled.
        (Err(error), Some(last)) if error.kind == ErrorKind::Aborted => {
            rows.abandoned(index, &last)
        }
        (Err(error), _) => rows.send_failed(index, &error),
    }
}

/// Errors that a later poll may get past.
fn is_transient(error: &ApiError) -> bool {
    bulk::retry_kind(error).is_some() || error.kind == ErrorKind::Aborted
}

/// Follows the jobs of accepted rows until every row is final.
async fn poller(run: Rc<Run>) {
    loop {
        let waiting = run.rows.borrow().waiting_jobs();
        if waiting.is_empty() && run.senders_done.get() {
            return;
        }
        let mut by_zone: Vec<(&str, Vec<(usize, String)>)> = Vec::new();
        for (index, job_id) in waiting {
            let zone = run.lookup.zones.get(index).map_or("", String::as_str);
            match by_zone.iter_mut().find(|(z, _)| *z == zone) {
                Some((_, jobs)) => jobs.push((index, job_id)),
                None => by_zone.push((zone, vec![(index, job_id)])),
            }
        }
        for (zone, jobs) in &by_zone {
            for batch in jobs.chunks(bulk::JOBS_PER_POLL) {
                poll_batch(&run, zone, batch).await;
            }
        }
        let expired = run
            .rows
            .borrow_mut()
            .expire_jobs(http::now_ms(), run.settings.job_timeout_ms);
        for index in expired {
            run.progress(index);
        }
        if run.rows.borrow().is_finished() && run.senders_done.get() {
            return;
        }
        let _ = http::sleep(run.settings.poll_interval_ms, None, run.lang()).await;
    }
}

async fn poll_batch(run: &Run, zone: &str, batch: &[(usize, String)]) {
    let lookup = &run.lookup;
    let jobs: Vec<String> = batch.iter().map(|(_, id)| id.clone()).collect();
    let request = || {
        let stamp = Stamp {
            time_stamp: crate::timestamp::format_timestamp((http::now_ms() / 1000.0) as i64),
            req_id: http::random_req_id(),
        };
        crate::request::describe_jobs(
            zone,
            &jobs,
            Some(jobs.len() as u32),
            &lookup.credentials,
            &lookup.endpoint,
            lookup.method,
            &stamp,
        )
    };
    let answer = http::send(
        request(),
        || Some(request()),
        Ok,
        &run.settings.send,
        None,
        false,
        ApiError::is_retryable,
        |_| {},
    )
    .await;
    match answer {
        Ok(answer) => {
            for (job_id, status, job) in job_set(&answer) {
                let Some((index, _)) = batch.iter().find(|(_, id)| id == job_id) else {
                    continue;
                };
                let changed = run.rows.borrow_mut().job_update(*index, status, job);
                if changed {
                    run.progress(*index);
                }
            }
        }
        Err(error) if is_transient(&error) => {}
        Err(error) => {
            for (index, _) in batch {
                run.rows.borrow_mut().job_lookup_failed(*index, &error);
                run.progress(*index);
            }
        }
    }
}
