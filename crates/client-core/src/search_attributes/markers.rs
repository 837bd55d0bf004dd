//! The [`SearchAttributeType`] trait and its marker types ([`Keyword`], [`Int`], ...),
//! which tie each Temporal type to the Rust type of its values.

use std::time::SystemTime;

use super::value::{SearchAttributeKind, SearchAttributeValue};

/// A search attribute type: ties a marker ([`Keyword`], [`Int`], ...) to its Rust
/// value type and its [`SearchAttributeKind`].
pub trait SearchAttributeType {
    /// The Rust type of the values.
    type Value;
    /// The Temporal type.
    const KIND: SearchAttributeKind;
    /// Wraps a value.
    fn into_value(value: Self::Value) -> SearchAttributeValue;
    /// Unwraps a value of this type; `None` for another kind.
    fn from_value(value: SearchAttributeValue) -> Option<Self::Value>;
}

macro_rules! marker {
    ($(#[$doc:meta])* $name:ident, $value:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {}

        impl SearchAttributeType for $name {
            type Value = $value;
            const KIND: SearchAttributeKind = SearchAttributeKind::$name;

            fn into_value(value: $value) -> SearchAttributeValue {
                SearchAttributeValue::$name(value)
            }

            fn from_value(value: SearchAttributeValue) -> Option<$value> {
                match value {
                    SearchAttributeValue::$name(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}

marker!(
    /// `Text`: full-text searchable, values are [`String`]s.
    Text,
    String
);
marker!(
    /// `Keyword`: exact match, values are [`String`]s.
    Keyword,
    String
);
marker!(
    /// `Int`: values are [`i64`]s.
    Int,
    i64
);
marker!(
    /// `Double`: values are [`f64`]s (finite).
    Double,
    f64
);
marker!(
    /// `Bool`: values are [`bool`]s.
    Bool,
    bool
);
marker!(
    /// `Datetime`: values are [`SystemTime`]s, sent as RFC 3339 strings in UTC.
    Datetime,
    SystemTime
);
marker!(
    /// `KeywordList`: values are lists of exact-match [`String`]s.
    KeywordList,
    Vec<String>
);
