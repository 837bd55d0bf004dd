//! Connects the way the `temporal` CLI does: a profile from the TOML config file
//! (`TEMPORAL_CONFIG_FILE`, or `~/.config/temporalio/temporal.toml`), selected by
//! `TEMPORAL_PROFILE`, with `TEMPORAL_*` variables over it. Then it lists the search
//! attributes and namespaces with the operator helpers.
//!
//! Without a profile file or `TEMPORAL_ADDRESS` it runs on the embedded in-memory fake
//! server, and prints what it would have loaded. To use a real server:
//!
//! ```sh
//! temporal config set --profile dev --prop address --value localhost:7233
//! TEMPORAL_PROFILE=dev cargo run --example env_config
//! # or
//! TEMPORAL_ADDRESS=localhost:7233 cargo run --example env_config
//! ```

use std::error::Error;
use std::sync::Arc;

use temporal_client::envconfig::{
    ClientConfigProfile, LoadOptions, default_config_file, process_env,
};
use temporal_client::{Client, IndexedValueType};
use temporal_testkit::FakeServer;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let env = process_env();
    let file = env
        .get("TEMPORAL_CONFIG_FILE")
        .filter(|f| !f.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| default_config_file(&env));
    let file_exists = file.as_deref().is_some_and(std::path::Path::exists);
    println!(
        "config file: {} ({})",
        file.as_deref()
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| "none".into()),
        if file_exists { "found" } else { "not found" }
    );
    println!(
        "profile: {}",
        env.get("TEMPORAL_PROFILE")
            .map_or("default", String::as_str)
    );

    let profile = ClientConfigProfile::load(&LoadOptions::new().env(env.clone()))?;
    println!("loaded: {profile:?}");
    println!(
        "would connect to {} (namespace {}, TLS {})",
        profile.address_or_default(),
        profile.namespace_or_default(),
        if profile.tls_enabled() { "on" } else { "off" }
    );

    let configured = file_exists || env.get("TEMPORAL_ADDRESS").is_some_and(|a| !a.is_empty());
    let client = if configured {
        println!("connecting...");
        Client::connect_with_profile(&profile).await?
    } else {
        println!("no profile file and no TEMPORAL_ADDRESS: using the embedded fake server");
        let fake = FakeServer::new();
        Client::builder(fake.clone())
            .operator_service(Arc::new(fake))
            .namespace(profile.namespace_or_default())
            .build()
    };

    let operator = client.operator();
    if !configured {
        // Only on the fake: a real server keeps what is added.
        operator
            .add_search_attributes([("ExampleCustomerId", IndexedValueType::Keyword)])
            .await?;
        println!("added search attribute ExampleCustomerId (Keyword)");
    }
    let attributes = operator.list_search_attributes().await?;
    println!("custom search attributes of '{}':", client.namespace());
    for (name, kind) in &attributes.custom {
        println!("  {name}: {kind:?}");
    }
    println!("namespaces:");
    for namespace in operator.list_namespaces().await? {
        println!(
            "  {} (retention {:?})",
            namespace.name,
            namespace.retention.unwrap_or_default()
        );
    }
    Ok(())
}
