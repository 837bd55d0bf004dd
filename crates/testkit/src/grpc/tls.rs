//! TLS for the [`TestServer`](super::TestServer): a throw-away certificate authority,
//! a server certificate for `localhost` / `127.0.0.1`, and for mutual TLS a client
//! certificate, all generated when the server starts.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::TestServerError;

/// The name the server certificate is issued for; clients verify against it.
pub const TLS_SERVER_NAME: &str = "localhost";

/// Which TLS the [`TestServer`](super::TestServer) speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// The server presents a certificate; clients need no certificate.
    ServerOnly,
    /// Mutual TLS: clients must present a certificate issued by the test CA.
    Mutual,
}

/// What a client needs to connect to a TLS [`TestServer`](super::TestServer), in PEM.
#[derive(Clone)]
pub struct TlsCredentials {
    /// The certificate authority that issued the server (and client) certificates.
    pub ca_pem: String,
    /// The name to verify the server certificate against ([`TLS_SERVER_NAME`]).
    pub server_name: String,
    /// For [`TlsMode::Mutual`]: a client certificate the server accepts.
    pub client_cert_pem: Option<String>,
    /// For [`TlsMode::Mutual`]: the private key of `client_cert_pem`.
    pub client_key_pem: Option<String>,
}

impl std::fmt::Debug for TlsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsCredentials")
            .field("server_name", &self.server_name)
            .field("client_cert", &self.client_cert_pem.is_some())
            .finish_non_exhaustive()
    }
}

impl TlsCredentials {
    /// A tonic client TLS configuration trusting the test CA, with the client identity
    /// for mutual TLS.
    pub fn client_tls_config(&self) -> tonic::transport::ClientTlsConfig {
        let config = tonic::transport::ClientTlsConfig::new()
            .ca_certificate(tonic::transport::Certificate::from_pem(&self.ca_pem))
            .domain_name(self.server_name.clone());
        match (&self.client_cert_pem, &self.client_key_pem) {
            (Some(cert), Some(key)) => {
                config.identity(tonic::transport::Identity::from_pem(cert, key))
            }
            _ => config,
        }
    }
}

fn tls_error(what: &str, error: impl std::fmt::Display) -> TestServerError {
    TestServerError::Tls(format!("{what}: {error}"))
}

/// Generates the certificates and the acceptor for `mode`.
pub(crate) fn generate(mode: TlsMode) -> Result<(TlsAcceptor, TlsCredentials), TestServerError> {
    let gen_err = |e: rcgen::Error| tls_error("could not generate a test certificate", e);

    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(gen_err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "temporal-testkit test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(gen_err)?)
        .map_err(gen_err)?;

    let server_key = KeyPair::generate().map_err(gen_err)?;
    let mut server_params =
        CertificateParams::new(vec![TLS_SERVER_NAME.to_owned(), "127.0.0.1".to_owned()])
            .map_err(gen_err)?;
    server_params
        .distinguished_name
        .push(DnType::CommonName, TLS_SERVER_NAME);
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server_params.signed_by(&server_key, &ca).map_err(gen_err)?;

    let (client_cert_pem, client_key_pem) = match mode {
        TlsMode::ServerOnly => (None, None),
        TlsMode::Mutual => {
            let key = KeyPair::generate().map_err(gen_err)?;
            let mut params = CertificateParams::new(vec!["temporal-testkit-client".to_owned()])
                .map_err(gen_err)?;
            params
                .distinguished_name
                .push(DnType::CommonName, "temporal-testkit-client");
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
            let cert = params.signed_by(&key, &ca).map_err(gen_err)?;
            (Some(cert.pem()), Some(key.serialize_pem()))
        }
    };

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error("could not configure TLS", e))?;
    let builder = match mode {
        TlsMode::ServerOnly => builder.with_no_client_auth(),
        TlsMode::Mutual => {
            let mut roots = rustls::RootCertStore::empty();
            roots
                .add(ca.der().clone())
                .map_err(|e| tls_error("could not trust the test CA", e))?;
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(|e| tls_error("could not build the client certificate check", e))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let chain: Vec<CertificateDer<'static>> = vec![server_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| tls_error("could not use the server certificate", e))?;
    config.alpn_protocols = vec![b"h2".to_vec()];

    let credentials = TlsCredentials {
        ca_pem: ca.pem(),
        server_name: TLS_SERVER_NAME.to_owned(),
        client_cert_pem,
        client_key_pem,
    };
    Ok((TlsAcceptor::from(Arc::new(config)), credentials))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn mutual_mode_issues_a_client_identity_and_server_only_does_not() {
        let (_, server_only) = generate(TlsMode::ServerOnly).expect("server-only TLS");
        assert!(
            server_only
                .ca_pem
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        assert_eq!(server_only.server_name, "localhost");
        assert!(server_only.client_cert_pem.is_none() && server_only.client_key_pem.is_none());

        let (_, mutual) = generate(TlsMode::Mutual).expect("mutual TLS");
        assert!(
            mutual
                .client_cert_pem
                .as_deref()
                .is_some_and(|p| p.contains("CERTIFICATE"))
        );
        assert!(
            mutual
                .client_key_pem
                .as_deref()
                .is_some_and(|p| p.contains("PRIVATE KEY"))
        );
        assert_ne!(
            mutual.ca_pem, server_only.ca_pem,
            "each server gets its own CA"
        );
    }
}
