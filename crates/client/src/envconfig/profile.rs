//! `ClientConfigProfile`: one profile's settings, and their translation to
//! [`ConnectionOptions`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use super::error::EnvConfigError;
use crate::client::DEFAULT_NAMESPACE;
use crate::connection::{ConnectionOptions, DEFAULT_ADDRESS, TlsOptions};

/// PEM given inline or by a file path (`*_data` / `*_path` in the file,
/// `TEMPORAL_TLS_*_DATA` / `TEMPORAL_TLS_*_PATH` in the environment).
#[derive(Clone, PartialEq, Eq)]
pub enum DataSource {
    /// A file to read when the options are built.
    Path(PathBuf),
    /// The PEM itself.
    Data(Vec<u8>),
}

impl fmt::Debug for DataSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Path(p) => f.debug_tuple("Path").field(p).finish(),
            // Key material: only its size.
            Self::Data(d) => write!(f, "Data({} bytes)", d.len()),
        }
    }
}

/// The `tls` table of a profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientConfigTls {
    /// `disabled`: `Some(true)` turns TLS off (even with an API key); the other TLS
    /// settings are then not used. `TEMPORAL_TLS=false` sets it, `TEMPORAL_TLS=true`
    /// clears it.
    pub disabled: Option<bool>,
    /// `client_cert_path` / `client_cert_data`: the client certificate for mutual TLS.
    pub client_cert: Option<DataSource>,
    /// `client_key_path` / `client_key_data`: its private key.
    pub client_key: Option<DataSource>,
    /// `server_ca_cert_path` / `server_ca_cert_data`: the only CA trusted for the
    /// server certificate (default: the public web roots).
    pub server_ca_cert: Option<DataSource>,
    /// `server_name`: the name the server certificate must carry (SNI), when it
    /// differs from the address's host.
    pub server_name: Option<String>,
    /// `disable_host_verification`: `true` is refused (see
    /// [`ClientConfigProfile::to_connection_options`]); `false` is the default.
    pub disable_host_verification: Option<bool>,
}

/// The `codec` table of a profile: a remote payload codec server (as the Temporal UI
/// and CLI use). This client has no remote codec, so a profile that sets one is
/// refused by [`ClientConfigProfile::to_connection_options`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientConfigCodec {
    /// `endpoint`: the codec server's URL.
    pub endpoint: Option<String>,
    /// `auth`: the `authorization` header sent to it.
    pub auth: Option<String>,
}

impl fmt::Debug for ClientConfigCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfigCodec")
            .field("endpoint", &self.endpoint)
            .field("auth", &self.auth.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// One profile: where the server is, the namespace, credentials, TLS and headers.
///
/// Loaded with [`ClientConfigProfile::load`] (file, then environment variables over
/// it). The fields are public: set them to override what was loaded ("explicit options
/// in code win"), then call [`to_connection_options`](Self::to_connection_options) and
/// chain further [`ConnectionOptions`] setters on the result.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientConfigProfile {
    /// `address` / `TEMPORAL_ADDRESS` (default `localhost:7233`).
    pub address: Option<String>,
    /// `namespace` / `TEMPORAL_NAMESPACE` (default `default`).
    pub namespace: Option<String>,
    /// `api_key` / `TEMPORAL_API_KEY`: sent as `authorization: Bearer <key>`; turns
    /// TLS on unless TLS is disabled explicitly.
    pub api_key: Option<String>,
    /// The `tls` table and `TEMPORAL_TLS*`. Present (and not disabled) means TLS on.
    pub tls: Option<ClientConfigTls>,
    /// The `codec` table and `TEMPORAL_CODEC_*` (refused: no remote codec here).
    pub codec: Option<ClientConfigCodec>,
    /// The `grpc_meta` table and `TEMPORAL_GRPC_META_*`: headers sent on every call.
    /// Names are lower case with `-` for `_`.
    pub grpc_meta: BTreeMap<String, String>,
}

impl fmt::Debug for ClientConfigProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfigProfile")
            .field("address", &self.address)
            .field("namespace", &self.namespace)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("tls", &self.tls)
            .field("codec", &self.codec)
            .field("grpc_meta", &self.grpc_meta.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Lower case, `_` → `-`: how the CLI and the other SDKs normalise `grpc_meta` names.
pub(crate) fn normalize_grpc_meta_key(key: &str) -> String {
    key.replace('_', "-").to_ascii_lowercase()
}

impl ClientConfigProfile {
    /// The namespace to use: the profile's, or `default`.
    pub fn namespace_or_default(&self) -> &str {
        self.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE)
    }

    /// The address to use: the profile's, or `localhost:7233`.
    pub fn address_or_default(&self) -> &str {
        self.address.as_deref().unwrap_or(DEFAULT_ADDRESS)
    }

    /// Whether this profile connects with TLS: a `tls` table that is not disabled, or
    /// an API key without `tls.disabled = true`. (An `https://` address also turns TLS
    /// on when connecting.)
    pub fn tls_enabled(&self) -> bool {
        match &self.tls {
            Some(tls) => tls.disabled != Some(true),
            None => self.api_key.is_some(),
        }
    }

    /// The [`ConnectionOptions`] this profile describes (the namespace is not part of
    /// them: pass [`namespace_or_default`](Self::namespace_or_default) to the client).
    /// Certificate and key files are read here.
    ///
    /// Every setting is applied or refused:
    /// - `tls.disable_host_verification = true` is refused: the TLS stack (rustls via
    ///   tonic) offers no way to skip verification. Use `tls.server_name` when the
    ///   certificate's name differs from the address, or `tls.server_ca_cert_*` for a
    ///   private CA.
    /// - `codec.endpoint` / `codec.auth` are refused: this client has no remote codec.
    ///   Configure a `PayloadCodec` in code with the client's `DataConverter` instead.
    ///
    /// # Errors
    /// [`EnvConfigError::ReadCertificate`] when a certificate or key file cannot be
    /// read (naming the path), [`EnvConfigError::Incomplete`] for a client certificate
    /// without its key (or the reverse), [`EnvConfigError::Unsupported`] for the
    /// settings above.
    pub fn to_connection_options(&self) -> Result<ConnectionOptions, EnvConfigError> {
        if let Some(codec) = &self.codec {
            if codec.endpoint.is_some() {
                return Err(EnvConfigError::Unsupported {
                    setting: "codec.endpoint (TEMPORAL_CODEC_ENDPOINT)".to_owned(),
                    reason: "this client has no remote codec; payloads are not sent to a codec server. Add a PayloadCodec to the client's DataConverter in code instead",
                });
            }
            if codec.auth.is_some() {
                return Err(EnvConfigError::Unsupported {
                    setting: "codec.auth (TEMPORAL_CODEC_AUTH)".to_owned(),
                    reason: "it belongs to a remote codec, which this client does not have",
                });
            }
        }
        let mut options = ConnectionOptions::new(self.address_or_default());
        if let Some(key) = &self.api_key {
            options = options.api_key(key.clone());
        }
        for (name, value) in &self.grpc_meta {
            options = options.metadata(name.clone(), value.clone());
        }
        match &self.tls {
            Some(tls) if tls.disabled == Some(true) => options = options.tls_disabled(),
            Some(tls) => options = options.tls(tls_options(tls)?),
            // Without a `tls` table the API key (if any) turns TLS on when connecting.
            None => {}
        }
        Ok(options)
    }
}

fn read_source(
    source: &DataSource,
    what: &'static str,
    setting: &str,
) -> Result<Vec<u8>, EnvConfigError> {
    match source {
        DataSource::Data(data) => Ok(data.clone()),
        DataSource::Path(path) => {
            std::fs::read(path).map_err(|source| EnvConfigError::ReadCertificate {
                what,
                setting: setting.to_owned(),
                path: path.clone(),
                source,
            })
        }
    }
}

fn tls_options(tls: &ClientConfigTls) -> Result<TlsOptions, EnvConfigError> {
    if tls.disable_host_verification == Some(true) {
        return Err(EnvConfigError::Unsupported {
            setting: "tls.disable_host_verification (TEMPORAL_TLS_DISABLE_HOST_VERIFICATION)"
                .to_owned(),
            reason: "the TLS stack always verifies the server certificate and its name; set tls.server_name when the name differs from the address, or tls.server_ca_cert_path for a private CA",
        });
    }
    let mut options = TlsOptions::new();
    if let Some(ca) = &tls.server_ca_cert {
        options = options.server_root_ca_cert(read_source(
            ca,
            "server CA certificate",
            "tls.server_ca_cert_path (TEMPORAL_TLS_SERVER_CA_CERT_PATH)",
        )?);
    }
    if let Some(name) = &tls.server_name {
        options = options.domain(name.clone());
    }
    match (&tls.client_cert, &tls.client_key) {
        (Some(cert), Some(key)) => {
            let cert = read_source(
                cert,
                "client certificate",
                "tls.client_cert_path (TEMPORAL_TLS_CLIENT_CERT_PATH)",
            )?;
            let key = read_source(
                key,
                "client key",
                "tls.client_key_path (TEMPORAL_TLS_CLIENT_KEY_PATH)",
            )?;
            options = options.client_cert(cert, key);
        }
        (Some(_), None) => {
            return Err(EnvConfigError::Incomplete {
                present: "a client certificate (tls.client_cert_*)".to_owned(),
                missing: "its key (tls.client_key_path or tls.client_key_data)".to_owned(),
            });
        }
        (None, Some(_)) => {
            return Err(EnvConfigError::Incomplete {
                present: "a client key (tls.client_key_*)".to_owned(),
                missing: "the client certificate (tls.client_cert_path or tls.client_cert_data)"
                    .to_owned(),
            });
        }
        (None, None) => {}
    }
    Ok(options)
}
