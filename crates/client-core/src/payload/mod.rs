//! Data conversion: Rust values ⇄ Temporal payloads, as the other Temporal SDKs do it.
//!
//! - [`DataConverter`] is the entry point: convert with `to_payload(s)` /
//!   `from_payload(s)`, run codecs with `encode_*` / `decode_*`.
//! - [`PayloadConverter`] turns one value into one payload; [`DefaultPayloadConverter`]
//!   writes `binary/null`, `binary/plain`, `json/protobuf`, `binary/protobuf` or
//!   `json/plain`, like the TypeScript, Go and Python SDKs.
//! - [`Binary`], [`ProtoJson`] and [`ProtoBinary`] choose a non-JSON encoding.
//! - [`ToPayloads`] / [`FromPayloads`] convert argument lists (tuples).
//! - [`PayloadCodec`] encrypts or compresses encoded payloads.

mod args;
mod codec;
mod converter;
mod data_converter;
pub mod encodings;
mod error;
mod sniff;
mod wrappers;

pub use args::{FromPayloads, ToPayloads};
pub use codec::PayloadCodec;
pub(crate) use codec::apply_chain as codec_chain;
pub use converter::{DecodeInto, DefaultPayloadConverter, PayloadConverter};
pub use data_converter::DataConverter;
pub use error::{CodecDirection, CodecError, PayloadError};
pub use wrappers::{Binary, ProtoBinary, ProtoJson};

/// The object-safe serde used at the [`PayloadConverter`] boundary.
pub use erased_serde;
/// The payload message.
pub use temporal_proto::temporal::api::common::v1::Payload;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub(crate) mod tests;
