//! Encoding search attribute values to `json/plain` payloads labelled with their type,
//! and decoding them back, by the key's type or by the payload's own label.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use temporal_proto::temporal::api::common::v1 as proto;

use super::error::SearchAttributeError;
use super::value::{SearchAttributeKind, SearchAttributeValue};

pub(super) const ENCODING_KEY: &str = "encoding";
pub(super) const TYPE_KEY: &str = "type";
pub(super) const JSON_PLAIN: &[u8] = b"json/plain";

pub(super) fn encode(value: &SearchAttributeValue) -> Result<proto::Payload, &'static str> {
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

pub(super) fn decode_as(
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

pub(super) fn decode_any(
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
