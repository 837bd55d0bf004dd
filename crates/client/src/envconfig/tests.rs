//! The loader with injected variables and files: each variable on its own, precedence,
//! profile selection and the errors.

use std::collections::BTreeMap;
use std::io::Write as _;

use super::*;
use crate::ConnectionOptions;

/// The TLS mode as `ConnectionOptions`' Debug shows it: `auto`, `disabled` or `on`.
fn tls_mode(o: &ConnectionOptions) -> &'static str {
    let text = format!("{o:?}");
    if text.contains("tls: \"auto\"") {
        "auto"
    } else if text.contains("tls: \"disabled\"") {
        "disabled"
    } else {
        assert!(text.contains("tls: TlsOptions"), "{text}");
        "on"
    }
}

fn tls_debug(o: &ConnectionOptions) -> String {
    let text = format!("{o:?}");
    assert_eq!(tls_mode(o), "on", "{text}");
    text
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn from_env(pairs: &[(&str, &str)]) -> Result<ClientConfigProfile, EnvConfigError> {
    ClientConfigProfile::load(&LoadOptions::new().env(env(pairs)).no_file())
}

fn tls(p: &ClientConfigProfile) -> &ClientConfigTls {
    p.tls.as_ref().expect("a tls table")
}

struct TempFile(PathBuf);

impl TempFile {
    fn new(contents: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "envconfig-test-{}-{}.toml",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(contents.as_bytes())
            .unwrap();
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn nothing_set_is_the_local_dev_server() {
    let p = from_env(&[]).unwrap();
    assert_eq!(p, ClientConfigProfile::default());
    let o = p.to_connection_options().unwrap();
    assert_eq!(o.address(), "localhost:7233");
    assert_eq!(tls_mode(&o), "auto");
    assert_eq!(p.namespace_or_default(), "default");
}

#[test]
fn temporal_address() {
    let p = from_env(&[("TEMPORAL_ADDRESS", "h:9")]).unwrap();
    assert_eq!(p.to_connection_options().unwrap().address(), "h:9");
}

#[test]
fn temporal_namespace() {
    let p = from_env(&[("TEMPORAL_NAMESPACE", "ns-1")]).unwrap();
    assert_eq!(p.namespace_or_default(), "ns-1");
}

#[test]
fn temporal_api_key_turns_tls_on() {
    let p = from_env(&[("TEMPORAL_API_KEY", "k1")]).unwrap();
    assert_eq!(p.api_key.as_deref(), Some("k1"));
    assert!(p.tls_enabled());
    let o = p.to_connection_options().unwrap();
    assert_eq!(o.api_key.as_deref(), Some("k1"));
    // Auto + API key = TLS when connecting (ConnectionOptions' rule).
    assert_eq!(tls_mode(&o), "auto");
}

#[test]
fn temporal_api_key_with_tls_false_stays_plain() {
    let p = from_env(&[("TEMPORAL_API_KEY", "k1"), ("TEMPORAL_TLS", "false")]).unwrap();
    assert!(!p.tls_enabled());
    assert_eq!(tls_mode(&p.to_connection_options().unwrap()), "disabled");
}

#[test]
fn temporal_tls() {
    for (value, enabled) in [
        ("true", true),
        ("1", true),
        ("TRUE", true),
        ("false", false),
        ("0", false),
    ] {
        let p = from_env(&[("TEMPORAL_TLS", value)]).unwrap();
        assert_eq!(tls(&p).disabled, Some(!enabled), "{value}");
        let o = p.to_connection_options().unwrap();
        let expected = if enabled { "on" } else { "disabled" };
        assert_eq!(tls_mode(&o), expected, "{value}");
    }
    let err = from_env(&[("TEMPORAL_TLS", "yes")]).unwrap_err();
    assert!(matches!(err, EnvConfigError::InvalidBool { .. }), "{err}");
    assert!(err.to_string().contains("TEMPORAL_TLS"), "{err}");
}

#[test]
fn temporal_tls_client_cert_and_key_path() {
    let cert = TempFile::new("-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n");
    let key = TempFile::new("-----BEGIN PRIVATE KEY-----\nB\n-----END PRIVATE KEY-----\n");
    let p = from_env(&[
        ("TEMPORAL_TLS_CLIENT_CERT_PATH", cert.0.to_str().unwrap()),
        ("TEMPORAL_TLS_CLIENT_KEY_PATH", key.0.to_str().unwrap()),
    ])
    .unwrap();
    assert_eq!(tls(&p).client_cert, Some(DataSource::Path(cert.0.clone())));
    assert_eq!(tls(&p).client_key, Some(DataSource::Path(key.0.clone())));
    let t = tls_debug(&p.to_connection_options().unwrap());
    assert!(t.contains("<cert and redacted key>"), "{t}");
}

#[test]
fn temporal_tls_client_cert_path_alone_is_incomplete() {
    let err = from_env(&[("TEMPORAL_TLS_CLIENT_CERT_PATH", "/c")])
        .unwrap()
        .to_connection_options()
        .unwrap_err();
    assert!(matches!(err, EnvConfigError::Incomplete { .. }), "{err}");
}

#[test]
fn temporal_tls_client_key_path_alone_is_incomplete() {
    let err = from_env(&[("TEMPORAL_TLS_CLIENT_KEY_PATH", "/k")])
        .unwrap()
        .to_connection_options()
        .unwrap_err();
    assert!(matches!(err, EnvConfigError::Incomplete { .. }), "{err}");
}

#[test]
fn temporal_tls_client_cert_data_and_key_data() {
    let p = from_env(&[
        ("TEMPORAL_TLS_CLIENT_CERT_DATA", "CERT"),
        ("TEMPORAL_TLS_CLIENT_KEY_DATA", "KEY"),
    ])
    .unwrap();
    assert_eq!(
        tls(&p).client_cert,
        Some(DataSource::Data(b"CERT".to_vec()))
    );
    assert_eq!(tls(&p).client_key, Some(DataSource::Data(b"KEY".to_vec())));
    assert_eq!(tls_mode(&p.to_connection_options().unwrap()), "on");
}

#[test]
fn temporal_tls_server_ca_cert_path_unreadable_names_the_path() {
    let p = from_env(&[("TEMPORAL_TLS_SERVER_CA_CERT_PATH", "/no/such/ca.pem")]).unwrap();
    assert_eq!(
        tls(&p).server_ca_cert,
        Some(DataSource::Path("/no/such/ca.pem".into()))
    );
    let err = p.to_connection_options().unwrap_err();
    assert!(
        matches!(err, EnvConfigError::ReadCertificate { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("/no/such/ca.pem"), "{err}");
}

#[test]
fn temporal_tls_server_ca_cert_data() {
    let p = from_env(&[("TEMPORAL_TLS_SERVER_CA_CERT_DATA", "CA")]).unwrap();
    assert_eq!(
        tls(&p).server_ca_cert,
        Some(DataSource::Data(b"CA".to_vec()))
    );
    let t = tls_debug(&p.to_connection_options().unwrap());
    assert!(t.contains("2 bytes"), "{t}");
}

#[test]
fn temporal_tls_server_name() {
    let p = from_env(&[("TEMPORAL_TLS_SERVER_NAME", "sni.example")]).unwrap();
    assert_eq!(tls(&p).server_name.as_deref(), Some("sni.example"));
    let t = tls_debug(&p.to_connection_options().unwrap());
    assert!(t.contains("sni.example"), "{t}");
}

#[test]
fn temporal_tls_disable_host_verification_is_refused_when_true() {
    let p = from_env(&[("TEMPORAL_TLS_DISABLE_HOST_VERIFICATION", "true")]).unwrap();
    assert_eq!(tls(&p).disable_host_verification, Some(true));
    let err = p.to_connection_options().unwrap_err();
    assert!(matches!(err, EnvConfigError::Unsupported { .. }), "{err}");
    assert!(
        err.to_string().contains("disable_host_verification"),
        "{err}"
    );
    let p = from_env(&[("TEMPORAL_TLS_DISABLE_HOST_VERIFICATION", "false")]).unwrap();
    assert!(p.to_connection_options().is_ok());
}

#[test]
fn temporal_codec_endpoint_and_auth_are_refused() {
    let err = from_env(&[("TEMPORAL_CODEC_ENDPOINT", "http://codec")])
        .unwrap()
        .to_connection_options()
        .unwrap_err();
    assert!(matches!(err, EnvConfigError::Unsupported { .. }), "{err}");
    assert!(err.to_string().contains("remote codec"), "{err}");
    let err = from_env(&[("TEMPORAL_CODEC_AUTH", "x")])
        .unwrap()
        .to_connection_options()
        .unwrap_err();
    assert!(matches!(err, EnvConfigError::Unsupported { .. }), "{err}");
}

#[test]
fn temporal_grpc_meta() {
    let p = from_env(&[("TEMPORAL_GRPC_META_X_TEAM_Name", "billing")]).unwrap();
    assert_eq!(
        p.grpc_meta.get("x-team-name").map(String::as_str),
        Some("billing")
    );
    let o = p.to_connection_options().unwrap();
    assert_eq!(
        o.metadata,
        vec![("x-team-name".to_owned(), "billing".to_owned())]
    );
}

#[test]
fn an_empty_grpc_meta_variable_removes_the_file_header() {
    let p = ClientConfigProfile::load(
        &LoadOptions::new()
            .env(env(&[("TEMPORAL_GRPC_META_X_A", "")]))
            .config_data("[profile.default.grpc_meta]\nx_a = \"1\"\nx-b = \"2\"\n"),
    )
    .unwrap();
    assert_eq!(p.grpc_meta.keys().collect::<Vec<_>>(), ["x-b"]);
}

#[test]
fn path_and_data_in_the_environment_conflict() {
    let err = from_env(&[
        ("TEMPORAL_TLS_SERVER_CA_CERT_PATH", "/ca"),
        ("TEMPORAL_TLS_SERVER_CA_CERT_DATA", "CA"),
    ])
    .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, EnvConfigError::Conflict { .. }), "{text}");
    assert!(text.contains("TEMPORAL_TLS_SERVER_CA_CERT_PATH"), "{text}");
}

#[test]
fn a_path_in_the_file_and_data_in_the_environment_conflict() {
    let err = ClientConfigProfile::load(
        &LoadOptions::new()
            .env(env(&[("TEMPORAL_TLS_CLIENT_CERT_DATA", "CERT")]))
            .config_data("[profile.default.tls]\nclient_cert_path = \"/c\"\n"),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("tls.client_cert_path") && text.contains("TEMPORAL_TLS_CLIENT_CERT_DATA"),
        "{text}"
    );
}

#[test]
fn variables_override_the_file_and_code_overrides_both() {
    let file = TempFile::new(
        "[profile.default]\naddress = \"file:1\"\nnamespace = \"file-ns\"\n[profile.prod]\naddress = \"prod:1\"\napi_key = \"pk\"\n",
    );
    let path = file.0.to_str().unwrap();
    let p = ClientConfigProfile::load(&LoadOptions::new().env(env(&[
        ("TEMPORAL_CONFIG_FILE", path),
        ("TEMPORAL_ADDRESS", "env:1"),
    ])))
    .unwrap();
    assert_eq!(p.address.as_deref(), Some("env:1"));
    assert_eq!(p.namespace.as_deref(), Some("file-ns"));

    let mut p = ClientConfigProfile::load(&LoadOptions::new().env(env(&[
        ("TEMPORAL_CONFIG_FILE", path),
        ("TEMPORAL_PROFILE", "prod"),
    ])))
    .unwrap();
    assert_eq!(p.address.as_deref(), Some("prod:1"));
    assert!(p.tls_enabled());
    p.address = Some("code:1".into());
    let o = p.to_connection_options().unwrap().tls_disabled();
    assert_eq!(o.address(), "code:1");
    assert_eq!(tls_mode(&o), "disabled");

    let p = ClientConfigProfile::load(
        &LoadOptions::new()
            .env(env(&[("TEMPORAL_ADDRESS", "env:1")]))
            .config_file(&file.0)
            .no_env_overrides(),
    )
    .unwrap();
    assert_eq!(p.address.as_deref(), Some("file:1"));
}

#[test]
fn an_unknown_profile_lists_the_ones_in_the_file() {
    let file = TempFile::new("[profile.default]\n[profile.staging]\n");
    let err = ClientConfigProfile::load(
        &LoadOptions::new()
            .env(env(&[("TEMPORAL_PROFILE", "prod")]))
            .config_file(&file.0),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, EnvConfigError::ProfileNotFound { .. }),
        "{text}"
    );
    assert!(
        text.contains("'prod'") && text.contains("default, staging"),
        "{text}"
    );
    assert!(text.contains(file.0.to_str().unwrap()), "{text}");
}

#[test]
fn a_missing_default_file_is_an_empty_config() {
    let p = ClientConfigProfile::load(&LoadOptions::new().env(env(&[
        ("HOME", "/nonexistent-home"),
        ("TEMPORAL_NAMESPACE", "n"),
    ])))
    .unwrap();
    assert_eq!(p.namespace.as_deref(), Some("n"));
}

#[test]
fn malformed_file_names_the_file_and_line() {
    let file = TempFile::new("[profile.default]\naddress = \"x\"\n[profile.default\n");
    let err = ClientConfig::load(&LoadOptions::new().env(BTreeMap::new()).config_file(&file.0))
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, EnvConfigError::Parse { line: Some(3), .. }),
        "{text}"
    );
    assert!(
        text.contains(file.0.to_str().unwrap()) && text.contains("line 3"),
        "{text}"
    );
}

#[test]
fn strict_loading_refuses_unknown_keys() {
    let toml = "[profile.default]\nadress = \"x\"\n";
    let lax =
        ClientConfig::load(&LoadOptions::new().env(BTreeMap::new()).config_data(toml)).unwrap();
    assert_eq!(lax.unknown_keys(), ["profile.default.adress"]);
    let err = ClientConfig::load(
        &LoadOptions::new()
            .env(BTreeMap::new())
            .config_data(toml)
            .strict(true),
    )
    .unwrap_err();
    assert!(matches!(err, EnvConfigError::UnknownKeys { .. }), "{err}");
    assert!(err.to_string().contains("profile.default.adress"), "{err}");
}

#[test]
fn the_default_path_follows_xdg_then_home() {
    if cfg!(any(windows, target_os = "macos")) {
        return;
    }
    assert_eq!(
        default_config_file(&env(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")])),
        Some(PathBuf::from("/x/temporalio/temporal.toml"))
    );
    assert_eq!(
        default_config_file(&env(&[("HOME", "/h")])),
        Some(PathBuf::from("/h/.config/temporalio/temporal.toml"))
    );
    assert_eq!(default_config_file(&env(&[])), None);
}

#[test]
fn tls_disabled_in_the_file_wins_over_an_api_key() {
    let p = ClientConfigProfile::load(&LoadOptions::new().env(BTreeMap::new()).config_data(
        "[profile.default]\napi_key = \"k\"\n[profile.default.tls]\ndisabled = true\n",
    ))
    .unwrap();
    assert!(!p.tls_enabled());
    assert_eq!(tls_mode(&p.to_connection_options().unwrap()), "disabled");
}

#[test]
fn debug_hides_secrets() {
    let p = from_env(&[
        ("TEMPORAL_API_KEY", "s3cret-key"),
        ("TEMPORAL_TLS_CLIENT_KEY_DATA", "s3cret-pem"),
        ("TEMPORAL_CODEC_AUTH", "s3cret-auth"),
        ("TEMPORAL_GRPC_META_AUTHORIZATION", "s3cret-meta"),
    ])
    .unwrap();
    let text = format!("{p:?}");
    assert!(!text.contains("s3cret"), "{text}");
}
