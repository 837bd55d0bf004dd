//! The faults that live below gRPC, in HTTP/2: a stream reset after the service
//! answered ([`Faults::reset_stream_next`]).

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use http_body::Frame;
use tonic::body::Body;
use tonic::codegen::Bytes;
use tonic::service::Routes;

use super::faults::Faults;

/// The server's routes, with the stream-reset rules of [`Faults`] applied to each call.
#[derive(Clone)]
pub(crate) struct ResettingRoutes {
    routes: Routes,
    faults: Faults,
}

impl ResettingRoutes {
    pub(crate) fn new(routes: Routes, faults: Faults) -> Self {
        Self { routes, faults }
    }
}

impl<B> tower::Service<http::Request<B>> for ResettingRoutes
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
        let reset = self.faults.take_reset(rpc);
        let call = tower::Service::call(&mut self.routes, request);
        Box::pin(async move {
            // The unary handler has run (and taken effect) once the response head is
            // ready; only the body is replaced.
            let response = call.await?;
            Ok(match reset {
                Some(reason) => {
                    let (parts, _answer) = response.into_parts();
                    http::Response::from_parts(parts, Body::new(ResetBody(Some(reason))))
                }
                None => response,
            })
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
