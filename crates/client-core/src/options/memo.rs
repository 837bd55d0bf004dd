//! [`Memo`]: unindexed key/value notes attached to a workflow, kept as JSON until the
//! client converts them with its data converter.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::validation::InvalidRequest;

/// A workflow memo: named values shown by `describe` and `list`, not searchable.
///
/// Values are held as JSON; the client turns each into a payload with its data
/// converter (and codecs) when it sends the start. A value that cannot be converted to
/// JSON is not stored: the first such error is kept and reported when the request is
/// built (see [`check`](Self::check)), so [`insert`](Self::insert) never fails.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Memo {
    fields: BTreeMap<String, serde_json::Value>,
    error: Option<(String, String)>,
}

impl Memo {
    /// An empty memo.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value` (converted to JSON).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Serialize) -> &mut Self {
        let key = key.into();
        match serde_json::to_value(value) {
            Ok(value) => {
                self.fields.insert(key, value);
            }
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some((key, e.to_string()));
                }
            }
        }
        self
    }

    /// [`insert`](Self::insert), by value, for chaining.
    pub fn with(mut self, key: impl Into<String>, value: impl Serialize) -> Self {
        self.insert(key, value);
        self
    }

    /// Sets `key` to a JSON value as it is.
    pub fn insert_json(&mut self, key: impl Into<String>, value: serde_json::Value) -> &mut Self {
        self.fields.insert(key.into(), value);
        self
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
        self.fields.get(key)
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<serde_json::Value> {
        self.fields.remove(key)
    }

    /// How many fields there are.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The fields, by key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &serde_json::Value)> {
        self.fields.iter()
    }

    /// Fails if a value given to [`insert`](Self::insert) could not be converted.
    pub fn check(&self) -> Result<(), InvalidRequest> {
        match &self.error {
            Some((key, reason)) => Err(InvalidRequest::InvalidMemo {
                key: key.clone(),
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }
}

impl<'a> IntoIterator for &'a Memo {
    type Item = (&'a String, &'a serde_json::Value);
    type IntoIter = std::collections::btree_map::Iter<'a, String, serde_json::Value>;

    fn into_iter(self) -> Self::IntoIter {
        self.fields.iter()
    }
}

impl<K: Into<String>> FromIterator<(K, serde_json::Value)> for Memo {
    fn from_iter<I: IntoIterator<Item = (K, serde_json::Value)>>(iter: I) -> Self {
        Self {
            fields: iter.into_iter().map(|(k, v)| (k.into(), v)).collect(),
            error: None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::collections::HashMap;

    use serde_json::json;

    use super::*;

    #[test]
    fn stores_json_values() {
        let mut memo = Memo::new();
        memo.insert("note", "hello").insert("n", 3);
        let memo = memo.with("obj", json!({"a": [1, 2]}));
        assert_eq!(memo.len(), 3);
        assert_eq!(memo.get("note"), Some(&json!("hello")));
        assert_eq!(memo.get("n"), Some(&json!(3)));
        let keys: Vec<_> = memo.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["n", "note", "obj"]);
        assert_eq!(memo.check(), Ok(()));
    }

    #[test]
    fn unconvertible_value_is_reported_by_check() {
        let mut bad = HashMap::new();
        bad.insert((1, 2), "tuple keys are not JSON object keys");
        let memo = Memo::new().with("ok", 1).with("bad", bad);
        assert_eq!(memo.len(), 1);
        let err = memo.check().unwrap_err();
        assert!(matches!(&err, InvalidRequest::InvalidMemo { key, .. } if key == "bad"));
        assert!(err.to_string().contains("\"bad\""));
    }

    #[test]
    fn remove_and_collect() {
        let mut memo: Memo = [("a", json!(1)), ("b", json!(2))].into_iter().collect();
        assert_eq!(memo.remove("a"), Some(json!(1)));
        assert!(!memo.is_empty());
        assert_eq!((&memo).into_iter().count(), 1);
    }
}
