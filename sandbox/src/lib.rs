//! A local QingCloud-compatible sandbox. It serves the IaaS endpoint (`/iaas/`:
//! `RunClusterCustomService` with `service=add_users`, `DescribeJobs`) and the EHPC user endpoints
//! (`/api/user...`), checks every request as the real API does (signatures verified from the raw
//! parameters with the `qingcloud-useradd` crate's own signing code, time stamps, access keys,
//! zones, the crate's validation rules), runs jobs that move from `pending` to `working` to
//! `successful` or `failed`, and serves the page and the built package on the same origin.
//!
//! Start it in-process with [`start`], or run the `qingcloud-sandbox` binary.

pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod control;
pub mod ehpc;
pub mod endpoint;
pub mod faults;
pub mod form;
pub mod iaas;
pub mod log;
pub mod proxy;
pub mod server;
pub mod state;
pub mod static_files;

pub use app::{App, Options};
pub use config::Config;
pub use server::{serve, start, Running};
