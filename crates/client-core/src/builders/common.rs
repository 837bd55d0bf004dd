//! Small pieces every builder uses: request ids, payload lists, JSON strings.

use std::collections::HashMap;

use temporal_proto::temporal::api::common::v1::{Payload, Payloads};

/// A fresh UUID v4, as the server expects for `request_id` (it deduplicates retries
/// of one request by it).
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `Some` payload list, or `None` when there are no payloads.
pub(crate) fn payloads(payloads: Vec<Payload>) -> Option<Payloads> {
    if payloads.is_empty() {
        None
    } else {
        Some(Payloads { payloads })
    }
}

/// A `json/plain` payload holding a JSON string.
pub(crate) fn json_string_payload(text: &str) -> Payload {
    Payload {
        metadata: HashMap::from([("encoding".to_owned(), b"json/plain".to_vec())]),
        data: serde_json::Value::String(text.to_owned())
            .to_string()
            .into_bytes(),
        ..Default::default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub(crate) mod tests {
    use super::*;

    /// Asserts `id` is a UUID v4 and returns it.
    pub(crate) fn assert_uuid_v4(id: &str) -> &str {
        let uuid = uuid::Uuid::parse_str(id).unwrap_or_else(|e| panic!("{id:?}: {e}"));
        assert_eq!(uuid.get_version(), Some(uuid::Version::Random), "{id}");
        assert_eq!(uuid.to_string(), id, "lower-case hyphenated form");
        id
    }

    /// A `json/plain` payload with this JSON text.
    pub(crate) fn json_payload(json: &str) -> Payload {
        Payload {
            metadata: HashMap::from([("encoding".to_owned(), b"json/plain".to_vec())]),
            data: json.as_bytes().to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn request_ids_are_distinct_v4_uuids() {
        let a = new_request_id();
        let b = new_request_id();
        assert_uuid_v4(&a);
        assert_uuid_v4(&b);
        assert_ne!(a, b);
    }

    #[test]
    fn empty_payloads_are_none() {
        assert_eq!(payloads(Vec::new()), None);
        let p = json_payload("1");
        assert_eq!(
            payloads(vec![p.clone()]),
            Some(Payloads { payloads: vec![p] })
        );
    }

    #[test]
    fn json_string_payload_quotes_and_escapes() {
        let p = json_string_payload("say \"hi\"\n");
        assert_eq!(p.data, b"\"say \\\"hi\\\"\\n\"");
        assert_eq!(p.metadata.get("encoding").unwrap(), b"json/plain");
    }
}
