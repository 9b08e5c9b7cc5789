//! What JavaScript callers pass in: users, credentials and options, camelCase on the JS side. One
//! serde model, read by `serde-wasm-bindgen` in wasm and by `serde_json` in native tests, fuzzing
//! and the sandbox. The TypeScript declarations are generated from these types by `tsify`.
//!
//! Every string a user fills in is read as text even when absent or `null` (then it is empty, and
//! validation reports it as required); a value of another type is refused, naming the field.

use crate::messages::Lang;
use serde::{Deserialize, Deserializer};
use tsify::Tsify;

/// Text a user fills in: absent or `null` is empty, which validation reports as required. A
/// field of this type is required in the declarations, though not at run time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        text(deserializer).map(Text)
    }
}

/// `userNetworks`, required in the declarations like [`Text`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Networks(pub Vec<String>);

impl<'de> Deserialize<'de> for Networks {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Some_(Vec<String>);
        impl<'de> Deserialize<'de> for Some_ {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                networks(deserializer).map(Some_)
            }
        }
        Ok(Networks(
            Option::<Some_>::deserialize(deserializer)?.map_or_else(Vec::new, |some| some.0),
        ))
    }
}

/// A string field: absent or `null` is empty.
pub(crate) fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(crate::de::optional_string(deserializer)?.unwrap_or_default())
}

/// An optional string field: absent, `null` or empty is `None`.
fn optional_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(crate::de::optional_string(deserializer)?.filter(|text| !text.is_empty()))
}

/// `userNetworks`: one string (`;`- or line-separated) or a list of strings. Read by a visitor of
/// its own rather than an untagged enum, which would buffer (and recurse into) whatever it is given.
fn networks<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    struct Networks;
    impl<'de> serde::de::Visitor<'de> for Networks {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_str<E>(self, one: &str) -> Result<Self::Value, E> {
            Ok(vec![one.to_string()])
        }
        fn visit_string<E>(self, one: String) -> Result<Self::Value, E> {
            Ok(vec![one])
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            let items: Vec<crate::de::Item> = crate::de::items(seq)?;
            Ok(items.into_iter().map(|item| item.0).collect())
        }
    }
    crate::de::any(deserializer, Networks)
}

/// A ClickHouse account to add with `RunClusterCustomService` / `add_users`.
#[derive(Clone, Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ClickHouseUserInput {
    /// `cl-` and 8 lowercase letters or digits.
    #[tsify(type = "string")]
    pub cluster: Text,
    #[tsify(type = "string")]
    pub zone: Text,
    #[tsify(type = "string")]
    pub user_name: Text,
    #[tsify(type = "string")]
    pub user_password: Text,
    /// Addresses or CIDR blocks, as a list or one string separated by `;` or line breaks: at most
    /// 256 networks and 16,384 characters in all (a list holds at most 10,000 items).
    #[tsify(type = "string | string[]")]
    pub user_networks: Networks,
}

/// What `service_params` is made of.
#[derive(Clone, Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ServiceParamsInput {
    #[tsify(type = "string")]
    pub user_name: Text,
    #[tsify(type = "string")]
    pub user_password: Text,
    #[tsify(type = "string | string[]")]
    pub user_networks: Networks,
}

/// An EHPC cluster user to add with `/api/user/addUser`.
#[derive(Clone, Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct EhpcUserInput {
    /// `ehpc-` and 8 lowercase letters or digits.
    #[tsify(type = "string")]
    pub cluster_id: Text,
    #[tsify(type = "string")]
    pub zone: Text,
    #[tsify(type = "string")]
    pub username: Text,
    #[tsify(type = "string")]
    pub password: Text,
    /// The home directory's permissions, three octal digits such as `700`.
    #[serde(default, deserialize_with = "text")]
    #[tsify(optional)]
    pub r#mod: String,
}

/// A bulk ClickHouse row, as declared: like [`ClickHouseUserInput`], with the cluster and zone
/// optional (`options.cluster` and `options.zone` fill them in). A row is read as a
/// [`ClickHouseUserInput`], which takes a left-out field as empty: one reader for both saves
/// its size in wasm, and a test checks that the two declare the same fields.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ClickHouseUserRow {
    /// Defaults to `options.cluster`.
    #[tsify(optional)]
    pub cluster: String,
    /// Defaults to `options.zone`.
    #[tsify(optional)]
    pub zone: String,
    #[tsify(type = "string")]
    pub user_name: Text,
    #[tsify(type = "string")]
    pub user_password: Text,
    #[tsify(type = "string | string[]")]
    pub user_networks: Networks,
}

/// A bulk EHPC row, as declared; read as an [`EhpcUserInput`] (see [`ClickHouseUserRow`]).
/// `options.clusterId` and `options.zone` fill in what it leaves out.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct EhpcUserRow {
    /// Defaults to `options.clusterId`.
    #[tsify(optional)]
    pub cluster_id: String,
    /// Defaults to `options.zone`.
    #[tsify(optional)]
    pub zone: String,
    #[tsify(type = "string")]
    pub username: Text,
    #[tsify(type = "string")]
    pub password: Text,
    #[tsify(optional)]
    pub r#mod: String,
}

/// DescribeJobs for up to 100 job ids.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct DescribeJobsInput {
    #[tsify(type = "string")]
    pub zone: Text,
    /// 1 to 100 job ids.
    #[tsify(type = "string[]")]
    pub jobs: crate::de::Texts,
    #[serde(default, deserialize_with = "crate::de::optional_integer")]
    #[tsify(optional, type = "number")]
    pub limit: Option<i64>,
}

/// The credentials argument: an API key pair.
#[derive(Clone, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    #[tsify(type = "string")]
    pub access_key_id: Text,
    /// Used to sign, and for nothing else.
    #[tsify(type = "string")]
    pub secret_access_key: Text,
}

impl From<Credentials> for crate::request::Credentials {
    fn from(input: Credentials) -> Self {
        crate::request::Credentials {
            access_key_id: input.access_key_id.0,
            secret_access_key: input.secret_access_key.0,
        }
    }
}

/// The `timestamp` option as given: a `Date` or milliseconds since the epoch, or text.
#[derive(Clone, Debug, PartialEq)]
pub enum Timestamp {
    Millis(f64),
    /// `YYYY-MM-DDTHH:MM:SSZ`, or what `Date.toJSON()` makes (with milliseconds).
    Text(String),
    /// Anything else, refused when the options are resolved.
    Other,
}

impl Timestamp {
    fn of_number(ms: f64) -> Self {
        Timestamp::Millis(ms)
    }

    fn of_text(text: &str) -> Option<Self> {
        (!text.is_empty()).then(|| Timestamp::Text(text.to_string()))
    }
}

/// A `Date` is not a serde type: in wasm the value is taken as it is and looked at.
#[cfg(target_arch = "wasm32")]
fn timestamp<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Timestamp>, D::Error> {
    let value: wasm_bindgen::JsValue = serde_wasm_bindgen::preserve::deserialize(deserializer)?;
    Ok(if value.is_undefined() || value.is_null() {
        None
    } else if let Some(ms) = value.as_f64() {
        Some(Timestamp::of_number(ms))
    } else if let Some(text) = value.as_string() {
        Timestamp::of_text(&text)
    } else if let Some(ms) = crate::wasm::guard::time_of_date(&value) {
        Some(Timestamp::of_number(ms))
    } else {
        Some(Timestamp::Other)
    })
}

/// Natively (tests, fuzzing), a number or a string; anything else is kept as refused.
#[cfg(not(target_arch = "wasm32"))]
fn timestamp<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Timestamp>, D::Error> {
    struct Stamp;
    impl<'de> serde::de::Visitor<'de> for Stamp {
        type Value = Option<Timestamp>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a time stamp")
        }
        fn visit_f64<E>(self, ms: f64) -> Result<Self::Value, E> {
            Ok(Some(Timestamp::of_number(ms)))
        }
        fn visit_i64<E>(self, ms: i64) -> Result<Self::Value, E> {
            Ok(Some(Timestamp::of_number(ms as f64)))
        }
        fn visit_u64<E>(self, ms: u64) -> Result<Self::Value, E> {
            Ok(Some(Timestamp::of_number(ms as f64)))
        }
        fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
            Ok(Timestamp::of_text(text))
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Some(Timestamp::Other))
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Ok(Some(Timestamp::Other))
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Ok(Some(Timestamp::Other))
        }
    }
    deserializer.deserialize_any(Stamp)
}

/// `lang`: `'zh'` for Chinese, English otherwise.
fn lang<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Lang, D::Error> {
    Ok(match crate::de::optional_string(deserializer)?.as_deref() {
        Some("zh") => Lang::Zh,
        _ => Lang::En,
    })
}

/// A JavaScript value kept as it is (an `AbortSignal`, a callback); nothing natively.
#[cfg(target_arch = "wasm32")]
#[derive(Clone, Debug, Default)]
pub struct Hook(pub wasm_bindgen::JsValue);

#[cfg(target_arch = "wasm32")]
impl<'de> Deserialize<'de> for Hook {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Kept(#[serde(with = "serde_wasm_bindgen::preserve")] wasm_bindgen::JsValue);
        Ok(Hook(
            Option::<Kept>::deserialize(deserializer)?
                .map_or(wasm_bindgen::JsValue::UNDEFINED, |kept| kept.0),
        ))
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Debug, Default)]
pub struct Hook;

#[cfg(not(target_arch = "wasm32"))]
impl<'de> Deserialize<'de> for Hook {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<serde::de::IgnoredAny>::deserialize(deserializer).map(|_| Hook)
    }
}

/// Options of `validateClickHouseUser` and `validateEhpcUser`.
#[derive(Clone, Debug, Default, Deserialize, Tsify)]
pub struct ValidateOptions {
    #[serde(default, deserialize_with = "lang")]
    #[tsify(optional, type = "Lang")]
    pub lang: Lang,
}

/// Options every builder takes.
#[derive(Clone, Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct RequestOptions {
    /// Scheme, host and optional path prefix; defaults to QingCloud's API host for the call.
    #[serde(default, deserialize_with = "optional_text")]
    #[tsify(optional, type = "string")]
    pub endpoint: Option<String>,
    /// When the request is signed; defaults to now.
    #[serde(default, deserialize_with = "timestamp")]
    #[tsify(optional, type = "string | number | Date")]
    pub timestamp: Option<Timestamp>,
    /// IaaS calls only: GET (the default, as documented) or POST (keeps passwords out of URLs).
    #[serde(default, deserialize_with = "optional_text")]
    #[tsify(optional, type = "HttpMethod")]
    pub method: Option<String>,
    /// The IaaS `req_id`, 32 hex digits; random by default.
    #[serde(default, deserialize_with = "optional_text")]
    #[tsify(optional, type = "string")]
    pub req_id: Option<String>,
    #[serde(default, deserialize_with = "lang")]
    #[tsify(optional, type = "Lang")]
    pub lang: Lang,
}

/// How the senders send; with [`RequestOptions`], the options of `addClickHouseUser` and
/// `addEhpcUser` (`SendOptions` in the declarations). Read from the same object.
#[derive(Clone, Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SendSettings {
    /// Milliseconds before one HTTP exchange is given up: a whole number from 1 to 2147483647
    /// (default 30000).
    #[serde(default, deserialize_with = "crate::de::optional_number")]
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
    #[serde(default)]
    #[tsify(optional, type = "AbortSignal")]
    pub signal: Hook,
    /// Attempts in all when the server is busy (ret_code 5000 or 5100): a whole number from 1 to
    /// 100 (default 3, and 5 per row of a bulk call).
    #[serde(default, deserialize_with = "crate::de::optional_number")]
    #[tsify(optional)]
    pub max_attempts: Option<f64>,
    /// Base of the exponential backoff between attempts, in milliseconds: a whole number from 0 to
    /// 2147483647 (default 250).
    #[serde(default, deserialize_with = "crate::de::optional_number")]
    #[tsify(optional)]
    pub retry_base_ms: Option<f64>,
}

/// Options of `waitForJob`.
#[derive(Clone, Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct WaitForJobOptions {
    #[tsify(type = "string")]
    pub zone: Text,
    /// Read on its own, as the credentials argument of the other calls is.
    #[tsify(type = "Credentials")]
    pub credentials: Hook,
    /// The IaaS endpoint that answers DescribeJobs.
    #[serde(default, deserialize_with = "optional_text")]
    #[tsify(optional, type = "string")]
    pub endpoint: Option<String>,
    #[serde(default, deserialize_with = "optional_text")]
    #[tsify(optional, type = "HttpMethod")]
    pub method: Option<String>,
    /// Milliseconds between polls: a whole number from 0 to 2147483647 (default 1000).
    #[serde(default, deserialize_with = "crate::de::optional_number")]
    #[tsify(optional)]
    pub interval_ms: Option<f64>,
    /// Milliseconds before giving up on the job: a whole number from 1 to 2147483647 (default
    /// 300000).
    #[serde(default, deserialize_with = "crate::de::optional_number")]
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
    #[serde(default)]
    #[tsify(optional, type = "AbortSignal")]
    pub signal: Hook,
    #[serde(default, deserialize_with = "lang")]
    #[tsify(optional, type = "Lang")]
    pub lang: Lang,
    /// Called whenever the job's status changes.
    #[serde(default)]
    #[tsify(optional, type = "(job: Job) => void")]
    pub on_status: Hook,
}

/// What a bulk call adds to [`RequestOptions`] and [`SendSettings`] (`BulkOptions` in the
/// declarations). Read from the same object.
#[derive(Clone, Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct BulkSettings {
    /// Fills in rows without a zone.
    #[serde(default, deserialize_with = "text")]
    #[tsify(optional)]
    pub zone: String,
    /// Requests in flight at once, DescribeJobs calls included: a whole number from 1 to 64 (default 4),
    /// or `'auto'`, which starts low, grows while answers are quick and clean, and halves when the
    /// API is busy, fails with a 5xx or times out.
    #[serde(default, deserialize_with = "crate::de::number_or_text")]
    #[tsify(optional, type = "number | 'auto'")]
    pub concurrency: Option<crate::de::NumberOrText>,
    /// The most requests `'auto'` has in flight at once: a whole number from 1 to 64 (default 16).
    #[serde(default, deserialize_with = "crate::de::optional_number")]
    #[tsify(optional)]
    pub max_concurrency: Option<f64>,
    #[serde(default)]
    #[tsify(optional, type = "(event: BulkProgress) => void")]
    pub on_progress: Hook,
    /// With invalid rows: send nothing (`'stop'`, the default) or send the valid ones (`'skip'`).
    #[serde(default, deserialize_with = "optional_text")]
    #[tsify(optional, type = "'stop' | 'skip'")]
    pub on_invalid: Option<String>,
    /// Cap of the backoff between attempts, in milliseconds: a whole number from 0 to 2147483647
    /// (default 8000).
    #[serde(default, deserialize_with = "crate::de::optional_number")]
    #[tsify(optional)]
    pub retry_cap_ms: Option<f64>,
    /// Milliseconds between DescribeJobs polls: a whole number from 0 to 2147483647 (default 1000).
    #[serde(default, deserialize_with = "crate::de::optional_number")]
    #[tsify(optional)]
    pub poll_interval_ms: Option<f64>,
    /// Milliseconds a job may run before its row is reported failed: a whole number from 1 to
    /// 2147483647 (default 300000).
    #[serde(default, deserialize_with = "crate::de::optional_number")]
    #[tsify(optional)]
    pub job_timeout_ms: Option<f64>,
    /// Where DescribeJobs goes; defaults to `endpoint` when given, else QingCloud's IaaS host.
    #[serde(default, deserialize_with = "optional_text")]
    #[tsify(optional, type = "string")]
    pub jobs_endpoint: Option<String>,
    /// Resumes an earlier run over the same rows: its `results`, or a journal of its progress
    /// events, one entry per row in input order.
    #[serde(default)]
    #[tsify(optional, type = "PreviousRow[]")]
    pub previous: Hook,
}

/// What an earlier run said of one row: a [`crate::bulk::RowResult`], or a journal entry
/// made of a progress event's row and the row's cluster and user name, which are then checked.
/// Declared in `types.d.ts`, as `username` (EHPC's spelling) is read as `userName`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviousRow {
    /// The row's position in the input.
    #[serde(default, deserialize_with = "crate::de::optional_number")]
    pub index: Option<f64>,
    #[serde(default, deserialize_with = "text")]
    pub status: String,
    #[serde(default, deserialize_with = "optional_text")]
    pub job_id: Option<String>,
    #[serde(default, deserialize_with = "optional_text")]
    pub cluster: Option<String>,
    #[serde(default, alias = "username", deserialize_with = "optional_text")]
    pub user_name: Option<String>,
}

/// A signed request to preview, as a builder returned it. Headers whose value is not a string
/// are left out.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RequestToPreview {
    #[serde(default, deserialize_with = "text")]
    pub method: String,
    #[serde(default, deserialize_with = "text")]
    pub url: String,
    #[serde(default, deserialize_with = "headers")]
    pub headers: Vec<(String, String)>,
    #[serde(default, deserialize_with = "crate::de::optional_string")]
    pub body: Option<String>,
}

/// An object's string-valued entries; any other value is passed over without being looked into.
fn headers<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<(String, String)>, D::Error> {
    struct Value(Option<String>);
    impl<'de> Deserialize<'de> for Value {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            crate::de::string_or_nothing(deserializer).map(Value)
        }
    }
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of headers")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut headers = Vec::new();
            while let Some((name, Value(value))) = map.next_entry::<String, Value>()? {
                headers.extend(value.map(|value| (name, value)));
            }
            Ok(headers)
        }
    }
    crate::de::object(deserializer, Entries)
}

/// The cluster a bulk call's rows default to: `cluster` (ClickHouse) or `clusterId` (EHPC). Read
/// beside [`BulkOptions`] from the same object; the declarations add it to each call's options.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultCluster {
    #[serde(default, deserialize_with = "text")]
    pub cluster: String,
    #[serde(default, deserialize_with = "text")]
    pub cluster_id: String,
}

/// The most milliseconds an option may say: JavaScript timers fire at once past `i32::MAX`.
pub const MAX_MS: u32 = i32::MAX as u32;
/// A time limit in milliseconds (`timeoutMs`, `jobTimeoutMs`): at least 1.
pub const LIMIT_MS: std::ops::RangeInclusive<u32> = 1..=MAX_MS;
/// A wait in milliseconds (between polls, or a backoff): 0 waits for nothing.
pub const WAIT_MS: std::ops::RangeInclusive<u32> = 0..=MAX_MS;

/// The most attempts a send may make.
pub const MAX_ATTEMPTS: u32 = 100;

/// A whole-number option: its default when absent, else a whole number within `range`. Anything
/// else (a fraction, a negative, `NaN`, a number out of range) is refused with the rule, naming
/// the field, rather than quietly replaced.
pub fn whole(
    field: &'static str,
    value: Option<f64>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, crate::refusal::Refusal> {
    let (least, most) = (*range.start(), *range.end());
    match value {
        None => Ok(default),
        Some(n) if n.fract() == 0.0 && n >= f64::from(least) && n <= f64::from(most) => {
            Ok(n as u32)
        }
        Some(_) => Err(crate::refusal::Refusal::Whole { field, least, most }),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn read<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn absent_and_null_strings_are_empty_and_other_types_are_refused() {
        let user: ClickHouseUserInput = read(r#"{"cluster": null}"#).expect("valid");
        assert_eq!((user.cluster.0.as_str(), user.zone.0.as_str()), ("", ""));
        let missing: EhpcUserInput = read("{}").expect("valid");
        assert_eq!(missing.password, Text::default());
        assert!(read::<ClickHouseUserInput>(r#"{"userName": 5}"#).is_err());
        assert!(read::<EhpcUserInput>(r#""isabel""#).is_err());
    }

    #[test]
    fn networks_may_be_a_list_of_at_most_max_list_items() {
        let list = |n: usize| {
            let items = vec![r#""10.0.0.1""#; n].join(",");
            read::<ClickHouseUserInput>(&format!(r#"{{"userNetworks":[{items}]}}"#))
        };
        let most = crate::de::MAX_LIST_ITEMS;
        assert_eq!(
            list(most).expect("at the limit").user_networks.0.len(),
            most
        );
        assert!(list(most + 1)
            .expect_err("past it")
            .contains("at most 10000 items"));
    }

    #[test]
    fn networks_may_be_a_string_or_a_list() {
        let one: ClickHouseUserInput = read(r#"{"userNetworks":"::/0"}"#).expect("valid");
        let many: ClickHouseUserInput =
            read(r#"{"userNetworks":["::/0","10.0.0.0/8"]}"#).expect("valid");
        assert_eq!(one.user_networks.0, ["::/0"]);
        assert_eq!(many.user_networks.0, ["::/0", "10.0.0.0/8"]);
        assert!(read::<ClickHouseUserInput>(r#"{"userNetworks":["::/0", 1]}"#).is_err());
        assert!(read::<ClickHouseUserInput>(r#"{"userNetworks":{"a":1}}"#).is_err());
    }

    #[test]
    fn timestamps_and_lang() {
        let options: RequestOptions =
            read(r#"{"timestamp": 0, "lang": "zh", "method": ""}"#).expect("valid");
        assert_eq!(options.timestamp, Some(Timestamp::Millis(0.0)));
        assert_eq!(options.lang, Lang::Zh);
        assert_eq!(options.method, None);
        let options: RequestOptions = read(r#"{"timestamp": true}"#).expect("valid");
        assert_eq!(options.timestamp, Some(Timestamp::Other));
        let options: RequestOptions = read(r#"{"timestamp": "", "lang": "fr"}"#).expect("valid");
        assert_eq!((options.timestamp, options.lang), (None, Lang::En));
    }

    /// `name: type` of each field of a declaration, `?` marking an optional one.
    fn declared_fields(decl: &str) -> Vec<(String, String)> {
        decl.lines()
            .filter_map(|line| line.trim().strip_suffix(';')?.split_once(": "))
            .map(|(name, kind)| (name.to_string(), kind.to_string()))
            .collect()
    }

    #[test]
    fn bulk_rows_declare_the_fields_of_the_input_they_are_read_as() {
        use tsify::Tsify;
        for (row, input, defaulted) in [
            (
                ClickHouseUserRow::DECL,
                ClickHouseUserInput::DECL,
                ["cluster", "zone"],
            ),
            (
                EhpcUserRow::DECL,
                EhpcUserInput::DECL,
                ["clusterId", "zone"],
            ),
        ] {
            let optional = |(name, kind): (String, String)| {
                if defaulted.contains(&name.as_str()) {
                    (format!("{name}?"), kind)
                } else {
                    (name, kind)
                }
            };
            let expected: Vec<_> = declared_fields(input).into_iter().map(optional).collect();
            assert!(expected.len() >= 5, "{input}");
            assert_eq!(declared_fields(row), expected, "{row}");
        }
        // A row's left-out cluster and zone are read as empty, for the options to fill in.
        let row: ClickHouseUserInput = read(r#"{"userName":"u"}"#).expect("valid");
        assert_eq!((row.cluster.0.as_str(), row.zone.0.as_str()), ("", ""));
    }

    #[test]
    fn whole_numbers_take_their_default_when_absent_and_are_refused_when_unusable() {
        let read = |value| whole("timeoutMs", value, 7, LIMIT_MS);
        assert_eq!(read(None), Ok(7));
        assert_eq!(read(Some(1.0)), Ok(1));
        assert_eq!(read(Some(f64::from(MAX_MS))), Ok(MAX_MS));
        let rule = Err(crate::refusal::Refusal::Whole {
            field: "timeoutMs",
            least: 1,
            most: 2_147_483_647,
        });
        for unusable in [
            0.0,
            -1.0,
            2.9,
            f64::NAN,
            f64::INFINITY,
            f64::from(MAX_MS) + 1.0,
            1e20,
        ] {
            assert_eq!(read(Some(unusable)), rule, "{unusable}");
        }
        assert_eq!(whole("retryBaseMs", Some(0.0), 250, WAIT_MS), Ok(0));
    }
}
