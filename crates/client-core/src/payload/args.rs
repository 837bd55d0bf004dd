//! Several values ⇄ several payloads, one payload per value: [`ToPayloads`] and
//! [`FromPayloads`] for tuples (up to 12 elements), plus untyped paths through
//! `serde_json::Value` and raw [`Payload`]s.

use serde::Serialize;
use serde::de::DeserializeOwned;
use temporal_proto::temporal::api::common::v1::Payload;

use super::{DataConverter, PayloadError};

/// A list of arguments (or details, or results) that converts to one payload each.
///
/// Implemented for `()` (no payload), tuples `(A,)` to 12 elements of
/// `serde::Serialize` types, `[serde_json::Value]` / `Vec<serde_json::Value>` (any number,
/// untyped) and `[Payload]` / `Vec<Payload>` (already-converted payloads, copied as they
/// are). A single value is a one-element tuple: `(value,)`.
pub trait ToPayloads {
    /// Converts every element with `converter`'s payload converter (no codec).
    ///
    /// # Errors
    /// The first element's error, as [`PayloadError::Argument`].
    fn to_payloads(&self, converter: &DataConverter) -> Result<Vec<Payload>, PayloadError>;
}

/// A list of arguments (or details, or results) read from one payload each.
///
/// Implemented for `()` (expects no payload), tuples `(A,)` to 12 elements of
/// `serde::de::DeserializeOwned` types (expect exactly that many payloads),
/// `Vec<serde_json::Value>` (any number, untyped) and `Vec<Payload>` (the payloads as
/// they are).
pub trait FromPayloads: Sized {
    /// Reads the payloads with `converter`'s payload converter (no codec).
    ///
    /// # Errors
    /// [`PayloadError::ArgCount`] when the count does not match, otherwise the first
    /// element's error as [`PayloadError::Argument`].
    fn from_payloads(payloads: &[Payload], converter: &DataConverter)
    -> Result<Self, PayloadError>;
}

impl<T: ToPayloads + ?Sized> ToPayloads for &T {
    fn to_payloads(&self, converter: &DataConverter) -> Result<Vec<Payload>, PayloadError> {
        (**self).to_payloads(converter)
    }
}

impl ToPayloads for () {
    fn to_payloads(&self, _converter: &DataConverter) -> Result<Vec<Payload>, PayloadError> {
        Ok(Vec::new())
    }
}

impl FromPayloads for () {
    fn from_payloads(
        payloads: &[Payload],
        _converter: &DataConverter,
    ) -> Result<Self, PayloadError> {
        if payloads.is_empty() {
            Ok(())
        } else {
            Err(PayloadError::ArgCount {
                expected: 0,
                actual: payloads.len(),
            })
        }
    }
}

fn serialize_each<T: Serialize>(
    values: &[T],
    converter: &DataConverter,
) -> Result<Vec<Payload>, PayloadError> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| converter.to_payload(v).map_err(|e| e.at_argument(i)))
        .collect()
}

fn deserialize_each<T: DeserializeOwned>(
    payloads: &[Payload],
    converter: &DataConverter,
) -> Result<Vec<T>, PayloadError> {
    payloads
        .iter()
        .enumerate()
        .map(|(i, p)| converter.from_payload(p).map_err(|e| e.at_argument(i)))
        .collect()
}

impl ToPayloads for [serde_json::Value] {
    fn to_payloads(&self, converter: &DataConverter) -> Result<Vec<Payload>, PayloadError> {
        serialize_each(self, converter)
    }
}

impl ToPayloads for Vec<serde_json::Value> {
    fn to_payloads(&self, converter: &DataConverter) -> Result<Vec<Payload>, PayloadError> {
        serialize_each(self, converter)
    }
}

impl FromPayloads for Vec<serde_json::Value> {
    fn from_payloads(
        payloads: &[Payload],
        converter: &DataConverter,
    ) -> Result<Self, PayloadError> {
        deserialize_each(payloads, converter)
    }
}

impl ToPayloads for [Payload] {
    fn to_payloads(&self, _converter: &DataConverter) -> Result<Vec<Payload>, PayloadError> {
        Ok(self.to_vec())
    }
}

impl ToPayloads for Vec<Payload> {
    fn to_payloads(&self, _converter: &DataConverter) -> Result<Vec<Payload>, PayloadError> {
        Ok(self.clone())
    }
}

impl FromPayloads for Vec<Payload> {
    fn from_payloads(
        payloads: &[Payload],
        _converter: &DataConverter,
    ) -> Result<Self, PayloadError> {
        Ok(payloads.to_vec())
    }
}

macro_rules! tuple_impls {
    ($( ($len:literal; $($idx:tt $name:ident),+) )+) => {
        $(
            impl<$($name: Serialize),+> ToPayloads for ($($name,)+) {
                fn to_payloads(&self, converter: &DataConverter) -> Result<Vec<Payload>, PayloadError> {
                    let mut out = Vec::with_capacity($len);
                    $(
                        out.push(converter.to_payload(&self.$idx).map_err(|e| e.at_argument($idx))?);
                    )+
                    Ok(out)
                }
            }

            impl<$($name: DeserializeOwned),+> FromPayloads for ($($name,)+) {
                fn from_payloads(
                    payloads: &[Payload],
                    converter: &DataConverter,
                ) -> Result<Self, PayloadError> {
                    if payloads.len() != $len {
                        return Err(PayloadError::ArgCount { expected: $len, actual: payloads.len() });
                    }
                    Ok(($(
                        converter.from_payload::<$name>(&payloads[$idx]).map_err(|e| e.at_argument($idx))?,
                    )+))
                }
            }
        )+
    };
}

tuple_impls! {
    (1; 0 A)
    (2; 0 A, 1 B)
    (3; 0 A, 1 B, 2 C)
    (4; 0 A, 1 B, 2 C, 3 D)
    (5; 0 A, 1 B, 2 C, 3 D, 4 E)
    (6; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F)
    (7; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G)
    (8; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H)
    (9; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I)
    (10; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J)
    (11; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K)
    (12; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dc() -> DataConverter {
        DataConverter::default()
    }

    #[test]
    fn tuples_make_one_payload_per_element_and_read_back() {
        let dc = dc();
        let payloads = dc
            .to_payloads(&(1, "two", None::<i32>, vec![3, 4]))
            .unwrap();
        assert_eq!(payloads.len(), 4);
        assert_eq!(payloads[0].data, b"1");
        assert_eq!(payloads[1].data, b"\"two\"");
        assert_eq!(payloads[2].metadata["encoding"], b"binary/null");
        assert_eq!(payloads[3].data, b"[3,4]");
        let back: (i64, String, Option<i32>, Vec<u8>) = dc.from_payloads(&payloads).unwrap();
        assert_eq!(back, (1, "two".to_owned(), None, vec![3, 4]));
    }

    #[test]
    fn twelve_elements_work() {
        let dc = dc();
        let v = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, "twelve".to_owned());
        let payloads = dc.to_payloads(&v).unwrap();
        assert_eq!(payloads.len(), 12);
        let back: (u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, String) =
            dc.from_payloads(&payloads).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn unit_is_no_payloads() {
        let dc = dc();
        assert!(dc.to_payloads(&()).unwrap().is_empty());
        dc.from_payloads::<()>(&[]).unwrap();
        let one = dc.to_payloads(&(1,)).unwrap();
        let err = dc.from_payloads::<()>(&one).unwrap_err();
        assert_eq!(err.to_string(), "expected 0 arguments, got 1");
    }

    #[test]
    fn wrong_count_names_both_numbers() {
        let dc = dc();
        let payloads = dc.to_payloads(&(1, 2, 3)).unwrap();
        let err = dc.from_payloads::<(i32, i32)>(&payloads).unwrap_err();
        assert!(matches!(
            err,
            PayloadError::ArgCount {
                expected: 2,
                actual: 3
            }
        ));
        assert_eq!(err.to_string(), "expected 2 arguments, got 3");
    }

    #[test]
    fn a_bad_argument_is_reported_with_its_index() {
        let dc = dc();
        let payloads = dc.to_payloads(&(1, "not a number")).unwrap();
        let err = dc.from_payloads::<(i32, i32)>(&payloads).unwrap_err();
        match &err {
            PayloadError::Argument { index: 1, source } => {
                assert!(
                    matches!(**source, PayloadError::Deserialize { .. }),
                    "{source}"
                )
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("index 1"), "{err}");
        assert!(err.to_string().contains("invalid type: string"), "{err}");
    }

    #[test]
    fn json_values_are_an_untyped_list() {
        let dc = dc();
        let values = vec![json!(1), json!("two"), json!(null), json!({"a": [1]})];
        let payloads = dc.to_payloads(&values).unwrap();
        assert_eq!(payloads.len(), 4);
        assert_eq!(payloads[2].metadata["encoding"], b"binary/null");
        let back: Vec<serde_json::Value> = dc.from_payloads(&payloads).unwrap();
        assert_eq!(back, values);
        let slice: &[serde_json::Value] = &values;
        assert_eq!(dc.to_payloads(&slice).unwrap(), payloads);
    }

    #[test]
    fn raw_payloads_pass_through_unchanged() {
        let dc = dc();
        let payloads = dc.to_payloads(&(1, Some("x"))).unwrap();
        assert_eq!(dc.to_payloads(&payloads).unwrap(), payloads);
        let back: Vec<Payload> = dc.from_payloads(&payloads).unwrap();
        assert_eq!(back, payloads);
    }
}
