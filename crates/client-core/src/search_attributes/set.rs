//! [`SearchAttributes`]: a set of search attributes by name, held encoded, with typed
//! reads and writes and the first encoding error kept for [`check`](SearchAttributes::check).

use std::collections::HashMap;

use temporal_proto::temporal::api::common::v1 as proto;

use super::codec::{decode_any, decode_as, encode};
use super::error::SearchAttributeError;
use super::key::SearchAttributeKey;
use super::markers::SearchAttributeType;
use super::value::SearchAttributeValue;
use crate::validation::InvalidRequest;

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
