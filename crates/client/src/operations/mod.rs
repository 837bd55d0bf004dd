//! One module per operation, MongoDB-driver style: each operation is a small builder
//! of per-call options that is awaited directly (`IntoFuture`), or read as a `Stream`
//! for the paged ones. Every operation takes one call path: the client's interceptors,
//! then the terminal that encodes, builds the request with `temporal-client-core`,
//! sends it and maps the error, all under the per-call timeout.

pub mod cancel;
pub mod count;
pub mod describe;
pub mod history;
pub mod list;
pub(crate) mod paging;
pub mod query;
pub mod result;
pub mod signal;
pub mod signal_with_start;
pub mod start;
pub mod terminate;
pub mod update;
pub mod update_with_start;
