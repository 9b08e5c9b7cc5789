//! Reading answers: any status and any body through `parse_response`, `job_set`,
//! `ApiError::job_failed` and `add_user`, in both languages. The input is two bytes of HTTP
//! status, one byte choosing the language, then the body, so that seeds are real answers. The body
//! reaches `parse_response` as wasm hands it over: its documented fields read from a JSON object
//! (none from a list), or `None` when it is not JSON or a field has the wrong type. The result is
//! success exactly when `ret_code` is 0; every error carries the status and a message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qingcloud_useradd::messages::Lang;
use qingcloud_useradd::response::{
    job_set, parse_response, Answer, ApiError, ErrorKind, JobStatus,
};
use serde::Deserialize;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let [lo, hi, flags, body @ ..] = data else {
        return;
    };
    let status = u16::from_le_bytes([*lo, *hi]);
    let lang = if flags & 1 == 1 { Lang::Zh } else { Lang::En };
    let body = String::from_utf8_lossy(body);
    let value = serde_json::from_str::<Value>(&body).ok();
    let parsed = match &value {
        Some(Value::Array(_)) => Some(Answer::default()),
        Some(value) => Answer::deserialize(value).ok(),
        None => None,
    };
    match parse_response(status, parsed.clone(), lang) {
        Ok(answer) => {
            assert_eq!(answer.ret_code, Some(0));
            for (id, status, job) in job_set(&answer) {
                assert_eq!(job.job_id.as_deref(), Some(id));
                assert_eq!(JobStatus::parse(status.as_str()), Some(status));
                let failed = ApiError::job_failed(id, job, lang);
                assert_eq!(failed.kind, ErrorKind::JobFailed);
                assert!(!failed.message.is_empty());
                assert_eq!(failed.ret_code, job.error_code);
            }
            match answer.clone().add_user(lang) {
                Ok(response) => assert_eq!(Some(response.job_id), answer.job_id),
                Err(error) => assert_eq!(error.kind, ErrorKind::BadResponse),
            }
        }
        Err(error) => {
            assert!(!error.message.is_empty());
            assert_eq!(error.status, Some(status));
            match error.kind {
                ErrorKind::Api => {
                    assert!(error.ret_code.is_some_and(|code| code != 0));
                    assert_eq!(parsed.and_then(|answer| answer.ret_code), error.ret_code);
                }
                ErrorKind::Http => assert!(parsed.is_none() && !(200..300).contains(&status)),
                ErrorKind::BadResponse => {}
                other => panic!("parse_response answered {other:?}"),
            }
        }
    }
});
