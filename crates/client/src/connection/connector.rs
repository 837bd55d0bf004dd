//! The byte streams the direct HTTP/2 channel runs over: TCP to the server's address,
//! or a user's connector (`Connection::lazy_with_connector`).

use std::sync::Arc;

use hyper_util::rt::TokioIo;
use tower::ServiceExt as _;

use super::h2_channel::{Connect, ConnectFailure, ConnectFuture, Io};

/// TCP to `host:port` (resolved on every connect), with Nagle's algorithm off.
pub(crate) struct TcpConnector {
    authority: Arc<str>,
}

impl TcpConnector {
    /// Connects to `authority` (`host:port`).
    pub(crate) fn new(authority: &str) -> Self {
        Self {
            authority: Arc::from(authority),
        }
    }
}

impl Connect for TcpConnector {
    fn connect(&self) -> ConnectFuture {
        let authority = Arc::clone(&self.authority);
        Box::pin(async move {
            let what = || format!("could not connect to {authority}");
            let stream = tokio::net::TcpStream::connect(&*authority)
                .await
                .map_err(|e| ConnectFailure::new(&what(), e))?;
            stream
                .set_nodelay(true)
                .map_err(|e| ConnectFailure::new(&what(), e))?;
            Ok(Box::new(stream) as Box<dyn Io>)
        })
    }
}

/// A user's `tower::Service<Uri>` returning a hyper I/O type; connects are serialised
/// (the service is called through `&mut`), which the channel does anyway.
pub(crate) struct ServiceConnector<C> {
    service: Arc<tokio::sync::Mutex<C>>,
    uri: http::Uri,
}

impl<C> ServiceConnector<C> {
    /// Calls `service` with `uri` on every connect.
    pub(crate) fn new(service: C, uri: http::Uri) -> Self {
        Self {
            service: Arc::new(tokio::sync::Mutex::new(service)),
            uri,
        }
    }
}

impl<C> Connect for ServiceConnector<C>
where
    C: tower::Service<http::Uri> + Send + 'static,
    C::Response: hyper::rt::Read + hyper::rt::Write + Send + Unpin + 'static,
    C::Future: Send,
    C::Error: std::error::Error + Send + Sync + 'static,
{
    fn connect(&self) -> ConnectFuture {
        let service = Arc::clone(&self.service);
        let uri = self.uri.clone();
        Box::pin(async move {
            let what = format!("could not connect to {uri}");
            let mut service = service.lock().await;
            let io = (*service)
                .ready()
                .await
                .map_err(|e| ConnectFailure::new(&what, e))?
                .call(uri)
                .await
                .map_err(|e| ConnectFailure::new(&what, e))?;
            Ok(Box::new(TokioIo::new(io)) as Box<dyn Io>)
        })
    }
}

/// TLS (rustls) over another connector's byte stream, offering HTTP/2 by ALPN.
#[cfg(feature = "tls")]
pub(crate) struct TlsConnector {
    inner: Arc<dyn Connect>,
    config: Arc<rustls::ClientConfig>,
    server_name: rustls::pki_types::ServerName<'static>,
}

#[cfg(feature = "tls")]
impl TlsConnector {
    /// TLS with `config`, checking the server certificate against `server_name`, over
    /// the streams of `inner`.
    pub(crate) fn new(
        inner: Arc<dyn Connect>,
        config: Arc<rustls::ClientConfig>,
        server_name: rustls::pki_types::ServerName<'static>,
    ) -> Self {
        Self {
            inner,
            config,
            server_name,
        }
    }
}

#[cfg(feature = "tls")]
impl Connect for TlsConnector {
    fn connect(&self) -> ConnectFuture {
        let tcp = self.inner.connect();
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(&self.config));
        let server_name = self.server_name.clone();
        Box::pin(async move {
            let io = tcp.await?;
            // A failed handshake is an I/O error whose inner error is the rustls error,
            // which tells the retry logic not to try again.
            let tls = connector
                .connect(server_name, io)
                .await
                .map_err(|e| ConnectFailure::new("the TLS handshake failed", e))?;
            let alpn = tls.get_ref().1.alpn_protocol();
            if alpn.is_some_and(|protocol| protocol != ALPN_H2) {
                return Err(ConnectFailure::new(
                    "the TLS handshake failed",
                    std::io::Error::other("the server did not agree to HTTP/2 (ALPN h2)"),
                ));
            }
            Ok(Box::new(tls) as Box<dyn Io>)
        })
    }
}

/// The ALPN name of HTTP/2.
#[cfg(feature = "tls")]
pub(crate) const ALPN_H2: &[u8] = b"h2";
