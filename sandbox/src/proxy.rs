//! Proxy mode: `/iaas/` and `/api/` forwarded to the real endpoints, so that the page can reach
//! them from its own origin. Method, path, query and body go unchanged (signatures do not cover
//! the host, so they stay valid); of the headers, only those the API reads. Other local sites'
//! cookies, credentials and forwarding headers never leave the machine, and the upstream cannot
//! set cookies on, or open CORS for, the sandbox's origin.

use axum::http::header::{HeaderMap, HeaderName, CONNECTION};
use axum::http::{Method, Request, StatusCode, Uri};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::path::Path;
use std::time::Duration;

#[cfg(feature = "tls")]
type Connector = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;
#[cfg(not(feature = "tls"))]
type Connector = hyper_util::client::legacy::connect::HttpConnector;

/// The longest an upstream may take, and the largest answer forwarded.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(60);
pub const MAX_UPSTREAM_BODY: usize = 16 << 20;

/// The request headers forwarded: all the SDKs and the package send that the API reads.
pub const FORWARDED_REQUEST_HEADERS: [&str; 4] =
    ["accept", "accept-language", "content-type", "user-agent"];

/// Headers that belong to one connection, not to the message (RFC 9110 §7.6.1 and the older
/// ones still seen).
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// An upstream base URL: scheme, authority and an optional path prefix, without a trailing `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstream {
    base: String,
}

impl Upstream {
    pub fn parse(url: &str) -> Result<Upstream, String> {
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("invalid upstream URL {url:?}: {e}"))?;
        let scheme = uri.scheme_str().unwrap_or_default();
        if !matches!(scheme, "http" | "https") || uri.authority().is_none() {
            return Err(format!(
                "upstream URL {url:?} must be http:// or https:// with a host"
            ));
        }
        if uri.query().is_some() {
            return Err(format!("upstream URL {url:?} must not have a query"));
        }
        if scheme == "https" && !cfg!(feature = "tls") {
            return Err(format!(
                "upstream URL {url:?} needs the sandbox's `tls` feature"
            ));
        }
        Ok(Upstream {
            base: url.trim_end_matches('/').to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.base
    }
}

/// Refuses what an upstream might resolve differently from the sandbox: dot-segments (plain or
/// percent-encoded) and encoded slashes or backslashes.
pub fn check_path(raw: &str) -> Result<(), String> {
    let lower = raw.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || raw.contains('\\') {
        return Err("the proxy refuses paths with encoded slashes or backslashes".into());
    }
    let dot_segment = raw.split('/').any(|segment| {
        let decoded = crate::form::percent_decode_path(segment);
        decoded == b"." || decoded == b".."
    });
    if dot_segment {
        return Err("the proxy refuses paths with dot-segments (. or ..)".into());
    }
    Ok(())
}

/// The names a `Connection` header lists: hop-by-hop for this message.
fn connection_names(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect()
}

fn forwarded_request_header(name: &HeaderName, connection: &[String]) -> bool {
    FORWARDED_REQUEST_HEADERS.contains(&name.as_str())
        && !connection.iter().any(|n| n == name.as_str())
}

/// Whether an upstream's answer header reaches the page.
fn relayed_response_header(name: &HeaderName, connection: &[String]) -> bool {
    let name = name.as_str();
    !HOP_BY_HOP.contains(&name)
        && !connection.iter().any(|n| n == name)
        && name != "content-length"
        && name != "set-cookie"
        && !name.starts_with("access-control-")
}

/// An error and every cause under it: hyper's own message ("client error (Connect)") says
/// nothing of, say, a certificate for another name.
fn explain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let next = e.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        cause = e.source();
    }
    text
}

pub struct Forwarded {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

pub struct Proxy {
    client: Client<Connector, Full<Bytes>>,
}

/// The public web roots, and the certificates of `extra_ca` (PEM) too.
#[cfg(feature = "tls")]
fn tls_config(extra_ca: Option<&Path>) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = extra_ca {
        let shown = path.display();
        let certificates = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("cannot read --upstream-ca {shown}: {e}"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("--upstream-ca {shown} is not PEM certificates: {e}"))?;
        if certificates.is_empty() {
            return Err(format!("--upstream-ca {shown} holds no certificate"));
        }
        for certificate in certificates {
            roots
                .add(certificate)
                .map_err(|e| format!("--upstream-ca {shown}: {e}"))?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

impl Proxy {
    pub fn new(extra_ca: Option<&Path>) -> Result<Proxy, String> {
        #[cfg(feature = "tls")]
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config(extra_ca)?)
            .https_or_http()
            .enable_http1()
            .build();
        #[cfg(not(feature = "tls"))]
        let connector = match extra_ca {
            Some(_) => return Err("--upstream-ca needs the sandbox's `tls` feature".into()),
            None => hyper_util::client::legacy::connect::HttpConnector::new(),
        };
        Ok(Proxy {
            client: Client::builder(TokioExecutor::new()).build(connector),
        })
    }

    /// Sends the request to `upstream` + the original path and query.
    pub async fn forward(
        &self,
        upstream: &Upstream,
        method: &Method,
        path_and_query: &str,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Result<Forwarded, String> {
        let uri: Uri = format!("{}{path_and_query}", upstream.base)
            .parse()
            .map_err(|e| format!("cannot build the upstream URL: {e}"))?;
        let mut request = Request::builder().method(method.clone()).uri(uri);
        let connection = connection_names(headers);
        for (name, value) in headers {
            if forwarded_request_header(name, &connection) {
                request = request.header(name, value);
            }
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| format!("cannot build the upstream request: {e}"))?;
        let response = tokio::time::timeout(UPSTREAM_TIMEOUT, self.client.request(request))
            .await
            .map_err(|_| format!("{} did not answer in time", upstream.base))?
            .map_err(|e| format!("cannot reach {}: {}", upstream.base, explain(&e)))?;
        let (parts, body) = response.into_parts();
        let body = tokio::time::timeout(
            UPSTREAM_TIMEOUT,
            Limited::new(body, MAX_UPSTREAM_BODY).collect(),
        )
        .await
        .map_err(|_| format!("{} did not finish its answer in time", upstream.base))?
        .map_err(|e| {
            format!(
                "cannot read the answer of {}: {}",
                upstream.base,
                explain(&*e)
            )
        })?
        .to_bytes();
        let connection = connection_names(&parts.headers);
        let mut headers = HeaderMap::new();
        for (name, value) in &parts.headers {
            if relayed_response_header(name, &connection) {
                headers.append(name, value.clone());
            }
        }
        Ok(Forwarded {
            status: parts.status,
            headers,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_urls() {
        assert_eq!(
            Upstream::parse("http://127.0.0.1:9/").map(|u| u.base),
            Ok("http://127.0.0.1:9".to_string())
        );
        assert!(Upstream::parse("ftp://x").is_err());
        assert!(Upstream::parse("http://x/?a=1").is_err());
        assert!(Upstream::parse("/relative").is_err());
    }

    #[test]
    fn paths_an_upstream_could_read_otherwise_are_refused() {
        for bad in [
            "/iaas/../admin",
            "/iaas/./",
            "/iaas/%2e%2E/admin",
            "/api/.%2e/x",
            "/api/user%2faddUser",
            "/api/user%2FaddUser",
            "/iaas/%5c",
            "/iaas\\..",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        for good in ["/iaas/", "/api/user/addUser", "/api/user", "/iaas/..x"] {
            assert_eq!(check_path(good), Ok(()), "{good}");
        }
    }

    #[test]
    fn only_what_the_api_reads_is_forwarded() {
        let connection = vec!["user-agent".to_string()];
        let name = |n: &'static str| HeaderName::from_static(n);
        assert!(forwarded_request_header(&name("content-type"), &connection));
        for dropped in [
            "cookie",
            "authorization",
            "proxy-authorization",
            "forwarded",
            "x-forwarded-for",
            "origin",
            "user-agent",
            "x-sandbox-fault",
        ] {
            assert!(
                !forwarded_request_header(&name(dropped), &connection),
                "{dropped}"
            );
        }
        assert!(relayed_response_header(&name("content-type"), &[]));
        for dropped in [
            "set-cookie",
            "access-control-allow-origin",
            "transfer-encoding",
            "user-agent",
        ] {
            assert!(
                !relayed_response_header(&name(dropped), &connection),
                "{dropped}"
            );
        }
    }
}
