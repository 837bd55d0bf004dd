//! The payload encodings the Temporal SDKs share, and small helpers to read and build
//! payload metadata.

use std::collections::HashMap;

use temporal_proto::temporal::api::common::v1::Payload;

use super::PayloadError;

/// Metadata key that names a payload's encoding.
pub const METADATA_ENCODING: &str = "encoding";
/// Metadata key that names the protobuf message type of a protobuf payload.
pub const METADATA_MESSAGE_TYPE: &str = "messageType";

/// A null value (Rust `None` or `()`); the data is empty.
pub const BINARY_NULL: &str = "binary/null";
/// Raw bytes, stored as they are.
pub const BINARY_PLAIN: &str = "binary/plain";
/// A protobuf message in the protobuf JSON mapping; has `messageType`.
pub const JSON_PROTOBUF: &str = "json/protobuf";
/// A protobuf message in binary wire format; has `messageType`.
pub const BINARY_PROTOBUF: &str = "binary/protobuf";
/// Any other value, as JSON text.
pub const JSON_PLAIN: &str = "json/plain";

/// The `encoding` metadata of a payload, as raw bytes.
///
/// # Errors
/// [`PayloadError::MissingMetadata`] when the payload has no `encoding` entry.
pub fn encoding_of(payload: &Payload) -> Result<&[u8], PayloadError> {
    payload
        .metadata
        .get(METADATA_ENCODING)
        .map(Vec::as_slice)
        .ok_or(PayloadError::MissingMetadata(METADATA_ENCODING))
}

/// The `encoding` metadata of a payload as text, for messages; empty when missing.
pub(crate) fn encoding_text(payload: &Payload) -> String {
    payload
        .metadata
        .get(METADATA_ENCODING)
        .map(|e| String::from_utf8_lossy(e).into_owned())
        .unwrap_or_default()
}

/// Builds a payload with only the `encoding` metadata.
pub fn new_payload(encoding: &str, data: Vec<u8>) -> Payload {
    let mut metadata = HashMap::with_capacity(1);
    metadata.insert(METADATA_ENCODING.to_owned(), encoding.as_bytes().to_vec());
    Payload {
        metadata,
        data,
        external_payloads: Vec::new(),
    }
}

/// Builds a protobuf payload: `encoding` plus `messageType`.
pub(crate) fn new_proto_payload(encoding: &str, message_type: String, data: Vec<u8>) -> Payload {
    let mut metadata = HashMap::with_capacity(2);
    metadata.insert(METADATA_ENCODING.to_owned(), encoding.as_bytes().to_vec());
    metadata.insert(METADATA_MESSAGE_TYPE.to_owned(), message_type.into_bytes());
    Payload {
        metadata,
        data,
        external_payloads: Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn new_payload_sets_only_the_encoding() {
        let p = new_payload(JSON_PLAIN, b"1".to_vec());
        assert_eq!(p.metadata.len(), 1);
        assert_eq!(encoding_of(&p).ok(), Some(&b"json/plain"[..]));
        assert_eq!(p.data, b"1");
    }

    #[test]
    fn missing_encoding_is_a_typed_error() {
        let p = Payload::default();
        assert!(matches!(
            encoding_of(&p),
            Err(PayloadError::MissingMetadata("encoding"))
        ));
        assert_eq!(encoding_text(&p), "");
    }

    #[test]
    fn proto_payload_has_message_type() {
        let p = new_proto_payload(BINARY_PROTOBUF, "a.b.C".into(), vec![]);
        assert_eq!(p.metadata[METADATA_MESSAGE_TYPE], b"a.b.C");
        assert_eq!(p.metadata[METADATA_ENCODING], b"binary/protobuf");
    }
}
