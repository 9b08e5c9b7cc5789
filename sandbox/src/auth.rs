//! Authentication of both APIs, from the raw parameters received, with the crate's own signing
//! functions: the sandbox never re-implements the signature.

use crate::api::{shown, ApiError};
use crate::form;
use qingcloud_useradd::signing::{self, ehpc, iaas};
use qingcloud_useradd::timestamp::{format_timestamp, parse_timestamp};

/// An API key the sandbox accepts.
#[derive(Clone)]
pub struct Account {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub zones: Vec<String>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("access_key_id", &self.access_key_id)
            .field("zones", &self.zones)
            .finish_non_exhaustive()
    }
}

impl Account {
    /// 1400 for a zone this key may not use.
    pub fn check_zone(&self, zone: &str) -> Result<(), ApiError> {
        if self.zones.iter().any(|z| z == zone) {
            Ok(())
        } else {
            Err(ApiError::denied(format!(
                "zone [{}] is not available to access key [{}]",
                shown(zone),
                self.access_key_id
            )))
        }
    }
}

pub trait Accounts {
    fn account(&self, access_key_id: &str) -> Option<&Account>;
}

impl Accounts for std::collections::HashMap<String, Account> {
    fn account(&self, access_key_id: &str) -> Option<&Account> {
        self.get(access_key_id)
    }
}

fn required<'a>(pairs: &'a [(String, String)], key: &str) -> Result<&'a str, ApiError> {
    match form::get(pairs, key) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::missing(key)),
    }
}

/// Checks the parameters both APIs share, other than the signature itself.
fn check_common<'a, A: Accounts>(
    accounts: &'a A,
    pairs: &[(String, String)],
    time_key: &str,
) -> Result<(&'a Account, i64), ApiError> {
    for key in [
        "access_key_id",
        "signature",
        "signature_method",
        "signature_version",
        "version",
        time_key,
    ] {
        required(pairs, key)?;
    }
    let method = required(pairs, "signature_method")?;
    if method != signing::SIGNATURE_METHOD {
        return Err(ApiError::invalid(format!(
            "signature_method [{}] is not supported, use [{}]",
            shown(method),
            signing::SIGNATURE_METHOD
        )));
    }
    for (key, expected) in [
        ("signature_version", signing::SIGNATURE_VERSION),
        ("version", signing::API_VERSION),
    ] {
        let value = required(pairs, key)?;
        if value != expected {
            return Err(ApiError::invalid(format!(
                "{key} [{}] is not supported, use [{expected}]",
                shown(value)
            )));
        }
    }
    let time_text = required(pairs, time_key)?;
    let time = parse_timestamp(time_text).ok_or_else(|| {
        ApiError::invalid(format!(
            "{time_key} [{}] must be UTC in the format YYYY-MM-DDThh:mm:ssZ",
            shown(time_text)
        ))
    })?;
    let key = required(pairs, "access_key_id")?;
    let account = accounts
        .account(key)
        .ok_or_else(|| ApiError::unknown_access_key(key))?;
    Ok((account, time))
}

fn check_time(
    time_key: &str,
    time: i64,
    pairs: &[(String, String)],
    now_s: i64,
    max_skew_s: u64,
) -> Result<(), ApiError> {
    if time.abs_diff(now_s) > max_skew_s {
        return Err(ApiError::expired(format!(
            "{time_key} [{}] is more than {max_skew_s} seconds away from the server time [{}]",
            format_timestamp(time),
            format_timestamp(now_s)
        )));
    }
    // The IaaS SDK's optional `expires` (same format): the request is refused once it has passed.
    if let Some(expires) = form::get(pairs, "expires").filter(|v| !v.is_empty()) {
        match parse_timestamp(expires) {
            Some(at) if at < now_s => {
                return Err(ApiError::expired(format!(
                    "the request expired at [{}]",
                    format_timestamp(at)
                )))
            }
            Some(_) => {}
            None => {
                return Err(ApiError::invalid(format!(
                    "expires [{}] must be UTC in the format YYYY-MM-DDThh:mm:ssZ",
                    shown(expires)
                )))
            }
        }
    }
    Ok(())
}

/// IaaS (signature version 1): `pairs` are the parameters as received, form-decoded once, the
/// signature among them; `method` is `GET` or `POST`. The signed path is always `/iaas/`.
pub fn authenticate_iaas<'a, A: Accounts>(
    accounts: &'a A,
    method: &str,
    pairs: &[(String, String)],
    now_s: i64,
    max_skew_s: u64,
) -> Result<&'a Account, ApiError> {
    let (account, time) = check_common(accounts, pairs, "time_stamp")?;
    let received = required(pairs, "signature")?;
    let signed: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(k, _)| k != "signature")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let expected = iaas::signature(&account.secret_access_key, method, &signed);
    if !signing::signatures_match(&expected, received) {
        return Err(ApiError::signature_mismatch());
    }
    check_time("time_stamp", time, pairs, now_s, max_skew_s)?;
    Ok(account)
}

/// EHPC: `query` are the query parameters form-decoded once. `qingcloud-hpc` sends the signature
/// URL-encoded twice (`quote_plus` in `calc_sign`, then `urlencode`), so after one decoding it is
/// still `quote_plus(base64)` and is decoded once more. The string to sign covers the method, the
/// request path, the other query parameters and the MD5 of the exact body bytes.
pub fn authenticate_ehpc<'a, A: Accounts>(
    accounts: &'a A,
    method: &str,
    path: &str,
    query: &[(String, String)],
    body: &[u8],
    now_s: i64,
    max_skew_s: u64,
) -> Result<&'a Account, ApiError> {
    let (account, time) = check_common(accounts, query, "timestamp")?;
    let once = required(query, "signature")?;
    // quote_plus(base64) holds letters, digits and %XX only: a `+`, `/` or `=` left after one
    // decoding means the signature was encoded once, not as the SDK sends it.
    if once.contains(['+', '/', '=', ' ']) {
        return Err(ApiError::signature_mismatch());
    }
    let received = form::form_decode(once);
    let signed: Vec<(&str, &str)> = query
        .iter()
        .filter(|(k, _)| k != "signature")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let expected = ehpc::signature(&account.secret_access_key, method, path, &signed, body);
    if !signing::signatures_match(&expected, &received) {
        return Err(ApiError::signature_mismatch());
    }
    check_time("timestamp", time, query, now_s, max_skew_s)?;
    Ok(account)
}
