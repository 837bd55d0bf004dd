//! [`SearchAttributeKind`], the Temporal type of a search attribute, and
//! [`SearchAttributeValue`], a value of any of those types.

use std::fmt;
use std::time::SystemTime;

use temporal_proto::temporal::api::enums::v1::IndexedValueType;

/// The Temporal type of a search attribute, as the server indexes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SearchAttributeKind {
    /// Full-text searchable string.
    Text,
    /// Exact-match string.
    Keyword,
    /// 64-bit integer.
    Int,
    /// 64-bit float.
    Double,
    /// Boolean.
    Bool,
    /// Point in time.
    Datetime,
    /// List of exact-match strings.
    KeywordList,
}

impl SearchAttributeKind {
    /// The name the server uses, and the payload's `type` metadata: `"Keyword"`, ...
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Text => "Text",
            Self::Keyword => "Keyword",
            Self::Int => "Int",
            Self::Double => "Double",
            Self::Bool => "Bool",
            Self::Datetime => "Datetime",
            Self::KeywordList => "KeywordList",
        }
    }

    /// The kind named `name` (as in a payload's `type` metadata), in either spelling the
    /// server accepts and hands back: the shorthand (`"KeywordList"`) or the protobuf enum
    /// name (`"INDEXED_VALUE_TYPE_KEYWORD_LIST"`). Like the server, the match is exact.
    pub fn from_type_name(name: &str) -> Option<Self> {
        Some(match name {
            "Text" => Self::Text,
            "Keyword" => Self::Keyword,
            "Int" => Self::Int,
            "Double" => Self::Double,
            "Bool" => Self::Bool,
            "Datetime" => Self::Datetime,
            "KeywordList" => Self::KeywordList,
            other => return IndexedValueType::from_str_name(other).and_then(Self::from_proto),
        })
    }

    /// The protobuf value.
    pub fn to_proto(self) -> IndexedValueType {
        match self {
            Self::Text => IndexedValueType::Text,
            Self::Keyword => IndexedValueType::Keyword,
            Self::Int => IndexedValueType::Int,
            Self::Double => IndexedValueType::Double,
            Self::Bool => IndexedValueType::Bool,
            Self::Datetime => IndexedValueType::Datetime,
            Self::KeywordList => IndexedValueType::KeywordList,
        }
    }

    /// The kind for a protobuf value; `None` for `Unspecified`.
    pub fn from_proto(value: IndexedValueType) -> Option<Self> {
        Some(match value {
            IndexedValueType::Unspecified => return None,
            IndexedValueType::Text => Self::Text,
            IndexedValueType::Keyword => Self::Keyword,
            IndexedValueType::Int => Self::Int,
            IndexedValueType::Double => Self::Double,
            IndexedValueType::Bool => Self::Bool,
            IndexedValueType::Datetime => Self::Datetime,
            IndexedValueType::KeywordList => Self::KeywordList,
        })
    }
}

impl fmt::Display for SearchAttributeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.type_name())
    }
}

/// A search attribute value of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchAttributeValue {
    /// A `Text` value.
    Text(String),
    /// A `Keyword` value.
    Keyword(String),
    /// An `Int` value.
    Int(i64),
    /// A `Double` value.
    Double(f64),
    /// A `Bool` value.
    Bool(bool),
    /// A `Datetime` value.
    Datetime(SystemTime),
    /// A `KeywordList` value.
    KeywordList(Vec<String>),
}

impl SearchAttributeValue {
    /// The kind of this value.
    pub fn kind(&self) -> SearchAttributeKind {
        match self {
            Self::Text(_) => SearchAttributeKind::Text,
            Self::Keyword(_) => SearchAttributeKind::Keyword,
            Self::Int(_) => SearchAttributeKind::Int,
            Self::Double(_) => SearchAttributeKind::Double,
            Self::Bool(_) => SearchAttributeKind::Bool,
            Self::Datetime(_) => SearchAttributeKind::Datetime,
            Self::KeywordList(_) => SearchAttributeKind::KeywordList,
        }
    }
}
