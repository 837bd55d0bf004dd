//! Client configuration from the environment: a TOML profile file and `TEMPORAL_*`
//! variables, read the way the `temporal` CLI and the Go, Python and TypeScript SDKs
//! read them.
//!
//! 1. The file: `TEMPORAL_CONFIG_FILE`, or the OS default
//!    (`$XDG_CONFIG_HOME/temporalio/temporal.toml`, else
//!    `~/.config/temporalio/temporal.toml` on Linux; `~/Library/Application
//!    Support/temporalio/temporal.toml` on macOS; `%APPDATA%\temporalio\temporal.toml`
//!    on Windows). A missing file is an empty configuration.
//! 2. The profile: `TEMPORAL_PROFILE`, or `default`. A profile asked for by name that
//!    is not in the file is an error; a missing `default` is an empty profile.
//! 3. The variables over it (see [`ClientConfigProfile::apply_env`]).
//! 4. Code over both: change the profile's public fields, or chain
//!    [`ConnectionOptions`](crate::ConnectionOptions) setters on
//!    [`ClientConfigProfile::to_connection_options`].
//!
//! ```no_run
//! # async fn run() -> Result<(), temporal_client::envconfig::EnvConfigError> {
//! // The one-liner: file + environment, connected, on the profile's namespace.
//! let client = temporal_client::Client::connect_from_env().await?;
//! # Ok(()) }
//! ```
//!
//! ```
//! use std::collections::BTreeMap;
//! use temporal_client::envconfig::{ClientConfigProfile, LoadOptions};
//!
//! // Testable without touching the process: the variables and the file are inputs.
//! let env = BTreeMap::from([
//!     ("TEMPORAL_ADDRESS".to_owned(), "temporal.internal:7233".to_owned()),
//!     ("TEMPORAL_NAMESPACE".to_owned(), "billing".to_owned()),
//! ]);
//! let profile = ClientConfigProfile::load(&LoadOptions::new().env(env).no_file())?;
//! assert_eq!(profile.namespace_or_default(), "billing");
//! let options = profile.to_connection_options()?; // then Connection::connect(options)
//! assert_eq!(options.address(), "temporal.internal:7233");
//! # Ok::<(), temporal_client::envconfig::EnvConfigError>(())
//! ```

mod connect;
mod env;
mod error;
mod file;
mod profile;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use self::env::GRPC_META_PREFIX;
pub use self::error::EnvConfigError;
pub use self::file::ClientConfig;
pub use self::profile::{ClientConfigCodec, ClientConfigProfile, ClientConfigTls, DataSource};

/// The profile used when neither [`LoadOptions::profile`] nor `TEMPORAL_PROFILE` names
/// one.
pub const DEFAULT_PROFILE: &str = "default";

/// Where the TOML comes from.
#[derive(Debug, Clone, Default)]
enum FileSource {
    /// `TEMPORAL_CONFIG_FILE`, else the OS default path.
    #[default]
    Default,
    /// This file.
    Path(PathBuf),
    /// This text.
    Data(String),
    /// No file at all: variables only.
    Disabled,
}

/// What [`ClientConfigProfile::load`] and [`ClientConfig::load`] read.
///
/// `LoadOptions::new()` reads the process environment and the default file. Tests
/// (and services with their own settings source) pass the variables with
/// [`env`](Self::env) and the file with [`config_file`](Self::config_file) or
/// [`config_data`](Self::config_data), and the process environment is not touched.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    file: FileSource,
    profile: Option<String>,
    env: Option<BTreeMap<String, String>>,
    disable_env: bool,
    strict: bool,
}

impl LoadOptions {
    /// The defaults: the process environment, the file it names (or the OS default),
    /// its profile (or `default`), unknown keys accepted.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads these variables instead of the process environment (for the file path,
    /// the profile name and the overrides).
    pub fn env(mut self, env: BTreeMap<String, String>) -> Self {
        self.env = Some(env);
        self
    }

    /// Reads this file instead of `TEMPORAL_CONFIG_FILE` / the default path. A missing
    /// file is an empty configuration, as in the CLI.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = FileSource::Path(path.into());
        self
    }

    /// Parses this TOML instead of reading a file.
    pub fn config_data(mut self, toml: impl Into<String>) -> Self {
        self.file = FileSource::Data(toml.into());
        self
    }

    /// Reads no file: the profile comes from the variables only.
    pub fn no_file(mut self) -> Self {
        self.file = FileSource::Disabled;
        self
    }

    /// Applies no `TEMPORAL_*` overrides (the variables still pick the file and
    /// profile unless those are set here).
    pub fn no_env_overrides(mut self) -> Self {
        self.disable_env = true;
        self
    }

    /// Uses this profile instead of `TEMPORAL_PROFILE` / `default`; it must exist.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// Makes unknown keys in the file an error ([`EnvConfigError::UnknownKeys`]), as
    /// the Go SDK's `ConfigFileStrict`. Off by default, as in the CLI, which ignores them.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    fn variables(&self) -> BTreeMap<String, String> {
        match &self.env {
            Some(env) => env.clone(),
            None => process_env(),
        }
    }
}

/// The process environment (variables that are not valid UTF-8 are left out).
pub fn process_env() -> BTreeMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// The default configuration file for these variables, as the CLI computes it (Go's
/// `os.UserConfigDir()` + `temporalio/temporal.toml`); `None` when no home directory
/// is known.
pub fn default_config_file(env: &BTreeMap<String, String>) -> Option<PathBuf> {
    let var = |name: &str| env.get(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let dir = if cfg!(windows) {
        var("APPDATA")?
    } else if cfg!(target_os = "macos") {
        var("HOME")?.join("Library").join("Application Support")
    } else {
        match var("XDG_CONFIG_HOME") {
            Some(dir) => dir,
            None => var("HOME")?.join(".config"),
        }
    };
    Some(dir.join("temporalio").join("temporal.toml"))
}

fn file_name(path: &Path) -> String {
    format!("file '{}'", path.display())
}

impl ClientConfig {
    /// Loads the configuration file named by `options` (no variable overrides: those
    /// apply to one profile).
    ///
    /// # Errors
    /// [`EnvConfigError::ReadFile`] when the file exists but cannot be read,
    /// [`EnvConfigError::Parse`] (with the file and line),
    /// [`EnvConfigError::Conflict`], and [`EnvConfigError::UnknownKeys`] in strict mode.
    pub fn load(options: &LoadOptions) -> Result<Self, EnvConfigError> {
        let env = options.variables();
        Ok(Self::load_with(options, &env)?.0)
    }

    /// The configuration and how to name its source in errors.
    fn load_with(
        options: &LoadOptions,
        env: &BTreeMap<String, String>,
    ) -> Result<(Self, String), EnvConfigError> {
        let path = match &options.file {
            FileSource::Disabled => return Ok((Self::default(), "(no file)".to_owned())),
            FileSource::Data(text) => {
                return Ok((Self::checked(text, "data", options)?, "data".to_owned()));
            }
            FileSource::Path(path) => Some(path.clone()),
            FileSource::Default => env
                .get("TEMPORAL_CONFIG_FILE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| default_config_file(env)),
        };
        let Some(path) = path else {
            return Ok((Self::default(), "(no file: no home directory)".to_owned()));
        };
        let name = file_name(&path);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok((Self::checked(&text, &name, options)?, name)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok((Self::default(), format!("{name} (not found)")))
            }
            Err(source) => Err(EnvConfigError::ReadFile { path, source }),
        }
    }

    fn checked(text: &str, name: &str, options: &LoadOptions) -> Result<Self, EnvConfigError> {
        let config = Self::parse(text, name)?;
        if options.strict && !config.unknown_keys().is_empty() {
            return Err(EnvConfigError::UnknownKeys {
                source_name: name.to_owned(),
                keys: config.unknown_keys().to_vec(),
            });
        }
        Ok(config)
    }
}

impl ClientConfigProfile {
    /// Loads one profile: the file, the profile in it, then the `TEMPORAL_*` variables
    /// over it (see the [module docs](self)).
    ///
    /// # Errors
    /// Those of [`ClientConfig::load`]; [`EnvConfigError::ProfileNotFound`] (listing
    /// the profiles there are) when a profile asked for by name is missing; those of
    /// [`apply_env`](Self::apply_env).
    pub fn load(options: &LoadOptions) -> Result<Self, EnvConfigError> {
        let env = options.variables();
        let (config, source_name) = ClientConfig::load_with(options, &env)?;
        let named = options.profile.clone().or_else(|| {
            env.get("TEMPORAL_PROFILE")
                .filter(|p| !p.is_empty())
                .cloned()
        });
        let mut profile = match (&named, matches!(options.file, FileSource::Disabled)) {
            (_, true) => Self::default(),
            (Some(name), false) => config.profiles.get(name).cloned().ok_or_else(|| {
                EnvConfigError::ProfileNotFound {
                    profile: name.clone(),
                    available: config.profiles.keys().cloned().collect(),
                    source_name,
                }
            })?,
            (None, false) => config
                .profiles
                .get(DEFAULT_PROFILE)
                .cloned()
                .unwrap_or_default(),
        };
        if !options.disable_env {
            profile.apply_env(&env)?;
        }
        Ok(profile)
    }

    /// [`load`](Self::load) with [`LoadOptions::new`]: the process environment and the
    /// file it names.
    ///
    /// # Errors
    /// Those of [`load`](Self::load).
    pub fn load_from_env() -> Result<Self, EnvConfigError> {
        Self::load(&LoadOptions::new())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
