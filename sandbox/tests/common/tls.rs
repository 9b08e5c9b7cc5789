//! A sandbox behind HTTPS, as the real endpoints are: a TLS front made here (rcgen: a CA and a
//! certificate it signs for one name) relaying each connection to a plain in-process sandbox,
//! which verifies every signature as usual.

use qingcloud_sandbox::Running;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{crypto::ring, ServerConfig};
use tokio_rustls::TlsAcceptor;

pub struct TlsUpstream {
    /// `https://localhost:PORT`.
    pub url: String,
    /// The CA certificate, PEM: what `--upstream-ca` is given.
    pub ca_pem: String,
    pub inner: Running,
    task: tokio::task::JoinHandle<()>,
}

impl TlsUpstream {
    pub async fn stop(self) {
        self.task.abort();
        self.inner.stop().await;
    }
}

/// A CA, and a server configuration with a certificate for `name` signed by it.
pub fn certificates(name: &str) -> Result<(String, ServerConfig), String> {
    let error = |e: rcgen::Error| e.to_string();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(error)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "qingcloud-sandbox test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(error)?)
        .map_err(error)?;
    let key = KeyPair::generate().map_err(error)?;
    let leaf = CertificateParams::new(vec![name.to_string()])
        .map_err(error)?
        .signed_by(&key, &ca)
        .map_err(error)?;
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], private)
        .map_err(|e| e.to_string())?;
    Ok((ca.pem(), config))
}

/// Serves `inner` over HTTPS on 127.0.0.1:0 with a certificate for `name`.
pub async fn tls_upstream(name: &str, inner: Running) -> TlsUpstream {
    let (ca_pem, config) = certificates(name).expect("certificates");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let target = inner.addr;
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(target).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    TlsUpstream {
        url: format!("https://localhost:{port}"),
        ca_pem,
        inner,
        task,
    }
}
