//! `TlsOptions`: TLS settings, and their translation to a rustls client config (feature
//! `tls`, on by default).

use std::fmt;
use std::sync::Arc;

#[cfg(feature = "tls")]
use rustls::crypto::CryptoProvider;
#[cfg(feature = "tls")]
use rustls::pki_types::pem::PemObject as _;
#[cfg(feature = "tls")]
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
#[cfg(feature = "tls")]
use rustls::{ClientConfig, RootCertStore};

use super::error::ConnectError;
use super::h2_channel::Connect;

/// TLS settings of a connection (rustls with the `ring` provider).
///
/// TLS is compiled in with the crate feature `tls` (on by default). Without it these
/// settings still exist, so configuration code builds the same, but a connection that
/// would use TLS fails with [`ConnectError::TlsNotEnabled`].
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

    /// Checks the settings before anything is parsed, with messages that say which
    /// PEM block is wrong.
    fn check(&self, address: &str) -> Result<(), ConnectError> {
        let tls_error = |reason: &str| ConnectError::Tls {
            address: address.to_owned(),
            source: reason.into(),
        };
        if self.domain.as_deref().is_some_and(str::is_empty) {
            return Err(tls_error("the TLS server name (domain) is empty"));
        }
        if let Some(pem) = &self.server_root_ca_pem
            && !contains_pem_block(pem, "CERTIFICATE")
        {
            return Err(tls_error(
                "the server root CA is not a PEM certificate (no '-----BEGIN CERTIFICATE-----' block)",
            ));
        }
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
        }
        Ok(())
    }
}

impl TlsOptions {
    /// TLS over the byte streams of `inner`, for the connection to `address` whose host
    /// is `host` (the server name unless [`domain`](Self::domain) was set).
    #[cfg(feature = "tls")]
    pub(crate) fn connector(
        &self,
        address: &str,
        host: &str,
        inner: Arc<dyn Connect>,
    ) -> Result<Arc<dyn Connect>, ConnectError> {
        let rustls = self.to_rustls(address, host)?;
        Ok(Arc::new(super::connector::TlsConnector::new(
            inner,
            rustls.config,
            rustls.server_name,
        )))
    }

    /// Without the `tls` feature: the settings are still checked (a bad PEM block is
    /// reported as such), then the connection is refused with
    /// [`ConnectError::TlsNotEnabled`]; nothing is ever sent in plain text instead.
    #[cfg(not(feature = "tls"))]
    pub(crate) fn connector(
        &self,
        address: &str,
        _host: &str,
        _inner: Arc<dyn Connect>,
    ) -> Result<Arc<dyn Connect>, ConnectError> {
        Err(self.refusal(address))
    }

    /// Why a build without the `tls` feature refuses a connection to `address` that
    /// needs TLS: a bad PEM block as such, else [`ConnectError::TlsNotEnabled`].
    /// Compiled in every build, so its tests run in the usual (all-features) one.
    #[cfg_attr(feature = "tls", allow(dead_code))]
    fn refusal(&self, address: &str) -> ConnectError {
        match self.check(address) {
            Err(bad_settings) => bad_settings,
            Ok(()) => ConnectError::TlsNotEnabled {
                address: address.to_owned(),
            },
        }
    }
}

/// The rustls settings of a connection: the client config (roots, client certificate,
/// ALPN `h2`) and the name the server certificate must carry.
#[cfg(feature = "tls")]
pub(crate) struct RustlsSettings {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) server_name: ServerName<'static>,
}

#[cfg(feature = "tls")]
impl TlsOptions {
    /// Checks the PEM blocks and builds the rustls client config; `host` (of the
    /// address) is the server name unless [`domain`](Self::domain) was set.
    ///
    /// The same checks and defaults as tonic's `ClientTlsConfig`, which the connection
    /// used before it drove HTTP/2 itself: the process-wide rustls crypto provider if
    /// one is installed, else `ring`; the `webpki-roots` or only the given CA.
    pub(crate) fn to_rustls(
        &self,
        address: &str,
        host: &str,
    ) -> Result<RustlsSettings, ConnectError> {
        let tls_error = |reason: String| ConnectError::Tls {
            address: address.to_owned(),
            source: reason.into(),
        };
        // The checks with the clearer messages first.
        self.check(address)?;
        let name = match &self.domain {
            Some(domain) => domain.as_str(),
            None => host.trim_start_matches('[').trim_end_matches(']'),
        };
        let server_name = ServerName::try_from(name.to_owned())
            .map_err(|e| tls_error(format!("'{name}' is not a usable TLS server name: {e}")))?;
        let mut roots = RootCertStore::empty();
        match &self.server_root_ca_pem {
            Some(pem) => {
                let certs = CertificateDer::pem_slice_iter(pem)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| tls_error(format!("the server root CA is not usable: {e}")))?;
                let (added, _) = roots.add_parsable_certificates(certs);
                if added == 0 {
                    return Err(tls_error(
                        "the server root CA holds no usable certificate".to_owned(),
                    ));
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let provider = CryptoProvider::get_default()
            .cloned()
            .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(e.to_string()))?
            .with_root_certificates(roots);
        let mut config = match &self.client_cert {
            Some((cert, key)) => {
                let chain = CertificateDer::pem_slice_iter(cert)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| tls_error(format!("the client certificate is not usable: {e}")))?;
                let key = PrivateKeyDer::from_pem_slice(key)
                    .map_err(|e| tls_error(format!("the client key is not usable: {e}")))?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| tls_error(format!("the client certificate is not usable: {e}")))?
            }
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols.push(b"h2".to_vec());
        Ok(RustlsSettings {
            config: Arc::new(config),
            server_name,
        })
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
    fn without_the_tls_feature_a_tls_connection_is_refused_not_sent_in_plain_text() {
        let err = TlsOptions::new().refusal("h:1");
        assert!(
            matches!(&err, ConnectError::TlsNotEnabled { address } if address == "h:1"),
            "{err:?}"
        );
        assert!(err.to_string().contains("`tls` feature"), "{err}");
        // Bad PEM is still reported as bad PEM.
        let err = TlsOptions::new().server_root_ca_cert("nope").refusal("h:1");
        assert!(matches!(err, ConnectError::Tls { .. }), "{err:?}");
    }

    #[cfg(feature = "tls")]
    #[test]
    fn garbage_ca_or_key_is_a_tls_error_naming_the_address() {
        let err = TlsOptions::new()
            .server_root_ca_cert("nope")
            .to_rustls("h:1", "h")
            .err();
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("h:1") && text.contains("root CA"), "{text}");

        let err = TlsOptions::new()
            .client_cert(CERT, "nope")
            .to_rustls("h:1", "h")
            .err();
        assert!(matches!(err, Some(ConnectError::Tls { .. })));
        assert!(TlsOptions::new().to_rustls("h:1", "h").is_ok());
        let err = TlsOptions::new().domain("").to_rustls("h:1", "h").err();
        assert!(matches!(err, Some(ConnectError::Tls { .. })));
    }

    #[test]
    fn debug_hides_the_client_key() {
        let text = format!("{:?}", TlsOptions::new().client_cert(CERT, KEY));
        assert!(!text.contains("secret-key-bytes"), "{text}");
    }
}
