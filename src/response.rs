//! Reading what the APIs answer: success, `ret_code` errors, HTTP errors and job states, and the
//! errors this library reports, each with a stable code and a message in English or Chinese.
//!
//! An answer is read into [`Answer`], which holds only the documented fields; everything else in
//! the body is never looked at, so no answer is walked by recursion, however deep it is.

use crate::messages::Lang;
use serde::{Deserialize, Serialize};

/// What went wrong, as a stable code callers can match on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input broke a validation rule; nothing was sent.
    InvalidInput,
    /// An option (endpoint, method, timestamp, ...) is unusable; nothing was sent.
    InvalidOptions,
    /// The API answered with a non-zero `ret_code`.
    Api,
    /// The server answered an HTTP error without a QingCloud error body.
    Http,
    /// The request did not reach the server or its answer did not arrive.
    Network,
    /// No answer within the time limit.
    Timeout,
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// The answer is not the JSON object the API documents.
    BadResponse,
    /// The job ended `failed`.
    JobFailed,
    /// The job had not ended when the time limit ran out.
    JobTimeout,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 10] = [
        ErrorKind::InvalidInput,
        ErrorKind::InvalidOptions,
        ErrorKind::Api,
        ErrorKind::Http,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::Aborted,
        ErrorKind::BadResponse,
        ErrorKind::JobFailed,
        ErrorKind::JobTimeout,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::InvalidOptions => "invalid_options",
            ErrorKind::Api => "api_error",
            ErrorKind::Http => "http_error",
            ErrorKind::Network => "network_error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Aborted => "aborted",
            ErrorKind::BadResponse => "bad_response",
            ErrorKind::JobFailed => "job_failed",
            ErrorKind::JobTimeout => "job_timeout",
        }
    }
}

/// An error with everything a caller needs to show or handle it. Never holds a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub ret_code: Option<i64>,
    pub status: Option<u16>,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

/// `ret_code`s the official SDK retries: the server did not act on the request.
pub const RETRYABLE_RET_CODES: [i64; 2] = [5000, 5100];

/// What a documented `ret_code` means, in plain words.
pub fn ret_code_meaning(ret_code: i64, lang: Lang) -> &'static str {
    let (en, zh) = match ret_code {
        1100 => (
            "a parameter is missing or badly formed",
            "参数缺失或格式错误",
        ),
        1101 => (
            "the action (API method) is not supported",
            "不支持该操作（API 方法）",
        ),
        1200 => (
            "authentication failed: check the access key ID and secret",
            "认证失败：请检查 access key ID 和 secret",
        ),
        1300 => (
            "the request has expired: check this computer's clock",
            "请求已过期：请检查本机时钟",
        ),
        1400 => ("permission denied", "没有权限"),
        2000 => ("the session has expired", "会话已过期"),
        2100 => ("the resource was not found", "资源不存在"),
        2110 => ("the resource already exists", "资源已存在"),
        2400 => ("the balance is not enough", "余额不足"),
        2500 => ("the quota is exceeded", "配额不足"),
        5000 => ("internal server error", "服务器内部错误"),
        5100 => ("the server is busy", "服务器繁忙"),
        5200 => ("resources are not enough", "资源不足"),
        5300 => ("the service is updating", "服务正在升级"),
        _ => ("the request failed", "请求失败"),
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: String) -> Self {
        ApiError {
            kind,
            ret_code: None,
            status: None,
            message,
        }
    }

    /// A non-zero `ret_code`, with the server's own message when it sent one.
    pub fn api(ret_code: i64, server_message: Option<&str>, status: u16, lang: Lang) -> Self {
        let meaning = ret_code_meaning(ret_code, lang);
        let message = match (lang, server_message.filter(|m| !m.is_empty())) {
            (Lang::En, Some(m)) => {
                format!("QingCloud refused the request ({meaning}, ret_code {ret_code}): {m}")
            }
            (Lang::En, None) => {
                format!("QingCloud refused the request ({meaning}, ret_code {ret_code}).")
            }
            (Lang::Zh, Some(m)) => format!("青云拒绝了请求（{meaning}，ret_code {ret_code}）：{m}"),
            (Lang::Zh, None) => format!("青云拒绝了请求（{meaning}，ret_code {ret_code}）。"),
        };
        ApiError {
            kind: ErrorKind::Api,
            ret_code: Some(ret_code),
            status: Some(status),
            message,
        }
    }

    pub fn network(detail: &str, lang: Lang) -> Self {
        let message = match lang {
            Lang::En => format!("Could not reach the server: {detail}"),
            Lang::Zh => format!("无法连接服务器：{detail}"),
        };
        ApiError::new(ErrorKind::Network, message)
    }

    pub fn timeout(timeout_ms: u32, lang: Lang) -> Self {
        let message = match lang {
            Lang::En => format!("No answer within {timeout_ms} ms."),
            Lang::Zh => format!("{timeout_ms} 毫秒内没有收到应答。"),
        };
        ApiError::new(ErrorKind::Timeout, message)
    }

    pub fn aborted(lang: Lang) -> Self {
        let message = match lang {
            Lang::En => "The request was aborted.",
            Lang::Zh => "请求已取消。",
        };
        ApiError::new(ErrorKind::Aborted, message.to_string())
    }

    pub fn invalid_options(refusal: &crate::refusal::Refusal, lang: Lang) -> Self {
        let detail = refusal.message(lang);
        let message = match lang {
            Lang::En => format!("Invalid options: {detail}"),
            Lang::Zh => format!("选项无效：{detail}"),
        };
        ApiError::new(ErrorKind::InvalidOptions, message)
    }

    /// Validation failed: the message lists the first error and counts the rest.
    pub fn invalid_input(report: &crate::validation::Report, lang: Lang) -> Self {
        let first = report
            .errors
            .first()
            .map(|e| e.message.as_str())
            .unwrap_or_default();
        let more = report.errors.len().saturating_sub(1);
        let message = match (lang, more) {
            (Lang::En, 0) => format!("Invalid input: {first}"),
            (Lang::En, n) => format!("Invalid input: {first} ({n} more)"),
            (Lang::Zh, 0) => format!("输入无效：{first}"),
            (Lang::Zh, n) => format!("输入无效：{first}（另有 {n} 处）"),
        };
        ApiError::new(ErrorKind::InvalidInput, message)
    }

    pub fn job_failed(job_id: &str, job: &Job, lang: Lang) -> Self {
        // The sandbox says why; the real API may not, and then the job id is all there is.
        let reason = job.error_message.as_deref();
        let message = match (lang, reason) {
            (Lang::En, Some(r)) => format!("Job {job_id} failed: {r}"),
            (Lang::En, None) => format!("Job {job_id} failed."),
            (Lang::Zh, Some(r)) => format!("任务 {job_id} 执行失败：{r}"),
            (Lang::Zh, None) => format!("任务 {job_id} 执行失败。"),
        };
        ApiError {
            ret_code: job.error_code,
            ..ApiError::new(ErrorKind::JobFailed, message)
        }
    }

    /// An accepted answer without the `job_id` the API documents.
    pub fn missing_job_id(lang: Lang) -> Self {
        let message = match lang {
            Lang::En => "The server accepted the request but sent no job_id.",
            Lang::Zh => "服务器接受了请求，但没有返回 job_id。",
        };
        ApiError::new(ErrorKind::BadResponse, message.to_string())
    }

    pub fn job_timeout(job_id: &str, timeout_ms: u32, lang: Lang) -> Self {
        let message = match lang {
            Lang::En => format!("Job {job_id} had not finished after {timeout_ms} ms."),
            Lang::Zh => format!("任务 {job_id} 在 {timeout_ms} 毫秒内没有完成。"),
        };
        ApiError::new(ErrorKind::JobTimeout, message)
    }

    /// Whether sending the same request again may succeed: the server did not act on it.
    pub fn is_retryable(&self) -> bool {
        self.ret_code
            .is_some_and(|c| RETRYABLE_RET_CODES.contains(&c))
            && self.kind == ErrorKind::Api
    }
}

/// The documented fields of every answer of both APIs that this library uses: the add-user
/// actions' and DescribeJobs'.
/// Each is read without looking into a value of the wrong type (see [`crate::de`]).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Answer {
    #[serde(default, deserialize_with = "crate::de::optional_integer")]
    pub ret_code: Option<i64>,
    #[serde(default, deserialize_with = "crate::de::answer_text")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "crate::de::answer_text")]
    pub action: Option<String>,
    #[serde(default, deserialize_with = "crate::de::answer_text")]
    pub job_id: Option<String>,
    #[serde(default, deserialize_with = "crate::de::answer_text")]
    pub service: Option<String>,
    #[serde(default, deserialize_with = "crate::de::answer_text")]
    pub cluster_id: Option<String>,
    #[serde(default, deserialize_with = "crate::de::list")]
    pub job_set: Vec<Job>,
}

/// A DescribeJobs entry, as the API documents it (plus the sandbox's reason for a failure).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, tsify::Tsify)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct Job {
    // Every job this library returns has both.
    #[serde(default, deserialize_with = "crate::de::answer_text")]
    #[tsify(type = "string")]
    pub job_id: Option<String>,
    #[serde(default, deserialize_with = "crate::de::answer_text")]
    #[tsify(type = "JobStatus")]
    pub status: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::de::answer_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "string")]
    pub job_action: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::de::answer_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "string")]
    pub create_time: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::de::answer_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "string")]
    pub status_time: Option<String>,
    /// Sandbox extension: why a job failed.
    #[serde(
        default,
        deserialize_with = "crate::de::optional_integer",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "number")]
    pub error_code: Option<i64>,
    #[serde(
        default,
        deserialize_with = "crate::de::answer_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional, type = "string")]
    pub error_message: Option<String>,
}

/// What an add-user call resolves to: the answer's documented fields, in camelCase.
#[derive(Clone, Debug, Default, PartialEq, Serialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct AddUserResponse {
    pub action: String,
    pub job_id: String,
    pub ret_code: i64,
    /// ClickHouse: `add_users`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "string")]
    pub service: Option<String>,
    /// ClickHouse: the cluster the job runs on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "string")]
    pub cluster_id: Option<String>,
}

impl Answer {
    /// The add-user view of a successful answer, which must carry a job id.
    pub fn add_user(self, lang: Lang) -> Result<AddUserResponse, ApiError> {
        let job_id = self.job_id.ok_or_else(|| ApiError::missing_job_id(lang))?;
        Ok(AddUserResponse {
            action: self.action.unwrap_or_default(),
            job_id,
            ret_code: self.ret_code.unwrap_or_default(),
            service: self.service,
            cluster_id: self.cluster_id,
        })
    }
}

/// Reads an answer: the [`Answer`] when `ret_code` is 0, the error otherwise. `parsed` is the
/// body read into an [`Answer`], `None` when it is not a JSON object of that shape.
pub fn parse_response(status: u16, parsed: Option<Answer>, lang: Lang) -> Result<Answer, ApiError> {
    let with_status = |kind: ErrorKind, message: String| ApiError {
        status: Some(status),
        ..ApiError::new(kind, message)
    };
    let answer = match parsed {
        Some(answer) => answer,
        None if !(200..300).contains(&status) => {
            let message = match lang {
                Lang::En => format!("The server answered HTTP {status}."),
                Lang::Zh => format!("服务器返回 HTTP {status}。"),
            };
            return Err(with_status(ErrorKind::Http, message));
        }
        None => {
            let message = match lang {
                Lang::En => format!("The server's answer (HTTP {status}) is not a JSON object."),
                Lang::Zh => format!("服务器的应答（HTTP {status}）不是 JSON 对象。"),
            };
            return Err(with_status(ErrorKind::BadResponse, message));
        }
    };
    match answer.ret_code {
        Some(0) => Ok(answer),
        Some(code) => Err(ApiError::api(code, answer.message.as_deref(), status, lang)),
        None => {
            let message = match lang {
                Lang::En => format!("The server's answer (HTTP {status}) has no ret_code."),
                Lang::Zh => format!("服务器的应答（HTTP {status}）缺少 ret_code。"),
            };
            Err(with_status(ErrorKind::BadResponse, message))
        }
    }
}

/// A redirect answer: a signed request is never sent on to another place.
pub fn redirect_error(status: u16, lang: Lang) -> ApiError {
    let message = match lang {
        Lang::En => format!(
            "The server answered with a redirect (HTTP {status}); a signed request is not sent on to another address. Check the endpoint."
        ),
        Lang::Zh => format!("服务器返回了重定向（HTTP {status}）；已签名的请求不会转发到其他地址。请检查 endpoint。"),
    };
    ApiError {
        status: Some(status),
        ..ApiError::new(ErrorKind::Http, message)
    }
}

/// An answer longer than any answer of these APIs, which is read no further than `max_mib` MiB.
pub fn answer_too_long(status: u16, max_mib: u32, lang: Lang) -> ApiError {
    let message = match lang {
        Lang::En => format!(
            "The server's answer (HTTP {status}) is longer than {max_mib} MiB, which no answer of this API is, so it was not read further."
        ),
        Lang::Zh => format!("服务器的应答（HTTP {status}）超过 {max_mib} MiB，不是此 API 的应答，已停止读取。"),
    };
    ApiError {
        status: Some(status),
        ..ApiError::new(ErrorKind::BadResponse, message)
    }
}

/// Where a job stands, as DescribeJobs reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    Pending,
    Working,
    Successful,
    Failed,
}

impl JobStatus {
    pub fn parse(status: &str) -> Option<Self> {
        match status {
            "pending" => Some(JobStatus::Pending),
            "working" => Some(JobStatus::Working),
            "successful" => Some(JobStatus::Successful),
            "failed" => Some(JobStatus::Failed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Working => "working",
            JobStatus::Successful => "successful",
            JobStatus::Failed => "failed",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, JobStatus::Successful | JobStatus::Failed)
    }
}

/// The entries of a DescribeJobs answer's `job_set` that have a `job_id` and a known status.
pub fn job_set(answer: &Answer) -> impl Iterator<Item = (&str, JobStatus, &Job)> {
    answer.job_set.iter().filter_map(|job| {
        let id = job.job_id.as_deref()?;
        let status = JobStatus::parse(job.status.as_deref()?)?;
        Some((id, status, job))
    })
}

/// Exponential backoff with full jitter: a delay in `[0, min(cap, base * 2^attempt))`, where
/// `random` is a number in `[0, 1)` supplied by the caller.
pub fn backoff_ms(attempt: u32, base_ms: u32, cap_ms: u32, random: f64) -> u32 {
    let ceiling = u64::from(base_ms)
        .saturating_mul(1u64 << attempt.min(20))
        .min(u64::from(cap_ms));
    (ceiling as f64 * random.clamp(0.0, 1.0)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As wasm reads an answer: JSON text, then the documented fields of an object (a list has
    /// none of them).
    fn parse_response(status: u16, body: &str, lang: Lang) -> Result<Answer, ApiError> {
        let parsed = match serde_json::from_str::<serde_json::Value>(body) {
            Ok(serde_json::Value::Array(_)) => Some(Answer::default()),
            Ok(value) => Answer::deserialize(value).ok(),
            Err(_) => None,
        };
        super::parse_response(status, parsed, lang)
    }

    #[test]
    fn success_is_the_object() {
        let body = r#"{"action":"RunClusterCustomServiceResponse","cluster_id":"cl-yxgxofd3","job_id":"j-kawf11u376l","service":"add_users","ret_code":0}"#;
        let answer = parse_response(200, body, Lang::En).expect("success");
        assert_eq!(answer.job_id.as_deref(), Some("j-kawf11u376l"));
        let response = answer.add_user(Lang::En).expect("a job id");
        assert_eq!(response.cluster_id.as_deref(), Some("cl-yxgxofd3"));
        let no_job = parse_response(200, r#"{"ret_code":0}"#, Lang::En).expect("success");
        assert_eq!(
            no_job.add_user(Lang::En).map_err(|e| e.kind),
            Err(ErrorKind::BadResponse)
        );
    }

    #[test]
    fn undocumented_fields_are_never_read_however_deep() {
        let deep = format!(
            r#"{{"ret_code":0,"job_id":"j-1","extra":{}{}}}"#,
            "[".repeat(100),
            "]".repeat(100)
        );
        assert!(parse_response(200, &deep, Lang::En).is_ok());
        // A job set of the wrong shape yields no job, or no answer at all.
        match parse_response(200, r#"{"ret_code":0,"job_set":[[[[1]]]]}"#, Lang::En) {
            Ok(answer) => assert_eq!(job_set(&answer).count(), 0),
            Err(error) => assert_eq!(error.kind, ErrorKind::BadResponse),
        }
    }

    #[test]
    fn redirects_are_http_errors_that_say_so() {
        let error = redirect_error(307, Lang::En);
        assert_eq!((error.kind, error.status), (ErrorKind::Http, Some(307)));
        assert!(error.message.contains("redirect"));
        assert!(redirect_error(302, Lang::Zh).message.contains("重定向"));
    }

    #[test]
    fn answers_too_long_are_bad_responses_that_say_how_long() {
        let error = answer_too_long(200, 4, Lang::En);
        assert_eq!(
            (error.kind, error.status),
            (ErrorKind::BadResponse, Some(200))
        );
        assert!(
            error.message.contains("longer than 4 MiB"),
            "{}",
            error.message
        );
        assert!(answer_too_long(200, 4, Lang::Zh)
            .message
            .contains("超过 4 MiB"));
    }

    #[test]
    fn ret_code_errors_carry_code_status_and_server_message() {
        let body = r#"{"message": "PermissionDenied, signature not matched", "ret_code": 1200}"#;
        let error = parse_response(200, body, Lang::En).expect_err("an error");
        assert_eq!(error.kind, ErrorKind::Api);
        assert_eq!((error.ret_code, error.status), (Some(1200), Some(200)));
        assert!(error.message.contains("authentication failed"));
        assert!(error.message.contains("signature not matched"));
        assert!(!error.is_retryable());
        let zh = parse_response(200, body, Lang::Zh).expect_err("an error");
        assert!(zh.message.starts_with("青云拒绝了请求"));
    }

    #[test]
    fn busy_answers_are_retryable() {
        for code in RETRYABLE_RET_CODES {
            let body = format!(r#"{{"ret_code": {code}, "message": "busy"}}"#);
            assert!(parse_response(200, &body, Lang::En)
                .expect_err("error")
                .is_retryable());
        }
    }

    #[test]
    fn http_errors_bad_json_and_missing_ret_code() {
        let error = parse_response(502, "<html>bad gateway</html>", Lang::En).expect_err("error");
        assert_eq!((error.kind, error.status), (ErrorKind::Http, Some(502)));
        let error = parse_response(200, "{\"ret_code\": 0", Lang::En).expect_err("error");
        assert_eq!(error.kind, ErrorKind::BadResponse);
        let error = parse_response(200, "[1]", Lang::En).expect_err("error");
        assert_eq!(error.kind, ErrorKind::BadResponse);
        let error = parse_response(200, r#"{"ret_code": "0"}"#, Lang::En).expect_err("error");
        assert_eq!(error.kind, ErrorKind::BadResponse);
        let error = parse_response(200, "{\"job_id\": \"j-1\"}", Lang::En).expect_err("error");
        assert_eq!(error.kind, ErrorKind::BadResponse);
        let error = parse_response(500, r#"{"ret_code": 5000, "message": "oops"}"#, Lang::En)
            .expect_err("error");
        assert_eq!(
            (error.kind, error.ret_code, error.status),
            (ErrorKind::Api, Some(5000), Some(500))
        );
    }

    #[test]
    fn every_error_kind_has_a_distinct_code() {
        let kinds = ErrorKind::ALL;
        let mut codes: Vec<_> = kinds.iter().map(|k| k.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), kinds.len());
    }

    #[test]
    fn job_set_reads_ids_and_statuses() {
        let body = r#"{"action":"DescribeJobsResponse","job_set":[{"job_id":"j-1","status":"working"},{"job_id":"j-2","status":"failed","error_code":2110,"error_message":"user exists"},{"status":"successful"},{"job_id":"j-3","status":"weird"}],"total_count":4,"ret_code":0}"#;
        let answer = parse_response(200, body, Lang::En).expect("success");
        let jobs: Vec<_> = job_set(&answer).collect();
        let summary: Vec<_> = jobs.iter().map(|(id, s, _)| (*id, *s)).collect();
        assert_eq!(
            summary,
            [("j-1", JobStatus::Working), ("j-2", JobStatus::Failed)]
        );
        let error = ApiError::job_failed("j-2", jobs[1].2, Lang::En);
        assert_eq!(error.message, "Job j-2 failed: user exists");
        assert_eq!(error.ret_code, Some(2110));
        assert!(JobStatus::Failed.is_final() && !JobStatus::Pending.is_final());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff_ms(0, 100, 10_000, 0.999_999), 99);
        assert_eq!(backoff_ms(3, 100, 10_000, 0.5), 400);
        assert_eq!(backoff_ms(30, 100, 10_000, 0.5), 5000);
        assert_eq!(backoff_ms(2, 100, 10_000, 0.0), 0);
    }
}
