//! [`PayloadCodec`]: byte-level transformations of encoded payloads (encryption,
//! compression), applied after the payload converter.

use std::fmt;
use std::sync::Arc;

use temporal_proto::temporal::api::common::v1::Payload;

use super::PayloadError;
use super::error::{CodecDirection, CodecError};

/// Transforms payloads on their way to and from the server, e.g. to encrypt or
/// compress them. Works on whole payloads (metadata and data).
///
/// A [`DataConverter`](super::DataConverter) applies its codecs in the order they were
/// added when encoding and in reverse order when decoding. `decode` must undo `encode`,
/// and should pass through payloads it did not encode (check a metadata marker), so
/// data written before the codec was added still reads. Return one payload for each
/// payload given: failures put the results back in place by position.
///
/// ```
/// use temporal_client_core::payload::{CodecError, PayloadCodec};
/// use temporal_client_core::proto::temporal::api::common::v1::Payload;
///
/// /// Reverses the data bytes (a toy; use real encryption).
/// #[derive(Debug)]
/// struct Reverse;
///
/// #[async_trait::async_trait]
/// impl PayloadCodec for Reverse {
///     async fn encode(&self, mut payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
///         for p in &mut payloads {
///             p.data.reverse();
///         }
///         Ok(payloads)
///     }
///     async fn decode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
///         self.encode(payloads).await
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait PayloadCodec: Send + Sync + fmt::Debug {
    /// Encodes payloads before they are sent.
    ///
    /// # Errors
    /// Any error; it reaches the caller as [`PayloadError::Codec`].
    async fn encode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError>;

    /// Decodes payloads that were received.
    ///
    /// # Errors
    /// Any error; it reaches the caller as [`PayloadError::Codec`].
    async fn decode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError>;
}

/// Runs `payloads` through every codec: in order to encode, in reverse to decode.
pub(crate) async fn apply_chain(
    codecs: &[Arc<dyn PayloadCodec>],
    direction: CodecDirection,
    mut payloads: Vec<Payload>,
) -> Result<Vec<Payload>, PayloadError> {
    let wrap = |source| PayloadError::Codec { direction, source };
    let order: Vec<usize> = match direction {
        CodecDirection::Encode => (0..codecs.len()).collect(),
        CodecDirection::Decode => (0..codecs.len()).rev().collect(),
    };
    for step in order {
        let Some(codec) = codecs.get(step) else {
            continue;
        };
        let expected = payloads.len();
        payloads = match direction {
            CodecDirection::Encode => codec.encode(payloads).await,
            CodecDirection::Decode => codec.decode(payloads).await,
        }
        .map_err(wrap)?;
        // Payloads are matched to values by position: a codec that drops or adds one
        // would shift every value after it, or lose one silently.
        if payloads.len() != expected {
            return Err(PayloadError::CodecCount {
                direction,
                step,
                expected,
                actual: payloads.len(),
            });
        }
    }
    Ok(payloads)
}
