//! The TOML file: `[profile.<name>]` tables, as `temporal config set` writes them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::error::EnvConfigError;
use super::profile::{
    ClientConfigCodec, ClientConfigProfile, ClientConfigTls, DataSource, normalize_grpc_meta_key,
};

#[derive(Deserialize, Default)]
struct TomlFile {
    #[serde(default)]
    profile: BTreeMap<String, TomlProfile>,
}

#[derive(Deserialize, Default)]
struct TomlProfile {
    address: Option<String>,
    namespace: Option<String>,
    api_key: Option<String>,
    tls: Option<TomlTls>,
    codec: Option<TomlCodec>,
    #[serde(default)]
    grpc_meta: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
struct TomlTls {
    disabled: Option<bool>,
    client_cert_path: Option<String>,
    client_cert_data: Option<String>,
    client_key_path: Option<String>,
    client_key_data: Option<String>,
    server_ca_cert_path: Option<String>,
    server_ca_cert_data: Option<String>,
    server_name: Option<String>,
    disable_host_verification: Option<bool>,
}

#[derive(Deserialize, Default)]
struct TomlCodec {
    endpoint: Option<String>,
    auth: Option<String>,
}

const PROFILE_KEYS: &[&str] = &[
    "address",
    "namespace",
    "api_key",
    "tls",
    "codec",
    "grpc_meta",
];
const TLS_KEYS: &[&str] = &[
    "disabled",
    "client_cert_path",
    "client_cert_data",
    "client_key_path",
    "client_key_data",
    "server_ca_cert_path",
    "server_ca_cert_data",
    "server_name",
    "disable_host_verification",
];
const CODEC_KEYS: &[&str] = &["endpoint", "auth"];

/// Every profile of a configuration file.
///
/// Loaded with [`ClientConfig::load`](super::ClientConfig::load) or parsed with
/// [`ClientConfig::from_toml`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientConfig {
    /// The profiles by name.
    pub profiles: BTreeMap<String, ClientConfigProfile>,
    unknown_keys: Vec<String>,
}

/// An empty value in the file means "not set", as in the CLI and Go SDK.
fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn source(
    prefix: &str,
    path_key: &str,
    path: Option<String>,
    data_key: &str,
    data: Option<String>,
) -> Result<Option<DataSource>, EnvConfigError> {
    match (non_empty(path), non_empty(data)) {
        (Some(_), Some(_)) => Err(EnvConfigError::Conflict {
            first: format!("{prefix}.{path_key}"),
            second: format!("{prefix}.{data_key}"),
        }),
        (Some(path), None) => Ok(Some(DataSource::Path(PathBuf::from(path)))),
        (None, Some(data)) => Ok(Some(DataSource::Data(data.into_bytes()))),
        (None, None) => Ok(None),
    }
}

fn unknown_in(table: &toml::Table, known: &[&str], prefix: &str, out: &mut Vec<String>) {
    for key in table.keys() {
        if !known.contains(&key.as_str()) {
            out.push(format!("{prefix}.{key}"));
        }
    }
}

/// The dotted paths of keys the client does not know.
fn unknown_keys(table: &toml::Table) -> Vec<String> {
    let mut out = Vec::new();
    for (key, value) in table {
        if key != "profile" {
            out.push(key.clone());
            continue;
        }
        let Some(profiles) = value.as_table() else {
            continue;
        };
        for (name, profile) in profiles {
            let Some(profile) = profile.as_table() else {
                continue;
            };
            let prefix = format!("profile.{name}");
            unknown_in(profile, PROFILE_KEYS, &prefix, &mut out);
            if let Some(tls) = profile.get("tls").and_then(toml::Value::as_table) {
                unknown_in(tls, TLS_KEYS, &format!("{prefix}.tls"), &mut out);
            }
            if let Some(codec) = profile.get("codec").and_then(toml::Value::as_table) {
                unknown_in(codec, CODEC_KEYS, &format!("{prefix}.codec"), &mut out);
            }
        }
    }
    out
}

impl ClientConfig {
    /// Parses TOML text. `source_name` names it in errors (`file '<path>'`, `data`).
    pub(crate) fn parse(text: &str, source_name: &str) -> Result<Self, EnvConfigError> {
        let parse_error = |e: toml::de::Error| EnvConfigError::Parse {
            source_name: source_name.to_owned(),
            line: e.span().map(|span| line_of(text, span.start)),
            message: e.message().trim_end().to_owned(),
        };
        let file: TomlFile = toml::from_str(text).map_err(parse_error)?;
        let table: toml::Table = toml::from_str(text).map_err(parse_error)?;
        let mut profiles = BTreeMap::new();
        for (name, p) in file.profile {
            let prefix = format!("profile.{name}.tls");
            let tls = match p.tls {
                None => None,
                Some(t) => Some(ClientConfigTls {
                    disabled: t.disabled,
                    client_cert: source(
                        &prefix,
                        "client_cert_path",
                        t.client_cert_path,
                        "client_cert_data",
                        t.client_cert_data,
                    )?,
                    client_key: source(
                        &prefix,
                        "client_key_path",
                        t.client_key_path,
                        "client_key_data",
                        t.client_key_data,
                    )?,
                    server_ca_cert: source(
                        &prefix,
                        "server_ca_cert_path",
                        t.server_ca_cert_path,
                        "server_ca_cert_data",
                        t.server_ca_cert_data,
                    )?,
                    server_name: non_empty(t.server_name),
                    disable_host_verification: t.disable_host_verification,
                }),
            };
            let codec = p.codec.map(|c| ClientConfigCodec {
                endpoint: non_empty(c.endpoint),
                auth: non_empty(c.auth),
            });
            let profile = ClientConfigProfile {
                address: non_empty(p.address),
                namespace: non_empty(p.namespace),
                api_key: non_empty(p.api_key),
                tls,
                codec,
                grpc_meta: p
                    .grpc_meta
                    .into_iter()
                    .map(|(k, v)| (normalize_grpc_meta_key(&k), v))
                    .collect(),
            };
            profiles.insert(name, profile);
        }
        Ok(Self {
            profiles,
            unknown_keys: unknown_keys(&table),
        })
    }

    /// Parses the TOML of a configuration file (e.g. from a secret store). Unknown keys
    /// are accepted and listed by [`unknown_keys`](Self::unknown_keys).
    ///
    /// # Errors
    /// [`EnvConfigError::Parse`] with the line, for invalid TOML or a value of the
    /// wrong type; [`EnvConfigError::Conflict`] when a `*_path` and its `*_data` are
    /// both set.
    pub fn from_toml(text: &str) -> Result<Self, EnvConfigError> {
        Self::parse(text, "data")
    }

    /// The dotted paths of keys in the file this client does not know (e.g.
    /// `profile.default.adress`). The `temporal` CLI (1.9) ignores such keys without a
    /// word; so does loading, unless [`LoadOptions::strict`](super::LoadOptions::strict)
    /// is set, which makes them an error.
    pub fn unknown_keys(&self) -> &[String] {
        &self.unknown_keys
    }

    /// The profile named `name`.
    ///
    /// # Errors
    /// [`EnvConfigError::ProfileNotFound`], listing the profiles there are.
    pub fn profile(&self, name: &str) -> Result<&ClientConfigProfile, EnvConfigError> {
        self.profiles
            .get(name)
            .ok_or_else(|| EnvConfigError::ProfileNotFound {
                profile: name.to_owned(),
                available: self.profiles.keys().cloned().collect(),
                source_name: "data".to_owned(),
            })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key_of_a_profile() {
        let config = ClientConfig::from_toml(
            r#"
[profile.default]
address = "h:1"
namespace = "ns"
api_key = "k"
[profile.default.tls]
disabled = false
client_cert_path = "/c"
client_key_data = "KEY"
server_ca_cert_data = "CA"
server_name = "sni"
disable_host_verification = false
[profile.default.codec]
endpoint = "http://codec"
auth = "a"
[profile.default.grpc_meta]
My_Header = "v"
"#,
        )
        .unwrap();
        let p = config.profile("default").unwrap();
        assert_eq!(p.address.as_deref(), Some("h:1"));
        assert_eq!(p.namespace.as_deref(), Some("ns"));
        assert_eq!(p.api_key.as_deref(), Some("k"));
        let tls = p.tls.as_ref().unwrap();
        assert_eq!(tls.disabled, Some(false));
        assert_eq!(tls.client_cert, Some(DataSource::Path("/c".into())));
        assert_eq!(tls.client_key, Some(DataSource::Data(b"KEY".to_vec())));
        assert_eq!(tls.server_ca_cert, Some(DataSource::Data(b"CA".to_vec())));
        assert_eq!(tls.server_name.as_deref(), Some("sni"));
        assert_eq!(tls.disable_host_verification, Some(false));
        let codec = p.codec.as_ref().unwrap();
        assert_eq!(codec.endpoint.as_deref(), Some("http://codec"));
        assert_eq!(codec.auth.as_deref(), Some("a"));
        assert_eq!(p.grpc_meta.get("my-header").map(String::as_str), Some("v"));
        assert!(config.unknown_keys().is_empty());
    }

    #[test]
    fn malformed_toml_names_the_line() {
        let err = ClientConfig::parse(
            "[profile.default]\naddress = \"a\"\nnamespace = \n",
            "file 'x.toml'",
        )
        .unwrap_err();
        assert!(
            matches!(err, EnvConfigError::Parse { line: Some(3), .. }),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(text.contains("x.toml") && text.contains("line 3"), "{text}");
    }

    #[test]
    fn a_value_of_the_wrong_type_names_the_line() {
        let err = ClientConfig::from_toml("[profile.default]\n\naddress = 7233\n").unwrap_err();
        assert!(
            matches!(err, EnvConfigError::Parse { line: Some(3), .. }),
            "{err:?}"
        );
    }

    #[test]
    fn unknown_keys_are_listed_not_fatal() {
        let config = ClientConfig::from_toml(
            "top = 1\n[profile.a]\nadress = \"x\"\n[profile.a.tls]\nsever_name = \"y\"\n[profile.a.codec]\nendpont = \"z\"\n[profile.a.grpc_meta]\nanything = \"ok\"\n",
        )
        .unwrap();
        assert_eq!(
            config.unknown_keys(),
            [
                "profile.a.adress",
                "profile.a.tls.sever_name",
                "profile.a.codec.endpont",
                "top"
            ]
        );
    }

    #[test]
    fn path_and_data_of_the_same_file_conflict() {
        let err = ClientConfig::from_toml(
            "[profile.p.tls]\nclient_cert_path = \"/c\"\nclient_cert_data = \"d\"\n",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, EnvConfigError::Conflict { .. }), "{text}");
        assert!(
            text.contains("profile.p.tls.client_cert_path")
                && text.contains("profile.p.tls.client_cert_data"),
            "{text}"
        );
    }

    #[test]
    fn unknown_profile_lists_the_profiles() {
        let config = ClientConfig::from_toml("[profile.a]\n[profile.b]\n").unwrap();
        let err = config.profile("c").unwrap_err();
        assert!(err.to_string().contains("a, b"), "{err}");
    }

    #[test]
    fn empty_values_mean_unset() {
        let config = ClientConfig::from_toml("[profile.a]\naddress = \"\"\n").unwrap();
        assert_eq!(config.profiles["a"].address, None);
    }
}
