//! `Connection` over TLS and mutual TLS, against an in-process tonic server with
//! certificates made at test time by rcgen.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod connection_support;

use std::time::Duration;

use connection_support::TestServer;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
};
use temporal_client::{ConnectError, Connection, ConnectionOptions, TlsOptions};
use temporal_client_core::WorkflowService;
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;
use tonic::transport::{Certificate, Identity, ServerTlsConfig};

/// A CA and a certificate + key it signed, all PEM.
struct Pki {
    ca_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

struct Leaf {
    cert_pem: String,
    key_pem: String,
}

impl Pki {
    fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().unwrap();
        let ca_pem = params.self_signed(&key).unwrap().pem();
        Self {
            ca_pem,
            issuer: Issuer::new(params, key),
        }
    }

    fn leaf(&self, names: &[&str], usage: ExtendedKeyUsagePurpose) -> Leaf {
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        params.extended_key_usages = vec![usage];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

fn server_tls(pki: &Pki, client_ca: Option<&Pki>) -> ServerTlsConfig {
    let leaf = pki.leaf(&["localhost"], ExtendedKeyUsagePurpose::ServerAuth);
    let mut config =
        ServerTlsConfig::new().identity(Identity::from_pem(&leaf.cert_pem, &leaf.key_pem));
    if let Some(client_ca) = client_ca {
        config = config.client_ca_root(Certificate::from_pem(&client_ca.ca_pem));
    }
    config
}

fn options(server: &TestServer, tls: TlsOptions) -> ConnectionOptions {
    ConnectionOptions::new(server.address())
        .tls(tls)
        .connect_timeout(Duration::from_secs(2))
}

#[tokio::test]
async fn tls_with_a_custom_ca_and_server_name() {
    let pki = Pki::new("test CA");
    let server = TestServer::start_with(Some(server_tls(&pki, None))).await;
    let tls = TlsOptions::new()
        .server_root_ca_cert(pki.ca_pem.clone())
        .domain("localhost");
    let conn = Connection::connect(options(&server, tls))
        .await
        .expect("TLS connect");
    assert_eq!(
        conn.system_info().map(|i| i.server_version.as_str()),
        Some("in-process-test")
    );
    conn.describe_namespace(wf::DescribeNamespaceRequest::default().into())
        .await
        .expect("a call over TLS");
}

#[tokio::test]
async fn api_key_travels_over_tls() {
    let pki = Pki::new("test CA");
    let server = TestServer::start_with(Some(server_tls(&pki, None))).await;
    server
        .script
        .required_api_key
        .lock()
        .unwrap()
        .replace("cloud-key".into());
    let tls = TlsOptions::new()
        .server_root_ca_cert(pki.ca_pem.clone())
        .domain("localhost");
    let conn = Connection::connect(options(&server, tls).api_key("cloud-key"))
        .await
        .expect("TLS connect with an API key");
    conn.describe_namespace(wf::DescribeNamespaceRequest::default().into())
        .await
        .unwrap();
    assert_eq!(
        server.script.last_headers("DescribeNamespace")["authorization"],
        "Bearer cloud-key"
    );
}

#[tokio::test]
async fn a_server_certificate_from_an_unknown_ca_is_refused() {
    let pki = Pki::new("server CA");
    let other = Pki::new("some other CA");
    let server = TestServer::start_with(Some(server_tls(&pki, None))).await;
    let tls = TlsOptions::new()
        .server_root_ca_cert(other.ca_pem.clone())
        .domain("localhost");
    // A generous connect timeout: a TLS failure is reported at once, not retried.
    let started = std::time::Instant::now();
    let err = Connection::connect(options(&server, tls).connect_timeout(Duration::from_secs(20)))
        .await
        .expect_err("untrusted server certificate");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let text = err.to_string();
    assert!(matches!(err, ConnectError::Tls { .. }), "{text}");
    let origin = std::error::Error::source(&err)
        .and_then(|s| s.downcast_ref::<temporal_client::ServiceError>())
        .map(|e| (e.origin(), e.attempts()));
    assert_eq!(
        origin,
        Some((temporal_client::ErrorOrigin::Tls, 1)),
        "one attempt, a TLS error"
    );
    assert!(text.to_lowercase().contains("certificate"), "{text}");
    assert!(text.contains(&server.address()), "{text}");
}

#[tokio::test]
async fn a_wrong_server_name_is_refused() {
    let pki = Pki::new("test CA");
    let server = TestServer::start_with(Some(server_tls(&pki, None))).await;
    let tls = TlsOptions::new()
        .server_root_ca_cert(pki.ca_pem.clone())
        .domain("not-the-server.example");
    let started = std::time::Instant::now();
    let err = Connection::connect(options(&server, tls).connect_timeout(Duration::from_secs(20)))
        .await
        .expect_err("name mismatch");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, ConnectError::Tls { .. }), "{err}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
}

#[tokio::test]
async fn mutual_tls_needs_the_client_certificate() {
    let server_pki = Pki::new("server CA");
    let client_pki = Pki::new("client CA");
    let server = TestServer::start_with(Some(server_tls(&server_pki, Some(&client_pki)))).await;
    let base = TlsOptions::new()
        .server_root_ca_cert(server_pki.ca_pem.clone())
        .domain("localhost");

    // A generous connect timeout: the refusal is a TLS error reported at once, not
    // a transport failure retried until the timeout.
    let started = std::time::Instant::now();
    let err = Connection::connect(
        options(&server, base.clone()).connect_timeout(Duration::from_secs(20)),
    )
    .await
    .expect_err("the server requires a client certificate");
    let mut chain = format!("{err:?}");
    let mut cause = std::error::Error::source(&err);
    while let Some(c) = cause {
        chain.push_str(&format!("\n <- {c:?}"));
        cause = c.source();
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}: {chain}",
        started.elapsed()
    );
    assert!(matches!(err, ConnectError::Tls { .. }), "{err}");
    assert!(err.to_string().contains(&server.address()), "{err}");

    let client = client_pki.leaf(&["worker-1"], ExtendedKeyUsagePurpose::ClientAuth);
    let conn = Connection::connect(options(
        &server,
        base.client_cert(client.cert_pem, client.key_pem),
    ))
    .await
    .expect("mTLS connect");
    conn.describe_namespace(wf::DescribeNamespaceRequest::default().into())
        .await
        .expect("a call over mTLS");
}

#[tokio::test]
async fn plain_text_to_a_tls_server_fails() {
    let pki = Pki::new("test CA");
    let server = TestServer::start_with(Some(server_tls(&pki, None))).await;
    let err = Connection::connect(
        ConnectionOptions::new(server.address()).connect_timeout(Duration::from_millis(600)),
    )
    .await
    .expect_err("no TLS");
    assert!(err.to_string().contains(&server.address()), "{err}");
}

#[tokio::test]
async fn bad_pem_is_an_option_error_before_any_io() {
    let err = Connection::lazy(
        ConnectionOptions::new("localhost:1").tls(TlsOptions::new().server_root_ca_cert("junk")),
    )
    .err();
    assert!(matches!(err, Some(ConnectError::Tls { .. })), "{err:?}");
}

#[tokio::test]
async fn tls_to_a_plain_text_server_is_a_tls_error_at_once() {
    let server = TestServer::start_with(None).await;
    let pki = Pki::new("test CA");
    let started = std::time::Instant::now();
    let err = Connection::connect(
        options(
            &server,
            TlsOptions::new().server_root_ca_cert(pki.ca_pem.clone()),
        )
        .connect_timeout(Duration::from_secs(5)),
    )
    .await
    .expect_err("the server speaks no TLS");
    assert!(matches!(err, ConnectError::Tls { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a handshake failure is not retried until the connect timeout: {:?}",
        started.elapsed()
    );
}
