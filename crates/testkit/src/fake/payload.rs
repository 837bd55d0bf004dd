//! Payload conversion for fake workflows. Every value goes through the client's default
//! [`DataConverter`], so the fake writes and reads exactly the encodings the client and
//! the other SDKs use (`binary/null`, `binary/plain`, `json/plain`, ...).

use serde::Serialize;
use serde::de::DeserializeOwned;
use temporal_client_core::payload::{DataConverter, FromPayloads, ToPayloads};
use temporal_proto::temporal::api::common::v1::{Payload, Payloads};

pub use temporal_client_core::payload::PayloadError;

/// Encodes one value as the default converter does (`()`/`None` as `binary/null`,
/// bytes as `binary/plain`, anything else as `json/plain`).
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Payload, PayloadError> {
    DataConverter::default().to_payload(value)
}

/// Encodes an argument list (a tuple), one payload per element.
pub(crate) fn encode_all<T: ToPayloads + ?Sized>(args: &T) -> Result<Payloads, PayloadError> {
    let payloads = DataConverter::default().to_payloads(args)?;
    Ok(Payloads { payloads })
}

/// Decodes one payload into `T`.
pub(crate) fn decode<T: DeserializeOwned>(p: &Payload) -> Result<T, PayloadError> {
    DataConverter::default().from_payload(p)
}

/// Decodes a list of payloads (none when absent) as an argument list `T` (a tuple), one
/// payload per element.
pub(crate) fn decode_all<T: FromPayloads>(payloads: Option<&Payloads>) -> Result<T, PayloadError> {
    let payloads = payloads.map_or(&[][..], |p| p.payloads.as_slice());
    DataConverter::default().from_payloads(payloads)
}

/// `Payloads` holding one payload.
pub(crate) fn single(p: Payload) -> Payloads {
    Payloads { payloads: vec![p] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use temporal_client_core::payload::{Binary, encodings};

    fn encoding(p: &Payload) -> &[u8] {
        encodings::encoding_of(p).unwrap()
    }

    #[test]
    fn values_use_the_client_encodings() {
        let p = encode(&serde_json::json!({"k": "v"})).unwrap();
        assert_eq!(
            (encoding(&p), p.data.as_slice()),
            (&b"json/plain"[..], &br#"{"k":"v"}"#[..])
        );
        let n = encode(&()).unwrap();
        assert_eq!(encoding(&n), b"binary/null");
        assert!(n.data.is_empty());
        let b = encode(&Binary(vec![1, 2])).unwrap();
        assert_eq!(
            (encoding(&b), b.data.as_slice()),
            (&b"binary/plain"[..], &[1u8, 2][..])
        );
        assert_eq!(decode::<Vec<u8>>(&b).unwrap(), vec![1, 2]);
    }

    #[test]
    fn argument_lists_are_one_payload_per_element() {
        let args = encode_all(&(5i64, "x")).unwrap();
        assert_eq!(args.payloads.len(), 2);
        let (a, s): (i64, String) = decode_all(Some(&args)).unwrap();
        assert_eq!((a, s.as_str()), (5, "x"));
        assert!(matches!(
            decode_all::<(i64, String, bool)>(Some(&args)),
            Err(PayloadError::ArgCount {
                expected: 3,
                actual: 2
            })
        ));
        assert!(matches!(
            decode_all::<(String, String)>(Some(&args)),
            Err(PayloadError::Argument { index: 0, .. })
        ));
        decode_all::<()>(None).unwrap();
        assert!(encode_all(&()).unwrap().payloads.is_empty());
    }

    #[test]
    fn unknown_encodings_are_refused() {
        let mut odd = encode(&1).unwrap();
        odd.metadata
            .insert("encoding".into(), b"binary/encrypted".to_vec());
        assert!(matches!(
            decode::<serde_json::Value>(&odd),
            Err(PayloadError::UnknownEncoding(e)) if e == "binary/encrypted"
        ));
    }
}
