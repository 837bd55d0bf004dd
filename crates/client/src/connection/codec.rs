//! `SharedCodec`: a protobuf codec whose request side is an `Arc<M>`, so a request is
//! encoded straight from the shared message on every attempt and never cloned.

use std::marker::PhantomData;
use std::sync::Arc;

use prost::Message;
use tonic::Status;
use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};

/// Encodes `Arc<M>`, decodes `R`.
pub(crate) struct SharedCodec<M, R>(PhantomData<fn(M) -> R>);

impl<M, R> Default for SharedCodec<M, R> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<M, R> Codec for SharedCodec<M, R>
where
    M: Message + Send + Sync + 'static,
    R: Message + Default + Send + 'static,
{
    type Encode = Arc<M>;
    type Decode = R;
    type Encoder = SharedEncoder<M>;
    type Decoder = MessageDecoder<R>;

    fn encoder(&mut self) -> Self::Encoder {
        SharedEncoder(PhantomData)
    }

    fn decoder(&mut self) -> Self::Decoder {
        MessageDecoder(PhantomData)
    }
}

/// The buffers of both halves: 1 KiB instead of tonic's 8 KiB. The encode and the
/// decode buffer are allocated per call, and Temporal's requests and most responses are
/// far smaller (the buffers grow for larger messages).
fn buffer_settings() -> BufferSettings {
    BufferSettings::new(BUFFER_SIZE, YIELD_THRESHOLD)
}

/// The initial size of the per-call encode and decode buffers.
const BUFFER_SIZE: usize = 1024;
/// tonic's default: how much a streaming encoder buffers before yielding.
const YIELD_THRESHOLD: usize = 32 * 1024;

/// The request half of [`SharedCodec`].
pub(crate) struct SharedEncoder<M>(PhantomData<fn(M)>);

impl<M: Message> Encoder for SharedEncoder<M> {
    type Item = Arc<M>;
    type Error = Status;

    fn encode(&mut self, item: Arc<M>, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(buf)
            .map_err(|e| Status::internal(format!("the request could not be encoded: {e}")))
    }

    fn buffer_settings(&self) -> BufferSettings {
        buffer_settings()
    }
}

/// The response half of [`SharedCodec`].
pub(crate) struct MessageDecoder<R>(PhantomData<fn() -> R>);

impl<R: Message + Default> Decoder for MessageDecoder<R> {
    type Item = R;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<R>, Status> {
        R::decode(buf).map(Some).map_err(|e| {
            Status::internal(format!("the server's response could not be decoded: {e}"))
        })
    }

    fn buffer_settings(&self) -> BufferSettings {
        buffer_settings()
    }
}
