//! `ServiceError`: what an RPC to the Temporal service returned instead of a response.

mod code;
mod details;
mod origin;
mod retry;
mod service_error;

pub use code::Code;
pub use details::ErrorDetails;
pub use origin::ErrorOrigin;
pub use retry::is_retryable_code;
pub use service_error::ServiceError;

#[cfg(test)]
mod tests;
