//! Profiles end to end: the real `temporal config set` writes a profile file, this
//! client loads it and connects to a dev server; a TLS profile (CA, client certificate
//! and key from files) connects to the testkit's mutual-TLS `TestServer`. Without the
//! Temporal CLI the CLI test prints SKIPPED and passes, unless
//! `TEMPORAL_REQUIRE_SERVER=1`.

#![cfg(feature = "envconfig")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use temporal_client::Client;
use temporal_client::envconfig::{ClientConfigProfile, EnvConfigError, LoadOptions};
use temporal_testkit::grpc::{TestServer, TlsMode};
use temporal_testkit::{DevServer, DevServerError, FakeServer};

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("envconfig-it-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// `temporal config set --profile P --prop K --value V`, writing to `file`.
fn config_set(cli: &Path, file: &Path, profile: &str, prop: &str, value: &str) {
    let output = std::process::Command::new(cli)
        .args([
            "config",
            "set",
            "--profile",
            profile,
            "--prop",
            prop,
            "--value",
            value,
        ])
        .env("TEMPORAL_CONFIG_FILE", file)
        .output()
        .expect("run the temporal CLI");
    assert!(
        output.status.success(),
        "temporal config set {prop}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn a_profile_written_by_the_cli_connects_to_the_dev_server() {
    let server = match DevServer::builder().namespace("envconfig-ns").start().await {
        Ok(server) => server,
        Err(e @ DevServerError::CliNotFound { .. })
            if std::env::var("TEMPORAL_REQUIRE_SERVER").as_deref() != Ok("1") =>
        {
            eprintln!("SKIPPED: {e}");
            return;
        }
        Err(e) => panic!("the dev server did not start: {e}"),
    };
    let dir = TempDir::new();
    let file = dir.0.join("temporal.toml");
    let cli = server.cli_path();
    config_set(cli, &file, "dev", "address", &server.address());
    config_set(cli, &file, "dev", "namespace", "envconfig-ns");
    config_set(cli, &file, "dev", "grpc_meta.x_team", "billing");
    // A second profile that would not connect: the right one must be picked.
    config_set(cli, &file, "default", "address", "127.0.0.1:1");

    let profile = ClientConfigProfile::load(&LoadOptions::new().env(env(&[
        ("TEMPORAL_CONFIG_FILE", file.to_str().unwrap()),
        ("TEMPORAL_PROFILE", "dev"),
    ])))
    .expect("load the CLI's profile");
    assert_eq!(profile.address.as_deref(), Some(server.address().as_str()));
    assert_eq!(profile.namespace.as_deref(), Some("envconfig-ns"));
    assert_eq!(
        profile.grpc_meta.get("x-team").map(String::as_str),
        Some("billing")
    );
    assert!(!profile.tls_enabled());

    let client = Client::connect_with_profile(&profile)
        .await
        .expect("connect with the profile");
    assert_eq!(client.namespace(), "envconfig-ns");
    // The namespace is the profile's: counting in it works, and the server knows it.
    client
        .count("")
        .await
        .expect("count in the profile's namespace");
    let described = client
        .operator()
        .describe_namespace(client.namespace())
        .await
        .unwrap();
    assert_eq!(described.name, "envconfig-ns");

    // The variable overrides the file: a namespace the server does not have.
    let profile = ClientConfigProfile::load(&LoadOptions::new().env(env(&[
        ("TEMPORAL_CONFIG_FILE", file.to_str().unwrap()),
        ("TEMPORAL_PROFILE", "dev"),
        ("TEMPORAL_NAMESPACE", "not-registered"),
    ])))
    .unwrap();
    let client = Client::connect_with_profile(&profile).await.unwrap();
    let err = client.count("").await.expect_err("unknown namespace");
    assert!(err.is_not_found(), "{err}");

    // A profile the CLI did not write is refused with the ones it did.
    let err = ClientConfigProfile::load(&LoadOptions::new().env(env(&[
        ("TEMPORAL_CONFIG_FILE", file.to_str().unwrap()),
        ("TEMPORAL_PROFILE", "prod"),
    ])))
    .unwrap_err();
    assert!(err.to_string().contains("default, dev"), "{err}");
}

async fn mtls_server() -> TestServer {
    let fake = Arc::new(FakeServer::new());
    TestServer::builder(fake.clone())
        .operator(fake)
        .tls(TlsMode::Mutual)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_tls_profile_with_files_connects_to_the_mutual_tls_test_server() {
    let server = mtls_server().await;
    let creds = server.tls().unwrap().clone();
    let dir = TempDir::new();
    let ca = dir.write("ca.pem", &creds.ca_pem);
    let cert = dir.write("client.pem", creds.client_cert_pem.as_deref().unwrap());
    let key = dir.write("client.key", creds.client_key_pem.as_deref().unwrap());
    let toml = format!(
        "[profile.secure]\naddress = \"{}\"\n[profile.secure.tls]\nserver_ca_cert_path = \"{}\"\nclient_cert_path = \"{}\"\nclient_key_path = \"{}\"\nserver_name = \"{}\"\n",
        server.address().unwrap(),
        ca.display(),
        cert.display(),
        key.display(),
        creds.server_name,
    );
    let file = dir.write("temporal.toml", &toml);
    let options = LoadOptions::new()
        .env(BTreeMap::new())
        .config_file(&file)
        .profile("secure");
    let profile = ClientConfigProfile::load(&options).unwrap();
    assert!(profile.tls_enabled());
    let client = Client::connect_with_profile(&profile)
        .await
        .expect("mutual TLS with the profile's files");
    client.count("").await.expect("a call over mutual TLS");
    client
        .operator()
        .list_search_attributes()
        .await
        .expect("the operator service over mutual TLS");

    // The same profile without the client certificate is refused by the server: the
    // certificate from the file is what made it work.
    let mut without_cert = profile.clone();
    if let Some(tls) = without_cert.tls.as_mut() {
        tls.client_cert = None;
        tls.client_key = None;
    }
    let options = without_cert
        .to_connection_options()
        .unwrap()
        .connect_timeout(std::time::Duration::from_millis(800));
    assert!(temporal_client::Connection::connect(options).await.is_err());

    // The same from variables only, with the PEM inline.
    let profile = ClientConfigProfile::load(
        &LoadOptions::new()
            .env(env(&[
                ("TEMPORAL_ADDRESS", &server.address().unwrap().to_string()),
                ("TEMPORAL_TLS_SERVER_CA_CERT_DATA", &creds.ca_pem),
                (
                    "TEMPORAL_TLS_CLIENT_CERT_DATA",
                    creds.client_cert_pem.as_deref().unwrap(),
                ),
                ("TEMPORAL_TLS_CLIENT_KEY_PATH", key.to_str().unwrap()),
                ("TEMPORAL_TLS_SERVER_NAME", &creds.server_name),
            ]))
            .no_file(),
    )
    .unwrap();
    let client = Client::connect_with_profile(&profile).await.unwrap();
    client.count("").await.unwrap();
}

#[tokio::test]
async fn an_unreadable_certificate_path_names_the_path() {
    let dir = TempDir::new();
    let file = dir.write(
        "temporal.toml",
        "[profile.default.tls]\nserver_ca_cert_path = \"/no/such/dir/ca.pem\"\n",
    );
    let profile =
        ClientConfigProfile::load(&LoadOptions::new().env(BTreeMap::new()).config_file(&file))
            .unwrap();
    let err = Client::connect_with_profile(&profile).await.unwrap_err();
    assert!(
        matches!(err, EnvConfigError::ReadCertificate { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("/no/such/dir/ca.pem"), "{err}");
}
