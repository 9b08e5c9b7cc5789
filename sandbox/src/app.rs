//! What the sandbox is started with ([`Options`]) and what every request shares ([`App`]).

use crate::auth::Account;
use crate::config::Config;
use crate::faults::{FaultConfig, InFlight, Rng};
use crate::log::Log;
use crate::proxy::{Proxy, Upstream};
use crate::state::Store;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// At most this many connections are served at once unless configured; more wait to be accepted.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;
/// How long a connection may take to send a request's headers, and may stay idle between requests.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a client may pause while sending a request body.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// File descriptors kept free of connections for the state file, static files and upstreams.
const RESERVED_FILES: u64 = 64;

/// Raises the soft limit on open files to the hard one; returns the limit now in force.
pub fn raise_file_limit() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024)
}

/// Everything the sandbox is started with.
#[derive(Clone, Debug)]
pub struct Options {
    pub config: Config,
    pub state_file: Option<PathBuf>,
    pub www: PathBuf,
    pub pkg: PathBuf,
    pub upstream_iaas: Option<String>,
    pub upstream_ehpc: Option<String>,
    /// PEM certificates trusted for HTTPS upstreams, besides the public roots.
    pub upstream_ca: Option<PathBuf>,
    /// One line per request on stderr.
    pub log_requests: bool,
    /// Origins whose pages may call the API across origins (`*` for any). The real endpoints send
    /// no CORS headers, so by default neither does the sandbox; tests whose page is served from
    /// another origin (wasm-bindgen-test-runner) opt in.
    pub allow_origins: Vec<String>,
    /// Connections served at once (lowered to fit the open-file limit).
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            config: Config::demo(),
            state_file: None,
            www: PathBuf::from("www"),
            pkg: PathBuf::from("pkg/web"),
            upstream_iaas: None,
            upstream_ehpc: None,
            upstream_ca: None,
            log_requests: false,
            allow_origins: Vec::new(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
        }
    }
}

pub struct App {
    pub accounts: HashMap<String, Account>,
    pub store: Store,
    pub max_skew_s: u64,
    faults: RwLock<FaultConfig>,
    pub rng: Rng,
    /// API requests being handled, for the `capacity` fault.
    pub in_flight: InFlight,
    pub log: Log,
    pub www: PathBuf,
    pub pkg: PathBuf,
    pub upstream_iaas: Option<Upstream>,
    pub upstream_ehpc: Option<Upstream>,
    pub proxy: Option<Proxy>,
    pub allow_origins: Vec<String>,
    /// Connections served at once: what was asked, within the open-file limit.
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
}

impl App {
    pub fn new(options: Options) -> Result<Arc<App>, String> {
        let config = options.config.checked()?;
        let accounts = config
            .accounts
            .iter()
            .map(|a| {
                (
                    a.access_key_id.clone(),
                    Account {
                        access_key_id: a.access_key_id.clone(),
                        secret_access_key: a.secret_access_key.clone(),
                        zones: a.zones.clone(),
                    },
                )
            })
            .collect();
        let store = Store::new(&config, options.state_file.clone())?;
        let upstream_iaas = options
            .upstream_iaas
            .as_deref()
            .map(Upstream::parse)
            .transpose()?;
        let upstream_ehpc = options
            .upstream_ehpc
            .as_deref()
            .map(Upstream::parse)
            .transpose()?;
        let proxy = if upstream_iaas.is_some() || upstream_ehpc.is_some() {
            Some(Proxy::new(options.upstream_ca.as_deref())?)
        } else if options.upstream_ca.is_some() {
            return Err("--upstream-ca needs --upstream-iaas or --upstream-ehpc".into());
        } else {
            None
        };
        let files = raise_file_limit().saturating_sub(RESERVED_FILES).max(1);
        let fitting = usize::try_from(files).unwrap_or(usize::MAX);
        let rng = match config.faults.seed {
            Some(seed) => Rng::new(seed),
            None => Rng::from_clock(),
        };
        Ok(Arc::new(App {
            accounts,
            store,
            max_skew_s: config.max_clock_skew_s,
            faults: RwLock::new(config.faults.clone()),
            rng,
            in_flight: InFlight::default(),
            log: Log::new(options.log_requests),
            www: options.www,
            pkg: options.pkg,
            upstream_iaas,
            upstream_ehpc,
            proxy,
            allow_origins: options.allow_origins,
            max_connections: options.max_connections.clamp(1, fitting),
            header_timeout: options.header_timeout,
            body_timeout: options.body_timeout,
        }))
    }

    pub fn faults(&self) -> FaultConfig {
        self.faults
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_faults(&self, faults: FaultConfig) {
        if let Some(seed) = faults.seed {
            self.rng.reseed(seed);
        }
        *self.faults.write().unwrap_or_else(|e| e.into_inner()) = faults;
    }

    /// Whether `--allow-origin` lets pages of `origin` call the sandbox.
    pub fn origin_allowed(&self, origin: &[u8]) -> bool {
        self.allow_origins
            .iter()
            .any(|o| o == "*" || o.trim_end_matches('/').as_bytes() == origin)
    }
}
