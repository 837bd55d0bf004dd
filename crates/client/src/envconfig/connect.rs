//! `Client::connect_from_env` and `Client::connect_with_profile`.

use super::error::EnvConfigError;
use super::profile::ClientConfigProfile;
use crate::{Client, Connection};

impl Client {
    /// Loads the profile from the environment (the `TEMPORAL_CONFIG_FILE` or default
    /// TOML file, `TEMPORAL_PROFILE`, then the `TEMPORAL_*` variables), connects, and
    /// returns a client on the profile's namespace, as Go's
    /// `envconfig.MustLoadDefaultClientOptions()` + `client.Dial` and Python's
    /// `ClientConfig.load_client_connect_config()` + `Client.connect` do.
    ///
    /// # Errors
    /// Those of [`ClientConfigProfile::load`] and
    /// [`ClientConfigProfile::to_connection_options`], and
    /// [`EnvConfigError::Connect`] when the server cannot be reached.
    pub async fn connect_from_env() -> Result<Self, EnvConfigError> {
        Self::connect_with_profile(&ClientConfigProfile::load_from_env()?).await
    }

    /// Connects with a loaded profile and returns a client on its namespace.
    ///
    /// # Errors
    /// Those of [`ClientConfigProfile::to_connection_options`], and
    /// [`EnvConfigError::Connect`] when the server cannot be reached.
    pub async fn connect_with_profile(
        profile: &ClientConfigProfile,
    ) -> Result<Self, EnvConfigError> {
        let options = profile.to_connection_options()?;
        let connection = Connection::connect(options)
            .await
            .map_err(EnvConfigError::Connect)?;
        Ok(Self::new(connection).with_namespace(profile.namespace_or_default()))
    }
}
