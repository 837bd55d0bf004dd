//! The [`PayloadConverter`] trait (value ⇄ one payload) and the
//! [`DefaultPayloadConverter`] that matches the other Temporal SDKs.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{Error as ValueError, SeqDeserializer};
use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserializer, Serialize, forward_to_deserialize_any};
use temporal_proto::temporal::api::common::v1::Payload;

use super::PayloadError;
use super::encodings::{
    BINARY_NULL, BINARY_PLAIN, BINARY_PROTOBUF, JSON_PLAIN, JSON_PROTOBUF, encoding_of,
    encoding_text, new_payload,
};
use super::sniff::{Special, special};
use super::wrappers::PROTO_MAGIC;

/// Converts between Rust values and single payloads. Plug your own into a
/// [`DataConverter`](super::DataConverter) with
/// [`DataConverter::new`](super::DataConverter::new).
///
/// Values cross this object-safe boundary as serde data: encoding gets a
/// `&dyn erased_serde::Serialize` (which is itself `serde::Serialize`, so any serde
/// format can write it), and decoding hands a serde `Deserializer` for the payload to
/// [`DecodeInto`]. A custom converter typically handles its own encodings and delegates
/// everything else to [`DefaultPayloadConverter`]:
///
/// ```
/// use temporal_client_core::payload::{
///     encodings, erased_serde, DecodeInto, DefaultPayloadConverter, PayloadConverter,
///     PayloadError,
/// };
/// use temporal_client_core::proto::temporal::api::common::v1::Payload;
///
/// /// Writes JSON with an extra metadata entry, reads like the default.
/// #[derive(Debug)]
/// struct Tagged;
///
/// impl PayloadConverter for Tagged {
///     fn to_payload(&self, value: &dyn erased_serde::Serialize) -> Result<Payload, PayloadError> {
///         let mut payload = DefaultPayloadConverter.to_payload(value)?;
///         payload.metadata.insert("tag".into(), b"mine".to_vec());
///         Ok(payload)
///     }
///     fn from_payload(&self, payload: &Payload, into: DecodeInto<'_>) -> Result<(), PayloadError> {
///         DefaultPayloadConverter.from_payload(payload, into)
///     }
/// }
///
/// let dc = temporal_client_core::payload::DataConverter::new(std::sync::Arc::new(Tagged));
/// let payload = dc.to_payload(&5)?;
/// assert_eq!(payload.metadata["tag"], b"mine");
/// assert_eq!(dc.from_payload::<i32>(&payload)?, 5);
/// # Ok::<(), PayloadError>(())
/// ```
pub trait PayloadConverter: Send + Sync + fmt::Debug {
    /// Converts one value to one payload.
    ///
    /// # Errors
    /// When the value cannot be represented.
    fn to_payload(&self, value: &dyn erased_serde::Serialize) -> Result<Payload, PayloadError>;

    /// Reads one payload into the value that `into` stands for, typically by
    /// calling one of its methods with a deserializer for the payload's data.
    ///
    /// # Errors
    /// When the encoding is unknown or the data does not fit the requested type.
    // Named like `to_payload` and like the other SDKs' converters.
    #[allow(clippy::wrong_self_convention)]
    fn from_payload(&self, payload: &Payload, into: DecodeInto<'_>) -> Result<(), PayloadError>;
}

/// The converter of every Temporal SDK, in their order: `binary/null` for values that
/// serialize to JSON `null` (`None`, `()`), `binary/plain` for bytes
/// ([`Binary`](super::Binary)), `json/protobuf` / `binary/protobuf` for the protobuf
/// wrappers, `json/plain` (compact JSON) for everything else.
///
/// Decoding dispatches on the payload's `encoding` metadata: JSON encodings are read
/// with serde_json, `binary/null` is read as JSON `null` (so `Option<T>`, `()` and
/// `serde_json::Value` accept it), binary encodings as bytes (into
/// [`Binary`](super::Binary), `Vec<u8>` or the protobuf wrappers).
///
/// Interoperability note: Python writes JSON with sorted keys and every non-ASCII
/// character escaped (`"\u2713"`); this converter writes struct fields in declaration
/// order and UTF-8 as it is. Both read each other's output; only the bytes differ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DefaultPayloadConverter;

impl PayloadConverter for DefaultPayloadConverter {
    fn to_payload(&self, value: &dyn erased_serde::Serialize) -> Result<Payload, PayloadError> {
        encode_value(value)
    }

    fn from_payload(&self, payload: &Payload, into: DecodeInto<'_>) -> Result<(), PayloadError> {
        decode_value(payload, into)
    }
}

/// The default encoding of one value, statically dispatched.
pub(crate) fn encode_value<T: Serialize + ?Sized>(value: &T) -> Result<Payload, PayloadError> {
    match special(value) {
        Some(Special::Bytes(bytes)) => return Ok(new_payload(BINARY_PLAIN, bytes)),
        Some(Special::Payload(payload)) => return Ok(payload),
        None => {}
    }
    let data = serde_json::to_vec(value).map_err(|e| PayloadError::Serialize(e.to_string()))?;
    if data == b"null" {
        return Ok(new_payload(BINARY_NULL, Vec::new()));
    }
    Ok(new_payload(JSON_PLAIN, data))
}

/// Something that turns a serde deserializer into a value: a typed target or an erased
/// [`DecodeInto`].
pub(crate) trait Seed {
    /// What it produces.
    type Value;
    /// The Rust type name, for messages.
    fn type_name(&self) -> &'static str;
    /// Deserializes.
    fn run<'de, D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error>;
}

/// The typed seed of the statically dispatched path.
pub(crate) struct Typed<T>(pub(crate) PhantomData<T>);

impl<T: DeserializeOwned> Seed for Typed<T> {
    type Value = T;

    fn type_name(&self) -> &'static str {
        std::any::type_name::<T>()
    }

    fn run<'de, D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::deserialize(deserializer)
    }
}

/// The default decoding of one payload.
pub(crate) fn decode_value<S: Seed>(payload: &Payload, seed: S) -> Result<S::Value, PayloadError> {
    let encoding = encoding_of(payload)?;
    let type_name = seed.type_name();
    let err = |message: String| PayloadError::Deserialize {
        encoding: encoding_text(payload),
        type_name,
        message,
    };
    if encoding == JSON_PLAIN.as_bytes() || encoding == JSON_PROTOBUF.as_bytes() {
        run_json(seed, &payload.data).map_err(|e| err(e.to_string()))
    } else if encoding == BINARY_NULL.as_bytes() {
        run_json(seed, b"null").map_err(|e| err(e.to_string()))
    } else if encoding == BINARY_PLAIN.as_bytes() || encoding == BINARY_PROTOBUF.as_bytes() {
        seed.run(BytesDeserializer(&payload.data))
            .map_err(|e| err(e.to_string()))
    } else {
        Err(PayloadError::UnknownEncoding(
            String::from_utf8_lossy(encoding).into_owned(),
        ))
    }
}

fn run_json<S: Seed>(seed: S, data: &[u8]) -> Result<S::Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(data);
    let value = seed.run(&mut de)?;
    de.end()?;
    Ok(value)
}

/// The target a [`PayloadConverter`] decodes into: stands for the Rust type the caller
/// asked for. Consume it with exactly one of its methods.
pub struct DecodeInto<'a> {
    slot: &'a mut dyn ErasedSlot,
    payload: &'a Payload,
    type_name: &'static str,
}

impl fmt::Debug for DecodeInto<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeInto")
            .field("type_name", &self.type_name)
            .finish_non_exhaustive()
    }
}

impl<'a> DecodeInto<'a> {
    pub(crate) fn new(slot: &'a mut dyn ErasedSlot, payload: &'a Payload) -> Self {
        let type_name = slot.type_name();
        Self {
            slot,
            payload,
            type_name,
        }
    }

    /// The Rust type name the caller asked for, e.g. `alloc::string::String`.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// Deserializes the target from any serde deserializer.
    ///
    /// # Errors
    /// [`PayloadError::Deserialize`] with the deserializer's message.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<(), PayloadError> {
        let (payload, type_name) = (self.payload, self.type_name);
        self.run(deserializer)
            .map_err(|e| PayloadError::Deserialize {
                encoding: encoding_text(payload),
                type_name,
                message: e.to_string(),
            })
    }

    /// Deserializes the target from JSON text (and checks there is nothing after it).
    ///
    /// # Errors
    /// [`PayloadError::Deserialize`] when the JSON is invalid or does not fit.
    pub fn json(self, data: &[u8]) -> Result<(), PayloadError> {
        let (payload, type_name) = (self.payload, self.type_name);
        run_json(self, data).map_err(|e| PayloadError::Deserialize {
            encoding: encoding_text(payload),
            type_name,
            message: e.to_string(),
        })
    }

    /// Deserializes the target from JSON `null`, as for `binary/null`.
    ///
    /// # Errors
    /// [`PayloadError::Deserialize`] when the type does not accept null.
    pub fn null(self) -> Result<(), PayloadError> {
        self.json(b"null")
    }

    /// Deserializes the target from raw bytes, as for `binary/plain`.
    ///
    /// # Errors
    /// [`PayloadError::Deserialize`] when the type does not accept bytes.
    pub fn bytes(self, data: &[u8]) -> Result<(), PayloadError> {
        self.deserialize(BytesDeserializer(data))
    }
}

impl Seed for DecodeInto<'_> {
    type Value = ();

    fn type_name(&self) -> &'static str {
        self.type_name
    }

    fn run<'de, D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let mut erased = <dyn erased_serde::Deserializer>::erase(deserializer);
        self.slot
            .fill(&mut erased)
            .map_err(<D::Error as de::Error>::custom)
    }
}

/// Type-erased storage for the decoded value.
pub(crate) trait ErasedSlot {
    fn type_name(&self) -> &'static str;
    fn fill<'de>(
        &mut self,
        deserializer: &mut dyn erased_serde::Deserializer<'de>,
    ) -> Result<(), erased_serde::Error>;
}

/// Holds the value a [`DecodeInto`] produced.
pub(crate) struct Slot<T>(pub(crate) Option<T>);

impl<T: DeserializeOwned> ErasedSlot for Slot<T> {
    fn type_name(&self) -> &'static str {
        std::any::type_name::<T>()
    }

    fn fill<'de>(
        &mut self,
        deserializer: &mut dyn erased_serde::Deserializer<'de>,
    ) -> Result<(), erased_serde::Error> {
        self.0 = Some(erased_serde::deserialize(deserializer)?);
        Ok(())
    }
}

/// Presents raw payload bytes to serde: as bytes to `Binary`, serde_bytes and the
/// protobuf wrappers, as a sequence of `u8` to `Vec<u8>` and arrays.
struct BytesDeserializer<'de>(&'de [u8]);

impl<'de> BytesDeserializer<'de> {
    fn visit_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        let mut seq = SeqDeserializer::new(self.0.iter().copied());
        let value = visitor.visit_seq(&mut seq)?;
        seq.end()?;
        Ok(value)
    }
}

impl<'de> Deserializer<'de> for BytesDeserializer<'de> {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_borrowed_bytes(self.0)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.visit_seq(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        self.visit_seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        if name == PROTO_MAGIC {
            visitor.visit_borrowed_bytes(self.0)
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct tuple_struct map struct enum identifier ignored_any
    }
}
