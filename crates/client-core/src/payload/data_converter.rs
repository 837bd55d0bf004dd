//! [`DataConverter`]: the payload converter, the codec chain and the failure converter
//! together, as the client uses them.

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, LazyLock};

use serde::Serialize;
use serde::de::DeserializeOwned;
use temporal_proto::temporal::api::common::v1::Payload;
use temporal_proto::temporal::api::failure::v1::Failure;

use super::codec::{PayloadCodec, apply_chain};
use super::converter::{
    DecodeInto, DefaultPayloadConverter, PayloadConverter, Slot, Typed, decode_value, encode_value,
};
use super::error::CodecDirection;
use super::{FromPayloads, PayloadError, ToPayloads};
use crate::failure::{self, FailureConverter, TemporalFailure};

/// Converts user values to payloads and back: a [`PayloadConverter`] (value ⇄ payload),
/// a chain of [`PayloadCodec`]s (payload bytes ⇄ encrypted/compressed bytes) and a
/// [`FailureConverter`] (errors ⇄ `Failure`).
///
/// Cloning is cheap (one reference count). The default has the
/// [`DefaultPayloadConverter`], no codec and the default failure converter.
///
/// The conversion methods (`to_payload`, `from_payload`, `to_payloads`,
/// `from_payloads`) are synchronous and do not run codecs; the `encode_*` / `decode_*`
/// methods are asynchronous and run only the codecs. The client does both: it converts,
/// then encodes before sending; it decodes, then converts after receiving.
///
/// ```
/// use std::sync::Arc;
/// use temporal_client_core::payload::{Binary, CodecError, DataConverter, PayloadCodec};
/// use temporal_client_core::proto::temporal::api::common::v1::Payload;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dc = DataConverter::default();
///
/// // One value, one payload: JSON by default, bytes with `Binary`, null for `None`.
/// let payload = dc.to_payload(&serde_json::json!({"id": 7}))?;
/// assert_eq!(payload.metadata["encoding"], b"json/plain");
/// assert_eq!(payload.data, br#"{"id":7}"#);
/// assert_eq!(dc.to_payload(&Binary(vec![0, 1]))?.metadata["encoding"], b"binary/plain");
/// assert_eq!(dc.to_payload(&None::<u8>)?.metadata["encoding"], b"binary/null");
/// let back: serde_json::Value = dc.from_payload(&payload)?;
/// assert_eq!(back["id"], 7);
///
/// // Several arguments, one payload each.
/// let args = dc.to_payloads(&(1, "two", None::<i32>))?;
/// let (a, b, c): (i32, String, Option<i32>) = dc.from_payloads(&args)?;
/// assert_eq!((a, b.as_str(), c), (1, "two", None));
///
/// // A codec (here: flips every data byte) runs on the way out and back in.
/// #[derive(Debug)]
/// struct Flip;
/// #[async_trait::async_trait]
/// impl PayloadCodec for Flip {
///     async fn encode(&self, mut ps: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
///         ps.iter_mut().for_each(|p| p.data.iter_mut().for_each(|b| *b = !*b));
///         Ok(ps)
///     }
///     async fn decode(&self, ps: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
///         self.encode(ps).await
///     }
/// }
/// let dc = DataConverter::default().with_codec(Arc::new(Flip));
/// let rt = tokio::runtime::Builder::new_current_thread().build()?;
/// rt.block_on(async {
///     let sent = dc.encode_payloads(dc.to_payloads(&("secret",))?).await?;
///     assert_ne!(sent[0].data, b"\"secret\"");
///     let received = dc.decode_payloads(sent).await?;
///     let (s,): (String,) = dc.from_payloads(&received)?;
///     assert_eq!(s, "secret");
///     Ok::<_, temporal_client_core::payload::PayloadError>(())
/// })?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct DataConverter {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    converter: Arc<dyn PayloadConverter>,
    /// The converter is the built-in default: convert through the statically
    /// dispatched functions instead of the trait object (same results, faster).
    builtin: bool,
    codecs: Vec<Arc<dyn PayloadCodec>>,
    failure: FailureConverter,
}

static DEFAULT: LazyLock<DataConverter> = LazyLock::new(|| DataConverter {
    inner: Arc::new(Inner {
        converter: Arc::new(DefaultPayloadConverter),
        builtin: true,
        codecs: Vec::new(),
        failure: FailureConverter::default(),
    }),
});

impl Default for DataConverter {
    fn default() -> Self {
        DEFAULT.clone()
    }
}

impl fmt::Debug for DataConverter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataConverter")
            .field("payload_converter", &self.inner.converter)
            .field("codecs", &self.inner.codecs)
            .field("failure_converter", &self.inner.failure)
            .finish()
    }
}

impl DataConverter {
    /// A data converter with this payload converter, no codec and the default failure
    /// converter.
    pub fn new(converter: Arc<dyn PayloadConverter>) -> Self {
        Self {
            inner: Arc::new(Inner {
                converter,
                builtin: false,
                codecs: Vec::new(),
                failure: FailureConverter::default(),
            }),
        }
    }

    /// Appends a codec to the chain: codecs encode in the order they were added and
    /// decode in reverse.
    #[must_use]
    pub fn with_codec(mut self, codec: Arc<dyn PayloadCodec>) -> Self {
        Arc::make_mut(&mut self.inner).codecs.push(codec);
        self
    }

    /// Replaces the failure converter.
    #[must_use]
    pub fn with_failure_converter(mut self, failure_converter: FailureConverter) -> Self {
        Arc::make_mut(&mut self.inner).failure = failure_converter;
        self
    }

    /// Whether any codec is set.
    pub fn has_codecs(&self) -> bool {
        !self.inner.codecs.is_empty()
    }

    /// The payload converter.
    pub fn payload_converter(&self) -> &Arc<dyn PayloadConverter> {
        &self.inner.converter
    }

    /// The codec chain, in encoding order.
    pub fn codecs(&self) -> &[Arc<dyn PayloadCodec>] {
        &self.inner.codecs
    }

    /// The failure converter.
    pub fn failure_converter(&self) -> &FailureConverter {
        &self.inner.failure
    }

    /// Converts one value to one payload (no codec).
    ///
    /// # Errors
    /// When the payload converter cannot represent the value.
    pub fn to_payload<T: Serialize + ?Sized>(&self, value: &T) -> Result<Payload, PayloadError> {
        if self.inner.builtin {
            encode_value(value)
        } else {
            let erased: &dyn erased_serde::Serialize = &value;
            self.inner.converter.to_payload(erased)
        }
    }

    /// Reads one payload as `T` (no codec).
    ///
    /// # Errors
    /// [`PayloadError::UnknownEncoding`], [`PayloadError::MissingMetadata`] or
    /// [`PayloadError::Deserialize`].
    pub fn from_payload<T: DeserializeOwned>(&self, payload: &Payload) -> Result<T, PayloadError> {
        if self.inner.builtin {
            return decode_value(payload, Typed::<T>(PhantomData));
        }
        let mut slot = Slot::<T>(None);
        self.inner
            .converter
            .from_payload(payload, DecodeInto::new(&mut slot, payload))?;
        slot.0
            .ok_or(PayloadError::NothingDecoded(std::any::type_name::<T>()))
    }

    /// Converts several values to one payload each (no codec).
    ///
    /// # Errors
    /// The first value's error, as [`PayloadError::Argument`].
    pub fn to_payloads<A: ToPayloads + ?Sized>(
        &self,
        args: &A,
    ) -> Result<Vec<Payload>, PayloadError> {
        args.to_payloads(self)
    }

    /// Reads several payloads, one value each (no codec).
    ///
    /// # Errors
    /// [`PayloadError::ArgCount`] or the first value's error.
    pub fn from_payloads<A: FromPayloads>(&self, payloads: &[Payload]) -> Result<A, PayloadError> {
        A::from_payloads(payloads, self)
    }

    /// Runs the codecs over payloads that are about to be sent, in the order they were
    /// added. Without codecs this returns the input as it is.
    ///
    /// # Errors
    /// [`PayloadError::Codec`], or [`PayloadError::CodecCount`] when a codec returns a
    /// different number of payloads than it was given.
    pub async fn encode_payloads(
        &self,
        payloads: Vec<Payload>,
    ) -> Result<Vec<Payload>, PayloadError> {
        if self.inner.codecs.is_empty() {
            return Ok(payloads);
        }
        apply_chain(&self.inner.codecs, CodecDirection::Encode, payloads).await
    }

    /// Runs the codecs over received payloads, in reverse order. Without codecs this
    /// returns the input as it is.
    ///
    /// # Errors
    /// [`PayloadError::Codec`], or [`PayloadError::CodecCount`] when a codec returns a
    /// different number of payloads than it was given.
    pub async fn decode_payloads(
        &self,
        payloads: Vec<Payload>,
    ) -> Result<Vec<Payload>, PayloadError> {
        if self.inner.codecs.is_empty() {
            return Ok(payloads);
        }
        apply_chain(&self.inner.codecs, CodecDirection::Decode, payloads).await
    }

    /// Converts and encodes: [`to_payloads`](Self::to_payloads) then
    /// [`encode_payloads`](Self::encode_payloads).
    ///
    /// # Errors
    /// As those two.
    pub async fn to_encoded_payloads<A: ToPayloads + ?Sized>(
        &self,
        args: &A,
    ) -> Result<Vec<Payload>, PayloadError> {
        let payloads = self.to_payloads(args)?;
        self.encode_payloads(payloads).await
    }

    /// Decodes and converts: [`decode_payloads`](Self::decode_payloads) then
    /// [`from_payloads`](Self::from_payloads).
    ///
    /// # Errors
    /// As those two.
    pub async fn from_encoded_payloads<A: FromPayloads>(
        &self,
        payloads: Vec<Payload>,
    ) -> Result<A, PayloadError> {
        let payloads = self.decode_payloads(payloads).await?;
        self.from_payloads(&payloads)
    }

    /// Prepares a failure for sending: if the failure converter encodes common
    /// attributes, moves every message and stack trace of the chain into
    /// `encoded_attributes`; then runs the codecs over every payload of the chain
    /// (details, heartbeat details, encoded attributes, through all causes). Does
    /// nothing, and allocates nothing, when neither applies.
    ///
    /// # Errors
    /// [`PayloadError::Codec`] or [`PayloadError::CodecCount`]; the failure's payloads
    /// are then unspecified.
    pub async fn encode_failure(&self, failure: &mut Failure) -> Result<(), PayloadError> {
        if self.inner.failure.encodes_common_attributes() {
            failure::encode_common_attributes(failure, self)?;
        }
        if self.inner.codecs.is_empty() {
            return Ok(());
        }
        failure::apply_codecs(failure, &self.inner.codecs, CodecDirection::Encode).await
    }

    /// Reads a received failure: runs the codecs (in reverse) over every payload of the
    /// chain, then restores messages and stack traces from `encoded_attributes` where a
    /// failure says "Encoded failure". Without codecs and encoded attributes this does
    /// nothing and allocates nothing.
    ///
    /// # Errors
    /// [`PayloadError::Codec`] or [`PayloadError::CodecCount`].
    pub async fn decode_failure(&self, failure: &mut Failure) -> Result<(), PayloadError> {
        if !self.inner.codecs.is_empty() {
            failure::apply_codecs(failure, &self.inner.codecs, CodecDirection::Decode).await?;
        }
        failure::decode_common_attributes(failure, self);
        Ok(())
    }

    /// [`TemporalFailure::to_proto`] then [`encode_failure`](Self::encode_failure).
    ///
    /// # Errors
    /// As `encode_failure`.
    pub async fn failure_to_proto(&self, error: &TemporalFailure) -> Result<Failure, PayloadError> {
        let mut proto = error.to_proto();
        self.encode_failure(&mut proto).await?;
        Ok(proto)
    }

    /// [`decode_failure`](Self::decode_failure) then [`TemporalFailure::from_proto`], with
    /// this converter attached so the failure's details read without one.
    ///
    /// # Errors
    /// As `decode_failure`.
    pub async fn failure_from_proto(
        &self,
        mut proto: Failure,
    ) -> Result<TemporalFailure, PayloadError> {
        self.decode_failure(&mut proto).await?;
        Ok(TemporalFailure::from_proto(proto).with_data_converter(self))
    }
}
