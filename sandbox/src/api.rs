//! API answers: `ret_code` errors in QingCloud's shape and successful JSON bodies.
//!
//! QingCloud answers an API error with HTTP 200 and `{"message": "...", "ret_code": N}`; the
//! official `qingcloud-sdk` only reads bodies of HTTP 200 answers. The codes are those of the error
//! page of QingCloud's documentation (yunify/qingcloud-docs,
//! content/development_docs/api/error_code.md): 1100 bad request format, 1101 unknown method
//! (action), 1200 authentication failure (unknown access key or wrong signature), 1300 expired
//! time stamp, 1400 permission denied, 2100 resource not found, 2110 resource already exists,
//! 5000 internal error, 5100 busy. Messages start with a CamelCase category and a comma, as in the
//! documented `"PermissionDenied, instance [i-2aypaijz] is not running, can not be stopped"` and the
//! `"AuthFailure, signature not matched"` that the real API answers a bad signature with (quoted in
//! yunify/docker-machine-driver-qingcloud issue #1); the categories of the other codes are named
//! after the error types of that page.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub ret_code: i64,
    pub message: String,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    message: &'a str,
    ret_code: i64,
}

/// Bounds and cleans text taken from a request before it is echoed in a message or a log.
pub fn shown(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(64)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if value.chars().count() > 64 {
        out.push('…');
    }
    out
}

impl ApiError {
    pub fn new(ret_code: i64, message: impl Into<String>) -> Self {
        ApiError {
            ret_code,
            message: message.into(),
        }
    }

    pub fn invalid(detail: impl std::fmt::Display) -> Self {
        ApiError::new(1100, format!("InvalidRequestFormat, {detail}"))
    }

    pub fn missing(parameter: &str) -> Self {
        ApiError::invalid(format!("parameter [{parameter}] is required"))
    }

    pub fn unknown_action(detail: impl std::fmt::Display) -> Self {
        ApiError::new(1101, format!("InvalidAction, {detail}"))
    }

    pub fn unknown_access_key(access_key_id: &str) -> Self {
        ApiError::new(
            1200,
            format!(
                "AuthFailure, access key [{}] does not exist",
                shown(access_key_id)
            ),
        )
    }

    pub fn signature_mismatch() -> Self {
        ApiError::new(1200, "AuthFailure, signature not matched")
    }

    pub fn expired(detail: impl std::fmt::Display) -> Self {
        ApiError::new(1300, format!("RequestExpired, {detail}"))
    }

    pub fn denied(detail: impl std::fmt::Display) -> Self {
        ApiError::new(1400, format!("PermissionDenied, {detail}"))
    }

    pub fn not_found(detail: impl std::fmt::Display) -> Self {
        ApiError::new(2100, format!("ResourceNotFound, {detail}"))
    }

    pub fn already_exists(detail: impl std::fmt::Display) -> Self {
        ApiError::new(2110, format!("ResourceAlreadyExists, {detail}"))
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        ApiError::new(5000, format!("InternalError, {detail}"))
    }

    pub fn busy() -> Self {
        ApiError::new(
            5100,
            "ServerBusy, the server is too busy to handle the request, please try again later",
        )
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&ErrorBody {
            message: &self.message,
            ret_code: self.ret_code,
        })
        .unwrap_or_else(|_| format!("{{\"ret_code\":{}}}", self.ret_code))
    }
}

/// What an API handler answers: HTTP 200 and a JSON body, with its `ret_code` for the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub ret_code: i64,
    pub body: String,
}

impl Reply {
    pub fn ok<T: Serialize>(value: &T) -> Reply {
        match serde_json::to_string(value) {
            Ok(body) => Reply { ret_code: 0, body },
            Err(e) => ApiError::internal(format!("cannot serialise the answer: {e}")).into(),
        }
    }
}

impl From<ApiError> for Reply {
    fn from(error: ApiError) -> Self {
        Reply {
            ret_code: error.ret_code,
            body: error.to_json(),
        }
    }
}

pub type ApiResult = Result<Reply, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_shape() {
        assert_eq!(
            ApiError::signature_mismatch().to_json(),
            r#"{"message":"AuthFailure, signature not matched","ret_code":1200}"#
        );
        assert_eq!(ApiError::missing("zone").ret_code, 1100);
    }

    #[test]
    fn shown_bounds_and_cleans() {
        assert_eq!(shown("a\nb"), "a?b");
        assert_eq!(shown(&"x".repeat(100)).chars().count(), 65);
    }
}
