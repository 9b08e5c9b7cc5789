//! The sandbox behind HTTPS with a certificate made at start, so that Node and Python tests can
//! run proxy mode end to end against a local TLS upstream:
//!
//!     cargo run -p qingcloud-sandbox --example tls-upstream -- CA_FILE [NAME]
//!
//! writes the CA certificate (PEM) to CA_FILE, serves the demo account over HTTPS with a
//! certificate for NAME (default `localhost`) and prints `listening on https://localhost:PORT`.

#[path = "../tests/common/tls.rs"]
mod tls;

use std::io::Write;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let Some(ca_file) = args.next() else {
        eprintln!("usage: tls-upstream CA_FILE [NAME]");
        std::process::exit(2);
    };
    let name = args.next().unwrap_or_else(|| "localhost".into());
    let inner = qingcloud_sandbox::start(qingcloud_sandbox::Options::default(), 0)
        .await
        .unwrap_or_else(|e| panic!("cannot start the sandbox: {e}"));
    let upstream = tls::tls_upstream(&name, inner).await;
    std::fs::write(&ca_file, &upstream.ca_pem)
        .unwrap_or_else(|e| panic!("cannot write {ca_file}: {e}"));
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "listening on {}", upstream.url);
    let _ = stdout.flush();
    // Until the test stops it.
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    match terminate {
        Ok(mut signal) => {
            signal.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
    upstream.stop().await;
}
