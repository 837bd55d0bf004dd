//! Client interceptors: hooks that see every call the client makes.

use temporal_client_core::CallOptions;

/// Sees every RPC the [`Client`](crate::Client) makes, before it is sent.
///
/// Use it to add per-call metadata (tracing context, tenant headers) or to set
/// deadlines. Interceptors run in the order they were added to the builder.
///
/// ```
/// use temporal_client::{CallOptions, Interceptor};
///
/// struct Tenant(&'static str);
/// impl Interceptor for Tenant {
///     fn on_call(&self, options: &mut CallOptions) {
///         options.metadata.push(("x-tenant".into(), self.0.into()));
///     }
/// }
/// ```
pub trait Interceptor: Send + Sync {
    /// Called with the options of each call; may change them.
    fn on_call(&self, options: &mut CallOptions);
}

impl<F> Interceptor for F
where
    F: Fn(&mut CallOptions) + Send + Sync,
{
    fn on_call(&self, options: &mut CallOptions) {
        self(options)
    }
}
