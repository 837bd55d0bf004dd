//! Typed search attributes: indexed workflow fields for visibility queries.
//!
//! Declare a key once with its type, then read and write values of that type:
//!
//! ```
//! use temporal_client_core::search_attributes::{Int, Keyword, SearchAttributeKey, SearchAttributes};
//!
//! const STAGE: SearchAttributeKey<Keyword> = SearchAttributeKey::new("ConformanceStage");
//! const COUNT: SearchAttributeKey<Int> = SearchAttributeKey::new("ConformanceCount");
//!
//! let attributes = SearchAttributes::new().with(&STAGE, "review").with(&COUNT, 3);
//! assert_eq!(attributes.get(&COUNT).unwrap().unwrap(), 3);
//! ```
//!
//! On the wire each value is a `json/plain` payload whose metadata `type` names the
//! Temporal type (`Keyword`, `Int`, ...), so the server indexes it correctly. These
//! payloads never pass through a payload codec.

mod codec;
mod error;
mod key;
mod markers;
mod set;
mod value;

pub use error::SearchAttributeError;
pub use key::SearchAttributeKey;
pub use markers::{Bool, Datetime, Double, Int, Keyword, KeywordList, SearchAttributeType, Text};
pub use set::SearchAttributes;
pub use value::{SearchAttributeKind, SearchAttributeValue};

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
