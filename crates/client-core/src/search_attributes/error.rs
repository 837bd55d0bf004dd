//! [`SearchAttributeError`]: why a search attribute could not be read.

use super::value::SearchAttributeKind;

/// A search attribute could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SearchAttributeError {
    /// The value's `type` metadata names another type than the key's.
    #[error("search attribute {name:?} holds a {found} value, not a {expected}")]
    TypeMismatch {
        /// The attribute name.
        name: String,
        /// The key's type.
        expected: SearchAttributeKind,
        /// The type the value is labelled with.
        found: String,
    },
    /// The payload is not a valid value of the type.
    #[error("search attribute {name:?} does not hold a valid {kind} value: {reason}")]
    InvalidValue {
        /// The attribute name.
        name: String,
        /// The type it was read as.
        kind: SearchAttributeKind,
        /// What is wrong.
        reason: String,
    },
    /// The value's type could not be determined.
    #[error("search attribute {name:?} has a value of unknown type: {reason}")]
    UnknownType {
        /// The attribute name.
        name: String,
        /// What was found.
        reason: String,
    },
}
