//! Clusters, their users and jobs: in memory, and optionally persisted to a JSON file with atomic
//! writes (write a temporary file, fsync, rename), so that a restart loses no user or job.
//!
//! Job statuses are a function of time: a job is `pending` for the first third of its delay,
//! `working` for the rest, then `successful` or `failed`. Nothing runs in the background, and a
//! job restored from the state file resumes where the clock says it is.
//!
//! Passwords are validated and dropped: they are never stored, persisted or logged.

use crate::api::{shown, ApiError};
use crate::config::{ClusterKind, Config};
use crate::faults::Rng;
use qingcloud_useradd::timestamp::format_timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The error code and message a failed job carries (a sandbox extension of DescribeJobs).
pub const USER_EXISTS_CODE: i64 = 2110;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    pub create_time: i64,
    /// The job that creates this user; the user is only listed once the job has succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networks: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default = "member")]
    pub role: String,
    #[serde(default)]
    pub uid_number: u32,
    #[serde(default)]
    pub hpcuser_id: String,
}

fn member() -> String {
    "member".into()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterState {
    pub id: String,
    pub kind: ClusterKind,
    pub zone: String,
    pub owner_key: String,
    pub users: BTreeMap<String, UserRecord>,
    #[serde(default = "first_uid")]
    pub next_uid: u32,
}

fn first_uid() -> u32 {
    1001
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "lowercase")]
pub enum Outcome {
    Successful,
    Failed { code: i64, message: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub job_id: String,
    pub job_action: String,
    pub owner_key: String,
    pub zone: String,
    pub resource_ids: String,
    pub created_ms: i64,
    pub pending_ms: u64,
    pub working_ms: u64,
    pub outcome: Outcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pending,
    Working,
    Successful,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Working => "working",
            Status::Successful => "successful",
            Status::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "pending" => Some(Status::Pending),
            "working" => Some(Status::Working),
            "successful" => Some(Status::Successful),
            "failed" => Some(Status::Failed),
            _ => None,
        }
    }
}

impl Job {
    /// The status at `now_ms`, and when it began (Unix milliseconds).
    pub fn status_at(&self, now_ms: i64) -> (Status, i64) {
        let working_from = self.created_ms.saturating_add(self.pending_ms as i64);
        let done_at = working_from.saturating_add(self.working_ms as i64);
        if now_ms < working_from {
            (Status::Pending, self.created_ms)
        } else if now_ms < done_at {
            (Status::Working, working_from)
        } else {
            match self.outcome {
                Outcome::Successful => (Status::Successful, done_at),
                Outcome::Failed { .. } => (Status::Failed, done_at),
            }
        }
    }
}

/// One DescribeJobs entry as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobView {
    pub job_id: String,
    pub job_action: String,
    pub status: &'static str,
    pub create_time: String,
    pub status_time: String,
    pub resource_ids: String,
    pub owner: String,
    pub error_codes: String,
    /// Sandbox extensions on failed jobs: why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// An EHPC user as `GET /api/user` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EhpcUserView {
    pub cluster_id: String,
    pub create_time: String,
    pub gid_number: String,
    pub hpcuser_id: String,
    #[serde(rename = "mod")]
    pub mode: Option<String>,
    pub nas_mount_point: String,
    pub role: String,
    pub uid_number: String,
    pub update_time: String,
    pub user_id: String,
    pub username: String,
}

/// Job filters and paging of DescribeJobs.
#[derive(Clone, Debug, Default)]
pub struct JobQuery {
    pub job_ids: Vec<String>,
    pub statuses: Vec<Status>,
    pub job_action: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Snapshot {
    format: u32,
    clusters: Vec<ClusterState>,
    jobs: Vec<Job>,
}

#[derive(Default)]
struct Inner {
    clusters: HashMap<String, ClusterState>,
    jobs: HashMap<String, Job>,
    /// Job ids in creation order.
    job_order: Vec<String>,
    version: u64,
}

pub struct Store {
    inner: Mutex<Inner>,
    /// account key → owner id shown in DescribeJobs.
    owners: HashMap<String, String>,
    initial_clusters: Vec<ClusterState>,
    state_file: Option<PathBuf>,
    /// The version last written to the state file.
    written: tokio::sync::Mutex<u64>,
    pending_ms: u64,
    working_ms: u64,
    rng: Rng,
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn iso(ms: i64) -> String {
    format_timestamp(ms.div_euclid(1000))
}

impl Store {
    /// Builds the store from the config, then from the state file when it exists (its clusters
    /// and jobs win over the config's; clusters only in the config are added).
    pub fn new(config: &Config, state_file: Option<PathBuf>) -> Result<Store, String> {
        let created = now_ms();
        let mut initial_clusters = Vec::new();
        let mut owners = HashMap::new();
        for account in &config.accounts {
            owners.insert(
                account.access_key_id.clone(),
                account.owner.clone().unwrap_or_default(),
            );
            for cluster in &account.clusters {
                let mut state = ClusterState {
                    id: cluster.id.clone(),
                    kind: cluster.kind.unwrap_or(ClusterKind::Clickhouse),
                    zone: cluster.zone.clone().unwrap_or_default(),
                    owner_key: account.access_key_id.clone(),
                    users: BTreeMap::new(),
                    next_uid: first_uid(),
                };
                for name in &cluster.users {
                    let uid = state.next_uid;
                    state.next_uid += 1;
                    state.users.insert(
                        name.clone(),
                        UserRecord {
                            create_time: created / 1000,
                            job_id: None,
                            networks: None,
                            mode: None,
                            role: if name == "admin" { "admin" } else { "member" }.into(),
                            uid_number: uid,
                            hpcuser_id: format!("hpcuser-{}", short_hash(&cluster.id, name)),
                        },
                    );
                }
                initial_clusters.push(state);
            }
        }
        let total = config.job_delay_ms;
        let store = Store {
            inner: Mutex::new(Inner::default()),
            owners,
            initial_clusters,
            state_file,
            written: tokio::sync::Mutex::new(0),
            pending_ms: total / 3,
            working_ms: total - total / 3,
            rng: Rng::from_clock(),
        };
        store.reset();
        if let Some(path) = &store.state_file {
            if path.exists() {
                let snapshot = read_snapshot(path)?;
                let mut inner = store.lock();
                for cluster in snapshot.clusters {
                    inner.clusters.insert(cluster.id.clone(), cluster);
                }
                let mut jobs = snapshot.jobs;
                jobs.sort_by_key(|j| j.created_ms);
                for job in jobs {
                    inner.job_order.push(job.job_id.clone());
                    inner.jobs.insert(job.job_id.clone(), job);
                }
            }
        }
        Ok(store)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that matters
        // more than refusing every later request would.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Back to the configured clusters, without jobs.
    pub fn reset(&self) {
        let mut inner = self.lock();
        inner.clusters = self
            .initial_clusters
            .iter()
            .map(|c| (c.id.clone(), c.clone()))
            .collect();
        inner.jobs.clear();
        inner.job_order.clear();
        inner.version += 1;
    }

    fn new_job(
        &self,
        inner: &Inner,
        action: &str,
        owner_key: &str,
        zone: &str,
        resource: &str,
        outcome: Outcome,
    ) -> Job {
        let mut job_id = format!("j-{}", self.rng.base36(11));
        while inner.jobs.contains_key(&job_id) {
            job_id = format!("j-{}", self.rng.base36(11));
        }
        Job {
            job_id,
            job_action: action.into(),
            owner_key: owner_key.into(),
            zone: zone.into(),
            resource_ids: resource.into(),
            created_ms: now_ms(),
            pending_ms: self.pending_ms,
            working_ms: self.working_ms,
            outcome,
        }
    }

    fn insert_job(inner: &mut Inner, job: Job) {
        inner.job_order.push(job.job_id.clone());
        inner.jobs.insert(job.job_id.clone(), job);
        inner.version += 1;
    }

    /// Finds a cluster of `kind` in `zone` that `owner_key` may use.
    fn cluster_mut<'a>(
        inner: &'a mut Inner,
        id: &str,
        kind: ClusterKind,
        zone: &str,
        owner_key: &str,
    ) -> Result<&'a mut ClusterState, ApiError> {
        match inner.clusters.get_mut(id) {
            Some(cluster) if cluster.kind == kind && cluster.zone == zone => {
                if cluster.owner_key == owner_key {
                    Ok(cluster)
                } else {
                    Err(ApiError::denied(format!(
                        "resource [{id}] does not belong to you"
                    )))
                }
            }
            _ => Err(ApiError::not_found(format!(
                "resource [{}] not found in zone [{}]",
                shown(id),
                shown(zone)
            ))),
        }
    }

    /// `add_users` on a ClickHouse cluster. The name is reserved at once: of two requests for the
    /// same new user, the second one's job fails, as does a job for a user that already exists.
    pub fn add_clickhouse_user(
        &self,
        owner_key: &str,
        cluster_id: &str,
        zone: &str,
        user_name: &str,
        networks: &str,
    ) -> Result<Job, ApiError> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let cluster =
            Self::cluster_mut(inner, cluster_id, ClusterKind::Clickhouse, zone, owner_key)?;
        let exists = cluster.users.contains_key(user_name);
        let outcome = if exists {
            Outcome::Failed {
                code: USER_EXISTS_CODE,
                message: format!("user {user_name} already exists on {cluster_id}"),
            }
        } else {
            Outcome::Successful
        };
        let job = self.new_job(
            inner,
            "RunClusterCustomService",
            owner_key,
            zone,
            cluster_id,
            outcome,
        );
        if !exists {
            let created = job.created_ms / 1000;
            if let Some(cluster) = inner.clusters.get_mut(cluster_id) {
                let uid = cluster.next_uid;
                cluster.next_uid += 1;
                cluster.users.insert(
                    user_name.into(),
                    UserRecord {
                        create_time: created,
                        job_id: Some(job.job_id.clone()),
                        networks: Some(networks.into()),
                        mode: None,
                        role: member(),
                        uid_number: uid,
                        hpcuser_id: String::new(),
                    },
                );
            }
        }
        Self::insert_job(inner, job.clone());
        Ok(job)
    }

    /// EHPC `addUser`: an existing name is refused at once with 2110.
    pub fn add_ehpc_user(
        &self,
        owner_key: &str,
        cluster_id: &str,
        zone: &str,
        username: &str,
        mode: Option<&str>,
    ) -> Result<Job, ApiError> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let cluster = Self::cluster_mut(inner, cluster_id, ClusterKind::Ehpc, zone, owner_key)?;
        if cluster.users.contains_key(username) {
            return Err(ApiError::already_exists(format!(
                "user [{username}] already exists on cluster [{cluster_id}]"
            )));
        }
        let job = self.new_job(
            inner,
            "HpcUserAddUser",
            owner_key,
            zone,
            cluster_id,
            Outcome::Successful,
        );
        let hpcuser_id = format!("hpcuser-{}", self.rng.base36(8));
        if let Some(cluster) = inner.clusters.get_mut(cluster_id) {
            let uid = cluster.next_uid;
            cluster.next_uid += 1;
            cluster.users.insert(
                username.into(),
                UserRecord {
                    create_time: job.created_ms / 1000,
                    job_id: Some(job.job_id.clone()),
                    networks: None,
                    mode: mode.map(str::to_string),
                    role: member(),
                    uid_number: uid,
                    hpcuser_id,
                },
            );
        }
        Self::insert_job(inner, job.clone());
        Ok(job)
    }

    /// EHPC `deleteUser`: the user goes at once; the job reports it.
    pub fn delete_ehpc_user(
        &self,
        owner_key: &str,
        cluster_id: &str,
        zone: &str,
        username: &str,
    ) -> Result<Job, ApiError> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let cluster = Self::cluster_mut(inner, cluster_id, ClusterKind::Ehpc, zone, owner_key)?;
        match cluster.users.get(username) {
            None => {
                return Err(ApiError::not_found(format!(
                    "user [{}] not found on cluster [{cluster_id}]",
                    shown(username)
                )))
            }
            Some(user) if user.role == "admin" => {
                return Err(ApiError::denied(format!(
                    "the admin user [{username}] of cluster [{cluster_id}] can not be deleted"
                )))
            }
            Some(_) => {}
        }
        cluster.users.remove(username);
        let job = self.new_job(
            inner,
            "HpcUserDeleteUser",
            owner_key,
            zone,
            cluster_id,
            Outcome::Successful,
        );
        Self::insert_job(inner, job.clone());
        Ok(job)
    }

    fn user_visible(inner: &Inner, user: &UserRecord, now: i64) -> bool {
        match &user.job_id {
            None => true,
            Some(id) => inner
                .jobs
                .get(id)
                .is_none_or(|job| job.status_at(now).0 == Status::Successful),
        }
    }

    /// EHPC users of `owner_key` in `zone`, optionally of one cluster and matching a search word.
    pub fn list_ehpc_users(
        &self,
        owner_key: &str,
        zone: &str,
        cluster_id: Option<&str>,
        search_word: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<EhpcUserView>), ApiError> {
        let now = now_ms();
        let inner = self.lock();
        if let Some(id) = cluster_id {
            match inner.clusters.get(id) {
                Some(c) if c.kind == ClusterKind::Ehpc && c.zone == zone => {
                    if c.owner_key != owner_key {
                        return Err(ApiError::denied(format!(
                            "resource [{id}] does not belong to you"
                        )));
                    }
                }
                _ => {
                    return Err(ApiError::not_found(format!(
                        "resource [{}] not found in zone [{}]",
                        shown(id),
                        shown(zone)
                    )))
                }
            }
        }
        let owner = self.owners.get(owner_key).cloned().unwrap_or_default();
        let mut clusters: Vec<&ClusterState> = inner
            .clusters
            .values()
            .filter(|c| c.kind == ClusterKind::Ehpc && c.zone == zone && c.owner_key == owner_key)
            .filter(|c| cluster_id.is_none_or(|id| c.id == id))
            .collect();
        clusters.sort_by(|a, b| a.id.cmp(&b.id));
        let all: Vec<EhpcUserView> = clusters
            .iter()
            .flat_map(|c| c.users.iter().map(move |(name, user)| (*c, name, user)))
            .filter(|(_, name, _)| search_word.is_none_or(|w| name.contains(w)))
            .filter(|(_, _, user)| Self::user_visible(&inner, user, now))
            .map(|(c, name, user)| EhpcUserView {
                cluster_id: c.id.clone(),
                create_time: format_timestamp(user.create_time),
                gid_number: user.uid_number.to_string(),
                hpcuser_id: user.hpcuser_id.clone(),
                mode: user.mode.clone(),
                nas_mount_point: format!("/share/home/{name}"),
                role: user.role.clone(),
                uid_number: user.uid_number.to_string(),
                update_time: format_timestamp(user.create_time),
                user_id: owner.clone(),
                username: name.clone(),
            })
            .collect();
        let total = all.len();
        Ok((total, all.into_iter().skip(offset).take(limit).collect()))
    }

    /// DescribeJobs: the jobs of `owner_key` in `zone`, newest first. Naming a job that does not
    /// exist (or is another key's) is an error, as the DescribeJobs page of QingCloud's
    /// documentation says.
    pub fn describe_jobs(
        &self,
        owner_key: &str,
        zone: &str,
        query: &JobQuery,
    ) -> Result<(usize, Vec<JobView>), ApiError> {
        let now = now_ms();
        let inner = self.lock();
        let visible = |job: &Job| job.owner_key == owner_key && job.zone == zone;
        for id in &query.job_ids {
            if !inner.jobs.get(id).is_some_and(visible) {
                return Err(ApiError::not_found(format!(
                    "resource [{}] not found",
                    shown(id)
                )));
            }
        }
        let candidates: Box<dyn Iterator<Item = &Job>> = if query.job_ids.is_empty() {
            Box::new(
                inner
                    .job_order
                    .iter()
                    .rev()
                    .filter_map(|id| inner.jobs.get(id)),
            )
        } else {
            let mut named = std::collections::HashSet::new();
            let mut jobs: Vec<&Job> = query
                .job_ids
                .iter()
                .filter(|id| named.insert(id.as_str()))
                .filter_map(|id| inner.jobs.get(id))
                .collect();
            jobs.sort_by_key(|job| std::cmp::Reverse(job.created_ms));
            Box::new(jobs.into_iter())
        };
        let owner = self.owners.get(owner_key).cloned().unwrap_or_default();
        let mut total = 0;
        let mut page = Vec::new();
        for job in candidates.filter(|j| visible(j)) {
            let (status, since) = job.status_at(now);
            if !query.statuses.is_empty() && !query.statuses.contains(&status) {
                continue;
            }
            if query
                .job_action
                .as_deref()
                .is_some_and(|a| a != job.job_action)
            {
                continue;
            }
            total += 1;
            if total <= query.offset || page.len() >= query.limit {
                continue;
            }
            let failure = match (&job.outcome, status) {
                (Outcome::Failed { code, message }, Status::Failed) => {
                    Some((*code, message.clone()))
                }
                _ => None,
            };
            page.push(JobView {
                job_id: job.job_id.clone(),
                job_action: job.job_action.clone(),
                status: status.as_str(),
                create_time: iso(job.created_ms),
                status_time: iso(since),
                resource_ids: job.resource_ids.clone(),
                owner: owner.clone(),
                error_codes: failure
                    .as_ref()
                    .map(|(c, _)| c.to_string())
                    .unwrap_or_default(),
                error_code: failure.as_ref().map(|(c, _)| *c),
                error_message: failure.map(|(_, m)| m),
            });
        }
        Ok((total, page))
    }

    /// Every cluster and its users (names, roles, status; never a password), for `/_sandbox/users`.
    pub fn users_overview(&self) -> serde_json::Value {
        let now = now_ms();
        let inner = self.lock();
        let mut clusters: Vec<&ClusterState> = inner.clusters.values().collect();
        clusters.sort_by(|a, b| a.id.cmp(&b.id));
        let list: Vec<serde_json::Value> = clusters
            .iter()
            .map(|c| {
                let users: Vec<serde_json::Value> = c
                    .users
                    .iter()
                    .map(|(name, user)| {
                        serde_json::json!({
                            "name": name,
                            "created": Self::user_visible(&inner, user, now),
                            "job_id": user.job_id,
                            "role": user.role,
                            "networks": user.networks,
                            "mod": user.mode,
                        })
                    })
                    .collect();
                serde_json::json!({
                    "cluster_id": c.id,
                    "kind": c.kind.as_str(),
                    "zone": c.zone,
                    "access_key_id": c.owner_key,
                    "users": users,
                })
            })
            .collect();
        serde_json::json!({ "clusters": list, "jobs": inner.jobs.len() })
    }

    /// Writes the state file if anything changed since the last write. Concurrent callers are
    /// serialised and coalesced: one write covers every change made before it started.
    pub async fn persist(&self) -> Result<(), String> {
        let Some(path) = self.state_file.clone() else {
            return Ok(());
        };
        let mut written = self.written.lock().await;
        let (version, bytes) = {
            let inner = self.lock();
            if inner.version <= *written {
                return Ok(());
            }
            let mut jobs: Vec<Job> = inner
                .job_order
                .iter()
                .filter_map(|id| inner.jobs.get(id).cloned())
                .collect();
            jobs.sort_by_key(|j| j.created_ms);
            let mut clusters: Vec<ClusterState> = inner.clusters.values().cloned().collect();
            clusters.sort_by(|a, b| a.id.cmp(&b.id));
            let snapshot = Snapshot {
                format: 1,
                clusters,
                jobs,
            };
            let bytes = serde_json::to_vec_pretty(&snapshot).map_err(|e| e.to_string())?;
            (inner.version, bytes)
        };
        tokio::task::spawn_blocking(move || write_atomically(&path, &bytes))
            .await
            .map_err(|e| e.to_string())??;
        *written = version;
        Ok(())
    }
}

fn read_snapshot(path: &Path) -> Result<Snapshot, String> {
    let text = std::fs::read(path)
        .map_err(|e| format!("cannot read state file {}: {e}", path.display()))?;
    serde_json::from_slice(&text)
        .map_err(|e| format!("state file {} is not a sandbox state: {e}", path.display()))
}

/// Writes `bytes` to a temporary file next to `path`, flushes it to disk and renames it over
/// `path`, so that a reader (or a crash) sees the old file or the new one, never half of one. The
/// temporary file has a random name and is created exclusively with mode 0600 (by `tempfile`), so
/// that no one can have put a symbolic link or a file of their own in its place.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state.json".into());
    let result = (|| -> std::io::Result<()> {
        let mut file = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)?;
        file.write_all(bytes)?;
        file.as_file().sync_all()?;
        file.persist(path).map_err(|e| e.error)?;
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    result.map_err(|e| format!("cannot write state file {}: {e}", path.display()))
}

/// A stable 8-character id for users declared in the config.
fn short_hash(a: &str, b: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in a.bytes().chain([0]).chain(b.bytes()) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    Rng::new(h).base36(8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(delay: u64) -> Store {
        let mut config = Config::demo();
        config.job_delay_ms = delay;
        Store::new(&config, None).expect("store")
    }

    const AK: &str = crate::config::DEMO_ACCESS_KEY_ID;

    #[test]
    fn job_statuses_follow_the_clock() {
        let job = Job {
            job_id: "j-1".into(),
            job_action: "X".into(),
            owner_key: AK.into(),
            zone: "pek3".into(),
            resource_ids: String::new(),
            created_ms: 1000,
            pending_ms: 100,
            working_ms: 200,
            outcome: Outcome::Successful,
        };
        assert_eq!(job.status_at(1000), (Status::Pending, 1000));
        assert_eq!(job.status_at(1150), (Status::Working, 1100));
        assert_eq!(job.status_at(1300), (Status::Successful, 1300));
    }

    #[test]
    fn second_request_for_a_user_fails() {
        let store = store(0);
        let first = store
            .add_clickhouse_user(AK, "cl-sandbox1", "pek3", "alice", "::/0")
            .expect("accepted");
        let second = store
            .add_clickhouse_user(AK, "cl-sandbox1", "pek3", "alice", "::/0")
            .expect("accepted");
        assert_eq!(first.outcome, Outcome::Successful);
        assert!(matches!(second.outcome, Outcome::Failed { code: 2110, .. }));
        let existing = store
            .add_clickhouse_user(AK, "cl-sandbox1", "pek3", "default", "::/0")
            .expect("accepted");
        assert!(matches!(existing.outcome, Outcome::Failed { .. }));
    }

    #[test]
    fn clusters_are_checked() {
        let store = store(0);
        let err = store
            .add_clickhouse_user(AK, "cl-nothere", "pek3", "a", "::/0")
            .expect_err("unknown");
        assert_eq!(err.ret_code, 2100);
        let err = store
            .add_clickhouse_user(AK, "cl-sandbox1", "gd2", "a", "::/0")
            .expect_err("zone");
        assert_eq!(err.ret_code, 2100);
        let err = store
            .add_clickhouse_user("OTHER", "cl-sandbox1", "pek3", "a", "::/0")
            .expect_err("owner");
        assert_eq!(err.ret_code, 1400);
        let err = store
            .add_ehpc_user(AK, "ehpc-sandbox1", "pek3", "admin", None)
            .expect_err("exists");
        assert_eq!(err.ret_code, 2110);
    }

    #[test]
    fn describe_jobs_filters_and_pages() {
        let store = store(0);
        for name in ["a", "b", "c"] {
            store
                .add_clickhouse_user(AK, "cl-sandbox1", "pek3", name, "::/0")
                .expect("ok");
        }
        store
            .add_clickhouse_user(AK, "cl-sandbox1", "pek3", "a", "::/0")
            .expect("ok");
        let query = JobQuery {
            limit: 2,
            offset: 1,
            ..JobQuery::default()
        };
        let (total, page) = store.describe_jobs(AK, "pek3", &query).expect("ok");
        assert_eq!((total, page.len()), (4, 2));
        let failed = JobQuery {
            statuses: vec![Status::Failed],
            limit: 10,
            ..JobQuery::default()
        };
        let (total, page) = store.describe_jobs(AK, "pek3", &failed).expect("ok");
        assert_eq!(total, 1);
        assert_eq!(page[0].error_code, Some(2110));
        assert_eq!(page[0].error_codes, "2110");
        let (total, _) = store
            .describe_jobs("OTHER", "pek3", &JobQuery::default())
            .expect("ok");
        assert_eq!(total, 0);
        let missing = JobQuery {
            job_ids: vec!["j-nothere".into()],
            limit: 10,
            ..JobQuery::default()
        };
        assert_eq!(
            store
                .describe_jobs(AK, "pek3", &missing)
                .expect_err("missing")
                .ret_code,
            2100
        );
    }
}
