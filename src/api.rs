//! From what JavaScript callers pass in ([`crate::input`]) to signed requests: options resolved,
//! credentials checked, users validated, bulk rows prepared. Pure, so tested natively on the same
//! serde model that wasm reads with `serde-wasm-bindgen`.

use crate::input::{
    ClickHouseUserInput, DescribeJobsInput, EhpcUserInput, PreviousRow, RequestOptions, Timestamp,
};
use crate::messages::Lang;
use crate::refusal::{Arg, Refusal};
use crate::request::{self, Credentials, HttpRequest, Method, Stamp};
use crate::response::{ApiError, ErrorKind};
use crate::timestamp::{format_millis, parse_timestamp};
use crate::validation::{
    self, ClickHouseUser, EhpcUser, Issue, ValidClickHouseUser, ValidEhpcUser,
};

/// A JavaScript argument that is not the shape it should be: the field and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrongShape(pub Refusal);

impl WrongShape {
    pub fn into_error(self, lang: Lang) -> ApiError {
        let detail = self.0.message(lang);
        let message = match lang {
            Lang::En => format!("Invalid input: {detail}"),
            Lang::Zh => format!("输入无效：{detail}"),
        };
        ApiError::new(ErrorKind::InvalidInput, message)
    }
}

impl From<ClickHouseUserInput> for ClickHouseUser {
    fn from(input: ClickHouseUserInput) -> Self {
        ClickHouseUser {
            cluster: input.cluster.0,
            zone: input.zone.0,
            user_name: input.user_name.0,
            user_password: input.user_password.0,
            user_networks: input.user_networks.0,
        }
    }
}

impl From<EhpcUserInput> for EhpcUser {
    fn from(input: EhpcUserInput) -> Self {
        EhpcUser {
            cluster_id: input.cluster_id.0,
            zone: input.zone.0,
            username: input.username.0,
            password: input.password.0,
            mode: input.r#mod,
        }
    }
}

/// `{ accessKeyId, secretAccessKey }`: both are required, and the secret is never echoed.
pub fn check_credentials(
    credentials: crate::input::Credentials,
    lang: Lang,
) -> Result<Credentials, ApiError> {
    let credentials = Credentials::from(credentials);
    let blank = |field| ApiError::invalid_options(&Refusal::Blank(field), lang);
    if credentials.access_key_id.is_empty() {
        return Err(blank("credentials.accessKeyId"));
    }
    if credentials.secret_access_key.is_empty() {
        return Err(blank("credentials.secretAccessKey"));
    }
    Ok(credentials)
}

/// One prepared bulk row: the user ready to send, or why it is invalid.
pub type BulkRow<V> = Result<V, Vec<Issue>>;

/// What a bulk call needs to know of one kind of row.
pub struct RowKind<R, U, V> {
    /// The row with the call's defaults filled in, as a user to validate.
    pub user: fn(R, &str, &str) -> U,
    pub validate: fn(&U, Lang) -> validation::Validated<V>,
    /// The cluster and user name that identify the account.
    pub key: fn(&U) -> (&str, &str),
    /// The zone a valid user's jobs are looked up in.
    pub zone: fn(&V) -> &str,
    /// The field a repeated row is reported on.
    pub key_field: &'static str,
}

/// ClickHouse rows: `options.cluster` and `options.zone` apply to rows without their own.
pub const CLICKHOUSE_ROWS: RowKind<ClickHouseUserInput, ClickHouseUser, ValidClickHouseUser> =
    RowKind {
        user: |row, cluster, zone| ClickHouseUser {
            cluster: or_default(row.cluster.0, cluster),
            zone: or_default(row.zone.0, zone),
            user_name: row.user_name.0,
            user_password: row.user_password.0,
            user_networks: row.user_networks.0,
        },
        validate: validation::validate_clickhouse_user,
        key: |user| (&user.cluster, &user.user_name),
        zone: |user| &user.zone,
        key_field: "user_name",
    };

/// EHPC rows: `options.clusterId` and `options.zone` apply to rows without their own.
pub const EHPC_ROWS: RowKind<EhpcUserInput, EhpcUser, ValidEhpcUser> = RowKind {
    user: |row, cluster_id, zone| EhpcUser {
        cluster_id: or_default(row.cluster_id.0, cluster_id),
        zone: or_default(row.zone.0, zone),
        username: row.username.0,
        password: row.password.0,
        mode: row.r#mod,
    },
    validate: validation::validate_ehpc_user,
    key: |user| (&user.cluster_id, &user.username),
    zone: |user| &user.zone,
    key_field: "username",
};

fn or_default(value: String, default: &str) -> String {
    if value.is_empty() {
        default.to_string()
    } else {
        value
    }
}

/// Prepares the rows of a bulk call: defaults filled in, each row validated, and a row that
/// repeats an earlier row's cluster and user made invalid, so that nothing is sent twice. A row of
/// the wrong shape is invalid on its own. When resuming, `previous` must be these rows: what is
/// wrong with it is the error.
pub fn bulk_rows<R, U, V>(
    rows: Vec<Result<R, WrongShape>>,
    kind: &RowKind<R, U, V>,
    (cluster, zone): (&str, &str),
    previous: Option<&[PreviousRow]>,
    lang: Lang,
) -> Result<Vec<BulkRow<V>>, Refusal> {
    let users: Vec<Result<U, WrongShape>> = rows
        .into_iter()
        .map(|row| row.map(|row| (kind.user)(row, cluster, zone)))
        .collect();
    let keys: Vec<Option<(&str, &str)>> = users
        .iter()
        .map(|user| {
            let (cluster, name) = (kind.key)(user.as_ref().ok()?);
            (!name.is_empty()).then_some((cluster, name))
        })
        .collect();
    if let Some(previous) = previous {
        check_previous(previous, &keys)?;
    }
    let duplicates = crate::order::earlier_duplicates(&keys);
    Ok(users
        .iter()
        .zip(duplicates)
        .map(|(user, duplicate)| {
            let user = user.as_ref().map_err(|shape| {
                vec![Issue {
                    field: "row",
                    code: "invalid_row",
                    message: shape.clone().into_error(lang).message,
                }]
            })?;
            if let Some(first) = duplicate {
                return Err(vec![crate::bulk::duplicate_issue(
                    kind.key_field,
                    first,
                    lang,
                )]);
            }
            let validated = (kind.validate)(user, lang);
            validated.value.ok_or(validated.report.errors)
        })
        .collect())
}

/// An earlier run's rows are these rows: one entry per row, in order, each with a row status and
/// naming (when it names them) the row's cluster and user name. A row without a user name is
/// invalid, and not compared.
fn check_previous(previous: &[PreviousRow], keys: &[Option<(&str, &str)>]) -> Result<(), Refusal> {
    if previous.len() != keys.len() {
        return Err(Refusal::PreviousLength);
    }
    for (index, (entry, key)) in previous.iter().zip(keys).enumerate() {
        let other = |given: &Option<String>, ours: &str| given.as_ref().is_some_and(|g| g != ours);
        let names_another = key.is_some_and(|(cluster, name)| {
            other(&entry.cluster, cluster) || other(&entry.user_name, name)
        });
        let status = matches!(
            entry.status.as_str(),
            "created"
                | "exists"
                | "invalid"
                | "failed"
                | "not_sent"
                | "queued"
                | "sending"
                | "sent"
        );
        if entry.index != Some(index as f64) || names_another || !status {
            return Err(Refusal::PreviousRow(index));
        }
        if entry
            .job_id
            .as_ref()
            .is_some_and(|id| id.chars().count() > JOB_ID_MAX)
        {
            return Err(Refusal::PreviousJobId {
                index,
                most: JOB_ID_MAX,
            });
        }
    }
    Ok(())
}

/// Reads an argument of type `T` from a JSON value as wasm reads it from a JavaScript value:
/// `null` is the default, anything but an object is refused, and a field of the wrong type is
/// named with what is wrong with it.
pub fn read<T: serde::de::DeserializeOwned + Default>(
    value: &serde_json::Value,
    what: Arg,
) -> Result<T, WrongShape> {
    let fields = match value {
        serde_json::Value::Null => return Ok(T::default()),
        serde_json::Value::Object(fields) => fields,
        _ => return Err(WrongShape(Refusal::NotAnObject(what))),
    };
    T::deserialize(value).map_err(|error| {
        let field = fields.iter().find_map(|(name, value)| {
            let alone =
                serde_json::Value::Object([(name.clone(), value.clone())].into_iter().collect());
            T::deserialize(&alone).is_err().then_some(name.as_str())
        });
        wrong_field(field, what, error.to_string())
    })
}

/// What a refused argument says: the field that is wrong (found by reading each field alone, as
/// every field may be left out), and why.
pub fn wrong_field(field: Option<&str>, what: Arg, reader: String) -> WrongShape {
    WrongShape(Refusal::WrongField {
        field: field.map(str::to_string),
        arg: what,
        reader,
    })
}

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
        let invalid = |refusal: Refusal| ApiError::invalid_options(&refusal, lang);
        let endpoint = self.endpoint.as_deref().unwrap_or(default_endpoint);
        let endpoint = request::normalize_endpoint(endpoint)
            .ok_or_else(|| invalid(Refusal::Endpoint("endpoint")))?;
        let method = match self
            .method
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("GET") => Method::Get,
            Some("POST") => Method::Post,
            Some(_) => return Err(invalid(Refusal::Method)),
        };
        let time_stamp = match &self.timestamp {
            None => format_millis(now_ms()).ok_or_else(|| invalid(Refusal::Clock))?,
            Some(Timestamp::Millis(ms)) => {
                format_millis(*ms).ok_or_else(|| invalid(Refusal::Timestamp))?
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
                    return Err(invalid(Refusal::Timestamp));
                }
                whole_seconds
            }
            Some(_) => return Err(invalid(Refusal::Timestamp)),
        };
        let req_id = match &self.req_id {
            None => random_req_id(),
            Some(id) if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) => id.clone(),
            Some(_) => return Err(invalid(Refusal::ReqId)),
        };
        Ok(Resolved {
            endpoint,
            method,
            stamp: Stamp { time_stamp, req_id },
        })
    }
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

/// The longest job id DescribeJobs is asked about: QingCloud's are a dozen characters.
pub const JOB_ID_MAX: usize = 128;

/// Builds DescribeJobs, checking the zone and the job ids.
pub fn build_describe_jobs(
    input: DescribeJobsInput,
    credentials: &Credentials,
    options: &Resolved,
    lang: Lang,
) -> Result<HttpRequest, ApiError> {
    let invalid = |refusal: Refusal| ApiError::invalid_options(&refusal, lang);
    if input.zone.0.is_empty() {
        return Err(invalid(Refusal::Zone));
    }
    let jobs = &input.jobs.0;
    if jobs.is_empty() || jobs.len() > DESCRIBE_JOBS_MAX {
        return Err(invalid(Refusal::JobCount));
    }
    if jobs
        .iter()
        .any(|j| j.is_empty() || j.chars().count() > JOB_ID_MAX)
    {
        return Err(invalid(Refusal::JobIds { most: JOB_ID_MAX }));
    }
    if input.limit.is_some_and(|limit| !(1..=100).contains(&limit)) {
        return Err(invalid(Refusal::Whole {
            field: "limit",
            least: 1,
            most: 100,
        }));
    }
    Ok(request::describe_jobs(
        &input.zone.0,
        jobs,
        input.limit.map(|limit| limit as u32),
        credentials,
        &options.endpoint,
        options.method,
        &options.stamp,
    ))
}

/// What differs between the two add-user APIs; everything else goes one generic path.
pub trait AddUser {
    /// What `validate…User` and the single-user calls take.
    type Input: serde::de::DeserializeOwned + Default + Into<Self::User>;
    type User;
    type Valid;
    /// The argument's name in messages.
    const WHAT: Arg;
    /// Where requests go unless an endpoint is given.
    const DEFAULT_ENDPOINT: &'static str;
    /// Whether the API takes a random `req_id` (drawing one is not free).
    const SENDS_REQ_ID: bool;
    /// A bulk row is read as an input, its cluster and zone taken from the options when empty.
    const ROWS: RowKind<Self::Input, Self::User, Self::Valid>;

    fn validate(user: &Self::User, lang: Lang) -> validation::Validated<Self::Valid>;
    fn sign(user: &Self::Valid, credentials: &Credentials, options: &Resolved) -> HttpRequest;
    /// The cluster a bulk row defaults to, of the two the options may give.
    fn default_cluster(defaults: &crate::input::DefaultCluster) -> &str;
}

/// ClickHouse `add_users`.
pub struct ClickHouse;
/// EHPC `addUser`.
pub struct Ehpc;

impl AddUser for ClickHouse {
    type Input = ClickHouseUserInput;
    type User = ClickHouseUser;
    type Valid = ValidClickHouseUser;
    const WHAT: Arg = Arg::ClickHouseUser;
    const DEFAULT_ENDPOINT: &'static str = request::DEFAULT_IAAS_ENDPOINT;
    const SENDS_REQ_ID: bool = true;
    const ROWS: RowKind<ClickHouseUserInput, ClickHouseUser, ValidClickHouseUser> = CLICKHOUSE_ROWS;

    fn validate(user: &ClickHouseUser, lang: Lang) -> validation::Validated<ValidClickHouseUser> {
        validation::validate_clickhouse_user(user, lang)
    }

    fn sign(
        user: &ValidClickHouseUser,
        credentials: &Credentials,
        options: &Resolved,
    ) -> HttpRequest {
        sign_clickhouse(user, credentials, options)
    }

    fn default_cluster(defaults: &crate::input::DefaultCluster) -> &str {
        &defaults.cluster
    }
}

impl AddUser for Ehpc {
    type Input = EhpcUserInput;
    type User = EhpcUser;
    type Valid = ValidEhpcUser;
    const WHAT: Arg = Arg::EhpcUser;
    const DEFAULT_ENDPOINT: &'static str = request::DEFAULT_EHPC_ENDPOINT;
    const SENDS_REQ_ID: bool = false;
    const ROWS: RowKind<EhpcUserInput, EhpcUser, ValidEhpcUser> = EHPC_ROWS;

    fn validate(user: &EhpcUser, lang: Lang) -> validation::Validated<ValidEhpcUser> {
        validation::validate_ehpc_user(user, lang)
    }

    fn sign(user: &ValidEhpcUser, credentials: &Credentials, options: &Resolved) -> HttpRequest {
        sign_ehpc(user, credentials, options)
    }

    fn default_cluster(defaults: &crate::input::DefaultCluster) -> &str {
        &defaults.cluster_id
    }
}

/// Validates and signs one user: the request, or the error with the whole report.
pub fn build<A: AddUser>(
    user: &A::User,
    credentials: &Credentials,
    options: &Resolved,
    lang: Lang,
) -> Result<HttpRequest, (ApiError, validation::Report)> {
    let validated = A::validate(user, lang);
    match validated.value {
        Some(valid) => Ok(A::sign(&valid, credentials, options)),
        None => Err((
            ApiError::invalid_input(&validated.report, lang),
            validated.report,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::ValidateOptions;
    use serde_json::Value;

    const NOW_MS: f64 = 1_795_422_660_123.0; // 2026-11-23T08:31:00.123Z

    fn fixed_id() -> String {
        "a".repeat(32)
    }

    fn json(text: &str) -> Value {
        serde_json::from_str(text).expect("json")
    }

    fn resolve(options: &str) -> Result<Resolved, ApiError> {
        let options: RequestOptions = read(&json(options), Arg::Options)
            .map_err(|e| ApiError::invalid_options(&e.0, Lang::En))?;
        options.resolve(request::DEFAULT_IAAS_ENDPOINT, || NOW_MS, fixed_id)
    }

    fn credentials(text: &str) -> Result<Credentials, ApiError> {
        let credentials = read(&json(text), Arg::Credentials)
            .map_err(|e| ApiError::invalid_options(&e.0, Lang::En))?;
        check_credentials(credentials, Lang::En)
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
            // A `Date` past year 9999 (8.64e15 is the largest) or any number that far.
            (r#"{"timestamp":8.64e15}"#, "years 0000 to 9999"),
            (r#"{"timestamp":-1e300}"#, "years 0000 to 9999"),
            (r#"{"reqId":"xyz"}"#, "reqId"),
            (r#"{"method":"DELETE"}"#, "method must be GET or POST"),
            ("[]", "options"),
        ] {
            let error = resolve(options).expect_err(options);
            assert_eq!(error.kind, ErrorKind::InvalidOptions);
            assert!(error.message.contains(needle), "{}", error.message);
        }
    }

    #[test]
    fn a_clock_past_the_years_the_format_writes_is_refused() {
        let options = RequestOptions::default();
        let error = options
            .resolve(request::DEFAULT_IAAS_ENDPOINT, || 1e300, fixed_id)
            .expect_err("no year to write");
        assert_eq!(error.kind, ErrorKind::InvalidOptions);
        assert!(
            error.message.contains("pass timestamp"),
            "{}",
            error.message
        );
    }

    #[test]
    fn refused_endpoints_and_methods_are_not_quoted() {
        // A URL's user name and password are not the secret key, but are secret all the same.
        let error = resolve(r#"{"endpoint":"https://AK:TOPSECRET@api.qingcloud.com/iaas"}"#)
            .expect_err("credentials in the URL");
        assert!(!error.message.contains("TOPSECRET"), "{}", error.message);
        let long = format!(r#"{{"endpoint":"ftp://{}","#, "a".repeat(100_000));
        let method = format!(r#"{long}"method":"{}"}}"#, "P".repeat(100_000));
        assert!(resolve(&method).expect_err("not http").message.len() < 200);
    }

    #[test]
    fn lang_selects_chinese_messages() {
        let options: RequestOptions =
            read(&json(r#"{"method":"PUT","lang":"zh"}"#), Arg::Options).expect("shape");
        let error = options
            .resolve(request::DEFAULT_IAAS_ENDPOINT, || NOW_MS, fixed_id)
            .expect_err("bad method");
        assert_eq!(error.message, "选项无效：method 须为 GET 或 POST");
        let validate: ValidateOptions =
            read(&json(r#"{"lang":"zh"}"#), Arg::Options).expect("shape");
        assert_eq!(validate.lang, Lang::Zh);
    }

    #[test]
    fn credentials_need_both_halves_and_never_echo_the_secret() {
        let error = credentials(r#"{"secretAccessKey":"TOPSECRET"}"#).expect_err("missing id");
        assert!(error.message.contains("accessKeyId") && !error.message.contains("TOPSECRET"));
        let error =
            credentials(r#"{"accessKeyId":"AK","secretAccessKey":7}"#).expect_err("bad secret");
        assert!(error.message.contains("secretAccessKey"));
        assert!(credentials(r#"{"accessKeyId":"AK","secretAccessKey":"SK"}"#).is_ok());
        assert!(!format!(
            "{:?}",
            credentials(r#"{"accessKeyId":"AK","secretAccessKey":"TOPSECRET"}"#)
        )
        .contains("TOPSECRET"));
    }

    #[test]
    fn wrong_types_name_the_field_in_either_language() {
        let message = |shape: WrongShape, lang| shape.into_error(lang).message;
        let error = read::<ClickHouseUserInput>(&json(r#"{"userName": 5}"#), Arg::ClickHouseUser)
            .expect_err("number");
        assert_eq!(
            message(error.clone(), Lang::En),
            "Invalid input: userName: invalid type: a number, expected a string"
        );
        assert_eq!(
            message(error, Lang::Zh),
            "输入无效：userName：类型不对，应为字符串，而不是数字"
        );
        let error = read::<ClickHouseUserInput>(
            &json(r#"{"userNetworks": ["::/0", 1]}"#),
            Arg::ClickHouseUser,
        )
        .expect_err("number");
        assert_eq!(
            message(error, Lang::Zh),
            "输入无效：userNetworks：类型不对，应为字符串，而不是数字"
        );
        let error = read::<DescribeJobsInput>(&json(r#"{"limit": 2.5}"#), Arg::DescribeJobs)
            .expect_err("fraction");
        assert_eq!(message(error, Lang::Zh), "输入无效：limit：应为整数");
        // The words `de::items` writes past its limit are the ones `refusal` translates.
        let networks = vec![Value::from("::1"); crate::de::MAX_LIST_ITEMS + 1];
        let error = read::<ClickHouseUserInput>(
            &serde_json::json!({ "userNetworks": networks }),
            Arg::ClickHouseUser,
        )
        .expect_err("too many networks to read");
        assert_eq!(
            message(error.clone(), Lang::En),
            "Invalid input: userNetworks: a list of at most 10000 items"
        );
        assert_eq!(
            message(error, Lang::Zh),
            "输入无效：userNetworks：列表最多只能有 10000 项"
        );
        let error = read::<EhpcUserInput>(&json(r#""isabel""#), Arg::EhpcUser).expect_err("string");
        assert_eq!(error.0, Refusal::NotAnObject(Arg::EhpcUser));
        assert_eq!(message(error, Lang::Zh), "输入无效：EHPC 用户须为对象");
        let missing: EhpcUserInput = read(&Value::Null, Arg::EhpcUser).expect("empty");
        assert_eq!(EhpcUser::from(missing), EhpcUser::default());
    }

    #[test]
    fn describe_jobs_input_is_checked() {
        let credentials =
            credentials(r#"{"accessKeyId":"AK","secretAccessKey":"SK"}"#).expect("valid");
        let resolved = resolve("{}").expect("valid");
        let input: DescribeJobsInput = read(
            &json(r#"{"zone":"pek3","jobs":["j-1"],"limit":10}"#),
            Arg::DescribeJobs,
        )
        .expect("valid");
        assert_eq!(input.limit, Some(10));
        assert!(build_describe_jobs(input, &credentials, &resolved, Lang::En).is_ok());
        let longest = format!(
            r#"{{"zone":"pek3","jobs":["j-{}"]}}"#,
            "x".repeat(JOB_ID_MAX - 2)
        );
        let input: DescribeJobsInput = read(&json(&longest), Arg::DescribeJobs).expect("valid");
        assert!(build_describe_jobs(input, &credentials, &resolved, Lang::En).is_ok());
        assert!(read::<DescribeJobsInput>(
            &json(r#"{"zone":"pek3","jobs":[1]}"#),
            Arg::DescribeJobs
        )
        .is_err());
        for bad in [
            r#"{"zone":"pek3","jobs":[]}"#,
            r#"{"zone":"pek3","jobs":["j"],"limit":0}"#,
            r#"{"zone":"","jobs":["j"]}"#,
            r#"{"zone":"pek3","jobs":[""]}"#,
            &format!(
                r#"{{"zone":"pek3","jobs":["j-{}"]}}"#,
                "x".repeat(JOB_ID_MAX - 1)
            ),
        ] {
            let input: DescribeJobsInput = read(&json(bad), Arg::DescribeJobs).expect("shape");
            assert!(
                build_describe_jobs(input, &credentials, &resolved, Lang::En).is_err(),
                "{bad}"
            );
        }
    }

    fn rows<R: serde::de::DeserializeOwned + Default>(text: &str) -> Vec<Result<R, WrongShape>> {
        let Value::Array(items) = json(text) else {
            panic!("a list")
        };
        items.iter().map(|item| read(item, Arg::Row)).collect()
    }

    #[test]
    fn bulk_rows_take_defaults_validate_and_mark_repeats() {
        let prepared = bulk_rows(
            rows::<ClickHouseUserInput>(
                r#"[
            {"userName":"alice","userPassword":"Passw0rd!","userNetworks":"10.0.0.0/8"},
            {"userName":"bob","userPassword":"1bad","userNetworks":"10.0.0.0/8"},
            {"userName":"alice","userPassword":"Other-pass","userNetworks":"::1"},
            {"cluster":"cl-abcdefgh","userName":"alice","userPassword":"Passw0rd!","userNetworks":"::1"},
            {"userName":5},
            "nonsense",
            {"userPassword":"Passw0rd!","userNetworks":"::1"},
            {"userPassword":"Passw0rd!","userNetworks":"::1"}
        ]"#,
            ),
            &CLICKHOUSE_ROWS,
            ("cl-sandbox1", "pek3"),
            None,
            Lang::En,
        )
        .expect("no previous run");
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
                vec!["invalid_row"],
                vec!["required"],
                vec!["required"],
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
        let ehpc = bulk_rows(
            rows::<EhpcUserInput>(r#"[{"username":"u1","password":"kUISjs@kkkkkk!"}]"#),
            &EHPC_ROWS,
            ("ehpc-sandbox1", "pek3"),
            None,
            Lang::En,
        )
        .expect("no previous run");
        assert_eq!(
            ehpc[0].as_ref().map(|u| u.cluster_id.as_str()),
            Ok("ehpc-sandbox1")
        );
    }

    #[test]
    fn a_previous_run_must_be_over_the_same_rows() {
        let prepare = |previous: &str| {
            let previous: Vec<PreviousRow> = rows::<PreviousRow>(previous)
                .into_iter()
                .map(|entry| entry.expect("an entry"))
                .collect();
            bulk_rows(
                rows::<ClickHouseUserInput>(
                    r#"[{"userName":"alice","userPassword":"Passw0rd!","userNetworks":"::1"},
                        {"cluster":"cl-abcdefgh","userName":"bob","userPassword":"Passw0rd!","userNetworks":"::1"}]"#,
                ),
                &CLICKHOUSE_ROWS,
                ("cl-sandbox1", "pek3"),
                Some(&previous),
                Lang::En,
            )
            .map(|rows| rows.len())
        };
        // Results carry no names; journal entries do, and they must match.
        assert_eq!(
            prepare(
                r#"[{"index":0,"status":"created","jobId":"j-1","retCode":0,"error":{"code":"x"}},{"index":1,"status":"failed"}]"#
            ),
            Ok(2)
        );
        assert_eq!(
            prepare(
                r#"[{"index":0,"status":"sent","cluster":"cl-sandbox1","userName":"alice"},{"index":1,"status":"queued","cluster":"cl-abcdefgh","username":"bob"}]"#
            ),
            Ok(2)
        );
        for (previous, needle) in [
            (r#"[{"index":0,"status":"created"}]"#, "one entry per row"),
            (
                r#"[{"index":1,"status":"created"},{"index":0,"status":"created"}]"#,
                "previous[0] is not row 0",
            ),
            (
                r#"[{"status":"created"},{"index":1,"status":"created"}]"#,
                "previous[0] is not row 0",
            ),
            (
                r#"[{"index":0,"status":"created","userName":"bob"},{"index":1,"status":"created"}]"#,
                "previous[0] is not row 0",
            ),
            (
                r#"[{"index":0,"status":"created"},{"index":1,"status":"created","cluster":"cl-sandbox1"}]"#,
                "previous[1] is not row 1",
            ),
            (
                r#"[{"index":0,"status":"created"},{"index":1,"status":"done"}]"#,
                "previous[1] is not row 1",
            ),
            (
                &format!(
                    r#"[{{"index":0,"status":"sent","jobId":"{}"}},{{"index":1,"status":"created"}}]"#,
                    "j".repeat(JOB_ID_MAX + 1)
                ),
                "previous[0].jobId must be a job id of at most 128 characters",
            ),
        ] {
            let error = prepare(previous).expect_err(previous).message(Lang::En);
            assert!(error.contains(needle), "{error}");
        }
        assert!(read::<PreviousRow>(&json(r#"{"index":"0"}"#), Arg::Row).is_err());
        assert!(read::<PreviousRow>(&json(r#"{"status":["created"]}"#), Arg::Row).is_err());
    }

    #[test]
    fn invalid_users_are_not_built() {
        let credentials =
            credentials(r#"{"accessKeyId":"AK","secretAccessKey":"SK"}"#).expect("valid");
        let resolved = resolve("{}").expect("valid");
        let user: ClickHouseUserInput = read(&json(r#"{"cluster":"cl-yxgxofd3","zone":"pek3","userName":"9x","userPassword":"p","userNetworks":"::/0"}"#), Arg::ClickHouseUser).expect("shape");
        let (error, report) = build::<ClickHouse>(&user.into(), &credentials, &resolved, Lang::En)
            .expect_err("invalid");
        assert_eq!(report.errors.len(), 1);
        assert_eq!(error.kind, ErrorKind::InvalidInput);
        assert!(error
            .message
            .contains("user_name must not start with a digit"));
        let user: EhpcUserInput = read(&json(r#"{"clusterId":"ehpc-8jqdq0mz","zone":"jn1a","username":"isabel","password":"kUISjs@kkkkkk!","mod":"700"}"#), Arg::EhpcUser).expect("shape");
        let request =
            build::<Ehpc>(&user.into(), &credentials, &resolved, Lang::En).expect("valid");
        assert!(request.body.unwrap_or_default().contains(r#""mod": "700""#));
    }
}
