//! Payload encoding for fake workflows: the JSON and binary conventions every Temporal SDK
//! uses (`binary/null`, `binary/plain`, `json/plain`), kept behind a few functions so the
//! fake can switch to the client's data converter without touching its callers.
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use serde::Serialize;
use serde::de::DeserializeOwned;
use temporal_proto::temporal::api::common::v1::{Payload, Payloads};

const ENCODING: &str = "encoding";

/// A payload could not be turned into the requested type, or a value into a payload.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    /// The payload's `encoding` metadata is not one the fake decodes.
    #[error("the fake server cannot decode payloads with encoding {0:?}")]
    UnsupportedEncoding(String),
    /// The payload's JSON did not match the requested type.
    #[error("payload JSON does not match the requested type: {0}")]
    Json(#[from] serde_json::Error),
    /// Fewer payloads than the requested type needs.
    #[error("expected a payload at position {0}, but there are fewer payloads")]
    Missing(usize),
}

/// The `encoding` metadata of a payload, or `""`.
pub(crate) fn encoding_of(p: &Payload) -> &str {
    p.metadata
        .get(ENCODING)
        .and_then(|v| std::str::from_utf8(v).ok())
        .unwrap_or("")
}

/// Encodes a value the way the SDKs' default converter does: `null` as `binary/null`,
/// everything else as `json/plain`.
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Payload, PayloadError> {
    let json = serde_json::to_value(value)?;
    Ok(encode_value(&json))
}

/// Encodes a JSON value (`null` as `binary/null`).
pub(crate) fn encode_value(json: &serde_json::Value) -> Payload {
    if json.is_null() {
        return with_encoding("binary/null", Vec::new());
    }
    with_encoding("json/plain", json.to_string().into_bytes())
}

/// A `binary/plain` payload holding `bytes`.
#[cfg(test)]
pub(crate) fn encode_bytes(bytes: Vec<u8>) -> Payload {
    with_encoding("binary/plain", bytes)
}

fn with_encoding(encoding: &str, data: Vec<u8>) -> Payload {
    Payload {
        metadata: [(ENCODING.to_owned(), encoding.as_bytes().to_vec())].into(),
        data,
        ..Default::default()
    }
}

/// Decodes one payload into JSON.
pub(crate) fn decode_value(p: &Payload) -> Result<serde_json::Value, PayloadError> {
    match encoding_of(p) {
        "binary/null" => Ok(serde_json::Value::Null),
        "json/plain" => Ok(serde_json::from_slice(&p.data)?),
        "binary/plain" => Ok(serde_json::Value::Array(
            p.data.iter().map(|b| serde_json::Value::from(*b)).collect(),
        )),
        other => Err(PayloadError::UnsupportedEncoding(other.to_owned())),
    }
}

/// Decodes one payload into `T`.
pub(crate) fn decode<T: DeserializeOwned>(p: &Payload) -> Result<T, PayloadError> {
    Ok(serde_json::from_value(decode_value(p)?)?)
}

/// Decodes a list of payloads as one tuple (or sequence) `T`, one payload per element.
pub(crate) fn decode_all<T: DeserializeOwned>(
    payloads: Option<&Payloads>,
) -> Result<T, PayloadError> {
    let values = payloads
        .map(|p| {
            p.payloads
                .iter()
                .map(decode_value)
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    Ok(serde_json::from_value(serde_json::Value::Array(values))?)
}

/// `Payloads` holding one payload.
pub(crate) fn single(p: Payload) -> Payloads {
    Payloads { payloads: vec![p] }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn json_null_and_bytes_follow_sdk_encodings() {
        let p = encode(&serde_json::json!({"k": "v"})).unwrap();
        assert_eq!(encoding_of(&p), "json/plain");
        assert_eq!(p.data, br#"{"k":"v"}"#);
        let n = encode(&()).unwrap();
        assert_eq!(encoding_of(&n), "binary/null");
        assert!(n.data.is_empty());
        let b = encode_bytes(vec![1, 2]);
        assert_eq!(decode::<Vec<u8>>(&b).unwrap(), vec![1, 2]);
        let args = Payloads {
            payloads: vec![encode(&5i64).unwrap(), encode("x").unwrap()],
        };
        let (a, s): (i64, String) = decode_all(Some(&args)).unwrap();
        assert_eq!((a, s.as_str()), (5, "x"));
        assert!(matches!(
            decode_all::<(i64, String, bool)>(Some(&args)),
            Err(PayloadError::Json(_))
        ));
        let mut odd = encode(&1).unwrap();
        odd.metadata
            .insert("encoding".into(), b"binary/encrypted".to_vec());
        assert!(matches!(
            decode_value(&odd),
            Err(PayloadError::UnsupportedEncoding(_))
        ));
    }
}
