//! Generates the Temporal API at build time: protox parses the upstream `.proto` files
//! (pure Rust, no `protoc`), tonic-prost-build writes messages and gRPC stubs, and
//! pbjson-build writes protobuf-JSON serde impls when the `json` feature is on.

use std::collections::BTreeMap;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use prost::Message as _;

type BuildResult<T> = Result<T, Box<dyn std::error::Error>>;

/// The registry package that ships the upstream `.proto` sources.
const PROTOS_PACKAGE: &str = "temporalio-protos";

fn main() -> BuildResult<()> {
    println!("cargo:rerun-if-env-changed=TEMPORAL_PROTOS_DIR");
    println!("cargo:rerun-if-changed=build.rs");
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let root = protos_dir()?;

    let api = root.join("api_upstream");
    let grpc = root.join("grpc");
    let google_rpc = root.join("google/rpc/status.proto");
    let mut files = Vec::new();
    collect_protos(&api.join("temporal/api"), &mut files)?;
    files.push(grpc.join("health/v1/health.proto"));
    files.push(google_rpc);
    files.sort();

    let includes = [api.clone(), grpc, root.clone()];
    let fds = protox::Compiler::new(&includes)?
        .include_imports(true)
        .include_source_info(true)
        .open_files(&files)?
        .file_descriptor_set();

    // The descriptor set is exported so callers (and our own tests) can walk the services.
    let descriptor_bytes = fds.encode_to_vec();
    fs::write(
        out_dir.join("temporal_api_descriptor.bin"),
        &descriptor_bytes,
    )?;

    let mut config = tonic_prost_build::Config::new();
    config.enable_type_names();
    config.type_name_domain(["."], "type.googleapis.com");
    // google.api.HttpRule documents proto syntax in code blocks that rustdoc would run.
    config.disable_comments([".google.api"]);
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .build_transport(false)
        .generate_default_stubs(true)
        .compile_well_known_types(true)
        .client_mod_attribute(".", r#"#[cfg(feature = "client")]"#)
        .server_mod_attribute(".", r#"#[cfg(feature = "server")]"#)
        .extern_path(".google.protobuf", "::pbjson_types")
        .compile_fds_with_config(fds.clone(), config)?;

    let json = env::var_os("CARGO_FEATURE_JSON").is_some();
    if json {
        generate_json(&descriptor_bytes)?;
    }

    let packages: Vec<String> = fds
        .file
        .iter()
        .filter_map(|f| f.package.clone())
        .filter(|p| !p.starts_with("google.protobuf"))
        .collect();
    write_module_tree(&out_dir, &packages)?;
    Ok(())
}

#[cfg(feature = "json")]
fn generate_json(descriptor_bytes: &[u8]) -> BuildResult<()> {
    pbjson_build::Builder::new()
        .register_descriptors(descriptor_bytes)?
        .extern_path(".google.protobuf", "::pbjson_types")
        .build(&[".temporal", ".grpc", ".google.rpc", ".google.api"])?;
    Ok(())
}

#[cfg(not(feature = "json"))]
fn generate_json(_descriptor_bytes: &[u8]) -> BuildResult<()> {
    Ok(())
}

/// Finds the directory holding the upstream protos: `TEMPORAL_PROTOS_DIR` if set,
/// otherwise the `protos/` folder of the `temporalio-protos` package that Cargo fetched.
fn protos_dir() -> BuildResult<PathBuf> {
    if let Some(dir) = env::var_os("TEMPORAL_PROTOS_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("Cargo.toml");
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(&manifest)
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "`cargo metadata` failed while looking for the {PROTOS_PACKAGE} sources \
             (set TEMPORAL_PROTOS_DIR to a directory with api_upstream/ and grpc/): {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let packages = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata: no packages")?;
    let manifest_path = packages
        .iter()
        .find(|p| p["name"] == PROTOS_PACKAGE)
        .and_then(|p| p["manifest_path"].as_str())
        .ok_or_else(|| format!("{PROTOS_PACKAGE} is not in the dependency graph"))?;
    let dir = Path::new(manifest_path)
        .parent()
        .ok_or("manifest path has no parent")?
        .join("protos");
    println!("cargo:rerun-if-changed={}", dir.display());
    Ok(dir)
}

fn collect_protos(dir: &Path, out: &mut Vec<PathBuf>) -> BuildResult<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_protos(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "proto") {
            out.push(path);
        }
    }
    Ok(())
}

/// A node of the nested `pub mod` tree built from dotted package names.
#[derive(Default)]
struct ModNode {
    package: Option<String>,
    children: BTreeMap<String, ModNode>,
}

/// Writes `temporal_api_modules.rs`: one nested `pub mod` per package segment, each
/// including the prost output and, with the `json` feature, the pbjson output.
fn write_module_tree(out_dir: &Path, packages: &[String]) -> BuildResult<()> {
    let mut root = ModNode::default();
    for package in packages {
        let mut node = &mut root;
        for segment in package.split('.') {
            node = node.children.entry(segment.to_owned()).or_default();
        }
        node.package = Some(package.clone());
    }
    let mut code = String::new();
    render(&root, out_dir, &mut code)?;
    fs::write(out_dir.join("temporal_api_modules.rs"), code)?;
    Ok(())
}

fn render(node: &ModNode, out_dir: &Path, code: &mut String) -> BuildResult<()> {
    if let Some(package) = &node.package {
        writeln!(code, "include!(\"{}/{package}.rs\");", out_dir.display())?;
        if out_dir.join(format!("{package}.serde.rs")).exists() {
            writeln!(
                code,
                "#[cfg(feature = \"json\")] include!(\"{}/{package}.serde.rs\");",
                out_dir.display()
            )?;
        }
    }
    for (name, child) in &node.children {
        writeln!(code, "pub mod {name} {{")?;
        render(child, out_dir, code)?;
        writeln!(code, "}}")?;
    }
    Ok(())
}
