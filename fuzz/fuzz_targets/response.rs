//! Reading answers: any status and any body through `parse_response`, `job_set` and
//! `camel_case_keys`, in both languages. The input is two bytes of HTTP status, one byte choosing
//! the language, then the body, so that seeds are real answers. The result is success exactly when
//! the body is a JSON object whose `ret_code` is 0; every error carries the status and a message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qingcloud_useradd::messages::Lang;
use qingcloud_useradd::response::{camel_case_keys, job_set, parse_response, ErrorKind, JobStatus};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let [lo, hi, flags, body @ ..] = data else {
        return;
    };
    let status = u16::from_le_bytes([*lo, *hi]);
    let lang = if flags & 1 == 1 { Lang::Zh } else { Lang::En };
    let body = String::from_utf8_lossy(body);
    let parsed = serde_json::from_str::<Value>(&body).ok();
    match parse_response(status, &body, lang) {
        Ok(object) => {
            assert_eq!(object.get("ret_code").and_then(Value::as_i64), Some(0));
            for (id, status, job) in job_set(&object) {
                assert_eq!(job.get("job_id").and_then(Value::as_str), Some(id.as_str()));
                assert_eq!(JobStatus::parse(status.as_str()), Some(status));
            }
            let camel = camel_case_keys(Value::Object(object.clone()));
            let camel = camel.as_object().expect("an object stays an object");
            assert!(camel.len() <= object.len());
            // `ret_code` becomes `retCode`, the key JavaScript callers read.
            assert_eq!(camel.get("retCode").and_then(Value::as_i64), Some(0));
        }
        Err(error) => {
            assert!(!error.message.is_empty());
            assert_eq!(error.status, Some(status));
            let is_object = matches!(parsed, Some(Value::Object(_)));
            match error.kind {
                ErrorKind::Api => {
                    assert!(is_object);
                    assert!(error.ret_code.is_some_and(|code| code != 0));
                }
                ErrorKind::Http => assert!(!is_object && !(200..300).contains(&status)),
                ErrorKind::BadResponse => {}
                other => panic!("parse_response answered {other:?}"),
            }
        }
    }
    if let Some(value) = parsed {
        let _ = camel_case_keys(value);
    }
});
