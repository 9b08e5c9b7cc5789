//! Adding many users: every row validated before anything is sent, duplicates reported, rows sent
//! with bounded concurrency and retried when that is safe, jobs followed in batches, and every
//! row ending in exactly one final status. This is the bookkeeping, free of I/O; the wasm driver
//! (`wasm::bulk`) does the sending and calls in here. Counts are kept as rows change, so that a
//! progress event costs the same for ten rows as for ten thousand.

use crate::input::PreviousRow;
use crate::messages::Lang;
use crate::output::serialize_issues;
use crate::response::{ApiError, ErrorKind, Job, JobStatus};
use crate::validation::Issue;
use serde::Serialize;
use tsify::Tsify;

/// The `ret_code` of "resource already exists".
pub const ALREADY_EXISTS: i64 = 2110;
/// The most job ids one DescribeJobs call asks about.
pub const JOBS_PER_POLL: usize = 100;
/// The most rows one bulk call takes: far more than an import needs, and a bound on the memory a
/// call can take, which the module keeps once grown. A longer list is sent in several calls.
pub const MAX_ROWS: usize = 100_000;

/// Where a row ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "snake_case")]
#[tsify(type = "RowStatus")]
pub enum Final {
    Created,
    Exists,
    Invalid,
    Failed,
    NotSent,
}

impl Final {
    pub fn as_str(self) -> &'static str {
        match self {
            Final::Created => "created",
            Final::Exists => "exists",
            Final::Invalid => "invalid",
            Final::Failed => "failed",
            Final::NotSent => "not_sent",
        }
    }
}

/// Why a row did not end `created`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    #[tsify(type = "QingCloudErrorCode")]
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "number")]
    pub ret_code: Option<i64>,
    /// With `invalid_input`: every broken rule of the row.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "serialize_issues"
    )]
    #[tsify(optional, type = "ValidationIssue[]")]
    pub errors: Vec<Issue>,
}

impl From<&ApiError> for RowError {
    fn from(error: &ApiError) -> Self {
        RowError {
            code: error.kind.code(),
            message: error.message.clone(),
            ret_code: error.ret_code,
            errors: Vec::new(),
        }
    }
}

/// One row's outcome, in input order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct RowResult {
    /// The row's position in the input.
    pub index: usize,
    pub status: Final,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "string")]
    pub job_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "number")]
    pub ret_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "RowError")]
    pub error: Option<RowError>,
    /// What the status cannot say alone, e.g. that an earlier, timed-out attempt may have created the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "string")]
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    /// `ambiguous` when resuming a row whose earlier attempt may have reached the server.
    Queued {
        ambiguous: bool,
    },
    /// A request is being sent (or retried); `ambiguous` once an attempt may have reached the server.
    Sending {
        ambiguous: bool,
    },
    /// Accepted; the job is running.
    Waiting {
        job_id: String,
        ambiguous: bool,
        since_ms: f64,
    },
    Done(RowResult),
}

/// Rows per state; `created + exists + invalid + failed + not_sent` is `total` once a run ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Tsify)]
pub struct BulkCounts {
    pub total: usize,
    pub queued: usize,
    pub sending: usize,
    /// Accepted, job still running.
    pub sent: usize,
    /// `created + exists`.
    pub succeeded: usize,
    pub created: usize,
    pub exists: usize,
    pub invalid: usize,
    pub failed: usize,
    pub not_sent: usize,
}

/// Which count a phase is in.
fn count_of<'a>(counts: &'a mut BulkCounts, phase: &Phase) -> &'a mut usize {
    match phase {
        Phase::Queued { .. } => &mut counts.queued,
        Phase::Sending { .. } => &mut counts.sending,
        Phase::Waiting { .. } => &mut counts.sent,
        Phase::Done(result) => match result.status {
            Final::Created => &mut counts.created,
            Final::Exists => &mut counts.exists,
            Final::Invalid => &mut counts.invalid,
            Final::Failed => &mut counts.failed,
            Final::NotSent => &mut counts.not_sent,
        },
    }
}

/// A row as a progress event shows it: its interim state, or its final result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum RowView<'a> {
    #[serde(rename_all = "camelCase")]
    Interim {
        index: usize,
        /// `queued`, `sending` or `sent`.
        status: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        job_id: Option<&'a str>,
    },
    Done(&'a RowResult),
}

impl RowView<'_> {
    /// `queued`, `sending`, `sent` (its job running) or `done`.
    pub fn phase(&self) -> &'static str {
        match self {
            RowView::Interim { status, .. } => status,
            RowView::Done(_) => "done",
        }
    }
}

/// A progress event: the counts as they are now, and the row that changed. With the row's
/// `index`, `status` and `jobId`, `phase` is what a journal keeps to resume the run.
#[derive(Serialize, Tsify)]
pub struct BulkProgress<'a> {
    #[serde(flatten)]
    pub counts: BulkCounts,
    /// The row's phase: `done` once its status is final.
    #[tsify(type = "'queued' | 'sending' | 'sent' | 'done'")]
    pub phase: &'static str,
    /// The row that changed, in its new state.
    #[tsify(
        type = "Omit<RowResult, 'status'> & { status: RowStatus | 'queued' | 'sending' | 'sent' }"
    )]
    pub row: RowView<'a>,
    /// Requests that may be in flight now: the setting, or where `'auto'` has got to.
    pub concurrency: u32,
}

/// What a bulk call resolves to.
#[derive(Serialize, Tsify)]
pub struct BulkResult {
    /// One entry per input row, in input order.
    pub results: Vec<RowResult>,
    pub counts: BulkCounts,
}

/// Whether a failed attempt may be tried again, and whether it may have reached the server.
pub fn retry_kind(error: &ApiError) -> Option<Ambiguity> {
    match error.kind {
        ErrorKind::Api if error.is_retryable() => Some(Ambiguity::NotActedOn),
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::BadResponse => {
            Some(Ambiguity::MayHaveActed)
        }
        ErrorKind::Http if error.status.is_some_and(|s| s >= 500) => Some(Ambiguity::MayHaveActed),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ambiguity {
    /// A busy answer: the server did nothing.
    NotActedOn,
    /// A timeout, a dropped connection, a 5xx: the request may have been carried out.
    MayHaveActed,
}

/// The state of a bulk run.
#[derive(Clone, Debug)]
pub struct BulkRun {
    rows: Vec<Phase>,
    counts: BulkCounts,
    /// No row before this one is queued.
    next_queued: usize,
    /// The quickest a job of this run was seen to end, from its acceptance.
    shortest_job_ms: Option<f64>,
    lang: Lang,
}

impl BulkRun {
    /// `invalid` holds, for each row, its validation errors (empty for a valid row).
    pub fn new(invalid: Vec<Vec<Issue>>, lang: Lang) -> Self {
        let rows = invalid
            .into_iter()
            .enumerate()
            .map(|(index, errors)| {
                if errors.is_empty() {
                    Phase::Queued { ambiguous: false }
                } else {
                    let message = errors
                        .iter()
                        .map(|e| e.message.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    Phase::Done(RowResult {
                        index,
                        status: Final::Invalid,
                        job_id: None,
                        ret_code: None,
                        error: Some(RowError {
                            code: ErrorKind::InvalidInput.code(),
                            message,
                            ret_code: None,
                            errors,
                        }),
                        note: None,
                    })
                }
            })
            .collect::<Vec<_>>();
        let mut counts = BulkCounts {
            total: rows.len(),
            ..BulkCounts::default()
        };
        for phase in &rows {
            *count_of(&mut counts, phase) += 1;
        }
        BulkRun {
            rows,
            counts,
            next_queued: 0,
            shortest_job_ms: None,
            lang,
        }
    }

    /// Moves a row to its next phase, keeping the counts.
    fn set(&mut self, index: usize, phase: Phase) {
        if let Some(slot) = self.rows.get_mut(index) {
            *count_of(&mut self.counts, slot) -= 1;
            *count_of(&mut self.counts, &phase) += 1;
            *slot = phase;
        }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    fn done(&mut self, index: usize, status: Final, error: Option<RowError>, note: Option<String>) {
        let job_id = match self.rows.get(index) {
            Some(Phase::Waiting { job_id, .. }) => Some(job_id.clone()),
            _ => None,
        };
        let ret_code = error.as_ref().and_then(|e| e.ret_code);
        self.set(
            index,
            Phase::Done(RowResult {
                index,
                status,
                job_id,
                ret_code,
                error,
                note,
            }),
        );
    }

    fn note(&self, en: &str, zh: &str) -> Option<String> {
        Some(match self.lang {
            Lang::En => en.to_string(),
            Lang::Zh => zh.to_string(),
        })
    }

    fn ambiguous(&self, index: usize) -> bool {
        matches!(
            self.rows.get(index),
            Some(
                Phase::Queued { ambiguous: true }
                    | Phase::Sending { ambiguous: true }
                    | Phase::Waiting {
                        ambiguous: true,
                        ..
                    }
            )
        )
    }

    fn exists_note(&self, index: usize) -> Option<String> {
        if self.ambiguous(index) {
            self.note(
                "An earlier attempt timed out or was cut off and may have created this user.",
                "之前的一次尝试超时或中断，可能已经创建了该用户。",
            )
        } else {
            None
        }
    }

    /// Whether any row is invalid.
    pub fn has_invalid(&self) -> bool {
        self.rows
            .iter()
            .any(|p| matches!(p, Phase::Done(r) if r.status == Final::Invalid))
    }

    /// `onInvalid: 'stop'`: nothing is sent, and the valid rows say why.
    pub fn stop_for_invalid(&mut self) {
        let note = self.note(
            "Not sent: other rows are invalid and the run was set to stop.",
            "未发送：其他行无效，且设置为遇到无效行即停止。",
        );
        self.cancel_queued_with(note);
    }

    /// Resumes from an earlier run over the same rows (`previous`, one entry per row in order, with
    /// a row status, as `api::bulk_rows` checked). Only rows valid now change: those `created` or `exists` keep
    /// that outcome; those not ended (`queued`, `sending`, `sent`) with a job id are followed,
    /// not sent; the others are sent, and after a `failed` or `sending` entry, whose attempt may
    /// have reached the server, "already exists" means `exists`.
    pub fn resume(&mut self, previous: &[PreviousRow], now_ms: f64) {
        for (index, entry) in previous.iter().enumerate() {
            let job_id = entry.job_id.clone();
            let phase = match (entry.status.as_str(), job_id) {
                (status @ ("created" | "exists"), job_id) => Phase::Done(RowResult {
                    index,
                    status: if status == "created" {
                        Final::Created
                    } else {
                        Final::Exists
                    },
                    job_id,
                    ret_code: None,
                    error: None,
                    note: None,
                }),
                ("queued" | "sending" | "sent", Some(job_id)) => Phase::Waiting {
                    job_id,
                    ambiguous: true,
                    since_ms: now_ms,
                },
                ("sending" | "sent" | "failed", _) => Phase::Queued { ambiguous: true },
                // `queued`, `not_sent`, `invalid`; `api::bulk_rows` refused any other status.
                _ => continue,
            };
            if matches!(self.rows.get(index), Some(Phase::Queued { .. })) {
                self.set(index, phase);
            }
        }
    }

    /// The signal fired: queued rows are not sent. Returns the rows that changed.
    pub fn cancel_queued(&mut self) -> Vec<usize> {
        let note = self.note(
            "Not sent: the run was cancelled.",
            "未发送：批量任务已取消。",
        );
        self.cancel_queued_with(note)
    }

    fn cancel_queued_with(&mut self, note: Option<String>) -> Vec<usize> {
        let queued: Vec<usize> = (self.next_queued..self.rows.len())
            .filter(|&i| matches!(self.rows[i], Phase::Queued { .. }))
            .collect();
        for &index in &queued {
            self.done(index, Final::NotSent, None, note.clone());
        }
        queued
    }

    /// The next queued row, now being sent.
    pub fn take_next(&mut self) -> Option<usize> {
        let offset = self
            .rows
            .get(self.next_queued..)?
            .iter()
            .position(|p| matches!(p, Phase::Queued { .. }))?;
        let index = self.next_queued + offset;
        self.next_queued = index + 1;
        let ambiguous = self.ambiguous(index);
        self.set(index, Phase::Sending { ambiguous });
        Some(index)
    }

    /// An attempt failed in a way that may be retried.
    pub fn attempt_failed(&mut self, index: usize, ambiguity: Ambiguity) {
        if ambiguity == Ambiguity::MayHaveActed {
            self.set(index, Phase::Sending { ambiguous: true });
        }
    }

    /// The request was accepted with a job.
    pub fn sent(&mut self, index: usize, job_id: String, now_ms: f64) {
        let ambiguous = self.ambiguous(index);
        self.set(
            index,
            Phase::Waiting {
                job_id,
                ambiguous,
                since_ms: now_ms,
            },
        );
    }

    /// The last attempt failed: "already exists" is `exists`; anything else `failed`.
    pub fn send_failed(&mut self, index: usize, error: &ApiError) {
        if error.ret_code == Some(ALREADY_EXISTS) {
            let note = self.exists_note(index);
            self.done(index, Final::Exists, None, note);
        } else {
            let note = if self.ambiguous(index)
                || retry_kind(error) == Some(Ambiguity::MayHaveActed)
            {
                self.note(
                    "The outcome is unknown: a request may have reached the server. Check before sending again.",
                    "结果未知：请求可能已到达服务器，重新发送前请先确认。",
                )
            } else {
                None
            };
            self.done(index, Final::Failed, Some(RowError::from(error)), note);
        }
    }

    /// A retry was due when the signal fired.
    pub fn abandoned(&mut self, index: usize, error: &ApiError) {
        if self.ambiguous(index) {
            self.send_failed(index, error);
        } else {
            let note = self.note(
                "Not sent: the run was cancelled.",
                "未发送：批量任务已取消。",
            );
            self.done(index, Final::NotSent, Some(RowError::from(error)), note);
        }
    }

    /// Job ids awaiting an answer, oldest first, grouped by nothing: the caller batches them.
    pub fn waiting_jobs(&self) -> Vec<(usize, String)> {
        self.rows
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match p {
                Phase::Waiting { job_id, .. } => Some((i, job_id.clone())),
                _ => None,
            })
            .collect()
    }

    /// A job's state from DescribeJobs at `now_ms`; returns whether the row changed.
    pub fn job_update(&mut self, index: usize, status: JobStatus, job: &Job, now_ms: f64) -> bool {
        let Some(Phase::Waiting {
            job_id, since_ms, ..
        }) = self.rows.get(index).cloned()
        else {
            return false;
        };
        if !matches!(status, JobStatus::Pending | JobStatus::Working) {
            let took = now_ms - since_ms;
            self.shortest_job_ms = Some(self.shortest_job_ms.map_or(took, |s| s.min(took)));
        }
        match status {
            JobStatus::Successful => self.done(index, Final::Created, None, None),
            JobStatus::Failed if job.error_code == Some(ALREADY_EXISTS) => {
                let note = self.exists_note(index);
                self.done(index, Final::Exists, None, note);
            }
            JobStatus::Failed => {
                let error = ApiError::job_failed(&job_id, job, self.lang);
                self.done(index, Final::Failed, Some(RowError::from(&error)), None);
            }
            JobStatus::Pending | JobStatus::Working => return false,
        }
        true
    }

    /// DescribeJobs refused outright (for instance, the credentials stopped working).
    pub fn job_lookup_failed(&mut self, index: usize, error: &ApiError) {
        if matches!(self.rows.get(index), Some(Phase::Waiting { .. })) {
            let note = self.note(
                "The request was accepted, but its job could not be followed.",
                "请求已被接受，但无法跟踪其任务。",
            );
            self.done(index, Final::Failed, Some(RowError::from(error)), note);
        }
    }

    /// Jobs still running after `timeout_ms` end `failed`; returns the rows that changed.
    pub fn expire_jobs(&mut self, now_ms: f64, timeout_ms: u32) -> Vec<usize> {
        let expired: Vec<(usize, String)> = self
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match p {
                Phase::Waiting {
                    job_id, since_ms, ..
                } if now_ms - since_ms >= f64::from(timeout_ms) => Some((i, job_id.clone())),
                _ => None,
            })
            .collect();
        for (index, job_id) in &expired {
            let error = ApiError::job_timeout(job_id, timeout_ms, self.lang);
            let note = self.note("The job may still finish later.", "该任务之后仍可能完成。");
            self.done(*index, Final::Failed, Some(RowError::from(&error)), note);
        }
        expired.into_iter().map(|(i, _)| i).collect()
    }

    /// Milliseconds until the next DescribeJobs round, which started `since_round_ms` ago. Polls
    /// come every `interval_ms`, counted from the start of a round; once every row has been sent,
    /// sooner when the youngest job will have run as long as the quickest job so far, as it is
    /// then likely to have ended (the run's last wait, cut short).
    pub fn next_poll_in(&self, since_round_ms: f64, interval_ms: u32, now_ms: f64) -> f64 {
        let by_interval = (f64::from(interval_ms) - since_round_ms).max(0.0);
        let all_sent = self.counts.queued + self.counts.sending == 0;
        let youngest = self
            .rows
            .iter()
            .filter_map(|p| match p {
                Phase::Waiting { since_ms, .. } => Some(*since_ms),
                _ => None,
            })
            .reduce(f64::max);
        match (all_sent, youngest, self.shortest_job_ms) {
            (true, Some(since), Some(shortest)) if since + shortest > now_ms => {
                by_interval.min(since + shortest - now_ms)
            }
            _ => by_interval,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.rows.iter().all(|p| matches!(p, Phase::Done(_)))
    }

    pub fn counts(&self) -> BulkCounts {
        BulkCounts {
            succeeded: self.counts.created + self.counts.exists,
            ..self.counts
        }
    }

    /// A row as a progress event shows it.
    pub fn row_view(&self, index: usize) -> Option<RowView<'_>> {
        let (status, job_id) = match self.rows.get(index)? {
            Phase::Queued { .. } => ("queued", None),
            Phase::Sending { .. } => ("sending", None),
            Phase::Waiting { job_id, .. } => ("sent", Some(job_id.as_str())),
            Phase::Done(result) => return Some(RowView::Done(result)),
        };
        Some(RowView::Interim {
            index,
            status,
            job_id,
        })
    }

    /// Every row's final result, in input order; rows not finished are reported `failed`.
    pub fn results(&self) -> Vec<RowResult> {
        self.rows
            .iter()
            .enumerate()
            .map(|(index, phase)| match phase {
                Phase::Done(result) => result.clone(),
                _ => RowResult {
                    index,
                    status: Final::Failed,
                    job_id: None,
                    ret_code: None,
                    error: None,
                    note: None,
                },
            })
            .collect()
    }
}

/// The error a repeated row carries.
pub fn duplicate_issue(field: &'static str, first: usize, lang: Lang) -> Issue {
    let message = match lang {
        Lang::En => format!("{field}: this row repeats the row at index {first} (same cluster and user); it is not sent twice."),
        Lang::Zh => format!("{field}：该行与索引 {first} 的行重复（集群和用户相同），不会重复发送。"),
    };
    Issue {
        field,
        code: "duplicate_row",
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(ret_code: i64) -> ApiError {
        ApiError::api(ret_code, Some("x"), 200, Lang::En)
    }

    fn network() -> ApiError {
        ApiError::network("reset", Lang::En)
    }

    fn issue() -> Issue {
        Issue {
            field: "user_name",
            code: "required",
            message: "user_name is required.".into(),
        }
    }

    fn run(rows: usize, invalid: &[usize]) -> BulkRun {
        BulkRun::new(
            (0..rows)
                .map(|i| {
                    if invalid.contains(&i) {
                        vec![issue()]
                    } else {
                        vec![]
                    }
                })
                .collect(),
            Lang::En,
        )
    }

    fn assert_adds_up(run: &BulkRun) {
        let c = run.counts();
        assert_eq!(
            c.queued
                + c.sending
                + c.sent
                + c.created
                + c.exists
                + c.invalid
                + c.failed
                + c.not_sent,
            c.total
        );
    }

    #[test]
    fn stopping_for_invalid_rows_sends_nothing() {
        let mut run = run(3, &[1]);
        assert!(run.has_invalid());
        run.stop_for_invalid();
        assert_eq!(run.take_next(), None);
        let statuses: Vec<_> = run.results().iter().map(|r| r.status).collect();
        assert_eq!(statuses, [Final::NotSent, Final::Invalid, Final::NotSent]);
        assert!(run.results()[1]
            .error
            .as_ref()
            .is_some_and(|e| e.errors.len() == 1));
        assert!(run.is_finished());
    }

    #[test]
    fn a_full_run_counts_every_row_once() {
        let mut run = run(4, &[3]);
        let (a, b, c) = (run.take_next(), run.take_next(), run.take_next());
        assert_eq!((a, b, c), (Some(0), Some(1), Some(2)));
        assert_eq!(run.take_next(), None);
        run.sent(0, "j-0".into(), 0.0);
        run.sent(1, "j-1".into(), 0.0);
        run.send_failed(2, &api_error(1400));
        assert_adds_up(&run);
        assert_eq!(
            run.waiting_jobs(),
            [(0, "j-0".to_string()), (1, "j-1".to_string())]
        );
        let nothing = Job::default();
        assert!(run.job_update(0, JobStatus::Successful, &nothing, 0.0));
        let failed = Job {
            error_code: Some(ALREADY_EXISTS),
            ..Job::default()
        };
        assert!(run.job_update(1, JobStatus::Failed, &failed, 0.0));
        assert!(
            !run.job_update(1, JobStatus::Successful, &nothing, 0.0),
            "a finished row does not change"
        );
        assert!(run.is_finished());
        let counts = run.counts();
        assert_eq!(
            (
                counts.created,
                counts.exists,
                counts.failed,
                counts.invalid,
                counts.succeeded
            ),
            (1, 1, 1, 1, 2)
        );
        let results = run.results();
        assert_eq!(results[0].job_id.as_deref(), Some("j-0"));
        assert_eq!(results[2].ret_code, Some(1400));
        assert_eq!(results[1].note, None, "no ambiguity, no note");
    }

    #[test]
    fn exists_after_an_ambiguous_attempt_carries_a_note() {
        let mut run = run(2, &[]);
        run.take_next();
        run.attempt_failed(0, Ambiguity::MayHaveActed);
        run.send_failed(0, &api_error(ALREADY_EXISTS));
        let result = &run.results()[0];
        assert_eq!(result.status, Final::Exists);
        assert!(result
            .note
            .as_deref()
            .is_some_and(|n| n.contains("may have created")));
        run.take_next();
        run.attempt_failed(1, Ambiguity::NotActedOn);
        run.send_failed(1, &api_error(ALREADY_EXISTS));
        assert_eq!(run.results()[1].note, None);
    }

    #[test]
    fn retry_classification() {
        assert_eq!(retry_kind(&api_error(5100)), Some(Ambiguity::NotActedOn));
        assert_eq!(retry_kind(&api_error(5000)), Some(Ambiguity::NotActedOn));
        assert_eq!(retry_kind(&network()), Some(Ambiguity::MayHaveActed));
        assert_eq!(
            retry_kind(&ApiError::timeout(10, Lang::En)),
            Some(Ambiguity::MayHaveActed)
        );
        let http = ApiError {
            status: Some(502),
            ..ApiError::new(ErrorKind::Http, "bad gateway".into())
        };
        assert_eq!(retry_kind(&http), Some(Ambiguity::MayHaveActed));
        assert_eq!(retry_kind(&api_error(1200)), None);
        assert_eq!(retry_kind(&api_error(ALREADY_EXISTS)), None);
    }

    #[test]
    fn polls_by_the_interval_from_each_rounds_start_and_sooner_for_the_last_jobs() {
        let mut run = run(3, &[]);
        run.take_next();
        run.sent(0, "j0".into(), 0.0);
        run.take_next();
        run.sent(1, "j1".into(), 100.0);
        // Nothing has ended yet: the interval, less the time the round took.
        assert_eq!(run.next_poll_in(30.0, 1_000, 130.0), 970.0);
        assert!(run.job_update(0, JobStatus::Successful, &Job::default(), 250.0));
        // A row is still queued: the interval.
        assert_eq!(run.next_poll_in(0.0, 1_000, 250.0), 1_000.0);
        run.take_next();
        run.sent(2, "j2".into(), 300.0);
        // All sent: the youngest job (sent at 300) has run as long as the quickest (250) at 550.
        assert_eq!(run.next_poll_in(0.0, 1_000, 400.0), 150.0);
        assert_eq!(run.next_poll_in(900.0, 1_000, 400.0), 100.0);
        // Past that moment, back to the interval rather than polling without pause.
        assert_eq!(run.next_poll_in(0.0, 1_000, 600.0), 1_000.0);
        assert_eq!(run.next_poll_in(1_500.0, 1_000, 600.0), 0.0);
    }

    #[test]
    fn cancelling_keeps_in_flight_rows_and_reports_the_rest_not_sent() {
        let mut run = run(3, &[]);
        run.take_next();
        assert_eq!(run.cancel_queued(), [1, 2]);
        assert_eq!(run.take_next(), None);
        assert_eq!(run.counts().sending, 1);
        assert_eq!(run.counts().not_sent, 2);
        run.sent(0, "j".into(), 0.0);
        run.job_update(0, JobStatus::Successful, &Job::default(), 0.0);
        assert!(run.is_finished());
        assert_adds_up(&run);
    }

    #[test]
    fn an_abandoned_retry_is_not_sent_unless_an_attempt_may_have_acted() {
        let mut run = run(2, &[]);
        run.take_next();
        run.attempt_failed(0, Ambiguity::NotActedOn);
        run.abandoned(0, &api_error(5100));
        run.take_next();
        run.attempt_failed(1, Ambiguity::MayHaveActed);
        run.abandoned(1, &network());
        let statuses: Vec<_> = run.results().iter().map(|r| r.status).collect();
        assert_eq!(statuses, [Final::NotSent, Final::Failed]);
        assert!(run.results()[1]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("unknown")));
    }

    #[test]
    fn jobs_time_out_and_lookups_can_fail() {
        let mut run = run(2, &[]);
        run.take_next();
        run.take_next();
        run.sent(0, "j-0".into(), 1_000.0);
        run.sent(1, "j-1".into(), 5_000.0);
        assert_eq!(run.expire_jobs(6_000.0, 5_000), [0]);
        assert_eq!(
            run.results()[0].error.as_ref().map(|e| e.code),
            Some("job_timeout")
        );
        run.job_lookup_failed(1, &api_error(1200));
        assert!(run.is_finished());
        assert_eq!(run.counts().failed, 2);
    }

    #[test]
    fn progress_views_show_interim_and_final_states() {
        let mut run = run(2, &[1]);
        let status = |run: &BulkRun, index| match run.row_view(index) {
            Some(RowView::Interim { status, job_id, .. }) => (status, job_id.map(String::from)),
            Some(RowView::Done(result)) => (result.status.as_str(), result.job_id.clone()),
            None => ("none", None),
        };
        assert_eq!(status(&run, 0), ("queued", None));
        run.take_next();
        assert_eq!(status(&run, 0), ("sending", None));
        run.sent(0, "j-9".into(), 0.0);
        assert_eq!(status(&run, 0), ("sent", Some("j-9".into())));
        assert_eq!(status(&run, 1), ("invalid", None));
        assert!(
            matches!(run.row_view(1), Some(RowView::Done(r)) if r.error.as_ref().map(|e| e.code) == Some("invalid_input"))
        );
        assert_eq!(run.row_view(2), None);
    }

    fn previous(entries: &[(&str, Option<&str>)]) -> Vec<PreviousRow> {
        entries
            .iter()
            .enumerate()
            .map(|(index, (status, job_id))| PreviousRow {
                index: Some(index as f64),
                status: status.to_string(),
                job_id: job_id.map(String::from),
                ..PreviousRow::default()
            })
            .collect()
    }

    #[test]
    fn resuming_keeps_outcomes_follows_jobs_and_sends_the_rest() {
        let mut run = run(9, &[6]);
        let earlier = previous(&[
            ("created", Some("j-0")),
            ("exists", None),
            ("sent", Some("j-2")),
            ("failed", Some("j-3")),
            ("sending", None),
            ("not_sent", None),
            ("invalid", None),
            ("invalid", None),
            ("queued", None),
        ]);
        run.resume(&earlier, 100.0);
        assert_adds_up(&run);
        let counts = run.counts();
        assert_eq!(
            (
                counts.created,
                counts.exists,
                counts.sent,
                counts.queued,
                counts.invalid
            ),
            (1, 1, 1, 5, 1)
        );
        let kept = &run.results()[0];
        assert_eq!(
            (kept.status, kept.job_id.as_deref()),
            (Final::Created, Some("j-0"))
        );
        assert_eq!(kept.note, None);
        assert_eq!(run.waiting_jobs(), [(2, "j-2".to_string())]);
        // Row 6 is still invalid; row 7 is valid now and sent.
        let sent: Vec<usize> = std::iter::from_fn(|| run.take_next()).collect();
        assert_eq!(sent, [3, 4, 5, 7, 8]);
        // After a failed or cut-off attempt, "already exists" is `exists`, with the note.
        for index in [3, 4, 5] {
            run.send_failed(index, &api_error(ALREADY_EXISTS));
        }
        let notes: Vec<bool> = run.results()[3..6]
            .iter()
            .map(|r| r.note.is_some())
            .collect();
        assert_eq!(notes, [true, true, false]);
        assert_eq!(run.results()[5].status, Final::Exists);
        // A followed job that failed for an existing user is `exists` too.
        let exists = Job {
            error_code: Some(ALREADY_EXISTS),
            ..Job::default()
        };
        assert!(run.job_update(2, JobStatus::Failed, &exists, 0.0));
        assert_eq!(run.results()[2].status, Final::Exists);
        assert_eq!(run.results()[2].job_id.as_deref(), Some("j-2"));
        assert_adds_up(&run);
    }

    #[test]
    fn cancelling_a_resumed_run_leaves_followed_jobs() {
        let mut run = run(3, &[]);
        run.resume(
            &previous(&[("sent", Some("j")), ("failed", None), ("queued", None)]),
            0.0,
        );
        assert_eq!(run.cancel_queued(), [1, 2]);
        assert_eq!(run.waiting_jobs(), [(0, "j".to_string())]);
        assert!(!run.is_finished());
        let view = run.row_view(0).expect("a row");
        assert_eq!(view.phase(), "sent");
        let event = serde_json::to_value(BulkProgress {
            counts: run.counts(),
            phase: view.phase(),
            row: view,
            concurrency: 3,
        })
        .expect("an event");
        assert_eq!(
            (&event["phase"], &event["concurrency"]),
            (&"sent".into(), &3.into())
        );
        assert_eq!(
            event["row"],
            serde_json::json!({"index": 0, "status": "sent", "jobId": "j"})
        );
        let done = run.row_view(1).expect("a row");
        assert_eq!(
            (done.phase(), done),
            ("done", RowView::Done(&run.results()[1]))
        );
    }

    #[test]
    fn duplicates_point_at_their_first_row() {
        let issue = duplicate_issue("user_name", 4, Lang::En);
        assert_eq!(issue.code, "duplicate_row");
        assert!(issue.message.contains("index 4"));
    }

    #[test]
    fn counts_are_named_as_javascript_sees_them() {
        let mut run = run(2, &[0]);
        run.take_next();
        let counts = serde_json::to_value(run.counts()).expect("counts");
        assert_eq!(
            counts,
            serde_json::json!({"total": 2, "queued": 0, "sending": 1, "sent": 0, "succeeded": 0,
                "created": 0, "exists": 0, "invalid": 1, "failed": 0, "not_sent": 0})
        );
        let invalid = serde_json::to_value(run.row_view(0)).expect("a row");
        assert_eq!(invalid["status"], "invalid");
        assert_eq!(invalid["error"]["errors"][0]["code"], "required");
        let sending = serde_json::to_value(run.row_view(1)).expect("a row");
        assert_eq!(
            sending,
            serde_json::json!({"index": 1, "status": "sending"})
        );
    }

    #[test]
    fn counts_kept_as_rows_change_match_a_recount() {
        let mut run = run(50, &[3, 7]);
        for step in 0..200usize {
            let index = step % 50;
            match step % 5 {
                0 => {
                    run.take_next();
                }
                1 => run.sent(index, format!("j-{index}"), 0.0),
                2 => run.send_failed(index, &api_error(1400)),
                3 => {
                    run.job_update(index, JobStatus::Successful, &Job::default(), 0.0);
                }
                _ => {
                    run.cancel_queued();
                }
            }
            let mut recount = BulkCounts {
                total: 50,
                ..BulkCounts::default()
            };
            for phase in &run.rows {
                *count_of(&mut recount, phase) += 1;
            }
            recount.succeeded = recount.created + recount.exists;
            assert_eq!(run.counts(), recount, "after step {step}");
        }
    }
}
