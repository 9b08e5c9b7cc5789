//! Proxy mode: `/iaas/` and `/api/` forwarded unchanged (method, path, query, body and headers
//! other than hop-by-hop ones) to the real endpoints, so that the page can reach them from its own
//! origin. Signatures do not cover the host, so they stay valid.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{HeaderMap, HeaderName, HOST};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

#[cfg(feature = "tls")]
type Connector = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;
#[cfg(not(feature = "tls"))]
type Connector = hyper_util::client::legacy::connect::HttpConnector;

/// The longest an upstream may take, and the largest answer forwarded.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(60);
pub const MAX_UPSTREAM_BODY: usize = 16 << 20;

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

pub struct Proxy {
    client: Client<Connector, Full<Bytes>>,
}

/// Headers that belong to one connection, not to the request.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn forwardable(name: &HeaderName) -> bool {
    let name = name.as_str();
    !HOP_BY_HOP.contains(&name) && !name.starts_with("x-sandbox-") && name != "content-length"
}

pub struct Forwarded {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Proxy {
    pub fn new() -> Result<Proxy, String> {
        #[cfg(feature = "tls")]
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        #[cfg(not(feature = "tls"))]
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
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
        for (name, value) in headers {
            if forwardable(name) && name != HOST {
                request = request.header(name, value);
            }
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| format!("cannot build the upstream request: {e}"))?;
        let response = tokio::time::timeout(UPSTREAM_TIMEOUT, self.client.request(request))
            .await
            .map_err(|_| format!("{} did not answer in time", upstream.base))?
            .map_err(|e| format!("cannot reach {}: {e}", upstream.base))?;
        let (parts, body) = response.into_parts();
        let body = tokio::time::timeout(
            UPSTREAM_TIMEOUT,
            Limited::new(body, MAX_UPSTREAM_BODY).collect(),
        )
        .await
        .map_err(|_| format!("{} did not finish its answer in time", upstream.base))?
        .map_err(|e| format!("cannot read the answer of {}: {e}", upstream.base))?
        .to_bytes();
        let mut headers = HeaderMap::new();
        for (name, value) in &parts.headers {
            if forwardable(name) {
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
}
