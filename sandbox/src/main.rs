//! `qingcloud-sandbox`: a local QingCloud-compatible server on 127.0.0.1. See sandbox/README.md.

use qingcloud_sandbox::{config, serve, App, Config, Options};
use std::io::Write;
use std::path::PathBuf;

const USAGE: &str = "\
usage: qingcloud-sandbox [options]

  --port N               port on 127.0.0.1 (default 8080; 0 picks a free port)
  --config FILE          accounts, clusters, users, job delay, faults (.toml or .json);
                         without it, the demo account
  --state FILE           keep users and jobs in FILE (atomic writes) across restarts
  --www DIR              the page, served at / (default: www)
  --pkg DIR              the built package, served at /pkg/ (default: pkg/web)
  --upstream-iaas URL    forward /iaas/ to URL unchanged (proxy mode)
  --upstream-ehpc URL    forward /api/ to URL unchanged (proxy mode)
  --allow-origin ORIGIN  let pages of ORIGIN (or * for any) call the API across origins
                         (repeatable; the real endpoints allow none, nor by default the sandbox)
  --quiet                no per-request log lines on stderr
  -h, --help             this help
  -V, --version          the version

The first line on stdout is `listening on http://127.0.0.1:PORT`.
";

struct Args {
    port: u16,
    config: Option<PathBuf>,
    options: Options,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        port: 8080,
        config: None,
        options: Options {
            log_requests: true,
            ..Options::default()
        },
    };
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_string(), Some(value.to_string()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "--port" => {
                let text = value("--port")?;
                parsed.port = text
                    .parse()
                    .map_err(|_| format!("--port takes a number from 0 to 65535, not {text:?}"))?;
            }
            "--config" => parsed.config = Some(PathBuf::from(value("--config")?)),
            "--state" => parsed.options.state_file = Some(PathBuf::from(value("--state")?)),
            "--www" => parsed.options.www = PathBuf::from(value("--www")?),
            "--pkg" => parsed.options.pkg = PathBuf::from(value("--pkg")?),
            "--upstream-iaas" => parsed.options.upstream_iaas = Some(value("--upstream-iaas")?),
            "--upstream-ehpc" => parsed.options.upstream_ehpc = Some(value("--upstream-ehpc")?),
            "--allow-origin" => parsed.options.allow_origins.push(value("--allow-origin")?),
            "--quiet" => parsed.options.log_requests = false,
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            "-V" | "--version" => {
                println!("qingcloud-sandbox {}", env!("CARGO_PKG_VERSION"));
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    Ok(parsed)
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
    let mut args = parse_args(std::env::args().skip(1))?;
    args.options.config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::demo(),
    };
    let demo = args.options.config.is_demo();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let app = App::new(args.options)?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
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

    fn parse(args: &[&str]) -> Result<Args, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn arguments() {
        let args = parse(&[
            "--port",
            "0",
            "--state=s.json",
            "--quiet",
            "--www",
            "w",
            "--allow-origin",
            "*",
        ])
        .expect("ok");
        assert_eq!(args.options.allow_origins, ["*"]);
        assert_eq!(args.port, 0);
        assert_eq!(args.options.state_file, Some(PathBuf::from("s.json")));
        assert!(!args.options.log_requests);
        assert_eq!(args.options.www, PathBuf::from("w"));
        assert_eq!(parse(&[]).expect("ok").port, 8080);
        assert!(parse(&["--port", "x"]).is_err());
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--nope"]).is_err());
    }
}
