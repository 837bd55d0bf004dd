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

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::time::{SystemTime, UNIX_EPOCH};

use temporal_proto::temporal::api::common::v1 as proto;
use temporal_proto::temporal::api::enums::v1::IndexedValueType;

use crate::validation::InvalidRequest;

const ENCODING_KEY: &str = "encoding";
const TYPE_KEY: &str = "type";
const JSON_PLAIN: &[u8] = b"json/plain";

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

/// The name of a search attribute together with its type, so values read and written
/// through it are typed.
///
/// ```
/// # use temporal_client_core::search_attributes::{Keyword, SearchAttributeKey};
/// const STAGE: SearchAttributeKey<Keyword> = SearchAttributeKey::new("ConformanceStage");
/// assert_eq!(STAGE.name(), "ConformanceStage");
/// ```
pub struct SearchAttributeKey<T> {
    name: Cow<'static, str>,
    _type: PhantomData<fn() -> T>,
}

impl<T> SearchAttributeKey<T> {
    /// A key with a name known at compile time; usable in a `const`.
    pub const fn new(name: &'static str) -> Self {
        Self {
            name: Cow::Borrowed(name),
            _type: PhantomData,
        }
    }

    /// A key with a name known only at run time.
    pub fn from_name(name: impl Into<String>) -> Self {
        Self {
            name: Cow::Owned(name.into()),
            _type: PhantomData,
        }
    }

    /// The attribute name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<T: SearchAttributeType> SearchAttributeKey<T> {
    /// The Temporal type of the attribute.
    pub fn kind(&self) -> SearchAttributeKind {
        T::KIND
    }
}

impl<T> Clone for SearchAttributeKey<T> {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            _type: PhantomData,
        }
    }
}

impl<T: SearchAttributeType> fmt::Debug for SearchAttributeKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchAttributeKey")
            .field("name", &self.name)
            .field("kind", &T::KIND)
            .finish()
    }
}

impl<T> PartialEq for SearchAttributeKey<T> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl<T> Eq for SearchAttributeKey<T> {}

impl<T> Hash for SearchAttributeKey<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

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

/// A set of search attributes, by name. Values are held encoded, as the server sends
/// and receives them.
///
/// A value that cannot be encoded (a NaN `Double`, a `Datetime` outside years
/// -262143..=262142) or an empty name is not stored: the first such error is kept and
/// reported when a request is built (see [`check`](Self::check)), so
/// [`insert`](Self::insert) never fails.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchAttributes {
    fields: HashMap<String, proto::Payload>,
    error: Option<InvalidRequest>,
}

impl SearchAttributes {
    /// No attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a typed attribute.
    pub fn insert<T: SearchAttributeType>(
        &mut self,
        key: &SearchAttributeKey<T>,
        value: impl Into<T::Value>,
    ) -> &mut Self {
        self.insert_value(key.name(), T::into_value(value.into()))
    }

    /// [`insert`](Self::insert), by value, for chaining.
    pub fn with<T: SearchAttributeType>(
        mut self,
        key: &SearchAttributeKey<T>,
        value: impl Into<T::Value>,
    ) -> Self {
        self.insert(key, value);
        self
    }

    /// Sets an attribute from a value of any kind.
    pub fn insert_value(
        &mut self,
        name: impl Into<String>,
        value: SearchAttributeValue,
    ) -> &mut Self {
        let name = name.into();
        if name.is_empty() {
            self.keep_first_error(InvalidRequest::EmptySearchAttributeName);
            return self;
        }
        match encode(&value) {
            Ok(payload) => {
                self.fields.insert(name, payload);
            }
            Err(reason) => self.keep_first_error(InvalidRequest::InvalidSearchAttribute {
                name,
                reason: reason.into(),
            }),
        }
        self
    }

    /// Sets an attribute to an already encoded payload, as it is.
    pub fn insert_raw(&mut self, name: impl Into<String>, payload: proto::Payload) -> &mut Self {
        let name = name.into();
        if name.is_empty() {
            self.keep_first_error(InvalidRequest::EmptySearchAttributeName);
        } else {
            self.fields.insert(name, payload);
        }
        self
    }

    fn keep_first_error(&mut self, error: InvalidRequest) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    /// Reads a typed attribute: `None` if it is absent, an error if it does not hold a
    /// value of the key's type.
    pub fn get<T: SearchAttributeType>(
        &self,
        key: &SearchAttributeKey<T>,
    ) -> Option<Result<T::Value, SearchAttributeError>> {
        let payload = self.fields.get(key.name())?;
        Some(decode_as(key.name(), T::KIND, payload).and_then(|value| {
            T::from_value(value).ok_or_else(|| SearchAttributeError::TypeMismatch {
                name: key.name().to_owned(),
                expected: T::KIND,
                found: String::from("other"),
            })
        }))
    }

    /// Reads an attribute of any kind. The kind comes from the payload's `type`
    /// metadata; without it, it is guessed from the JSON value (a string is taken as a
    /// `Keyword`, an integral number as an `Int`, a list as a `KeywordList`).
    pub fn get_value(
        &self,
        name: &str,
    ) -> Option<Result<SearchAttributeValue, SearchAttributeError>> {
        let payload = self.fields.get(name)?;
        Some(decode_any(name, payload))
    }

    /// The encoded payload of an attribute.
    pub fn get_raw(&self, name: &str) -> Option<&proto::Payload> {
        self.fields.get(name)
    }

    /// Removes an attribute, returning its payload.
    pub fn remove(&mut self, name: &str) -> Option<proto::Payload> {
        self.fields.remove(name)
    }

    /// Whether an attribute with this name is set.
    pub fn contains(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }

    /// How many attributes are set.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether no attribute is set.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The attribute names, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }

    /// The attributes with their encoded payloads, in no particular order.
    pub fn iter_raw(&self) -> impl Iterator<Item = (&String, &proto::Payload)> {
        self.fields.iter()
    }

    /// Fails if an [`insert`](Self::insert) was given an empty name or a value that
    /// cannot be encoded.
    pub fn check(&self) -> Result<(), InvalidRequest> {
        match &self.error {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    /// Wraps the protobuf message (e.g. from a describe response).
    pub fn from_proto(attributes: proto::SearchAttributes) -> Self {
        Self {
            fields: attributes.indexed_fields,
            error: None,
        }
    }

    /// The protobuf message.
    pub fn to_proto(&self) -> proto::SearchAttributes {
        proto::SearchAttributes {
            indexed_fields: self.fields.clone(),
        }
    }

    /// The protobuf message, without copying.
    pub fn into_proto(self) -> proto::SearchAttributes {
        proto::SearchAttributes {
            indexed_fields: self.fields,
        }
    }
}

fn encode(value: &SearchAttributeValue) -> Result<proto::Payload, &'static str> {
    let data = match value {
        SearchAttributeValue::Text(s) | SearchAttributeValue::Keyword(s) => json_bytes(s),
        SearchAttributeValue::Int(i) => json_bytes(i),
        SearchAttributeValue::Double(d) => {
            if !d.is_finite() {
                return Err("a Double must be a finite number (not NaN or infinite)");
            }
            json_bytes(d)
        }
        SearchAttributeValue::Bool(b) => json_bytes(b),
        SearchAttributeValue::Datetime(t) => json_bytes(&format_rfc3339(*t).ok_or(
            "the Datetime is outside the years -262143..=262142 that can be written in RFC 3339",
        )?),
        SearchAttributeValue::KeywordList(list) => json_bytes(list),
    };
    let mut metadata = HashMap::with_capacity(2);
    metadata.insert(ENCODING_KEY.to_owned(), JSON_PLAIN.to_vec());
    metadata.insert(
        TYPE_KEY.to_owned(),
        value.kind().type_name().as_bytes().to_vec(),
    );
    Ok(proto::Payload {
        metadata,
        data,
        ..Default::default()
    })
}

/// JSON for plain values, which always serialize.
fn json_bytes<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

fn payload_type(payload: &proto::Payload) -> Option<&[u8]> {
    payload.metadata.get(TYPE_KEY).map(Vec::as_slice)
}

fn parse_json(
    name: &str,
    kind: SearchAttributeKind,
    payload: &proto::Payload,
) -> Result<serde_json::Value, SearchAttributeError> {
    serde_json::from_slice(&payload.data).map_err(|e| SearchAttributeError::InvalidValue {
        name: name.to_owned(),
        kind,
        reason: format!("the payload is not JSON: {e}"),
    })
}

fn decode_as(
    name: &str,
    kind: SearchAttributeKind,
    payload: &proto::Payload,
) -> Result<SearchAttributeValue, SearchAttributeError> {
    if let Some(found) = payload_type(payload) {
        let found_kind = std::str::from_utf8(found)
            .ok()
            .and_then(SearchAttributeKind::from_type_name);
        // Old servers labelled keyword lists as `Keyword`.
        let compatible = found_kind == Some(kind)
            || (kind == SearchAttributeKind::KeywordList
                && found_kind == Some(SearchAttributeKind::Keyword));
        if !compatible {
            return Err(SearchAttributeError::TypeMismatch {
                name: name.to_owned(),
                expected: kind,
                found: String::from_utf8_lossy(found).into_owned(),
            });
        }
    }
    let json = parse_json(name, kind, payload)?;
    from_json(name, kind, json)
}

fn decode_any(
    name: &str,
    payload: &proto::Payload,
) -> Result<SearchAttributeValue, SearchAttributeError> {
    if let Some(found) = payload_type(payload) {
        let kind = std::str::from_utf8(found)
            .ok()
            .and_then(SearchAttributeKind::from_type_name)
            .ok_or_else(|| SearchAttributeError::UnknownType {
                name: name.to_owned(),
                reason: format!(
                    "the `type` metadata {:?} is not a Temporal type",
                    String::from_utf8_lossy(found)
                ),
            })?;
        let json = parse_json(name, kind, payload)?;
        return from_json(name, kind, json);
    }
    let json: serde_json::Value =
        serde_json::from_slice(&payload.data).map_err(|e| SearchAttributeError::UnknownType {
            name: name.to_owned(),
            reason: format!("the payload is not JSON: {e}"),
        })?;
    let kind = match &json {
        serde_json::Value::String(_) => SearchAttributeKind::Keyword,
        serde_json::Value::Bool(_) => SearchAttributeKind::Bool,
        serde_json::Value::Number(n) if n.is_i64() => SearchAttributeKind::Int,
        serde_json::Value::Number(_) => SearchAttributeKind::Double,
        serde_json::Value::Array(_) => SearchAttributeKind::KeywordList,
        other => {
            return Err(SearchAttributeError::UnknownType {
                name: name.to_owned(),
                reason: format!("{other} is not a search attribute value"),
            });
        }
    };
    from_json(name, kind, json)
}

fn from_json(
    name: &str,
    kind: SearchAttributeKind,
    json: serde_json::Value,
) -> Result<SearchAttributeValue, SearchAttributeError> {
    use serde_json::Value as J;
    let invalid = |reason: String| SearchAttributeError::InvalidValue {
        name: name.to_owned(),
        kind,
        reason,
    };
    let value = match (kind, json) {
        (SearchAttributeKind::Text, J::String(s)) => SearchAttributeValue::Text(s),
        (SearchAttributeKind::Keyword, J::String(s)) => SearchAttributeValue::Keyword(s),
        (SearchAttributeKind::Int, J::Number(n)) => {
            let int = n
                .as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                        .map(|f| f as i64)
                })
                .ok_or_else(|| invalid(format!("{n} is not a 64-bit integer")))?;
            SearchAttributeValue::Int(int)
        }
        (SearchAttributeKind::Double, J::Number(n)) => SearchAttributeValue::Double(
            n.as_f64()
                .ok_or_else(|| invalid(format!("{n} is not a number")))?,
        ),
        (SearchAttributeKind::Bool, J::Bool(b)) => SearchAttributeValue::Bool(b),
        (SearchAttributeKind::Datetime, J::String(s)) => SearchAttributeValue::Datetime(
            crate::rfc3339::parse(&s)
                .ok_or_else(|| invalid(format!("{s:?} is not an RFC 3339 date and time")))?,
        ),
        (SearchAttributeKind::KeywordList, J::Array(items)) => {
            let mut list = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    J::String(s) => list.push(s),
                    other => return Err(invalid(format!("the list holds {other}, not a string"))),
                }
            }
            SearchAttributeValue::KeywordList(list)
        }
        (SearchAttributeKind::KeywordList, J::String(s)) => {
            SearchAttributeValue::KeywordList(vec![s])
        }
        (_, other) => return Err(invalid(format!("found {other}"))),
    };
    Ok(value)
}

/// RFC 3339 in UTC with as many fractional digits as needed (0, 3, 6 or 9).
fn format_rfc3339(time: SystemTime) -> Option<String> {
    let (secs, nanos) = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => (i64::try_from(after.as_secs()).ok()?, after.subsec_nanos()),
        Err(before) => {
            let before = before.duration();
            let secs = i64::try_from(before.as_secs()).ok()?;
            match before.subsec_nanos() {
                0 => (-secs, 0),
                n => (-secs - 1, 1_000_000_000 - n),
            }
        }
    };
    let datetime = chrono::DateTime::<chrono::Utc>::from_timestamp(secs, nanos)?;
    Some(datetime.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::time::Duration;

    const TEXT: SearchAttributeKey<Text> = SearchAttributeKey::new("ConformanceText");
    const STAGE: SearchAttributeKey<Keyword> = SearchAttributeKey::new("ConformanceStage");
    const COUNT: SearchAttributeKey<Int> = SearchAttributeKey::new("ConformanceCount");
    const SCORE: SearchAttributeKey<Double> = SearchAttributeKey::new("ConformanceScore");
    const FLAG: SearchAttributeKey<Bool> = SearchAttributeKey::new("ConformanceFlag");
    const WHEN: SearchAttributeKey<Datetime> = SearchAttributeKey::new("ConformanceWhen");
    const TAGS: SearchAttributeKey<KeywordList> = SearchAttributeKey::new("ConformanceTags");

    fn meta(payload: &proto::Payload, key: &str) -> Vec<u8> {
        payload.metadata.get(key).cloned().unwrap_or_default()
    }

    fn untyped(data: &[u8]) -> proto::Payload {
        proto::Payload {
            metadata: HashMap::from([(ENCODING_KEY.to_owned(), JSON_PLAIN.to_vec())]),
            data: data.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn encodes_each_type_with_exact_bytes() {
        // 2024-01-02T03:04:05.5Z
        let when = UNIX_EPOCH + Duration::new(1_704_164_645, 500_000_000);
        let attributes = SearchAttributes::new()
            .with(&TEXT, "some text")
            .with(&STAGE, "review")
            .with(&COUNT, -42)
            .with(&SCORE, 1.5)
            .with(&FLAG, true)
            .with(&WHEN, when)
            .with(&TAGS, vec!["a".to_owned(), "b\"c".to_owned()]);
        assert_eq!(attributes.check(), Ok(()));
        let cases: [(&str, &[u8], &[u8]); 7] = [
            ("ConformanceText", b"Text", b"\"some text\""),
            ("ConformanceStage", b"Keyword", b"\"review\""),
            ("ConformanceCount", b"Int", b"-42"),
            ("ConformanceScore", b"Double", b"1.5"),
            ("ConformanceFlag", b"Bool", b"true"),
            (
                "ConformanceWhen",
                b"Datetime",
                b"\"2024-01-02T03:04:05.500Z\"",
            ),
            ("ConformanceTags", b"KeywordList", b"[\"a\",\"b\\\"c\"]"),
        ];
        for (name, type_name, data) in cases {
            let payload = attributes.get_raw(name).unwrap();
            assert_eq!(meta(payload, "encoding"), b"json/plain", "{name}");
            assert_eq!(meta(payload, "type"), type_name, "{name}");
            assert_eq!(payload.metadata.len(), 2, "{name}");
            assert_eq!(payload.data, data, "{name}");
        }
    }

    #[test]
    fn round_trips_through_proto() {
        let when = UNIX_EPOCH + Duration::new(1_704_164_645, 123_456_789);
        let before_epoch = UNIX_EPOCH - Duration::new(86_400, 250_000_000);
        let attributes = SearchAttributes::new()
            .with(&TEXT, "t")
            .with(&STAGE, "k")
            .with(&COUNT, i64::MAX)
            .with(&SCORE, -0.25)
            .with(&FLAG, false)
            .with(&WHEN, when)
            .with(&TAGS, Vec::<String>::new());
        let back = SearchAttributes::from_proto(attributes.to_proto());
        assert_eq!(back, attributes);
        assert_eq!(back.get(&TEXT).unwrap().unwrap(), "t");
        assert_eq!(back.get(&STAGE).unwrap().unwrap(), "k");
        assert_eq!(back.get(&COUNT).unwrap().unwrap(), i64::MAX);
        assert_eq!(back.get(&SCORE).unwrap().unwrap(), -0.25);
        assert!(!back.get(&FLAG).unwrap().unwrap());
        assert_eq!(back.get(&WHEN).unwrap().unwrap(), when);
        assert_eq!(back.get(&TAGS).unwrap().unwrap(), Vec::<String>::new());

        let old = SearchAttributes::new().with(&WHEN, before_epoch);
        assert_eq!(
            old.get_raw("ConformanceWhen").unwrap().data,
            b"\"1969-12-30T23:59:59.750Z\""
        );
        assert_eq!(old.get(&WHEN).unwrap().unwrap(), before_epoch);
        assert_eq!(
            old.into_proto().indexed_fields.len(),
            1,
            "into_proto keeps the fields"
        );
    }

    #[test]
    fn decodes_payloads_without_type_metadata() {
        let mut attributes = SearchAttributes::new();
        attributes
            .insert_raw("ConformanceStage", untyped(b"\"x\""))
            .insert_raw("ConformanceText", untyped(b"\"long text\""))
            .insert_raw("ConformanceCount", untyped(b"7"))
            .insert_raw("ConformanceScore", untyped(b"2"))
            .insert_raw("ConformanceFlag", untyped(b"true"))
            .insert_raw("ConformanceWhen", untyped(b"\"2024-01-02T04:04:05+01:00\""))
            .insert_raw("ConformanceTags", untyped(b"[\"p\",\"q\"]"));
        assert_eq!(attributes.get(&STAGE).unwrap().unwrap(), "x");
        assert_eq!(attributes.get(&TEXT).unwrap().unwrap(), "long text");
        assert_eq!(attributes.get(&COUNT).unwrap().unwrap(), 7);
        assert_eq!(attributes.get(&SCORE).unwrap().unwrap(), 2.0);
        assert!(attributes.get(&FLAG).unwrap().unwrap());
        assert_eq!(
            attributes.get(&WHEN).unwrap().unwrap(),
            UNIX_EPOCH + Duration::from_secs(1_704_164_645)
        );
        assert_eq!(attributes.get(&TAGS).unwrap().unwrap(), ["p", "q"]);

        // Untyped reads guess the kind from the JSON.
        assert_eq!(
            attributes.get_value("ConformanceStage").unwrap().unwrap(),
            SearchAttributeValue::Keyword("x".into())
        );
        assert_eq!(
            attributes.get_value("ConformanceCount").unwrap().unwrap(),
            SearchAttributeValue::Int(7)
        );
        assert_eq!(
            attributes.get_value("ConformanceFlag").unwrap().unwrap(),
            SearchAttributeValue::Bool(true)
        );
        assert_eq!(
            attributes.get_value("ConformanceTags").unwrap().unwrap(),
            SearchAttributeValue::KeywordList(vec!["p".into(), "q".into()])
        );
        let mut float = SearchAttributes::new();
        float.insert_raw("f", untyped(b"0.5"));
        assert_eq!(
            float.get_value("f").unwrap().unwrap(),
            SearchAttributeValue::Double(0.5)
        );
    }

    #[test]
    fn untyped_read_uses_type_metadata() {
        let attributes = SearchAttributes::new()
            .with(&TEXT, "words")
            .with(&WHEN, UNIX_EPOCH);
        assert_eq!(
            attributes.get_value("ConformanceText").unwrap().unwrap(),
            SearchAttributeValue::Text("words".into())
        );
        assert_eq!(
            attributes.get_value("ConformanceWhen").unwrap().unwrap(),
            SearchAttributeValue::Datetime(UNIX_EPOCH)
        );
        assert_eq!(
            attributes.get_raw("ConformanceWhen").unwrap().data,
            b"\"1970-01-01T00:00:00Z\""
        );
        assert!(attributes.get_value("missing").is_none());
    }

    /// The server accepts, stores and hands back the `type` metadata as the writer sent
    /// it, so the protobuf enum spelling must read like the shorthand, for every type.
    #[test]
    fn reads_both_spellings_of_every_type() {
        fn with_type(type_name: &str, data: &[u8]) -> proto::Payload {
            let mut payload = untyped(data);
            payload
                .metadata
                .insert(TYPE_KEY.to_owned(), type_name.as_bytes().to_vec());
            payload
        }
        let cases: [(SearchAttributeKind, &str, &[u8]); 7] = [
            (
                SearchAttributeKind::Text,
                "INDEXED_VALUE_TYPE_TEXT",
                b"\"t\"",
            ),
            (
                SearchAttributeKind::Keyword,
                "INDEXED_VALUE_TYPE_KEYWORD",
                b"\"k\"",
            ),
            (SearchAttributeKind::Int, "INDEXED_VALUE_TYPE_INT", b"7"),
            (
                SearchAttributeKind::Double,
                "INDEXED_VALUE_TYPE_DOUBLE",
                b"1.5",
            ),
            (
                SearchAttributeKind::Bool,
                "INDEXED_VALUE_TYPE_BOOL",
                b"true",
            ),
            (
                SearchAttributeKind::Datetime,
                "INDEXED_VALUE_TYPE_DATETIME",
                b"\"2024-01-02T03:04:05Z\"",
            ),
            (
                SearchAttributeKind::KeywordList,
                "INDEXED_VALUE_TYPE_KEYWORD_LIST",
                b"[\"a\",\"b\"]",
            ),
        ];
        for (kind, enum_name, data) in cases {
            assert_eq!(SearchAttributeKind::from_type_name(enum_name), Some(kind));
            let mut attributes = SearchAttributes::new();
            attributes.insert_raw("Short", with_type(kind.type_name(), data));
            attributes.insert_raw("Enum", with_type(enum_name, data));
            let short = attributes.get_value("Short").unwrap().unwrap();
            let long = attributes.get_value("Enum").unwrap().unwrap();
            assert_eq!(long.kind(), kind, "{enum_name}");
            assert_eq!(short, long, "{enum_name}");
        }
        let mut attributes = SearchAttributes::new();
        attributes.insert_raw(
            TAGS.name(),
            with_type("INDEXED_VALUE_TYPE_KEYWORD_LIST", b"[\"a\"]"),
        );
        attributes.insert_raw(COUNT.name(), with_type("INDEXED_VALUE_TYPE_INT", b"3"));
        attributes.insert_raw(
            WHEN.name(),
            with_type("INDEXED_VALUE_TYPE_DATETIME", b"\"2024-01-02T03:04:05Z\""),
        );
        assert_eq!(
            attributes.get(&TAGS).unwrap().unwrap(),
            vec!["a".to_owned()]
        );
        assert_eq!(attributes.get(&COUNT).unwrap().unwrap(), 3);
        assert!(attributes.get(&WHEN).unwrap().is_ok());
        assert_eq!(
            SearchAttributeKind::from_type_name("INDEXED_VALUE_TYPE_UNSPECIFIED"),
            None
        );
        assert_eq!(SearchAttributeKind::from_type_name("keyword_list"), None);
    }

    #[test]
    fn typed_read_rejects_other_types() {
        let attributes = SearchAttributes::new().with(&STAGE, "k");
        let as_text: SearchAttributeKey<Text> = SearchAttributeKey::from_name("ConformanceStage");
        let err = attributes.get(&as_text).unwrap().unwrap_err();
        assert_eq!(
            err,
            SearchAttributeError::TypeMismatch {
                name: "ConformanceStage".into(),
                expected: SearchAttributeKind::Text,
                found: "Keyword".into()
            }
        );
        assert!(err.to_string().contains("Keyword"));
        let as_int: SearchAttributeKey<Int> = SearchAttributeKey::from_name("ConformanceStage");
        assert!(matches!(
            attributes.get(&as_int).unwrap(),
            Err(SearchAttributeError::TypeMismatch { .. })
        ));
        // Old servers label keyword lists `Keyword`.
        let as_list: SearchAttributeKey<KeywordList> =
            SearchAttributeKey::from_name("ConformanceStage");
        assert_eq!(attributes.get(&as_list).unwrap().unwrap(), ["k"]);
        assert!(attributes.get(&COUNT).is_none());
    }

    #[test]
    fn bad_payloads_are_errors() {
        let mut attributes = SearchAttributes::new();
        attributes
            .insert_raw("ConformanceCount", untyped(b"\"seven\""))
            .insert_raw("ConformanceWhen", untyped(b"\"yesterday\""))
            .insert_raw("ConformanceTags", untyped(b"[1]"))
            .insert_raw("ConformanceFlag", untyped(b"not json"))
            .insert_raw("ConformanceScore", untyped(b"1.5"));
        assert!(matches!(
            attributes.get(&COUNT).unwrap(),
            Err(SearchAttributeError::InvalidValue {
                kind: SearchAttributeKind::Int,
                ..
            })
        ));
        let err = attributes.get(&WHEN).unwrap().unwrap_err();
        assert!(err.to_string().contains("RFC 3339"), "{err}");
        assert!(attributes.get(&TAGS).unwrap().is_err());
        assert!(attributes.get(&FLAG).unwrap().is_err());
        assert!(attributes.get_value("ConformanceFlag").unwrap().is_err());
        let as_int: SearchAttributeKey<Int> = SearchAttributeKey::from_name("ConformanceScore");
        assert!(attributes.get(&as_int).unwrap().is_err());

        let mut unknown = untyped(b"1");
        unknown.metadata.insert("type".into(), b"Decimal".to_vec());
        attributes.insert_raw("x", unknown);
        assert!(matches!(
            attributes.get_value("x").unwrap(),
            Err(SearchAttributeError::UnknownType { .. })
        ));
        attributes.insert_raw("null", untyped(b"null"));
        assert!(attributes.get_value("null").unwrap().is_err());
    }

    #[test]
    fn unencodable_values_are_reported_by_check() {
        let attributes = SearchAttributes::new()
            .with(&STAGE, "fine")
            .with(&SCORE, f64::NAN)
            .with(&SCORE, f64::INFINITY);
        assert_eq!(attributes.len(), 1);
        let err = attributes.check().unwrap_err();
        assert!(
            matches!(&err, InvalidRequest::InvalidSearchAttribute { name, .. } if name == "ConformanceScore"),
            "{err:?}"
        );

        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 2);
        let err = SearchAttributes::new()
            .with(&WHEN, far)
            .check()
            .unwrap_err();
        assert!(err.to_string().contains("ConformanceWhen"));

        let empty: SearchAttributeKey<Keyword> = SearchAttributeKey::new("");
        let attributes = SearchAttributes::new().with(&empty, "x");
        assert!(attributes.is_empty());
        assert_eq!(
            attributes.check(),
            Err(InvalidRequest::EmptySearchAttributeName)
        );
        let mut raw = SearchAttributes::new();
        raw.insert_raw("", untyped(b"1"));
        assert_eq!(raw.check(), Err(InvalidRequest::EmptySearchAttributeName));
    }

    #[test]
    fn map_access() {
        let mut attributes = SearchAttributes::new();
        attributes.insert(&STAGE, "a");
        attributes.insert_value("Other", SearchAttributeValue::Int(1));
        assert!(attributes.contains("Other"));
        let mut names: Vec<_> = attributes.names().collect();
        names.sort_unstable();
        assert_eq!(names, ["ConformanceStage", "Other"]);
        assert_eq!(attributes.iter_raw().count(), 2);
        assert!(attributes.remove("Other").is_some());
        assert!(!attributes.contains("Other"));
        assert_eq!(attributes.len(), 1);
    }

    #[test]
    fn keys_and_kinds() {
        assert_eq!(STAGE.name(), "ConformanceStage");
        assert_eq!(STAGE.kind(), SearchAttributeKind::Keyword);
        assert_eq!(
            STAGE.clone(),
            SearchAttributeKey::from_name("ConformanceStage")
        );
        assert!(format!("{STAGE:?}").contains("Keyword"));
        for kind in [
            SearchAttributeKind::Text,
            SearchAttributeKind::Keyword,
            SearchAttributeKind::Int,
            SearchAttributeKind::Double,
            SearchAttributeKind::Bool,
            SearchAttributeKind::Datetime,
            SearchAttributeKind::KeywordList,
        ] {
            assert_eq!(
                SearchAttributeKind::from_type_name(kind.type_name()),
                Some(kind)
            );
            assert_eq!(SearchAttributeKind::from_proto(kind.to_proto()), Some(kind));
            assert_eq!(kind.to_string(), kind.type_name());
        }
        assert_eq!(SearchAttributeKind::from_type_name("keyword"), None);
        assert_eq!(
            SearchAttributeKind::from_proto(IndexedValueType::Unspecified),
            None
        );
        assert_eq!(SearchAttributeKind::KeywordList.to_proto() as i32, 7);
    }
}
