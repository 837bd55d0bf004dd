//! Wrapper types that pick a non-JSON encoding: [`Binary`] (`binary/plain`),
//! [`ProtoJson`] (`json/protobuf`) and [`ProtoBinary`] (`binary/protobuf`).
//!
//! They only choose the encoding when they are the whole value of a payload (one
//! argument, one result). Nested inside another serde value they are plain serde data:
//! `Binary` becomes a JSON array of numbers, the protobuf wrappers an array of the
//! encoded payload's bytes, which is rarely what you want.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use prost::Message;
use serde::de::{self, DeserializeOwned, Visitor};
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::encodings::{BINARY_PROTOBUF, JSON_PROTOBUF, new_proto_payload};
use super::sniff::PAYLOAD_MAGIC;

/// Newtype-struct name under which the protobuf wrappers ask for their data.
pub(crate) const PROTO_MAGIC: &str = "$temporal_client_core::payload::Proto";

/// Raw bytes, encoded as a `binary/plain` payload (Python `bytes`, TypeScript
/// `Uint8Array`, Go `[]byte`).
///
/// A plain `Vec<u8>` is a JSON array of numbers instead; use `Binary` (or any type that
/// serializes with `serialize_bytes`, such as `serde_bytes::ByteBuf`) for raw bytes.
/// Decoding a `binary/plain` payload works into `Binary` and into `Vec<u8>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Binary(pub Vec<u8>);

impl Binary {
    /// The bytes.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }
}

impl Deref for Binary {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Binary {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Binary {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<&[u8]> for Binary {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

impl From<Binary> for Vec<u8> {
    fn from(binary: Binary) -> Self {
        binary.0
    }
}

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_byte_buf(BinaryVisitor)
    }
}

struct BinaryVisitor;

impl<'de> Visitor<'de> for BinaryVisitor {
    type Value = Binary;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bytes")
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Binary, E> {
        Ok(Binary(v.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Binary, E> {
        Ok(Binary(v))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Binary, A::Error> {
        let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(b) = seq.next_element::<u8>()? {
            bytes.push(b);
        }
        Ok(Binary(bytes))
    }
}

/// Serializes already-encoded payload bytes under [`PAYLOAD_MAGIC`].
struct EncodedPayload(Vec<u8>);

impl Serialize for EncodedPayload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(PAYLOAD_MAGIC, &BytesRef(&self.0))
    }
}

/// Serializes a byte slice with `serialize_bytes`, without copying it.
struct BytesRef<'a>(&'a [u8]);

impl Serialize for BytesRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// A protobuf message encoded as `json/protobuf` (the protobuf JSON mapping) with its
/// `messageType`, the default encoding of protobuf messages in the other SDKs.
///
/// Encoding needs `M: serde::Serialize` in the protobuf JSON mapping (pbjson), which
/// the API messages have with this crate's `proto-json` feature. Decoding accepts both
/// `json/protobuf` and `binary/protobuf` payloads. The `messageType` metadata is not
/// checked on decoding.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProtoJson<M>(pub M);

impl<M> ProtoJson<M> {
    /// The message.
    pub fn into_inner(self) -> M {
        self.0
    }
}

impl<M: prost::Name + Serialize> Serialize for ProtoJson<M> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let json = serde_json::to_vec(&self.0).map_err(S::Error::custom)?;
        let payload = new_proto_payload(JSON_PROTOBUF, M::full_name(), json);
        EncodedPayload(payload.encode_to_vec()).serialize(serializer)
    }
}

impl<'de, M: Message + Default + DeserializeOwned> Deserialize<'de> for ProtoJson<M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(PROTO_MAGIC, ProtoJsonVisitor(PhantomData))
    }
}

struct ProtoJsonVisitor<M>(PhantomData<M>);

impl<'de, M: Message + Default + DeserializeOwned> Visitor<'de> for ProtoJsonVisitor<M> {
    type Value = ProtoJson<M>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a protobuf message in protobuf JSON or binary form")
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        M::deserialize(d).map(ProtoJson)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        M::decode(v).map(ProtoJson).map_err(E::custom)
    }
}

/// A protobuf message encoded as `binary/protobuf` (wire format) with its
/// `messageType`.
///
/// Needs no serde support on `M`. Decoding accepts only `binary/protobuf` (and raw
/// `binary/plain`) payloads; use [`ProtoJson`] to accept `json/protobuf` too.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProtoBinary<M>(pub M);

impl<M> ProtoBinary<M> {
    /// The message.
    pub fn into_inner(self) -> M {
        self.0
    }
}

impl<M: prost::Name> Serialize for ProtoBinary<M> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let payload = new_proto_payload(BINARY_PROTOBUF, M::full_name(), self.0.encode_to_vec());
        EncodedPayload(payload.encode_to_vec()).serialize(serializer)
    }
}

impl<'de, M: Message + Default> Deserialize<'de> for ProtoBinary<M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(PROTO_MAGIC, ProtoBinaryVisitor(PhantomData))
    }
}

struct ProtoBinaryVisitor<M>(PhantomData<M>);

impl<'de, M: Message + Default> Visitor<'de> for ProtoBinaryVisitor<M> {
    type Value = ProtoBinary<M>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a protobuf message in binary form (a binary/protobuf payload)")
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        M::decode(v).map(ProtoBinary).map_err(E::custom)
    }
}
