//! `/iaas/`: `RunClusterCustomService` (`service=add_users`) and `DescribeJobs`, GET with a query
//! string or POST with a form body, each checked as the real API checks it.

use crate::api::{shown, ApiError, Reply};
use crate::auth::{authenticate_iaas, Account, Accounts};
use crate::form;
use crate::state::{JobQuery, Status, Store};
use qingcloud_useradd::messages::Lang;
use qingcloud_useradd::validation::{validate_clickhouse_user, ClickHouseUser};
use serde::Serialize;

/// DescribeJobs' documented default and maximum page sizes.
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// What a handled request produced; `mutated` asks for the state file to be written.
pub struct Handled {
    pub reply: Reply,
    pub mutated: bool,
}

impl From<ApiError> for Handled {
    fn from(error: ApiError) -> Self {
        Handled {
            reply: error.into(),
            mutated: false,
        }
    }
}

#[derive(Serialize)]
struct RunClusterCustomServiceResponse<'a> {
    action: &'static str,
    cluster_id: &'a str,
    job_id: &'a str,
    service: &'a str,
    ret_code: i64,
}

#[derive(Serialize)]
struct DescribeJobsResponse {
    action: &'static str,
    job_set: Vec<crate::state::JobView>,
    total_count: usize,
    ret_code: i64,
}

/// Handles one `/iaas/` request. `pairs` hold every parameter received (query and form body).
pub fn handle<A: Accounts>(
    accounts: &A,
    store: &Store,
    method: &str,
    pairs: &[(String, String)],
    now_s: i64,
    max_skew_s: u64,
) -> Handled {
    let account = match authenticate_iaas(accounts, method, pairs, now_s, max_skew_s) {
        Ok(account) => account,
        Err(error) => return error.into(),
    };
    let action = form::get(pairs, "action").unwrap_or_default();
    let result = match action {
        "" => Err(ApiError::missing("action")),
        "RunClusterCustomService" => run_cluster_custom_service(account, store, pairs),
        "DescribeJobs" => describe_jobs(account, store, pairs).map(|reply| Handled {
            reply,
            mutated: false,
        }),
        other => Err(ApiError::unknown_action(format!(
            "action [{}] is not supported",
            shown(other)
        ))),
    };
    result.unwrap_or_else(Handled::from)
}

fn required<'a>(pairs: &'a [(String, String)], key: &str) -> Result<&'a str, ApiError> {
    match form::get(pairs, key) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::missing(key)),
    }
}

fn zone<'a>(account: &Account, pairs: &'a [(String, String)]) -> Result<&'a str, ApiError> {
    let zone = required(pairs, "zone")?;
    account.check_zone(zone)?;
    Ok(zone)
}

/// The three documented fields of `service_params`, all strings.
fn service_params(text: &str) -> Result<(String, String, String), ApiError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|_| ApiError::invalid("service_params must be a JSON object"))?;
    let object = value
        .as_object()
        .ok_or_else(|| ApiError::invalid("service_params must be a JSON object"))?;
    let field = |key: &str| -> Result<String, ApiError> {
        match object.get(key) {
            Some(serde_json::Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(ApiError::invalid(format!(
                "service_params.{key} must be a string"
            ))),
            None => Err(ApiError::invalid(format!(
                "service_params.{key} is required"
            ))),
        }
    };
    Ok((
        field("user_name")?,
        field("user_password")?,
        field("user_networks")?,
    ))
}

fn run_cluster_custom_service(
    account: &Account,
    store: &Store,
    pairs: &[(String, String)],
) -> Result<Handled, ApiError> {
    let cluster = required(pairs, "cluster")?;
    let service = required(pairs, "service")?;
    let params = required(pairs, "service_params")?;
    let zone = zone(account, pairs)?;
    if service != "add_users" {
        return Err(ApiError::invalid(format!(
            "service [{}] is not supported by the sandbox, only [add_users]",
            shown(service)
        )));
    }
    let (user_name, user_password, user_networks) = service_params(params)?;
    let validated = validate_clickhouse_user(
        &ClickHouseUser {
            cluster: cluster.into(),
            zone: zone.into(),
            user_name,
            user_password,
            user_networks: vec![user_networks],
        },
        Lang::En,
    );
    let Some(user) = validated.value else {
        let first = validated
            .report
            .errors
            .first()
            .map(|e| e.message.clone())
            .unwrap_or_else(|| "service_params is invalid".into());
        return Err(ApiError::invalid(first));
    };
    let job = store.add_clickhouse_user(
        &account.access_key_id,
        &user.cluster,
        &user.zone,
        &user.user_name,
        &user.user_networks,
    )?;
    Ok(Handled {
        reply: Reply::ok(&RunClusterCustomServiceResponse {
            action: "RunClusterCustomServiceResponse",
            cluster_id: &user.cluster,
            job_id: &job.job_id,
            service,
            ret_code: 0,
        }),
        mutated: true,
    })
}

/// `key.1`, `key.2`, ... in index order (the order the SDK numbers them).
fn numbered<'a>(pairs: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    let prefix = format!("{key}.");
    let mut items: Vec<(u32, &str)> = pairs
        .iter()
        .filter_map(|(k, v)| {
            let n = k.strip_prefix(&prefix)?.parse::<u32>().ok()?;
            (!v.is_empty()).then_some((n, v.as_str()))
        })
        .collect();
    items.sort_by_key(|(n, _)| *n);
    items.into_iter().map(|(_, v)| v).collect()
}

fn integer(pairs: &[(String, String)], key: &str) -> Result<Option<usize>, ApiError> {
    match form::get(pairs, key) {
        None | Some("") => Ok(None),
        Some(text) => text.parse::<usize>().map(Some).map_err(|_| {
            ApiError::invalid(format!(
                "{key} [{}] must be a non-negative integer",
                shown(text)
            ))
        }),
    }
}

fn describe_jobs(
    account: &Account,
    store: &Store,
    pairs: &[(String, String)],
) -> Result<Reply, ApiError> {
    let zone = zone(account, pairs)?;
    let statuses = numbered(pairs, "status")
        .into_iter()
        .map(|s| {
            Status::parse(s).ok_or_else(|| {
                ApiError::invalid(format!(
                    "status [{}] must be one of pending, working, failed, successful",
                    shown(s)
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let query = JobQuery {
        job_ids: numbered(pairs, "jobs")
            .into_iter()
            .map(str::to_string)
            .collect(),
        statuses,
        job_action: form::get(pairs, "job_action")
            .filter(|a| !a.is_empty())
            .map(str::to_string),
        offset: integer(pairs, "offset")?.unwrap_or(0),
        limit: integer(pairs, "limit")?
            .unwrap_or(DEFAULT_LIMIT)
            .min(MAX_LIMIT),
    };
    let (total_count, job_set) = store.describe_jobs(&account.access_key_id, zone, &query)?;
    Ok(Reply::ok(&DescribeJobsResponse {
        action: "DescribeJobsResponse",
        job_set,
        total_count,
        ret_code: 0,
    }))
}
