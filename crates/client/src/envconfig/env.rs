//! `TEMPORAL_*` environment variables over a profile.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::error::EnvConfigError;
use super::profile::{ClientConfigProfile, DataSource, normalize_grpc_meta_key};

/// Prefix of the variables that set gRPC metadata (`TEMPORAL_GRPC_META_X_TEAM=a` sends
/// `x-team: a`).
pub const GRPC_META_PREFIX: &str = "TEMPORAL_GRPC_META_";

/// Parses a boolean variable: `true`/`1` or `false`/`0`, any case.
fn bool_var(env: &BTreeMap<String, String>, name: &str) -> Result<Option<bool>, EnvConfigError> {
    match value(env, name) {
        None => Ok(None),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(Some(true)),
            "0" | "false" => Ok(Some(false)),
            _ => Err(EnvConfigError::InvalidBool {
                variable: name.to_owned(),
                value: v.to_owned(),
            }),
        },
    }
}

/// A variable's value; empty counts as unset.
fn value<'a>(env: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    env.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

/// Applies `<base>_PATH` / `<base>_DATA` over what the file set. A path and data for
/// the same item, from anywhere, is a conflict.
fn apply_source(
    slot: &mut Option<DataSource>,
    env: &BTreeMap<String, String>,
    base: &str,
    file_key: &str,
) -> Result<(), EnvConfigError> {
    let path_var = format!("{base}_PATH");
    let data_var = format!("{base}_DATA");
    match (value(env, &path_var), value(env, &data_var)) {
        (Some(_), Some(_)) => Err(EnvConfigError::Conflict {
            first: path_var,
            second: data_var,
        }),
        (Some(path), None) => {
            if matches!(slot, Some(DataSource::Data(_))) {
                return Err(EnvConfigError::Conflict {
                    first: format!("{file_key}_data in the config file"),
                    second: path_var,
                });
            }
            *slot = Some(DataSource::Path(PathBuf::from(path)));
            Ok(())
        }
        (None, Some(data)) => {
            if matches!(slot, Some(DataSource::Path(_))) {
                return Err(EnvConfigError::Conflict {
                    first: format!("{file_key}_path in the config file"),
                    second: data_var,
                });
            }
            *slot = Some(DataSource::Data(data.as_bytes().to_vec()));
            Ok(())
        }
        (None, None) => Ok(()),
    }
}

impl ClientConfigProfile {
    /// Applies the `TEMPORAL_*` variables of `env` over this profile: `TEMPORAL_ADDRESS`,
    /// `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS`,
    /// `TEMPORAL_TLS_CLIENT_CERT_PATH`/`_DATA`, `TEMPORAL_TLS_CLIENT_KEY_PATH`/`_DATA`,
    /// `TEMPORAL_TLS_SERVER_CA_CERT_PATH`/`_DATA`, `TEMPORAL_TLS_SERVER_NAME`,
    /// `TEMPORAL_TLS_DISABLE_HOST_VERIFICATION`, `TEMPORAL_CODEC_ENDPOINT`,
    /// `TEMPORAL_CODEC_AUTH` and `TEMPORAL_GRPC_META_<NAME>` (the header name is lower
    /// case with `-` for `_`; an empty value removes the header).
    ///
    /// An empty variable counts as unset. Any `TEMPORAL_TLS_*` setting turns TLS on, as
    /// a `tls` table in the file does.
    ///
    /// # Errors
    /// [`EnvConfigError::InvalidBool`] for a boolean that is not `true`/`false`/`1`/`0`;
    /// [`EnvConfigError::Conflict`] when a `_PATH` and its `_DATA` are both set, in the
    /// environment or one in the file and the other in the environment.
    pub fn apply_env(&mut self, env: &BTreeMap<String, String>) -> Result<(), EnvConfigError> {
        if let Some(v) = value(env, "TEMPORAL_ADDRESS") {
            self.address = Some(v.to_owned());
        }
        if let Some(v) = value(env, "TEMPORAL_NAMESPACE") {
            self.namespace = Some(v.to_owned());
        }
        if let Some(v) = value(env, "TEMPORAL_API_KEY") {
            self.api_key = Some(v.to_owned());
        }
        if let Some(enabled) = bool_var(env, "TEMPORAL_TLS")? {
            self.tls.get_or_insert_default().disabled = Some(!enabled);
        }
        let tls_vars = [
            "TEMPORAL_TLS_CLIENT_CERT_PATH",
            "TEMPORAL_TLS_CLIENT_CERT_DATA",
            "TEMPORAL_TLS_CLIENT_KEY_PATH",
            "TEMPORAL_TLS_CLIENT_KEY_DATA",
            "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
            "TEMPORAL_TLS_SERVER_CA_CERT_DATA",
            "TEMPORAL_TLS_SERVER_NAME",
            "TEMPORAL_TLS_DISABLE_HOST_VERIFICATION",
        ];
        if tls_vars.iter().any(|v| value(env, v).is_some()) {
            let tls = self.tls.get_or_insert_default();
            apply_source(
                &mut tls.client_cert,
                env,
                "TEMPORAL_TLS_CLIENT_CERT",
                "tls.client_cert",
            )?;
            apply_source(
                &mut tls.client_key,
                env,
                "TEMPORAL_TLS_CLIENT_KEY",
                "tls.client_key",
            )?;
            apply_source(
                &mut tls.server_ca_cert,
                env,
                "TEMPORAL_TLS_SERVER_CA_CERT",
                "tls.server_ca_cert",
            )?;
            if let Some(v) = value(env, "TEMPORAL_TLS_SERVER_NAME") {
                tls.server_name = Some(v.to_owned());
            }
            if let Some(v) = bool_var(env, "TEMPORAL_TLS_DISABLE_HOST_VERIFICATION")? {
                tls.disable_host_verification = Some(v);
            }
        }
        if let Some(v) = value(env, "TEMPORAL_CODEC_ENDPOINT") {
            self.codec.get_or_insert_default().endpoint = Some(v.to_owned());
        }
        if let Some(v) = value(env, "TEMPORAL_CODEC_AUTH") {
            self.codec.get_or_insert_default().auth = Some(v.to_owned());
        }
        for (name, v) in env {
            let Some(key) = name.strip_prefix(GRPC_META_PREFIX) else {
                continue;
            };
            let key = normalize_grpc_meta_key(key);
            if v.is_empty() {
                self.grpc_meta.remove(&key);
            } else {
                self.grpc_meta.insert(key, v.clone());
            }
        }
        Ok(())
    }
}
