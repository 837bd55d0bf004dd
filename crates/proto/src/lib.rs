#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

/// The generated Temporal API, one module per protobuf package
/// (`temporal::api::workflowservice::v1`, `grpc::health::v1`, `google::rpc`, ...).
#[allow(
    missing_docs,
    unreachable_pub,
    clippy::all,
    clippy::pedantic,
    rustdoc::all,
    rustdoc::broken_intra_doc_links
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/temporal_api_modules.rs"));
}

pub use generated::*;

/// Well-known protobuf types (`Timestamp`, `Duration`, `Any`, ...) used by the API.
pub use pbjson_types as protobuf;

/// The encoded `FileDescriptorSet` of every generated package, with source info.
///
/// Useful for gRPC reflection and for checking that a service implementation covers
/// every RPC of a service.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/temporal_api_descriptor.bin"));

/// Short paths to the packages clients use most.
pub mod prelude {
    pub use crate::temporal::api::common::v1 as common;
    pub use crate::temporal::api::enums::v1 as enums;
    pub use crate::temporal::api::failure::v1 as failure;
    pub use crate::temporal::api::history::v1 as history;
    pub use crate::temporal::api::operatorservice::v1 as operatorservice;
    pub use crate::temporal::api::workflowservice::v1 as workflowservice;
}
