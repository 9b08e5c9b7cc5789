//! `/api/user...`: the EHPC user endpoints `qingcloud-hpc` calls, signed as it signs them.
//!
//! - `POST /api/user/addUser` (JSON body `cluster_id`, `username`, `password`, `zone`, optional
//!   `mod`): `HpcUserAddUserResponse` with a job, or 2110 at once for an existing user name.
//! - `POST /api/user/deleteUser` (`cluster_id`, `username`, `zone`): `HpcUserDeleteUserResponse`.
//! - `GET /api/user` (`zone`, optional `cluster_id`, `search_word`, `limit` (default 10, at most
//!   100), `offset`): `HpcUserListUsersResponse` with `users_set`.
//!
//! Their jobs are the IaaS DescribeJobs' too.

use crate::api::{shown, ApiError, Reply};
use crate::auth::{authenticate_ehpc, Account, Accounts};
use crate::form;
use crate::iaas::Handled;
use crate::state::{EhpcUserView, Store};
use qingcloud_useradd::messages::Lang;
use qingcloud_useradd::validation::{validate_ehpc_user, EhpcUser};
use serde::Serialize;
use serde_json::{Map, Value};

pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 100;

#[derive(Serialize)]
struct JobResponse<'a> {
    action: &'static str,
    job_id: &'a str,
    ret_code: i64,
}

#[derive(Serialize)]
struct ListUsersResponse {
    action: &'static str,
    ret_code: i64,
    total_count: usize,
    users_set: Vec<EhpcUserView>,
}

/// The action name of an EHPC path, for logs.
pub fn action_name(method: &str, path: &str) -> &'static str {
    match (method, path.trim_end_matches('/')) {
        ("POST", "/api/user/addUser") => "HpcUserAddUser",
        ("POST", "/api/user/deleteUser") => "HpcUserDeleteUser",
        ("GET", "/api/user") => "HpcUserListUsers",
        _ => "unknown",
    }
}

#[allow(clippy::too_many_arguments)]
pub fn handle<A: Accounts>(
    accounts: &A,
    store: &Store,
    method: &str,
    path: &str,
    query: &[(String, String)],
    body: &[u8],
    now_s: i64,
    max_skew_s: u64,
) -> Handled {
    let account = match authenticate_ehpc(accounts, method, path, query, body, now_s, max_skew_s) {
        Ok(account) => account,
        Err(error) => return error.into(),
    };
    let result = match action_name(method, path) {
        "HpcUserAddUser" => add_user(account, store, body),
        "HpcUserDeleteUser" => delete_user(account, store, body),
        "HpcUserListUsers" => list_users(account, store, query).map(|reply| Handled {
            reply,
            mutated: false,
        }),
        _ => Err(ApiError::unknown_action(format!(
            "[{method} {}] is not an API of the sandbox",
            shown(path)
        ))),
    };
    result.unwrap_or_else(Handled::from)
}

fn json_body(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(ApiError::invalid("the request body must be a JSON object")),
    }
}

/// A string field of the body: absent is empty, any other type is refused.
fn text(object: &Map<String, Value>, key: &str) -> Result<String, ApiError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(ApiError::invalid(format!("{key} must be a string"))),
    }
}

fn required(object: &Map<String, Value>, key: &str) -> Result<String, ApiError> {
    let value = text(object, key)?;
    if value.is_empty() {
        return Err(ApiError::missing(key));
    }
    Ok(value)
}

fn add_user(account: &Account, store: &Store, body: &[u8]) -> Result<Handled, ApiError> {
    let object = json_body(body)?;
    let user = EhpcUser {
        cluster_id: text(&object, "cluster_id")?,
        zone: text(&object, "zone")?,
        username: text(&object, "username")?,
        password: text(&object, "password")?,
        mode: text(&object, "mod")?,
    };
    let validated = validate_ehpc_user(&user, Lang::En);
    let Some(user) = validated.value else {
        let first = validated
            .report
            .errors
            .first()
            .map(|e| e.message.clone())
            .unwrap_or_else(|| "the user is invalid".into());
        return Err(ApiError::invalid(first));
    };
    account.check_zone(&user.zone)?;
    let job = store.add_ehpc_user(
        &account.access_key_id,
        &user.cluster_id,
        &user.zone,
        &user.username,
        user.mode.as_deref(),
    )?;
    Ok(Handled {
        reply: Reply::ok(&JobResponse {
            action: "HpcUserAddUserResponse",
            job_id: &job.job_id,
            ret_code: 0,
        }),
        mutated: true,
    })
}

fn delete_user(account: &Account, store: &Store, body: &[u8]) -> Result<Handled, ApiError> {
    let object = json_body(body)?;
    let cluster_id = required(&object, "cluster_id")?;
    let username = required(&object, "username")?;
    let zone = required(&object, "zone")?;
    account.check_zone(&zone)?;
    let job = store.delete_ehpc_user(&account.access_key_id, &cluster_id, &zone, &username)?;
    Ok(Handled {
        reply: Reply::ok(&JobResponse {
            action: "HpcUserDeleteUserResponse",
            job_id: &job.job_id,
            ret_code: 0,
        }),
        mutated: true,
    })
}

fn list_users(
    account: &Account,
    store: &Store,
    query: &[(String, String)],
) -> Result<Reply, ApiError> {
    let get = |key: &str| form::get(query, key).filter(|v| !v.is_empty());
    let zone = get("zone").ok_or_else(|| ApiError::missing("zone"))?;
    account.check_zone(zone)?;
    let number = |key: &str| -> Result<Option<usize>, ApiError> {
        get(key)
            .map(|text| {
                text.parse::<usize>().map_err(|_| {
                    ApiError::invalid(format!(
                        "{key} [{}] must be a non-negative integer",
                        shown(text)
                    ))
                })
            })
            .transpose()
    };
    let offset = number("offset")?.unwrap_or(0);
    let limit = number("limit")?.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    let (total_count, users_set) = store.list_ehpc_users(
        &account.access_key_id,
        zone,
        get("cluster_id"),
        get("search_word"),
        offset,
        limit,
    )?;
    Ok(Reply::ok(&ListUsersResponse {
        action: "HpcUserListUsersResponse",
        ret_code: 0,
        total_count,
        users_set,
    }))
}
