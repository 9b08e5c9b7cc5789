//! `qingcloud-sandbox`: a local QingCloud-compatible server on 127.0.0.1. See sandbox/README.md.

use clap::Parser;
use qingcloud_sandbox::{app, config, serve, App, Config, Options};
use std::io::Write;
use std::path::PathBuf;

/// A local QingCloud-compatible server on 127.0.0.1: the IaaS and EHPC add-user endpoints, jobs,
/// faults, the page and a same-origin proxy to the real endpoints.
///
/// The first line on stdout is `listening on http://127.0.0.1:PORT`.
#[derive(Parser, Debug)]
#[command(name = "qingcloud-sandbox", version)]
struct Cli {
    /// Port on 127.0.0.1 (0 picks a free port)
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Accounts, clusters, users, job delay, faults (.toml or .json); without it, the demo account
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Keep users and jobs in FILE (atomic writes) across restarts
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// The page, served at /
    #[arg(long, value_name = "DIR", default_value = "www")]
    www: PathBuf,
    /// The built package, served at /pkg/
    #[arg(long, value_name = "DIR", default_value = "pkg/web")]
    pkg: PathBuf,
    /// Forward /iaas/ to URL (proxy mode; see sandbox/README.md for what is forwarded)
    #[arg(long, value_name = "URL")]
    upstream_iaas: Option<String>,
    /// Forward /api/ to URL (proxy mode)
    #[arg(long, value_name = "URL")]
    upstream_ehpc: Option<String>,
    /// Also trust the CA certificates in FILE (PEM) for https:// upstreams
    #[arg(long, value_name = "FILE")]
    upstream_ca: Option<PathBuf>,
    /// Let pages of ORIGIN (or * for any) call the API and control endpoints across origins
    /// (repeatable; the real endpoints allow none, nor by default the sandbox)
    #[arg(long, value_name = "ORIGIN")]
    allow_origin: Vec<String>,
    /// Connections served at once; more wait (lowered to fit the open-file limit)
    #[arg(long, value_name = "N", default_value_t = app::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// No per-request log lines on stderr
    #[arg(long)]
    quiet: bool,
}

impl Cli {
    fn options(self) -> Result<(u16, Options), String> {
        let config = match &self.config {
            Some(path) => Config::load(path)?,
            None => Config::demo(),
        };
        let options = Options {
            config,
            state_file: self.state,
            www: self.www,
            pkg: self.pkg,
            upstream_iaas: self.upstream_iaas,
            upstream_ehpc: self.upstream_ehpc,
            upstream_ca: self.upstream_ca,
            log_requests: !self.quiet,
            allow_origins: self.allow_origin,
            max_connections: self.max_connections,
            ..Options::default()
        };
        Ok((self.port, options))
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

fn run() -> Result<(), String> {
    let (port, options) = Cli::parse().options()?;
    let demo = options.config.is_demo();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let app = App::new(options)?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", port))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        // Also persists the state (a new state file is created at once).
        app.store.persist().await?;
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "listening on http://127.0.0.1:{}", addr.port());
        let _ = stdout.flush();
        if demo {
            app.log.note(format!(
                "demo account: access key id {}, zone {}, ClickHouse cluster {}, EHPC cluster {} (secret: see sandbox/README.md)",
                config::DEMO_ACCESS_KEY_ID,
                config::DEMO_ZONE,
                config::DEMO_CLICKHOUSE_CLUSTER,
                config::DEMO_EHPC_CLUSTER
            ));
        }
        serve(app, listener, shutdown_signal()).await;
        Ok(())
    })
}

fn main() {
    if let Err(e) = run() {
        eprintln!("qingcloud-sandbox: {e}");
        std::process::exit(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("qingcloud-sandbox").chain(args.iter().copied()))
    }

    #[test]
    fn arguments() {
        Cli::command().debug_assert();
        let cli = parse(&[
            "--port",
            "0",
            "--state=s.json",
            "--quiet",
            "--www",
            "w",
            "--allow-origin",
            "*",
            "--allow-origin=http://127.0.0.1:1",
            "--upstream-ca",
            "ca.pem",
        ])
        .expect("ok");
        let (port, options) = cli.options().expect("options");
        assert_eq!(options.allow_origins, ["*", "http://127.0.0.1:1"]);
        assert_eq!(port, 0);
        assert_eq!(options.state_file, Some(PathBuf::from("s.json")));
        assert!(!options.log_requests);
        assert_eq!(options.www, PathBuf::from("w"));
        assert_eq!(options.pkg, PathBuf::from("pkg/web"));
        assert_eq!(options.upstream_ca, Some(PathBuf::from("ca.pem")));
        assert_eq!(parse(&[]).expect("ok").port, 8080);
        assert!(parse(&["--port", "x"]).is_err());
        assert!(parse(&["--port", "70000"]).is_err());
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--nope"]).is_err());
        let help = Cli::command().render_long_help().to_string();
        for option in [
            "--port",
            "--config",
            "--state",
            "--www",
            "--pkg",
            "--upstream-iaas",
            "--upstream-ehpc",
            "--upstream-ca",
            "--allow-origin",
            "--max-connections",
            "--quiet",
            "--help",
            "--version",
        ] {
            assert!(help.contains(option), "{option} in {help}");
        }
    }
}
