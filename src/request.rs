//! Signed HTTP requests for each action, built byte for byte as the official SDKs build them.
//! Builders take the time stamp and request id as inputs, so their output is reproducible.

use crate::encoding::{
    form_urlencode, push_pairs, push_quoted, python_json_dumps_sorted, quote_plus, Quoting,
};
use crate::signing::{self, ehpc, iaas};
use crate::validation::{ValidClickHouseUser, ValidEhpcUser};

/// Where requests go unless an endpoint is given.
pub const DEFAULT_IAAS_ENDPOINT: &str = "https://api.qingcloud.com";
pub const DEFAULT_EHPC_ENDPOINT: &str = "https://hpc.api.qingcloud.com";
/// The EHPC action path; the IaaS one is [`iaas::PATH`].
pub const EHPC_ADD_USER_PATH: &str = "/api/user/addUser";

/// An API key pair. The secret is used to sign and for nothing else.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// As documented: every parameter in the URL.
    #[default]
    Get,
    /// Every parameter in a form body, which keeps passwords out of URLs and access logs.
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// What a caller hands to `fetch`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// The time stamp and request id a request is signed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// `YYYY-MM-DDTHH:MM:SSZ`, UTC.
    pub time_stamp: String,
    /// 32 hex digits, as the IaaS SDK sends in `req_id`; EHPC requests carry none.
    pub req_id: String,
}

/// Checks an endpoint (scheme, host, optional port and path prefix) and drops a trailing `/`;
/// `None` for anything else. Errors do not quote it: it may hold a user name and password.
pub fn normalize_endpoint(endpoint: &str) -> Option<String> {
    let rest = endpoint
        .strip_prefix("https://")
        .or_else(|| endpoint.strip_prefix("http://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    let valid = !host.is_empty()
        && !rest.contains(['?', '#', ' ', '@'])
        && rest.chars().all(|c| c.is_ascii_graphic());
    valid.then(|| endpoint.trim_end_matches('/').to_string())
}

/// `RunClusterCustomService` with `service=add_users`.
pub fn clickhouse_add_users(
    user: &ValidClickHouseUser,
    credentials: &Credentials,
    endpoint: &str,
    method: Method,
    stamp: &Stamp,
) -> HttpRequest {
    let service_params = crate::encoding::service_params_json(
        &user.user_networks,
        &user.user_password,
        &user.user_name,
    );
    iaas_request(
        "RunClusterCustomService",
        &[
            ("cluster", &user.cluster),
            ("service", "add_users"),
            ("service_params", &service_params),
        ],
        &user.zone,
        credentials,
        endpoint,
        method,
        stamp,
    )
}

/// `DescribeJobs` for the given job ids; `limit` defaults to the API's own (20) when `None`.
pub fn describe_jobs(
    zone: &str,
    jobs: &[String],
    limit: Option<u32>,
    credentials: &Credentials,
    endpoint: &str,
    method: Method,
    stamp: &Stamp,
) -> HttpRequest {
    let keys: Vec<String> = (1..=jobs.len()).map(|n| format!("jobs.{n}")).collect();
    let limit = limit.map(|limit| limit.to_string());
    let mut action_params: Vec<(&str, &str)> = keys
        .iter()
        .zip(jobs)
        .map(|(key, job)| (key.as_str(), job.as_str()))
        .collect();
    if let Some(limit) = &limit {
        action_params.push(("limit", limit));
    }
    iaas_request(
        "DescribeJobs",
        &action_params,
        zone,
        credentials,
        endpoint,
        method,
        stamp,
    )
}

/// Any IaaS action. Parameters are ordered as `qingcloud-sdk` inserts them (the action's own, then
/// `action`, `zone`, `req_id` and the common ones), which fixes the POST body byte for byte.
fn iaas_request(
    action: &str,
    action_params: &[(&str, &str)],
    zone: &str,
    credentials: &Credentials,
    endpoint: &str,
    method: Method,
    stamp: &Stamp,
) -> HttpRequest {
    let mut params = Vec::with_capacity(action_params.len() + 9);
    params.extend_from_slice(action_params);
    params.extend([
        ("action", action),
        ("zone", zone),
        ("req_id", &stamp.req_id),
        ("access_key_id", &credentials.access_key_id),
        ("signature_version", signing::SIGNATURE_VERSION),
        ("version", signing::API_VERSION),
        ("time_stamp", &stamp.time_stamp),
        ("signature_method", signing::SIGNATURE_METHOD),
    ]);
    let query = iaas::canonical_query(&params);
    let signature = signing::hmac_sha256_base64(
        &credentials.secret_access_key,
        &iaas::string_to_sign(method.as_str(), iaas::PATH, &query),
    );
    match method {
        Method::Get => {
            let mut url = String::with_capacity(endpoint.len() + query.len() + 70);
            for part in [endpoint, iaas::PATH, "?", &query, "&signature="] {
                url.push_str(part);
            }
            push_quoted(&mut url, &signature, Quoting::QuotePlus);
            HttpRequest {
                method,
                url,
                headers: Vec::new(),
                body: None,
            }
        }
        Method::Post => {
            params.push(("signature", &signature));
            HttpRequest {
                method,
                url: [endpoint, iaas::PATH].concat(),
                headers: vec![(
                    "Content-Type".to_string(),
                    "application/x-www-form-urlencoded".to_string(),
                )],
                body: Some(form_urlencode(&params)),
            }
        }
    }
}

/// The JSON body of `POST /api/user/addUser`, as `qingcloud-hpc` serialises it.
pub fn ehpc_add_user_body(user: &ValidEhpcUser) -> String {
    let mut fields = vec![
        ("cluster_id", user.cluster_id.as_str()),
        ("password", user.password.as_str()),
        ("username", user.username.as_str()),
        ("zone", user.zone.as_str()),
    ];
    if let Some(mode) = &user.mode {
        fields.push(("mod", mode));
    }
    python_json_dumps_sorted(&fields)
}

/// `POST /api/user/addUser`, signed as `qingcloud-hpc` signs it.
pub fn ehpc_add_user(
    user: &ValidEhpcUser,
    credentials: &Credentials,
    endpoint: &str,
    time_stamp: &str,
) -> HttpRequest {
    let body = ehpc_add_user_body(user);
    ehpc_request(
        Method::Post,
        EHPC_ADD_USER_PATH,
        body,
        credentials,
        endpoint,
        time_stamp,
    )
}

/// An EHPC request: signed parameters in the query, in the order and encoding the SDK sends them.
fn ehpc_request(
    method: Method,
    path: &str,
    body: String,
    credentials: &Credentials,
    endpoint: &str,
    time_stamp: &str,
) -> HttpRequest {
    let params = [
        ("timestamp", time_stamp),
        ("version", signing::API_VERSION),
        ("signature_version", signing::SIGNATURE_VERSION),
        ("signature_method", signing::SIGNATURE_METHOD),
        ("access_key_id", &credentials.access_key_id),
    ];
    let signature = ehpc::signature(
        &credentials.secret_access_key,
        method.as_str(),
        path,
        &params,
        body.as_bytes(),
    );
    // The SDK quotes the time stamp with `quote`, the rest with `urlencode`, and the signature
    // twice: once in `calc_sign`, once more by `urlencode`.
    let mut url = String::with_capacity(endpoint.len() + path.len() + 200);
    for part in [endpoint, path, "?timestamp="] {
        url.push_str(part);
    }
    push_quoted(&mut url, time_stamp, Quoting::QuoteKeepSlash);
    url.push('&');
    push_pairs(&mut url, &params[1..], Quoting::QuotePlus);
    url.push_str("&signature=");
    push_quoted(&mut url, &quote_plus(&signature), Quoting::QuotePlus);
    HttpRequest {
        method,
        url,
        headers: vec![("Content-Type".to_string(), "application/json".to_string())],
        body: Some(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials() -> Credentials {
        Credentials {
            access_key_id: "QYACCESSKEYIDEXAMPLE".into(),
            secret_access_key: "SECRETACCESSKEY".into(),
        }
    }

    fn stamp() -> Stamp {
        Stamp {
            time_stamp: "2026-11-23T08:31:00Z".into(),
            req_id: "0123456789abcdef0123456789abcdef".into(),
        }
    }

    fn clickhouse_user() -> ValidClickHouseUser {
        ValidClickHouseUser {
            cluster: "cl-yxgxofd3".into(),
            zone: "pek3".into(),
            user_name: "testuser".into(),
            user_password: "Test123".into(),
            user_networks: "::/0".into(),
        }
    }

    #[test]
    fn endpoints_are_checked_and_trimmed() {
        assert_eq!(
            normalize_endpoint("http://127.0.0.1:8080/").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            normalize_endpoint("https://proxy.example/qc").as_deref(),
            Some("https://proxy.example/qc")
        );
        for bad in [
            "ftp://x",
            "https://",
            "api.qingcloud.com",
            "https://a/?x",
            "https://u:p@h",
            "https://a b",
        ] {
            assert!(normalize_endpoint(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn get_puts_the_documented_service_params_in_the_query() {
        let request = clickhouse_add_users(
            &clickhouse_user(),
            &credentials(),
            DEFAULT_IAAS_ENDPOINT,
            Method::Get,
            &stamp(),
        );
        assert_eq!(request.method, Method::Get);
        assert!(request.url.starts_with("https://api.qingcloud.com/iaas/?access_key_id=QYACCESSKEYIDEXAMPLE&action=RunClusterCustomService&cluster=cl-yxgxofd3&req_id=0123456789abcdef0123456789abcdef&service=add_users&service_params=%7B%22user_networks%22%3A%22%3A%3A%2F0%22%2C%22user_password%22%3A%22Test123%22%2C%22user_name%22%3A%22testuser%22%7D&signature_method=HmacSHA256&signature_version=1&time_stamp=2026-11-23T08%3A31%3A00Z&version=1&zone=pek3&signature="));
        assert!(!request.url.contains("SECRETACCESSKEY"));
        assert_eq!(request.body, None);
    }

    #[test]
    fn post_sends_the_same_signed_parameters_in_a_form_body() {
        let request = clickhouse_add_users(
            &clickhouse_user(),
            &credentials(),
            "http://127.0.0.1:9",
            Method::Post,
            &stamp(),
        );
        assert_eq!(request.url, "http://127.0.0.1:9/iaas/");
        let body = request.body.unwrap_or_default();
        assert!(body.starts_with("cluster=cl-yxgxofd3&service=add_users&service_params=%7B%22user_networks%22%3A%22%3A%3A%2F0%22"));
        assert!(body.contains("&action=RunClusterCustomService&zone=pek3&req_id="));
        assert!(body.contains("&signature_method=HmacSHA256&signature="));
        assert!(!body.contains("SECRETACCESSKEY"));
        assert!(!request.url.contains("Test123"));
    }

    #[test]
    fn get_and_post_signatures_differ_by_verb() {
        let get = clickhouse_add_users(
            &clickhouse_user(),
            &credentials(),
            DEFAULT_IAAS_ENDPOINT,
            Method::Get,
            &stamp(),
        );
        let post = clickhouse_add_users(
            &clickhouse_user(),
            &credentials(),
            DEFAULT_IAAS_ENDPOINT,
            Method::Post,
            &stamp(),
        );
        let get_sig = get
            .url
            .rsplit("signature=")
            .next()
            .unwrap_or_default()
            .to_string();
        let post_sig = post
            .body
            .unwrap_or_default()
            .rsplit("signature=")
            .next()
            .unwrap_or_default()
            .to_string();
        assert_ne!(get_sig, post_sig);
    }

    #[test]
    fn describe_jobs_numbers_job_ids() {
        let jobs = vec!["j-a".to_string(), "j-b".to_string()];
        let request = describe_jobs(
            "pek3",
            &jobs,
            Some(2),
            &credentials(),
            DEFAULT_IAAS_ENDPOINT,
            Method::Get,
            &stamp(),
        );
        assert!(request.url.contains("&jobs.1=j-a&jobs.2=j-b&limit=2&"));
        assert!(request.url.contains("action=DescribeJobs"));
    }

    #[test]
    fn ehpc_body_is_python_json_with_sorted_keys() {
        let mut user = ValidEhpcUser {
            cluster_id: "ehpc-8jqdq0mz".into(),
            zone: "jn1a".into(),
            username: "isabel".into(),
            password: "kUISjs@kkkkkk!".into(),
            mode: None,
        };
        assert_eq!(
            ehpc_add_user_body(&user),
            r#"{"cluster_id": "ehpc-8jqdq0mz", "password": "kUISjs@kkkkkk!", "username": "isabel", "zone": "jn1a"}"#
        );
        user.mode = Some("700".into());
        assert_eq!(
            ehpc_add_user_body(&user),
            r#"{"cluster_id": "ehpc-8jqdq0mz", "mod": "700", "password": "kUISjs@kkkkkk!", "username": "isabel", "zone": "jn1a"}"#
        );
        let request = ehpc_add_user(
            &user,
            &credentials(),
            DEFAULT_EHPC_ENDPOINT,
            "2026-11-23T08:31:00Z",
        );
        assert!(request.url.starts_with("https://hpc.api.qingcloud.com/api/user/addUser?timestamp=2026-11-23T08%3A31%3A00Z&version=1&signature_version=1&signature_method=HmacSHA256&access_key_id=QYACCESSKEYIDEXAMPLE&signature="));
        assert!(!request.url.contains("kUISjs"));
        assert_eq!(request.method, Method::Post);
    }

    #[test]
    fn debug_of_credentials_redacts_the_secret() {
        assert!(!format!("{:?}", credentials()).contains("SECRETACCESSKEY"));
    }
}
