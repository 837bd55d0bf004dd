//! placeholder
pub mod grpc;
