//! Fault injection: from the config (shares of requests, reproducible with a seed), at run time
//! through `POST /_sandbox/faults`, or per request with an `X-Sandbox-Fault` header, or with an
//! endpoint under `/_fault/<faults>/` for clients that cannot set headers (the package).

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Uri};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// The header a test sets to make one request fail in a chosen way.
pub const FAULT_HEADER: &str = "x-sandbox-fault";
/// The longest latency a request may ask for.
pub const MAX_LATENCY_MS: u64 = 60_000;
/// Where a path names the faults of its request: `/_fault/busy/iaas/` is `/iaas/`, answered busy.
pub const FAULT_PATH: &str = "/_fault/";
/// An `endless` answer ends after this much white space, should the client never close.
pub const ENDLESS_MOST_BYTES: u64 = 256 << 20;

/// Faults applied to a share of API requests (`/iaas/` and `/api/`), never to the page or to
/// `/_sandbox/`. Ratios are between 0 and 1.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Added to every API request.
    pub latency_ms: u64,
    /// Answered `ret_code` 5100 (server busy) without acting on the request.
    pub busy_ratio: f64,
    /// Answered `ret_code` 5000 (internal error) without acting on the request.
    pub internal_ratio: f64,
    /// Answered HTTP 500, 502 or 503 with a non-JSON body.
    pub error_5xx_ratio: f64,
    /// Answered HTTP 200 with a body that is not valid JSON.
    pub malformed_ratio: f64,
    /// The connection is closed without an answer, before the request is acted on.
    pub drop_ratio: f64,
    /// The request is acted on, then its answer is cut off halfway and the connection closed:
    /// the client cannot know whether it took effect.
    pub truncated_ratio: f64,
    /// At most this many API requests are handled at once; past it, a request is answered
    /// `ret_code` 5100 (server busy) at once (no latency), without acting on it.
    pub capacity: Option<u32>,
    /// Seeds the random choices; without it, the clock does.
    pub seed: Option<u64>,
}

/// One way a request can be made to fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Busy,
    /// Busy because [`FaultConfig::capacity`] requests were already in flight.
    Capacity,
    Internal,
    Http(u16),
    Malformed,
    Truncated,
    Drop,
    /// An answer of white space without end, until the client closes or
    /// [`ENDLESS_MOST_BYTES`] were sent.
    Endless,
}

impl Fault {
    pub fn name(self) -> String {
        match self {
            Fault::Busy => "busy".into(),
            Fault::Capacity => "capacity".into(),
            Fault::Internal => "internal".into(),
            Fault::Http(status) => format!("http{status}"),
            Fault::Malformed => "malformed".into(),
            Fault::Truncated => "truncated".into(),
            Fault::Drop => "drop".into(),
            Fault::Endless => "endless".into(),
        }
    }
}

/// What to do to one request: wait, then fail in at most one way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub latency_ms: u64,
    pub fault: Option<Fault>,
}

/// Parses `busy | internal | http500 | http502 | malformed | truncated | drop | endless | latency=MS`,
/// comma-separated. The first failure named wins; latencies add up.
pub fn parse_header(value: &str) -> Result<Plan, String> {
    let mut plan = Plan::default();
    for token in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let token = token.to_ascii_lowercase();
        let fault = match token.as_str() {
            "busy" => Fault::Busy,
            "internal" => Fault::Internal,
            "malformed" => Fault::Malformed,
            "truncated" => Fault::Truncated,
            "drop" => Fault::Drop,
            "endless" => Fault::Endless,
            other => {
                if let Some(ms) = other.strip_prefix("latency=") {
                    let ms: u64 = ms
                        .parse()
                        .map_err(|_| format!("latency must be milliseconds, not {ms:?}"))?;
                    plan.latency_ms = plan.latency_ms.saturating_add(ms).min(MAX_LATENCY_MS);
                    continue;
                }
                match other
                    .strip_prefix("http")
                    .and_then(|s| s.parse::<u16>().ok())
                {
                    Some(status) if (400..=599).contains(&status) => Fault::Http(status),
                    _ => return Err(format!("unknown fault {other:?}")),
                }
            }
        };
        plan.fault.get_or_insert(fault);
    }
    Ok(plan)
}

/// A request to an API path under `/_fault/<faults>/` as the request to that path, with
/// `<faults>` in its fault header (replacing any it had), if `may_name_faults` allows its headers.
/// Other requests are left as they are.
pub fn fault_from_path(
    mut request: Request,
    may_name_faults: impl FnOnce(&HeaderMap) -> bool,
) -> Request {
    let uri = request.uri();
    let Some((faults, path)) = uri
        .path()
        .strip_prefix(FAULT_PATH)
        .and_then(|rest| rest.split_once('/'))
    else {
        return request;
    };
    let path = format!("/{path}");
    if !matches!(crate::log::api_of(&path), "iaas" | "ehpc") || !may_name_faults(request.headers())
    {
        return request;
    }
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let (Ok(value), Ok(uri)) = (HeaderValue::from_str(faults), path_and_query.parse::<Uri>())
    else {
        return request;
    };
    *request.uri_mut() = uri;
    request.headers_mut().insert(FAULT_HEADER, value);
    request
}

impl FaultConfig {
    /// Draws this request's faults.
    pub fn draw(&self, rng: &Rng) -> Plan {
        let mut plan = Plan {
            latency_ms: self.latency_ms.min(MAX_LATENCY_MS),
            fault: None,
        };
        let chosen = [
            (self.drop_ratio, Fault::Drop),
            (self.error_5xx_ratio, Fault::Http(500)),
            (self.busy_ratio, Fault::Busy),
            (self.internal_ratio, Fault::Internal),
            (self.malformed_ratio, Fault::Malformed),
            (self.truncated_ratio, Fault::Truncated),
        ]
        .into_iter()
        .find(|(ratio, _)| *ratio > 0.0 && rng.next_f64() < *ratio);
        if let Some((_, fault)) = chosen {
            plan.fault = Some(match fault {
                Fault::Http(_) => Fault::Http([500, 502, 503][(rng.next_u64() % 3) as usize]),
                other => other,
            });
        }
        plan
    }

    pub fn is_quiet(&self) -> bool {
        self.latency_ms == 0
            && self.capacity.is_none()
            && [
                self.busy_ratio,
                self.internal_ratio,
                self.error_5xx_ratio,
                self.malformed_ratio,
                self.drop_ratio,
                self.truncated_ratio,
            ]
            .iter()
            .all(|r| *r <= 0.0 || r.is_nan())
    }
}

/// The API requests being handled, for [`FaultConfig::capacity`].
#[derive(Debug, Default)]
pub struct InFlight {
    count: AtomicU32,
}

/// One admitted request's place in [`InFlight`], given back when dropped: when the handler
/// returns, and also when its future is dropped because the client went away or a timeout hit.
#[derive(Debug)]
pub struct Slot<'a> {
    count: &'a AtomicU32,
}

impl InFlight {
    /// Admits a request unless `capacity` requests are already in flight. Requests refused are
    /// not counted, so that a burst of refusals does not refuse the requests after it.
    pub fn enter(&self, capacity: Option<u32>) -> Option<Slot<'_>> {
        self.count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| match capacity {
                Some(limit) if n >= limit => None,
                _ => Some(n.saturating_add(1)),
            })
            .ok()
            .map(|_| Slot { count: &self.count })
    }

    pub fn count(&self) -> u32 {
        self.count.load(Ordering::Acquire)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::AcqRel);
    }
}

/// SplitMix64 over an atomic counter: lock-free, and reproducible for a given seed and request
/// order.
#[derive(Debug)]
pub struct Rng {
    state: AtomicU64,
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng {
            state: AtomicU64::new(seed),
        }
    }

    pub fn from_clock() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Rng::new(nanos ^ u64::from(std::process::id()).rotate_left(32))
    }

    pub fn reseed(&self, seed: u64) {
        self.state.store(seed, Ordering::Relaxed);
    }

    pub fn next_u64(&self) -> u64 {
        let mut z = self
            .state
            .fetch_add(GOLDEN_GAMMA, Ordering::Relaxed)
            .wrapping_add(GOLDEN_GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)`.
    pub fn next_f64(&self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `len` lowercase letters and digits.
    pub fn base36(&self, len: usize) -> String {
        const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        (0..len)
            .map(|_| ALPHABET[(self.next_u64() % 36) as usize] as char)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_tokens() {
        assert_eq!(
            parse_header("latency=20, busy,drop, latency=5"),
            Ok(Plan {
                latency_ms: 25,
                fault: Some(Fault::Busy)
            })
        );
        assert_eq!(
            parse_header("HTTP502").map(|p| p.fault),
            Ok(Some(Fault::Http(502)))
        );
        assert_eq!(
            parse_header("Endless").map(|p| p.fault),
            Ok(Some(Fault::Endless))
        );
        assert!(parse_header("http200").is_err());
        assert!(parse_header("latency=x").is_err());
        assert!(parse_header("explode").is_err());
        assert_eq!(
            parse_header("latency=99999999").map(|p| p.latency_ms),
            Ok(MAX_LATENCY_MS)
        );
    }

    #[test]
    fn ratios_are_reproducible_with_a_seed() {
        let config = FaultConfig {
            busy_ratio: 0.5,
            ..FaultConfig::default()
        };
        let draw = |seed| {
            let rng = Rng::new(seed);
            (0..200)
                .map(|_| config.draw(&rng).fault.is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        let busy = draw(7).iter().filter(|b| **b).count();
        assert!((60..140).contains(&busy), "{busy}");
        assert!(FaultConfig::default().is_quiet());
        let truncating = FaultConfig {
            truncated_ratio: 1.0,
            ..FaultConfig::default()
        };
        assert_eq!(truncating.draw(&Rng::new(1)).fault, Some(Fault::Truncated));
        assert!(!config.is_quiet());
    }

    #[test]
    fn in_flight_slots_are_given_back_on_drop() {
        let in_flight = InFlight::default();
        let first = in_flight.enter(Some(2));
        let second = in_flight.enter(Some(2));
        assert!(first.is_some() && second.is_some());
        assert!(in_flight.enter(Some(2)).is_none());
        assert_eq!(in_flight.count(), 2, "a refusal is not counted");
        drop(first);
        assert_eq!(in_flight.count(), 1);
        let third = in_flight.enter(Some(2));
        assert!(third.is_some());
        // Without a capacity every request is admitted, and still counted.
        let unbounded: Vec<_> = (0..5).map(|_| in_flight.enter(None)).collect();
        assert!(unbounded.iter().all(Option::is_some));
        assert_eq!(in_flight.count(), 7);
        assert!(in_flight.enter(Some(0)).is_none());
        drop((second, third, unbounded));
        assert_eq!(in_flight.count(), 0);
    }

    #[test]
    fn base36_ids() {
        let id = Rng::new(1).base36(11);
        assert_eq!(id.len(), 11);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    }
}
