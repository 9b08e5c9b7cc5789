//! The shapes JavaScript callers pass in (camelCase), and how options resolve into builder inputs.
//! Arguments are read through [`Arg`], field by field, so this is tested natively on JSON values
//! and runs in wasm on the caller's own objects.

use crate::arg::Arg;
use crate::messages::Lang;
use crate::request::{self, Credentials, HttpRequest, Method, Stamp};
use crate::response::ApiError;
use crate::timestamp::{format_timestamp, parse_timestamp};
use crate::validation::{
    self, ClickHouseUser, EhpcUser, Issue, ValidClickHouseUser, ValidEhpcUser,
};

/// A JavaScript argument that is not the shape it should be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrongShape(pub String);

impl WrongShape {
    pub fn into_error(self, lang: Lang) -> ApiError {
        let message = match lang {
            Lang::En => format!("Invalid input: {}", self.0),
            Lang::Zh => format!("输入无效：{}", self.0),
        };
        ApiError::new(crate::response::ErrorKind::InvalidInput, message)
    }
}

/// Checks that an argument is an object; `null` or absent counts as an empty one.
fn object<A: Arg>(value: &A, what: &str) -> Result<(), WrongShape> {
    if value.is_nullish() || value.is_record() {
        Ok(())
    } else {
        Err(WrongShape(format!("{what} must be an object")))
    }
}

/// A string field; absent or `null` is empty, which validation reports as required.
pub fn text<A: Arg>(object: &A, key: &'static str) -> Result<String, WrongShape> {
    object
        .text_field(key)
        .ok_or_else(|| WrongShape(format!("{key} must be a string")))
}

/// A list of strings, or `None` when `value` is not a list.
fn texts<A: Arg>(value: &A, rule: &str) -> Option<Result<Vec<String>, WrongShape>> {
    let items = value.items()?;
    Some(
        items
            .iter()
            .map(|item| item.as_text().ok_or_else(|| WrongShape(rule.into())))
            .collect(),
    )
}

/// `userNetworks`: one string (`;`- or line-separated) or a list of strings.
fn networks<A: Arg>(object: &A) -> Result<Vec<String>, WrongShape> {
    if let Some(one) = object.text_field("userNetworks") {
        return Ok(vec![one]);
    }
    match texts(
        &object.field("userNetworks"),
        "userNetworks must hold only strings",
    ) {
        Some(list) => list,
        None => Err(WrongShape("userNetworks must be a string".into())),
    }
}

/// A ClickHouse account from `{ cluster, zone, userName, userPassword, userNetworks }`.
pub fn clickhouse_user<A: Arg>(input: &A) -> Result<ClickHouseUser, WrongShape> {
    object(input, "the ClickHouse user")?;
    Ok(ClickHouseUser {
        cluster: text(input, "cluster")?,
        zone: text(input, "zone")?,
        user_name: text(input, "userName")?,
        user_password: text(input, "userPassword")?,
        user_networks: networks(input)?,
    })
}

/// An EHPC user from `{ clusterId, zone, username, password, mod }`.
pub fn ehpc_user<A: Arg>(input: &A) -> Result<EhpcUser, WrongShape> {
    object(input, "the EHPC user")?;
    Ok(EhpcUser {
        cluster_id: text(input, "clusterId")?,
        zone: text(input, "zone")?,
        username: text(input, "username")?,
        password: text(input, "password")?,
        mode: text(input, "mod")?,
    })
}

/// One prepared bulk row: the user ready to send, or why it is invalid.
pub type BulkRow<V> = Result<V, Vec<Issue>>;

/// The prepared rows of a bulk call, or why the rows argument is unusable.
pub type PreparedRows<V> = Result<Vec<BulkRow<V>>, WrongShape>;

/// Prepares the rows of a bulk call: `fill` supplies the cluster and zone of the options where a
/// row has none; each row is validated; a row that repeats an earlier row's cluster and user is
/// invalid, so nothing is sent twice. A row of the wrong shape is invalid on its own.
fn bulk_rows<A: Arg, U: Default, V>(
    rows: &A,
    parse: fn(&A) -> Result<U, WrongShape>,
    fill: impl Fn(&mut U),
    validate: fn(&U, Lang) -> validation::Validated<V>,
    key: fn(&U) -> (String, String),
    key_field: &'static str,
    lang: Lang,
) -> PreparedRows<V> {
    let rows = rows
        .items()
        .ok_or_else(|| WrongShape("rows must be a list".into()))?;
    let users: Vec<Result<U, WrongShape>> = rows
        .iter()
        .map(|row| {
            parse(row).map(|mut user| {
                fill(&mut user);
                user
            })
        })
        .collect();
    let keys: Vec<Option<(String, String)>> = users
        .iter()
        .map(|u| {
            u.as_ref()
                .ok()
                .map(key)
                .filter(|(_, name)| !name.is_empty())
        })
        .collect();
    let duplicates = crate::bulk::earlier_duplicates(&keys);
    Ok(users
        .into_iter()
        .zip(duplicates)
        .map(|(user, duplicate)| {
            let user = user.map_err(|shape| {
                vec![Issue {
                    field: "row",
                    code: "invalid_row",
                    message: shape.into_error(lang).message,
                }]
            })?;
            if let Some(first) = duplicate {
                return Err(vec![crate::bulk::duplicate_issue(key_field, first, lang)]);
            }
            let validated = validate(&user, lang);
            validated.value.ok_or(validated.report.errors)
        })
        .collect())
}

/// ClickHouse bulk rows; `options.cluster` and `options.zone` apply to rows without their own.
pub fn clickhouse_rows<A: Arg>(
    rows: &A,
    options: &A,
    lang: Lang,
) -> PreparedRows<ValidClickHouseUser> {
    object(options, "options")?;
    let (cluster, zone) = (text(options, "cluster")?, text(options, "zone")?);
    bulk_rows(
        rows,
        clickhouse_user,
        |user: &mut ClickHouseUser| {
            if user.cluster.is_empty() {
                user.cluster.clone_from(&cluster);
            }
            if user.zone.is_empty() {
                user.zone.clone_from(&zone);
            }
        },
        validation::validate_clickhouse_user,
        |user| (user.cluster.clone(), user.user_name.clone()),
        "user_name",
        lang,
    )
}

/// EHPC bulk rows; `options.clusterId` and `options.zone` apply to rows without their own.
pub fn ehpc_rows<A: Arg>(rows: &A, options: &A, lang: Lang) -> PreparedRows<ValidEhpcUser> {
    object(options, "options")?;
    let (cluster_id, zone) = (text(options, "clusterId")?, text(options, "zone")?);
    bulk_rows(
        rows,
        ehpc_user,
        |user: &mut EhpcUser| {
            if user.cluster_id.is_empty() {
                user.cluster_id.clone_from(&cluster_id);
            }
            if user.zone.is_empty() {
                user.zone.clone_from(&zone);
            }
        },
        validation::validate_ehpc_user,
        |user| (user.cluster_id.clone(), user.username.clone()),
        "username",
        lang,
    )
}

/// `{ zone, jobs, limit }` for DescribeJobs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DescribeJobsInput {
    pub zone: String,
    pub jobs: Vec<String>,
    pub limit: Option<u32>,
}

pub fn describe_jobs_input<A: Arg>(input: &A) -> Result<DescribeJobsInput, WrongShape> {
    object(input, "the DescribeJobs input")?;
    let jobs = match texts(&input.field("jobs"), "jobs must hold only strings") {
        Some(jobs) => jobs?,
        None => return Err(WrongShape("jobs must be a list of job ids".into())),
    };
    let limit = input.field("limit");
    let limit = if limit.is_nullish() {
        None
    } else {
        let limit = limit
            .integer()
            .filter(|l| (1..=100).contains(l))
            .ok_or_else(|| WrongShape("limit must be a whole number from 1 to 100".into()))?;
        Some(limit as u32)
    };
    Ok(DescribeJobsInput {
        zone: text(input, "zone")?,
        jobs,
        limit,
    })
}

/// `{ accessKeyId, secretAccessKey }`; both are required and the secret is never echoed.
pub fn credentials<A: Arg>(input: &A, lang: Lang) -> Result<Credentials, ApiError> {
    let invalid = |name: &str| {
        ApiError::invalid_options(
            &format!("credentials.{name} must be a non-empty string"),
            lang,
        )
    };
    object(input, "credentials").map_err(|_| invalid("accessKeyId"))?;
    let access_key_id = text(input, "accessKeyId").map_err(|_| invalid("accessKeyId"))?;
    let secret_access_key =
        text(input, "secretAccessKey").map_err(|_| invalid("secretAccessKey"))?;
    if access_key_id.is_empty() {
        return Err(invalid("accessKeyId"));
    }
    if secret_access_key.is_empty() {
        return Err(invalid("secretAccessKey"));
    }
    Ok(Credentials {
        access_key_id,
        secret_access_key,
    })
}

/// `lang` of an options object: `'zh'` for Chinese, English otherwise.
pub fn lang<A: Arg>(options: &A) -> Lang {
    match options.text_field("lang").as_deref() {
        Some("zh") => Lang::Zh,
        _ => Lang::En,
    }
}

/// The `timestamp` option as given.
#[derive(Clone, Debug, PartialEq)]
pub enum Timestamp {
    /// Milliseconds since the epoch: a number or a `Date`.
    Millis(f64),
    /// `YYYY-MM-DDTHH:MM:SSZ`, or what `Date.toJSON()` makes (with milliseconds).
    Text(String),
    /// Anything else, refused when the options are resolved.
    Other,
}

/// Options every builder and sender takes: `endpoint`, `timestamp`, `method`, `reqId`, `lang`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestOptions {
    pub endpoint: Option<String>,
    pub timestamp: Option<Timestamp>,
    pub method: Option<String>,
    pub req_id: Option<String>,
    pub lang: Lang,
}

impl RequestOptions {
    pub fn read<A: Arg>(options: &A) -> Result<Self, ApiError> {
        let lang = lang(options);
        object(options, "options").map_err(|e| ApiError::invalid_options(&e.0, lang))?;
        let optional = |key: &'static str| -> Result<Option<String>, ApiError> {
            let value = text(options, key).map_err(|e| ApiError::invalid_options(&e.0, lang))?;
            Ok((!value.is_empty()).then_some(value))
        };
        // Most often a string: read as one first, in one step.
        let timestamp = match options.text_field("timestamp") {
            Some(text) if text.is_empty() => None,
            Some(text) => Some(Timestamp::Text(text)),
            None => Some(match options.field("timestamp").number() {
                Some(ms) => Timestamp::Millis(ms),
                None => Timestamp::Other,
            }),
        };
        Ok(RequestOptions {
            endpoint: optional("endpoint")?,
            timestamp,
            method: optional("method")?,
            req_id: optional("reqId")?,
            lang,
        })
    }
}

const TIMESTAMP_RULE: &str = "timestamp must be a Date, milliseconds, or YYYY-MM-DDTHH:MM:SSZ";

/// The options resolved, with the clock reading and random id the caller supplies as defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub endpoint: String,
    pub method: Method,
    pub stamp: Stamp,
}

impl RequestOptions {
    /// Checks every option; `now_ms` (the clock, read only when needed) and `random_req_id` fill
    /// what the caller left out.
    pub fn resolve(
        &self,
        default_endpoint: &str,
        now_ms: impl FnOnce() -> f64,
        random_req_id: impl FnOnce() -> String,
    ) -> Result<Resolved, ApiError> {
        let lang = self.lang;
        let invalid = |detail: String| ApiError::invalid_options(&detail, lang);
        let endpoint = self.endpoint.as_deref().unwrap_or(default_endpoint);
        let endpoint = request::normalize_endpoint(endpoint).map_err(|e| {
            invalid(format!(
                "endpoint \"{}\" must be an http:// or https:// URL without query or credentials",
                e.0
            ))
        })?;
        let method = match self
            .method
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("GET") => Method::Get,
            Some("POST") => Method::Post,
            Some(other) => return Err(invalid(format!("method \"{other}\" must be GET or POST"))),
        };
        let time_stamp = match &self.timestamp {
            None => format_timestamp((now_ms() / 1000.0).floor() as i64),
            Some(Timestamp::Millis(ms)) if ms.is_finite() => {
                format_timestamp((ms / 1000.0).floor() as i64)
            }
            Some(Timestamp::Text(text)) => {
                // `Date.toJSON()` adds milliseconds, which the APIs do not sign.
                let whole_seconds = match text.split_once('.') {
                    Some((seconds, fraction))
                        if fraction.len() > 1
                            && fraction.ends_with('Z')
                            && fraction[..fraction.len() - 1]
                                .bytes()
                                .all(|b| b.is_ascii_digit()) =>
                    {
                        format!("{seconds}Z")
                    }
                    _ => text.clone(),
                };
                if parse_timestamp(&whole_seconds).is_none() {
                    return Err(invalid(TIMESTAMP_RULE.into()));
                }
                whole_seconds
            }
            Some(_) => return Err(invalid(TIMESTAMP_RULE.into())),
        };
        let req_id = match &self.req_id {
            None => random_req_id(),
            Some(id) if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) => id.clone(),
            Some(_) => return Err(invalid("reqId must be 32 hexadecimal digits".into())),
        };
        Ok(Resolved {
            endpoint,
            method,
            stamp: Stamp { time_stamp, req_id },
        })
    }
}

/// Validates and builds `RunClusterCustomService` / `add_users`.
pub fn build_clickhouse(
    user: &ClickHouseUser,
    credentials: &Credentials,
    options: &Resolved,
    lang: Lang,
) -> Result<HttpRequest, ApiError> {
    let validated = validation::validate_clickhouse_user(user, lang);
    let user = validated
        .value
        .ok_or_else(|| ApiError::invalid_input(&validated.report, lang))?;
    Ok(sign_clickhouse(&user, credentials, options))
}

/// Signs `add_users` for an account already validated, with resolved options.
pub fn sign_clickhouse(
    user: &ValidClickHouseUser,
    credentials: &Credentials,
    options: &Resolved,
) -> HttpRequest {
    request::clickhouse_add_users(
        user,
        credentials,
        &options.endpoint,
        options.method,
        &options.stamp,
    )
}

/// Validates and builds EHPC `addUser`, which is always a POST.
pub fn build_ehpc(
    user: &EhpcUser,
    credentials: &Credentials,
    options: &Resolved,
    lang: Lang,
) -> Result<HttpRequest, ApiError> {
    let validated = validation::validate_ehpc_user(user, lang);
    let user = validated
        .value
        .ok_or_else(|| ApiError::invalid_input(&validated.report, lang))?;
    Ok(sign_ehpc(&user, credentials, options))
}

/// Signs EHPC `addUser` for a user already validated, with resolved options.
pub fn sign_ehpc(
    user: &ValidEhpcUser,
    credentials: &Credentials,
    options: &Resolved,
) -> HttpRequest {
    request::ehpc_add_user(
        user,
        credentials,
        &options.endpoint,
        &options.stamp.time_stamp,
    )
}

/// The most job ids one DescribeJobs call may ask for.
pub const DESCRIBE_JOBS_MAX: usize = 100;

/// Builds DescribeJobs, checking the zone and the job ids.
pub fn build_describe_jobs(
    input: DescribeJobsInput,
    credentials: &Credentials,
    options: &Resolved,
    lang: Lang,
) -> Result<HttpRequest, ApiError> {
    let invalid = |detail: &str| ApiError::invalid_options(detail, lang);
    if input.zone.is_empty() {
        return Err(invalid("zone is required"));
    }
    if input.jobs.is_empty() || input.jobs.len() > DESCRIBE_JOBS_MAX {
        return Err(invalid("jobs must list 1 to 100 job ids"));
    }
    if input.jobs.iter().any(|j| j.is_empty()) {
        return Err(invalid("jobs must not hold an empty job id"));
    }
    Ok(request::describe_jobs(
        &input.zone,
        &input.jobs,
        input.limit,
        credentials,
        &options.endpoint,
        options.method,
        &options.stamp,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::ErrorKind;

    const NOW_MS: f64 = 1_795_422_660_123.0; // 2026-11-23T08:31:00.123Z

    fn fixed_id() -> String {
        "a".repeat(32)
    }

    use serde_json::Value;

    fn json(text: &str) -> Value {
        serde_json::from_str(text).expect("json")
    }

    fn resolve(options: &str) -> Result<Resolved, ApiError> {
        RequestOptions::read(&json(options))?.resolve(
            request::DEFAULT_IAAS_ENDPOINT,
            || NOW_MS,
            fixed_id,
        )
    }

    #[test]
    fn defaults_are_the_real_host_get_and_the_given_clock() {
        let resolved = resolve("{}").expect("valid");
        assert_eq!(resolved.endpoint, "https://api.qingcloud.com");
        assert_eq!(resolved.method, Method::Get);
        assert_eq!(resolved.stamp.time_stamp, "2026-11-23T08:31:00Z");
        assert_eq!(resolved.stamp.req_id, fixed_id());
        assert_eq!(resolve("null").expect("valid"), resolved);
    }

    #[test]
    fn every_option_can_be_given() {
        let resolved = resolve(r#"{"endpoint":"http://127.0.0.1:8080/","method":"post","timestamp":"2030-01-31T23:59:59Z","reqId":"0123456789abcdef0123456789ABCDEF"}"#).expect("valid");
        assert_eq!(resolved.endpoint, "http://127.0.0.1:8080");
        assert_eq!(resolved.method, Method::Post);
        assert_eq!(resolved.stamp.time_stamp, "2030-01-31T23:59:59Z");
        assert_eq!(
            resolve(r#"{"timestamp": 0}"#)
                .expect("valid")
                .stamp
                .time_stamp,
            "1970-01-01T00:00:00Z"
        );
        // What JSON.stringify makes of a Date.
        let from_date = resolve(r#"{"timestamp": "2026-11-23T08:31:00.123Z"}"#).expect("valid");
        assert_eq!(from_date.stamp.time_stamp, "2026-11-23T08:31:00Z");
    }

    #[test]
    fn bad_options_are_refused_with_their_name() {
        for (options, needle) in [
            (r#"{"endpoint":"ftp://x"}"#, "endpoint"),
            (r#"{"endpoint":5}"#, "endpoint"),
            (r#"{"method":"PUT"}"#, "method"),
            (r#"{"timestamp":"yesterday"}"#, "timestamp"),
            (r#"{"timestamp":"2026-11-23T08:31:00.Z"}"#, "timestamp"),
            (r#"{"timestamp":true}"#, "timestamp"),
            (r#"{"reqId":"xyz"}"#, "reqId"),
            ("[]", "options"),
        ] {
            let error = resolve(options).expect_err(options);
            assert_eq!(error.kind, ErrorKind::InvalidOptions);
            assert!(error.message.contains(needle), "{}", error.message);
        }
    }

    #[test]
    fn lang_selects_chinese_messages() {
        let error = resolve(r#"{"method":"PUT","lang":"zh"}"#).expect_err("bad method");
        assert!(error.message.starts_with("选项无效"));
    }

    #[test]
    fn credentials_need_both_halves_and_never_echo_the_secret() {
        let error = credentials(&json(r#"{"secretAccessKey":"TOPSECRET"}"#), Lang::En)
            .expect_err("missing id");
        assert!(error.message.contains("accessKeyId") && !error.message.contains("TOPSECRET"));
        let error = credentials(
            &json(r#"{"accessKeyId":"AK","secretAccessKey":7}"#),
            Lang::En,
        )
        .expect_err("bad secret");
        assert!(error.message.contains("secretAccessKey"));
        assert!(credentials(
            &json(r#"{"accessKeyId":"AK","secretAccessKey":"SK"}"#),
            Lang::En
        )
        .is_ok());
    }

    #[test]
    fn networks_may_be_a_string_or_a_list() {
        let one = clickhouse_user(&json(r#"{"userNetworks":"::/0"}"#)).expect("valid");
        let many =
            clickhouse_user(&json(r#"{"userNetworks":["::/0","10.0.0.0/8"]}"#)).expect("valid");
        assert_eq!(one.user_networks, ["::/0"]);
        assert_eq!(many.user_networks, ["::/0", "10.0.0.0/8"]);
        let error = clickhouse_user(&json(r#"{"userNetworks":["::/0", 1]}"#)).expect_err("number");
        assert!(error.0.contains("userNetworks"));
    }

    #[test]
    fn wrong_types_name_the_field() {
        let error = clickhouse_user(&json(r#"{"userName": 5}"#)).expect_err("number");
        assert_eq!(error.0, "userName must be a string");
        let error = ehpc_user(&json(r#""isabel""#)).expect_err("string");
        assert_eq!(error.0, "the EHPC user must be an object");
        assert!(WrongShape("x".into())
            .into_error(Lang::Zh)
            .message
            .starts_with("输入无效"));
        let missing = ehpc_user(&Value::Null).expect("empty");
        assert_eq!(missing, EhpcUser::default());
    }

    #[test]
    fn describe_jobs_input_is_checked() {
        let input = describe_jobs_input(&json(r#"{"zone":"pek3","jobs":["j-1"],"limit":10}"#))
            .expect("valid");
        assert_eq!(
            input,
            DescribeJobsInput {
                zone: "pek3".into(),
                jobs: vec!["j-1".into()],
                limit: Some(10)
            }
        );
        for bad in [
            r#"{"zone":"pek3"}"#,
            r#"{"zone":"pek3","jobs":[1]}"#,
            r#"{"zone":"pek3","jobs":["j"],"limit":0}"#,
        ] {
            assert!(describe_jobs_input(&json(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn bulk_rows_take_defaults_validate_and_mark_repeats() {
        let rows = json(
            r#"[
            {"userName":"alice","userPassword":"Passw0rd!","userNetworks":"10.0.0.0/8"},
            {"userName":"bob","userPassword":"1bad","userNetworks":"10.0.0.0/8"},
            {"userName":"alice","userPassword":"Other-pass","userNetworks":"::1"},
            {"cluster":"cl-abcdefgh","userName":"alice","userPassword":"Passw0rd!","userNetworks":"::1"},
            {"userName":5},
            "nonsense"
        ]"#,
        );
        let prepared = clickhouse_rows(
            &rows,
            &json(r#"{"cluster":"cl-sandbox1","zone":"pek3"}"#),
            Lang::En,
        )
        .expect("a list");
        let codes: Vec<Vec<&str>> = prepared
            .iter()
            .map(|row| {
                row.as_ref()
                    .err()
                    .map(|issues| issues.iter().map(|i| i.code).collect())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(
            codes,
            [
                vec![],
                vec!["starts_with_digit"],
                vec!["duplicate_row"],
                vec![],
                vec!["invalid_row"],
                vec!["invalid_row"]
            ]
        );
        let first = prepared[0].as_ref().expect("valid");
        assert_eq!(
            (first.cluster.as_str(), first.zone.as_str()),
            ("cl-sandbox1", "pek3")
        );
        assert_eq!(
            prepared[3].as_ref().map(|u| u.cluster.as_str()),
            Ok("cl-abcdefgh")
        );
        assert!(clickhouse_rows(&json("{}"), &Value::Null, Lang::En).is_err());
        let ehpc = ehpc_rows(
            &json(r#"[{"username":"u1","password":"kUISjs@kkkkkk!"}]"#),
            &json(r#"{"clusterId":"ehpc-sandbox1","zone":"pek3"}"#),
            Lang::En,
        )
        .expect("a list");
        assert_eq!(
            ehpc[0].as_ref().map(|u| u.cluster_id.as_str()),
            Ok("ehpc-sandbox1")
        );
    }

    #[test]
    fn invalid_users_are_not_built() {
        let credentials = credentials(
            &json(r#"{"accessKeyId":"AK","secretAccessKey":"SK"}"#),
            Lang::En,
        )
        .expect("valid");
        let resolved = resolve("{}").expect("valid");
        let user = clickhouse_user(&json(r#"{"cluster":"cl-yxgxofd3","zone":"pek3","userName":"9x","userPassword":"p","userNetworks":"::/0"}"#)).expect("shape");
        let error =
            build_clickhouse(&user, &credentials, &resolved, Lang::En).expect_err("invalid");
        assert_eq!(error.kind, ErrorKind::InvalidInput);
        assert!(error
            .message
            .contains("user_name must not start with a digit"));
        let user = ehpc_user(&json(r#"{"clusterId":"ehpc-8jqdq0mz","zone":"jn1a","username":"isabel","password":"kUISjs@kkkkkk!","mod":"700"}"#)).expect("shape");
        let request = build_ehpc(&user, &credentials, &resolved, Lang::En).expect("valid");
        assert!(request.body.unwrap_or_default().contains(r#""mod": "700""#));
        let jobs = DescribeJobsInput {
            zone: "pek3".into(),
            jobs: vec![],
            limit: None,
        };
        assert!(build_describe_jobs(jobs, &credentials, &resolved, Lang::En).is_err());
    }
}
