//! Finds the values that the default converter does not write as JSON: raw bytes
//! (`serialize_bytes` at the top, e.g. [`Binary`](super::Binary)) and ready-made payloads
//! (the protobuf wrappers). It answers "not special" at the first call for any other
//! value, so the check costs next to nothing before the JSON pass.

use prost::Message as _;
use serde::Serialize;
use serde::ser::{self, Impossible};
use temporal_proto::temporal::api::common::v1::Payload;

/// Newtype-struct name under which a wrapper hands over a whole encoded payload.
pub(crate) const PAYLOAD_MAGIC: &str = "$temporal_client_core::payload::Payload";

/// A value that needs a non-JSON payload.
#[derive(Debug)]
pub(crate) enum Special {
    /// Raw bytes: `binary/plain`.
    Bytes(Vec<u8>),
    /// A payload the value built itself.
    Payload(Payload),
}

/// Returns the special form of `value`, if it has one.
pub(crate) fn special<T: Serialize + ?Sized>(value: &T) -> Option<Special> {
    value.serialize(Sniffer { payload: false }).ok()
}

/// The answer for every ordinary value. Carries no message, so it never allocates.
#[derive(Debug)]
pub(crate) struct NotSpecial;

impl std::fmt::Display for NotSpecial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a special value")
    }
}

impl std::error::Error for NotSpecial {}

impl ser::Error for NotSpecial {
    fn custom<T: std::fmt::Display>(_msg: T) -> Self {
        NotSpecial
    }
}

struct Sniffer {
    /// Inside [`PAYLOAD_MAGIC`]: the bytes are an encoded `Payload`.
    payload: bool,
}

macro_rules! not_special {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(
            fn $method(self, $(_: $arg),*) -> Result<Special, NotSpecial> {
                Err(NotSpecial)
            }
        )*
    };
}

impl ser::Serializer for Sniffer {
    type Ok = Special;
    type Error = NotSpecial;
    type SerializeSeq = Impossible<Special, NotSpecial>;
    type SerializeTuple = Impossible<Special, NotSpecial>;
    type SerializeTupleStruct = Impossible<Special, NotSpecial>;
    type SerializeTupleVariant = Impossible<Special, NotSpecial>;
    type SerializeMap = Impossible<Special, NotSpecial>;
    type SerializeStruct = Impossible<Special, NotSpecial>;
    type SerializeStructVariant = Impossible<Special, NotSpecial>;

    not_special! {
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<Special, NotSpecial> {
        if self.payload {
            Payload::decode(v)
                .map(Special::Payload)
                .map_err(|_| NotSpecial)
        } else {
            Ok(Special::Bytes(v.to_vec()))
        }
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Special, NotSpecial> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Special, NotSpecial> {
        let payload = self.payload || name == PAYLOAD_MAGIC;
        value.serialize(Sniffer { payload })
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _variant_index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Special, NotSpecial> {
        Err(NotSpecial)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, NotSpecial> {
        Err(NotSpecial)
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, NotSpecial> {
        Err(NotSpecial)
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, NotSpecial> {
        Err(NotSpecial)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _variant_index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, NotSpecial> {
        Err(NotSpecial)
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, NotSpecial> {
        Err(NotSpecial)
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, NotSpecial> {
        Err(NotSpecial)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _variant_index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, NotSpecial> {
        Err(NotSpecial)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    struct Plain {
        a: i32,
    }

    struct Bytes<'a>(&'a [u8]);
    impl Serialize for Bytes<'_> {
        fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    #[test]
    fn ordinary_values_are_not_special() {
        assert!(special(&1).is_none());
        assert!(special("s").is_none());
        assert!(special(&()).is_none());
        assert!(special(&None::<i32>).is_none());
        assert!(special(&Plain { a: 1 }).is_none());
        assert!(special(&vec![1u8, 2]).is_none());
        assert!(special(&BTreeMap::<String, i32>::new()).is_none());
        assert!(special(&serde_json::json!({"a": 1})).is_none());
    }

    #[test]
    fn top_level_bytes_are_special_even_inside_some() {
        assert!(matches!(special(&Bytes(b"ab")), Some(Special::Bytes(b)) if b == b"ab"));
        assert!(matches!(special(&Some(Bytes(b"x"))), Some(Special::Bytes(b)) if b == b"x"));
    }

    #[test]
    fn bytes_under_the_magic_name_are_a_payload() {
        struct Wrapped(Vec<u8>);
        impl Serialize for Wrapped {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_newtype_struct(PAYLOAD_MAGIC, &Bytes(&self.0))
            }
        }
        let p = super::super::encodings::new_payload("x/y", b"d".to_vec());
        match special(&Wrapped(p.encode_to_vec())) {
            Some(Special::Payload(got)) => assert_eq!(got, p),
            other => panic!("unexpected {other:?}"),
        }
    }
}
