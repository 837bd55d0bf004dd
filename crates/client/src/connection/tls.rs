//! `TlsOptions`: TLS settings (rustls), and their translation to tonic's TLS config.

use std::fmt;
use std::time::Duration;

use tonic::transport::{Certificate, ClientTlsConfig, Identity};

use super::error::ConnectError;

/// TLS settings of a connection (rustls with the `ring` provider).
///
/// Without a custom CA the server certificate is checked against the Mozilla root
/// certificates compiled into the client (`webpki-roots`), so it works the same in any
/// container. With [`server_root_ca_cert`](Self::server_root_ca_cert) only that CA is
/// trusted.
///
/// ```
/// use temporal_client::{ConnectionOptions, TlsOptions};
/// # let (ca, cert, key) = (String::new(), String::new(), String::new());
/// let options = ConnectionOptions::new("temporal.internal:7233").tls(
///     TlsOptions::new()
///         .server_root_ca_cert(ca)
///         .domain("temporal.internal")
///         .client_cert(cert, key),
/// );
/// ```
#[derive(Clone, Default)]
pub struct TlsOptions {
    server_root_ca_pem: Option<Vec<u8>>,
    domain: Option<String>,
    client_cert: Option<(Vec<u8>, Vec<u8>)>,
}

impl TlsOptions {
    /// TLS with the public web roots and the server name taken from the address.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts only this CA (PEM; one or more certificates) for the server certificate.
    pub fn server_root_ca_cert(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.server_root_ca_pem = Some(pem.into());
        self
    }

    /// The name the server certificate must carry, when it differs from the host of the
    /// address (e.g. connecting by IP, or through a tunnel).
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Presents this client certificate (PEM chain) and private key (PEM) for mutual
    /// TLS. The key never appears in `Debug` output.
    pub fn client_cert(
        mut self,
        cert_pem: impl Into<Vec<u8>>,
        key_pem: impl Into<Vec<u8>>,
    ) -> Self {
        self.client_cert = Some((cert_pem.into(), key_pem.into()));
        self
    }

    /// Checks the PEM blocks and builds tonic's TLS config.
    pub(crate) fn to_tonic(
        &self,
        address: &str,
        handshake_timeout: Duration,
    ) -> Result<ClientTlsConfig, ConnectError> {
        let tls_error = |reason: &str| ConnectError::Tls {
            address: address.to_owned(),
            source: reason.into(),
        };
        let mut config = ClientTlsConfig::new().timeout(handshake_timeout);
        if let Some(domain) = &self.domain {
            if domain.is_empty() {
                return Err(tls_error("the TLS server name (domain) is empty"));
            }
            config = config.domain_name(domain.clone());
        }
        config = match &self.server_root_ca_pem {
            Some(pem) => {
                if !contains_pem_block(pem, "CERTIFICATE") {
                    return Err(tls_error(
                        "the server root CA is not a PEM certificate (no '-----BEGIN CERTIFICATE-----' block)",
                    ));
                }
                config.ca_certificate(Certificate::from_pem(pem))
            }
            None => config.with_webpki_roots(),
        };
        if let Some((cert, key)) = &self.client_cert {
            if !contains_pem_block(cert, "CERTIFICATE") {
                return Err(tls_error(
                    "the client certificate is not a PEM certificate (no '-----BEGIN CERTIFICATE-----' block)",
                ));
            }
            if !contains_pem_block(key, "PRIVATE KEY") {
                return Err(tls_error(
                    "the client key is not a PEM private key (no '-----BEGIN ... PRIVATE KEY-----' block)",
                ));
            }
            config = config.identity(Identity::from_pem(cert, key));
        }
        Ok(config)
    }
}

/// Whether `pem` has a `-----BEGIN <...label>-----` line, e.g. label `PRIVATE KEY`
/// matches `EC PRIVATE KEY` too.
fn contains_pem_block(pem: &[u8], label: &str) -> bool {
    let Ok(text) = std::str::from_utf8(pem) else {
        return false;
    };
    text.lines().any(|line| {
        line.trim()
            .strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.strip_suffix("-----"))
            .is_some_and(|found| found.ends_with(label))
    })
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions")
            .field(
                "server_root_ca_cert",
                &self
                    .server_root_ca_pem
                    .as_ref()
                    .map(|p| format!("{} bytes", p.len())),
            )
            .field("domain", &self.domain)
            .field(
                "client_cert",
                &self.client_cert.as_ref().map(|_| "<cert and redacted key>"),
            )
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const KEY: &str = "-----BEGIN PRIVATE KEY-----\nsecret-key-bytes\n-----END PRIVATE KEY-----\n";

    #[test]
    fn pem_blocks_are_recognised_by_label() {
        assert!(contains_pem_block(CERT.as_bytes(), "CERTIFICATE"));
        assert!(contains_pem_block(
            b"-----BEGIN EC PRIVATE KEY-----\nx\n",
            "PRIVATE KEY"
        ));
        assert!(!contains_pem_block(b"not pem", "CERTIFICATE"));
        assert!(!contains_pem_block(KEY.as_bytes(), "CERTIFICATE"));
    }

    #[test]
    fn garbage_ca_or_key_is_a_tls_error_naming_the_address() {
        let timeout = Duration::from_secs(1);
        let err = TlsOptions::new()
            .server_root_ca_cert("nope")
            .to_tonic("h:1", timeout)
            .err();
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("h:1") && text.contains("root CA"), "{text}");

        let err = TlsOptions::new()
            .client_cert(CERT, "nope")
            .to_tonic("h:1", timeout)
            .err();
        assert!(matches!(err, Some(ConnectError::Tls { .. })));
        assert!(
            TlsOptions::new()
                .client_cert(CERT, KEY)
                .to_tonic("h:1", timeout)
                .is_ok()
        );
    }

    #[test]
    fn debug_hides_the_client_key() {
        let text = format!("{:?}", TlsOptions::new().client_cert(CERT, KEY));
        assert!(!text.contains("secret-key-bytes"), "{text}");
    }
}
