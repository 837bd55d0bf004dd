//! `EnvConfigError`: why a profile could not be loaded or used.

use std::path::PathBuf;

use crate::ConnectError;

/// Loading a client configuration (profile file and `TEMPORAL_*` variables) failed, or
/// the loaded profile cannot be used by this client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnvConfigError {
    /// The configuration file exists but could not be read.
    #[error("could not read the Temporal config file '{}'", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The configuration is not valid TOML, or a value has the wrong type.
    #[error(
        "the Temporal config {source_name} is not valid{}: {message}",
        line.map(|l| format!(" (line {l})")).unwrap_or_default()
    )]
    Parse {
        /// Where the TOML came from: `file '<path>'` or `data`.
        source_name: String,
        /// The 1-based line of the error, when the parser knows it.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// Strict loading found keys this client does not know (e.g. a misspelt
    /// `adress`). Without strict loading they are accepted and not used, as the
    /// `temporal` CLI does; [`ClientConfig::unknown_keys`](super::ClientConfig::unknown_keys)
    /// lists them.
    #[error("the Temporal config {source_name} has unknown keys: {}", keys.join(", "))]
    UnknownKeys {
        /// Where the TOML came from.
        source_name: String,
        /// The dotted paths of the keys, e.g. `profile.default.adress`.
        keys: Vec<String>,
    },
    /// The profile asked for (explicitly or by `TEMPORAL_PROFILE`) is not in the file.
    #[error(
        "the profile '{profile}' is not in the Temporal config {source_name}; it has {}",
        if available.is_empty() { "no profiles".to_owned() } else { format!("the profiles: {}", available.join(", ")) }
    )]
    ProfileNotFound {
        /// The profile asked for.
        profile: String,
        /// The profiles the configuration has.
        available: Vec<String>,
        /// Where the TOML came from (`file '<path>' (not found)` when there is none).
        source_name: String,
    },
    /// A certificate or key file named by the profile could not be read.
    #[error("could not read the {what} file '{}' named by {setting}", path.display())]
    ReadCertificate {
        /// Which file: `client certificate`, `client key` or `server CA certificate`.
        what: &'static str,
        /// The setting that names it (`tls.client_cert_path` or
        /// `TEMPORAL_TLS_CLIENT_CERT_PATH`, ...).
        setting: String,
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Two settings that exclude each other are both set (e.g. a certificate path and
    /// certificate data).
    #[error("{first} and {second} are both set; set only one of them")]
    Conflict {
        /// One setting (a file key such as `tls.client_cert_path`, or a variable).
        first: String,
        /// The other.
        second: String,
    },
    /// A setting needs another one that is missing (a client certificate without its
    /// key, or the other way round).
    #[error("{present} is set but {missing} is not; mutual TLS needs both")]
    Incomplete {
        /// The setting that is there.
        present: String,
        /// The one that is missing.
        missing: String,
    },
    /// A boolean variable has a value other than `true`, `false`, `1` or `0`.
    #[error("{variable} must be true, false, 1 or 0 (got '{value}')")]
    InvalidBool {
        /// The variable.
        variable: String,
        /// Its value.
        value: String,
    },
    /// The profile sets something this client cannot do. Such settings are refused,
    /// never silently ignored.
    #[error("{setting} is not supported by this client: {reason}")]
    Unsupported {
        /// The setting, e.g. `tls.disable_host_verification` or `codec.endpoint`.
        setting: String,
        /// Why, and what to do instead.
        reason: &'static str,
    },
    /// The profile was loaded, but connecting with it failed.
    #[error("could not connect with the loaded Temporal profile")]
    Connect(#[source] ConnectError),
}
