//! The sandbox's configuration: accounts (API keys and the zones they may use), the clusters each
//! account owns with their existing users, job timing, clock skew and faults. Read from TOML or
//! JSON; without a file, the built-in demo account.

use crate::faults::FaultConfig;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

/// The built-in demo account, used when no configuration is given. Its secret is public: it
/// protects nothing but a local sandbox.
pub const DEMO_ACCESS_KEY_ID: &str = "SANDBOXACCESSKEYID01";
pub const DEMO_SECRET_ACCESS_KEY: &str = "sandbox-secret-access-key";
pub const DEMO_ZONE: &str = "pek3";
pub const DEMO_CLICKHOUSE_CLUSTER: &str = "cl-sandbox1";
pub const DEMO_EHPC_CLUSTER: &str = "ehpc-sandbox1";

/// Total time from `pending` to a final status, unless configured.
pub const DEFAULT_JOB_DELAY_MS: u64 = 1500;
/// How far a request's time stamp may be from the server clock. QingCloud's error-code page
/// (yunify/qingcloud-docs, content/development_docs/api/error_code.md) says 1300 is answered when
/// `time_stamp` is expired; the sandbox allows 15 minutes either way so that a browser on a
/// slightly wrong clock still works, and `max_clock_skew_s` tightens it.
pub const DEFAULT_MAX_CLOCK_SKEW_S: u64 = 900;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub accounts: Vec<AccountConfig>,
    #[serde(default = "default_job_delay_ms")]
    pub job_delay_ms: u64,
    #[serde(default = "default_max_clock_skew_s")]
    pub max_clock_skew_s: u64,
    #[serde(default)]
    pub faults: FaultConfig,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Zones this key may use; when empty, the zones of its clusters.
    #[serde(default)]
    pub zones: Vec<String>,
    /// The owner id shown in DescribeJobs (`usr-...`); derived from the key when absent.
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub clusters: Vec<ClusterConfig>,
}

// The secret must never reach a log through `{:?}`.
impl std::fmt::Debug for AccountConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountConfig")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("zones", &self.zones)
            .field("owner", &self.owner)
            .field("clusters", &self.clusters)
            .finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClusterKind {
    Clickhouse,
    Ehpc,
}

impl ClusterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterKind::Clickhouse => "clickhouse",
            ClusterKind::Ehpc => "ehpc",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    #[serde(alias = "cluster_id")]
    pub id: String,
    /// `clickhouse` or `ehpc`; inferred from the `cl-` or `ehpc-` prefix when absent.
    #[serde(default)]
    pub kind: Option<ClusterKind>,
    /// Defaults to the account's first zone.
    #[serde(default)]
    pub zone: Option<String>,
    /// User names that already exist on the cluster.
    #[serde(default)]
    pub users: Vec<String>,
}

fn default_job_delay_ms() -> u64 {
    DEFAULT_JOB_DELAY_MS
}

fn default_max_clock_skew_s() -> u64 {
    DEFAULT_MAX_CLOCK_SKEW_S
}

impl Default for Config {
    fn default() -> Self {
        Config::demo()
    }
}

impl Config {
    /// The demo account: one ClickHouse and one EHPC cluster in `pek3`, each with one user.
    pub fn demo() -> Self {
        Config {
            accounts: vec![AccountConfig {
                access_key_id: DEMO_ACCESS_KEY_ID.into(),
                secret_access_key: DEMO_SECRET_ACCESS_KEY.into(),
                zones: vec![DEMO_ZONE.into()],
                owner: Some("usr-sandbox1".into()),
                clusters: vec![
                    ClusterConfig {
                        id: DEMO_CLICKHOUSE_CLUSTER.into(),
                        kind: Some(ClusterKind::Clickhouse),
                        zone: Some(DEMO_ZONE.into()),
                        users: vec!["default".into()],
                    },
                    ClusterConfig {
                        id: DEMO_EHPC_CLUSTER.into(),
                        kind: Some(ClusterKind::Ehpc),
                        zone: Some(DEMO_ZONE.into()),
                        users: vec!["admin".into()],
                    },
                ],
            }],
            job_delay_ms: DEFAULT_JOB_DELAY_MS,
            max_clock_skew_s: DEFAULT_MAX_CLOCK_SKEW_S,
            faults: FaultConfig::default(),
        }
    }

    /// Reads a file: `.json` as JSON, `.toml` as TOML, anything else as whichever parses.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let parsed = match extension.as_str() {
            "json" => Self::from_json(&text),
            "toml" => Self::from_toml(&text),
            _ => Self::from_json(&text).or_else(|json_error| {
                Self::from_toml(&text).map_err(|toml_error| {
                    format!("neither JSON ({json_error}) nor TOML ({toml_error})")
                })
            }),
        };
        parsed.map_err(|e| format!("invalid config {}: {e}", path.display()))
    }

    pub fn from_json(text: &str) -> Result<Self, String> {
        let config: Config = serde_json::from_str(text).map_err(|e| e.to_string())?;
        config.checked()
    }

    pub fn from_toml(text: &str) -> Result<Self, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        config.checked()
    }

    /// Fills in defaults (kinds, zones, owners) and rejects what cannot work.
    pub fn checked(mut self) -> Result<Self, String> {
        if self.accounts.is_empty() {
            return Err("the config declares no account".into());
        }
        let mut keys = HashSet::new();
        let mut cluster_ids = HashSet::new();
        for account in &mut self.accounts {
            if account.access_key_id.is_empty() || account.secret_access_key.is_empty() {
                return Err("every account needs an access_key_id and a secret_access_key".into());
            }
            if !keys.insert(account.access_key_id.clone()) {
                return Err(format!(
                    "access key {} is declared twice",
                    account.access_key_id
                ));
            }
            if account.owner.is_none() {
                account.owner = Some(derived_owner(&account.access_key_id));
            }
            for cluster in &mut account.clusters {
                if !cluster_ids.insert(cluster.id.clone()) {
                    return Err(format!("cluster {} is declared twice", cluster.id));
                }
                if cluster.kind.is_none() {
                    cluster.kind = if cluster.id.starts_with("cl-") {
                        Some(ClusterKind::Clickhouse)
                    } else if cluster.id.starts_with("ehpc-") {
                        Some(ClusterKind::Ehpc)
                    } else {
                        return Err(format!(
                            "cluster {}: set kind = \"clickhouse\" or \"ehpc\"",
                            cluster.id
                        ));
                    };
                }
                if cluster.zone.is_none() {
                    cluster.zone = account.zones.first().cloned();
                }
                let Some(zone) = &cluster.zone else {
                    return Err(format!("cluster {} needs a zone", cluster.id));
                };
                if !account.zones.contains(zone) {
                    account.zones.push(zone.clone());
                }
            }
        }
        Ok(self)
    }

    /// Whether this is the built-in demo account and nothing else.
    pub fn is_demo(&self) -> bool {
        self.accounts.len() == 1 && self.accounts[0].access_key_id == DEMO_ACCESS_KEY_ID
    }
}

/// `usr-` and up to 8 lowercase letters or digits of the key.
fn derived_owner(access_key_id: &str) -> String {
    let tail: String = access_key_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .take(8)
        .collect();
    format!("usr-{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_json_configs_fill_defaults() {
        let toml = r#"
            job_delay_ms = 30
            [[accounts]]
            access_key_id = "AK1"
            secret_access_key = "s1"
            zones = ["jn1a"]
            [[accounts.clusters]]
            id = "cl-abcdefgh"
            users = ["alice"]
            [[accounts.clusters]]
            id = "ehpc-abcdefgh"
            zone = "pek3"
            [faults]
            busy_ratio = 0.5
            capacity = 6
        "#;
        let config = Config::from_toml(toml).expect("valid");
        assert_eq!(config.job_delay_ms, 30);
        let account = &config.accounts[0];
        assert_eq!(account.zones, ["jn1a", "pek3"]);
        assert_eq!(account.owner.as_deref(), Some("usr-ak1"));
        assert_eq!(account.clusters[0].kind, Some(ClusterKind::Clickhouse));
        assert_eq!(account.clusters[0].zone.as_deref(), Some("jn1a"));
        assert_eq!(account.clusters[1].kind, Some(ClusterKind::Ehpc));
        assert_eq!(config.faults.busy_ratio, 0.5);
        assert_eq!(config.faults.capacity, Some(6));

        let json = r#"{"accounts":[{"access_key_id":"AK","secret_access_key":"s","zones":["pek3"],
            "clusters":[{"cluster_id":"cl-x","users":[]}]}],"max_clock_skew_s":60}"#;
        let config = Config::from_json(json).expect("valid");
        assert_eq!(config.max_clock_skew_s, 60);
        assert_eq!(config.job_delay_ms, DEFAULT_JOB_DELAY_MS);
    }

    #[test]
    fn bad_configs_are_refused() {
        for bad in [
            r#"{"accounts":[]}"#,
            r#"{"accounts":[{"access_key_id":"A","secret_access_key":""}]}"#,
            r#"{"accounts":[{"access_key_id":"A","secret_access_key":"s"},{"access_key_id":"A","secret_access_key":"t"}]}"#,
            r#"{"accounts":[{"access_key_id":"A","secret_access_key":"s","clusters":[{"id":"x-1","zone":"pek3"}]}]}"#,
            r#"{"accounts":[{"access_key_id":"A","secret_access_key":"s","clusters":[{"id":"cl-1"}]}]}"#,
            r#"{"accounts":[{"access_key_id":"A","secret_access_key":"s"}],"surprise":1}"#,
        ] {
            assert!(Config::from_json(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_redacts_secrets() {
        let text = format!("{:?}", Config::demo());
        assert!(!text.contains(DEMO_SECRET_ACCESS_KEY));
        assert!(Config::demo().is_demo());
    }
}
