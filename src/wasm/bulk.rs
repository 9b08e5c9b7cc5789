//! Runs a bulk add: a dispatcher starts rows while the concurrency limit allows, each sent through
//! the shared retry loop (retrying what `bulk::retry_kind` allows), while one poller follows every
//! accepted row's job with a DescribeJobs call per 100 jobs. The limit (`concurrency::Limit`)
//! counts requests to the API, polls included, so that an API that takes N at once is sent N. The
//! bookkeeping is `bulk::BulkRun`; rows and poller are futures polled in one task, so no executor
//! of our own is needed.

use super::convert::to_js;
use super::http::{self, SendPolicy};
use crate::bulk::{self, BulkProgress, BulkRun};
use crate::concurrency::{is_strain, Concurrency, Limit};
use crate::messages::Lang;
use crate::request::{Credentials, HttpRequest, Method, Stamp};
use crate::response::{job_set, ApiError, ErrorKind};
use futures::channel::oneshot;
use futures::future::{select, FutureExt};
use futures::stream::{FuturesUnordered, StreamExt};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

/// How a bulk run sends and waits.
#[derive(Clone, Debug)]
pub struct Settings {
    pub concurrency: Concurrency,
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

/// The run's requests in flight, rows' and polls' alike. A poll or a retry waiting for a place goes
/// before the next row: jobs must be followed, and started rows finished, however busy it is.
#[derive(Default)]
struct Slots {
    taken: Cell<usize>,
    waiting: Cell<usize>,
    waiters: RefCell<Vec<oneshot::Sender<()>>>,
}

impl Slots {
    fn take(&self) {
        self.taken.set(self.taken.get() + 1);
    }

    fn give_back(&self) {
        self.taken.set(self.taken.get().saturating_sub(1));
        for waiter in self.waiters.borrow_mut().drain(..) {
            let _ = waiter.send(());
        }
    }

    /// Resolves when a place is given back.
    fn freed(&self) -> oneshot::Receiver<()> {
        let (sender, receiver) = oneshot::channel();
        self.waiters.borrow_mut().push(sender);
        receiver
    }
}

/// Everything a run shares between its senders and its poller.
pub struct Run {
    pub rows: RefCell<BulkRun>,
    limit: RefCell<Limit>,
    slots: Slots,
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
            limit: RefCell::new(Limit::new(settings.concurrency)),
            slots: Slots::default(),
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
                concurrency: self.limit.borrow().current(),
            })
        };
        // A throwing callback is the caller's problem; it must not stop the run.
        let _ = callback.call1(&JsValue::UNDEFINED, &event);
    }

    fn aborted(&self) -> bool {
        self.signal.as_ref().is_some_and(AbortSignal::aborted)
    }

    /// Requests the limit allows to start now.
    fn free_slots(&self) -> usize {
        (self.limit.borrow().current() as usize).saturating_sub(self.slots.taken.get())
    }

    /// Waits for a place for a poll or a retry, ahead of the rows not yet started.
    async fn wait_for_slot(&self) {
        let waiting = &self.slots.waiting;
        waiting.set(waiting.get() + 1);
        while self.free_slots() == 0 {
            let _ = self.slots.freed().await;
        }
        waiting.set(waiting.get() - 1);
        self.slots.take();
    }
}

/// Runs every queued row to a final status.
pub async fn run(run: Rc<Run>) {
    let (all_sent, on_all_sent) = oneshot::channel();
    let rows = async {
        dispatch(&run).await;
        run.senders_done.set(true);
        let _ = all_sent.send(());
    };
    futures::future::join(rows, poller(run.clone(), on_all_sent)).await;
}

/// Starts queued rows while the limit allows, until none is queued or in flight.
async fn dispatch(run: &Run) {
    let mut in_flight = FuturesUnordered::new();
    loop {
        if run.aborted() && run.rows.borrow().counts().queued > 0 {
            let cancelled = run.rows.borrow_mut().cancel_queued();
            for index in cancelled {
                run.progress(index);
            }
        }
        while run.slots.waiting.get() == 0 && run.free_slots() > 0 {
            let Some(index) = run.rows.borrow_mut().take_next() else {
                break;
            };
            run.slots.take();
            run.progress(index);
            in_flight.push(
                async move {
                    send_row(run, index).await;
                    run.progress(index);
                }
                .boxed_local(),
            );
        }
        if !in_flight.is_empty() {
            in_flight.next().await;
        } else if run.rows.borrow().counts().queued == 0 {
            return;
        } else {
            // Polls hold every place, or retries wait for one.
            let _ = run.slots.freed().await;
        }
    }
}

/// Sends one row until it is accepted, refused, or out of attempts, telling the limit how each
/// attempt went. The row holds the place the dispatcher took for it, except while it waits
/// before a retry. The signal stops the waits between attempts, never a request in flight (its
/// outcome would be unknown).
async fn send_row(run: &Run, index: usize) {
    let holding = Cell::new(true);
    send_attempts(run, index, &holding).await;
    if holding.get() {
        run.slots.give_back();
    }
}

async fn send_attempts(run: &Run, index: usize, holding: &Cell<bool>) {
    let lang = run.lang();
    let Some(request) = (run.sign)(index) else {
        // Only valid rows are queued, and every valid row has a request.
        let error = ApiError::invalid_options(&crate::refusal::Refusal::NoRequest, lang);
        run.rows.borrow_mut().send_failed(index, &error);
        return;
    };
    // When the attempt under way was sent, and in which epoch of the limit.
    let attempt = Cell::new((http::now_ms(), run.limit.borrow().epoch()));
    let mut last_failure = None;
    let attempt = &attempt;
    let outcome = http::send(
        request,
        Box::new(move || {
            async move {
                // Back from the wait: in flight again once there is room.
                run.wait_for_slot().await;
                holding.set(true);
                attempt.set((http::now_ms(), run.limit.borrow().epoch()));
                (run.sign)(index)
            }
            .boxed_local()
        }),
        &|answer| answer.add_user(lang),
        &run.settings.send,
        run.signal.as_ref(),
        false,
        &|error| bulk::retry_kind(error).is_some(),
        &mut |error| {
            // A row waiting before its retry holds no place: others may use it meanwhile.
            run.slots.give_back();
            holding.set(false);
            if is_strain(error) {
                run.limit.borrow_mut().strained(attempt.get().1);
            }
            if let Some(ambiguity) = bulk::retry_kind(error) {
                run.rows.borrow_mut().attempt_failed(index, ambiguity);
            }
            last_failure = Some(error.clone());
        },
    )
    .await;
    match &outcome {
        Ok(_) => run
            .limit
            .borrow_mut()
            .answered(http::now_ms() - attempt.get().0),
        Err(error) if is_strain(error) => run.limit.borrow_mut().strained(attempt.get().1),
        Err(_) => {}
    }
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

/// Follows the jobs of accepted rows until every row is final. The wait between rounds is cut
/// short when the last row has been sent, so that the run's end is not a whole interval late.
async fn poller(run: Rc<Run>, all_sent: oneshot::Receiver<()>) {
    let mut all_sent = all_sent.fuse();
    loop {
        let round_started = http::now_ms();
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
        let now = http::now_ms();
        let wait =
            run.rows
                .borrow()
                .next_poll_in(now - round_started, run.settings.poll_interval_ms, now);
        let sleep = http::sleep(wait as u32, None, run.lang()).boxed_local();
        if run.senders_done.get() {
            let _ = sleep.await;
        } else {
            select(sleep, &mut all_sent).await;
        }
    }
}

async fn poll_batch(run: &Run, zone: &str, batch: &[(usize, String)]) {
    run.wait_for_slot().await;
    let answer = describe_jobs(run, zone, batch).await;
    run.slots.give_back();
    match answer {
        Ok(answer) => {
            for (job_id, status, job) in job_set(&answer) {
                let Some((index, _)) = batch.iter().find(|(_, id)| id == job_id) else {
                    continue;
                };
                let changed = run
                    .rows
                    .borrow_mut()
                    .job_update(*index, status, job, http::now_ms());
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

/// One DescribeJobs call for `batch`, retried as the API allows; strain tells the limit.
async fn describe_jobs(
    run: &Run,
    zone: &str,
    batch: &[(usize, String)],
) -> Result<crate::response::Answer, ApiError> {
    let lookup = &run.lookup;
    let jobs: Vec<String> = batch.iter().map(|(_, id)| id.clone()).collect();
    let request = || {
        let stamp = Stamp {
            // The run's start checked the clock; a request signed with no time stamp is refused
            // by the API, and its rows' lookups fail with what it says.
            time_stamp: crate::timestamp::format_millis(http::now_ms()).unwrap_or_default(),
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
    http::send(
        request(),
        http::resign_with(|| Some(request())),
        &Ok,
        &run.settings.send,
        None,
        false,
        &ApiError::is_retryable,
        &mut |error| {
            if is_strain(error) {
                let mut limit = run.limit.borrow_mut();
                let epoch = limit.epoch();
                limit.strained(epoch);
            }
        },
    )
    .await
}
