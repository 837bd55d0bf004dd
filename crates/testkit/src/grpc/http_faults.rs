//! The faults that replace a response body after the service answered: a stream reset
//! ([`Faults::reset_stream_next`]) and a message that does not decode
//! ([`Faults::garble_response_next`]).

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use http_body::Frame;
use tonic::body::Body;
use tonic::codegen::Bytes;
use tonic::service::Routes;

use super::faults::{BodyFault, Faults};

/// The server's routes, with the body rules of [`Faults`] applied to each call.
#[derive(Clone)]
pub(crate) struct BodyFaultRoutes {
    routes: Routes,
    faults: Faults,
}

impl BodyFaultRoutes {
    pub(crate) fn new(routes: Routes, faults: Faults) -> Self {
        Self { routes, faults }
    }
}

impl<B> tower::Service<http::Request<B>> for BodyFaultRoutes
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future =
        Pin<Box<dyn Future<Output = Result<http::Response<Body>, Infallible>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        tower::Service::<http::Request<B>>::poll_ready(&mut self.routes, cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let rpc = request.uri().path().rsplit('/').next().unwrap_or_default();
        let fault = self.faults.take_body_fault(rpc);
        let call = tower::Service::call(&mut self.routes, request);
        Box::pin(async move {
            // The unary handler has run (and taken effect) once the response head is
            // ready; only the body is replaced.
            let response = call.await?;
            let Some(fault) = fault else {
                return Ok(response);
            };
            let (parts, _answer) = response.into_parts();
            let body = match fault {
                BodyFault::Reset(reason) => Body::new(ResetBody(Some(reason))),
                BodyFault::Garbled => Body::new(GarbledBody { sent: 0 }),
            };
            Ok(http::Response::from_parts(parts, body))
        })
    }
}

/// A response body that fails at once with an HTTP/2 reason: hyper then resets the
/// stream (`RST_STREAM`) with that reason.
struct ResetBody(Option<h2::Reason>);

impl http_body::Body for ResetBody {
    type Data = Bytes;
    type Error = h2::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, h2::Error>>> {
        Poll::Ready(self.0.take().map(|reason| Err(h2::Error::from(reason))))
    }
}

/// A gRPC response whose message is not protobuf: field 1, length-delimited, announces
/// five bytes and carries one. Every message type fails to decode it, known field or
/// not. Then the `OK` trailers, so only the message is wrong.
struct GarbledBody {
    /// The frames sent so far: the message, then the trailers.
    sent: u8,
}

/// Uncompressed, three bytes long, then the three bytes.
const GARBLED_MESSAGE: &[u8] = &[0, 0, 0, 0, 3, 0x0a, 0x05, 0x01];

impl http_body::Body for GarbledBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let frame = match self.sent {
            0 => Frame::data(Bytes::from_static(GARBLED_MESSAGE)),
            1 => {
                let mut trailers = http::HeaderMap::new();
                trailers.insert("grpc-status", http::HeaderValue::from_static("0"));
                Frame::trailers(trailers)
            }
            _ => return Poll::Ready(None),
        };
        self.sent += 1;
        Poll::Ready(Some(Ok(frame)))
    }
}
