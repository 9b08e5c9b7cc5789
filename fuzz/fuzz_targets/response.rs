//! Reading answers: any status and any body through `parse_response`, `job_set`,
//! `ApiError::job_failed` and `camel_case`, in both languages. The input is two bytes of HTTP
//! status, one byte choosing the language, then the body, so that seeds are real answers. The body
//! reaches `parse_response` parsed as JSON (or `None`), as callers hand it over. The result is
//! success exactly when the body is a JSON object whose `ret_code` is 0; every error carries the
//! status and a message; `camel_case` drops inner underscores and changes nothing else but case.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qingcloud_useradd::arg::Arg;
use qingcloud_useradd::messages::Lang;
use qingcloud_useradd::response::{
    camel_case, job_set, parse_response, ApiError, ErrorKind, JobStatus,
};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let [lo, hi, flags, body @ ..] = data else {
        return;
    };
    let status = u16::from_le_bytes([*lo, *hi]);
    let lang = if flags & 1 == 1 { Lang::Zh } else { Lang::En };
    let body = String::from_utf8_lossy(body);
    let parsed = serde_json::from_str::<Value>(&body).ok();
    match parse_response(status, parsed.clone(), lang) {
        Ok(object) => {
            assert!(object.is_object());
            // `integer`, not `as_i64`: JavaScript has one number type, so `0.0` is 0 there too.
            assert_eq!(object.field("ret_code").integer(), Some(0));
            for (id, status, job) in job_set(&object) {
                assert_eq!(job.field("job_id").as_text(), Some(id.clone()));
                assert_eq!(JobStatus::parse(status.as_str()), Some(status));
                let failed = ApiError::job_failed(&id, &job, lang);
                assert_eq!(failed.kind, ErrorKind::JobFailed);
                assert!(!failed.message.is_empty());
                assert_eq!(failed.ret_code, job.field("error_code").integer());
            }
            // `ret_code` becomes `retCode`, the key JavaScript callers read.
            assert_eq!(camel_case("ret_code"), "retCode");
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
    // Every key the answer holds, and the body itself as one arbitrary key.
    check_camel_case(&body);
    if let Some(Value::Object(object)) = &parsed {
        for key in object.keys() {
            check_camel_case(key);
        }
    }
});

/// `camel_case` removes every underscore but a leading one, changes nothing else but the case of
/// ASCII letters, and leaves a key already in camel case as it is.
fn check_camel_case(key: &str) {
    let camel = camel_case(key);
    assert!(
        !camel.strip_prefix('_').unwrap_or(&camel).contains('_'),
        "{key:?} -> {camel:?}"
    );
    assert!(
        camel
            .trim_start_matches('_')
            .eq_ignore_ascii_case(&key.replace('_', "")),
        "{key:?} -> {camel:?}"
    );
    assert_eq!(camel.starts_with('_'), key.starts_with('_'), "{key:?}");
    if !key.contains('_') {
        assert_eq!(camel, key);
    }
    assert_eq!(camel_case(&camel), camel, "{key:?}");
}
