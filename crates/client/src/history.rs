//! History JSON: the protobuf JSON mapping that `temporal workflow show --output json`
//! prints and replayers load (feature `json`).

use temporal_client_core::proto::temporal::api::history::v1::History;

use crate::error::Result;

/// Serializes a history in the protobuf JSON mapping (`{"events": [...]}`).
///
/// # Errors
/// [`Error::HistoryJson`](crate::Error::HistoryJson) if serialization fails.
pub fn history_to_json(history: &History) -> Result<String> {
    serde_json::to_string_pretty(history).map_err(|source| crate::Error::HistoryJson { source })
}

/// Parses a history in the protobuf JSON mapping, e.g. the output of
/// `temporal workflow show --output json`.
///
/// # Errors
/// [`Error::HistoryJson`](crate::Error::HistoryJson) naming what could not be read.
pub fn history_from_json(json: &str) -> Result<History> {
    serde_json::from_str(json).map_err(|source| crate::Error::HistoryJson { source })
}
