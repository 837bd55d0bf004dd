//! User tower layers around the connection's HTTP/2 channel
//! ([`ConnectionOptions::layer`](super::ConnectionOptions::layer)), kept type-erased so
//! the options stay one concrete, cloneable type.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tonic::body::Body;
use tower::util::BoxCloneSyncService;
use tower::{BoxError, Layer, Service, ServiceExt as _};

use super::h2_channel::H2Channel;

/// The service a [`ConnectionOptions::layer`](super::ConnectionOptions::layer) wraps
/// and must return: one HTTP/2 request of a gRPC call in, its response out, boxed so
/// layers of any type compose.
pub(crate) type HttpService =
    BoxCloneSyncService<http::Request<Body>, http::Response<Body>, BoxError>;

/// One user layer, applied to the (already wrapped) channel.
#[derive(Clone)]
pub(crate) struct BoxedLayer(Arc<dyn Fn(HttpService) -> HttpService + Send + Sync>);

impl BoxedLayer {
    /// Erases the type of `layer`.
    pub(crate) fn new<L>(layer: L) -> Self
    where
        L: Layer<HttpService> + Send + Sync + 'static,
        L::Service: Service<http::Request<Body>, Response = http::Response<Body>, Error = BoxError>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<http::Request<Body>>>::Future: Send + 'static,
    {
        Self(Arc::new(move |inner| {
            BoxCloneSyncService::new(layer.layer(inner))
        }))
    }
}

impl fmt::Debug for BoxedLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Layer")
    }
}

/// What the gRPC client sends through: the bare channel when no layer is set (no
/// boxing on the hot path), or the channel inside the user layers.
#[derive(Debug, Clone)]
pub(crate) enum GrpcChannel {
    /// No layer: the direct HTTP/2 channel.
    Direct(H2Channel),
    /// The channel inside the user layers.
    Layered(HttpService),
}

/// Wraps `channel` (a bare [`GrpcChannel::Direct`]) in
/// `layers`: the first added is innermost (next to the channel), the last added
/// outermost (it sees each request first).
pub(crate) fn wrap(channel: GrpcChannel, layers: &[BoxedLayer]) -> GrpcChannel {
    if layers.is_empty() {
        return channel;
    }
    let inner = BoxCloneSyncService::new(channel.map_err(BoxError::from));
    GrpcChannel::Layered(layers.iter().fold(inner, |inner, layer| (layer.0)(inner)))
}

impl Service<http::Request<Body>> for GrpcChannel {
    type Response = http::Response<Body>;
    type Error = ChannelError;
    type Future = GrpcResponse;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ChannelError>> {
        match self {
            Self::Direct(channel) => channel
                .poll_ready(cx)
                .map_err(|e| ChannelError(Box::new(e))),
            Self::Layered(service) => service.poll_ready(cx).map_err(ChannelError),
        }
    }

    #[inline]
    fn call(&mut self, request: http::Request<Body>) -> GrpcResponse {
        match self {
            Self::Direct(channel) => GrpcResponse::Direct(channel.call(request)),
            Self::Layered(service) => GrpcResponse::Layered(service.call(request)),
        }
    }
}

/// The response future of [`GrpcChannel`].
pub(crate) enum GrpcResponse {
    Direct(<H2Channel as Service<http::Request<Body>>>::Future),
    Layered(Pin<Box<dyn Future<Output = Result<http::Response<Body>, BoxError>> + Send>>),
}

impl Future for GrpcResponse {
    type Output = Result<http::Response<Body>, ChannelError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            Self::Direct(future) => future
                .as_mut()
                .poll(cx)
                .map_err(|e| ChannelError(Box::new(e))),
            Self::Layered(future) => future.as_mut().poll(cx).map_err(ChannelError),
        }
    }
}

/// The error of the channel or of a user layer.
///
/// A concrete type rather than `BoxError`: with a trait object as the service's error
/// type, the `Send` check of the async service methods fails (a rustc limitation with
/// higher-ranked lifetimes). Its source is the error itself, so tonic and
/// [`status_to_error`](super::error::status_to_error) still find a status, a
/// connect error or an I/O error in the chain.
#[derive(Debug)]
pub(crate) struct ChannelError(BoxError);

impl fmt::Display for ChannelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for ChannelError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}
