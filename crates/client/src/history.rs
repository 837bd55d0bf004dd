//! History JSON: the protobuf JSON mapping that `temporal workflow show --output json`
//! prints and replayers load (feature `json`).
//!
//! Older exports (the UI's "download", `tctl`, early CLI versions) spell enum values in
//! the shorthand form, `"WorkflowExecutionStarted"` or `"StartToClose"`, where the
//! protobuf JSON mapping has `"EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"` and
//! `"TIMEOUT_TYPE_START_TO_CLOSE"`. Like the Python and TypeScript SDKs, the reader
//! accepts both: before parsing, it walks the JSON along the `History` message's
//! descriptors (from [`temporal_proto::FILE_DESCRIPTOR_SET`]) and rewrites every value
//! of an enum-typed field to the canonical name, whatever the enum.

use std::collections::HashMap;
use std::sync::OnceLock;

use prost::Message;
use prost_types::field_descriptor_proto::Type;
use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorSet};
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
/// `temporal workflow show --output json`. Enum values may be spelled either way: the
/// canonical protobuf name (`"EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"`) or the shorthand
/// older exports use (`"WorkflowExecutionStarted"`), in every enum field of the history.
///
/// # Errors
/// [`Error::HistoryJson`](crate::Error::HistoryJson) naming what could not be read.
pub fn history_from_json(json: &str) -> Result<History> {
    let mut value: serde_json::Value =
        serde_json::from_str(json).map_err(|source| crate::Error::HistoryJson { source })?;
    if let Some(schema) = Schema::get() {
        schema.normalize(HISTORY_MESSAGE, &mut value);
    }
    serde_json::from_value(value).map_err(|source| crate::Error::HistoryJson { source })
}

const HISTORY_MESSAGE: &str = "temporal.api.history.v1.History";

/// What a field holds, as far as enum spellings are concerned.
#[derive(Debug, Clone)]
enum FieldKind {
    /// An enum (full name).
    Enum(String),
    /// A message (full name), walked into; a map field is a message of its entry type,
    /// whose values are walked (repeated fields are arrays, walked element by element).
    Message(String),
    /// Anything else: left as it is.
    Scalar,
}

/// The message and enum types of the API, indexed for the JSON walk.
#[derive(Debug, Default)]
struct Schema {
    /// Message full name -> field JSON name and proto name -> kind.
    messages: HashMap<String, HashMap<String, FieldKind>>,
    /// Map entry message full name -> kind of its `value` field.
    map_entries: HashMap<String, FieldKind>,
    /// Enum full name -> spelling key (see [`spelling_key`]) -> canonical value name.
    enums: HashMap<String, HashMap<String, String>>,
}

impl Schema {
    /// The schema of the generated API; `None` if the descriptors cannot be read (then
    /// only canonical spellings parse).
    fn get() -> Option<&'static Schema> {
        static SCHEMA: OnceLock<Option<Schema>> = OnceLock::new();
        SCHEMA
            .get_or_init(|| {
                let set = FileDescriptorSet::decode(temporal_proto::FILE_DESCRIPTOR_SET).ok()?;
                let mut schema = Schema::default();
                for file in &set.file {
                    let package = file.package();
                    for message in &file.message_type {
                        schema.add_message(package, message);
                    }
                    for e in &file.enum_type {
                        schema.add_enum(package, e);
                    }
                }
                Some(schema)
            })
            .as_ref()
    }

    fn add_message(&mut self, scope: &str, message: &DescriptorProto) {
        let full = format!("{scope}.{}", message.name());
        for nested in &message.nested_type {
            self.add_message(&full, nested);
        }
        for e in &message.enum_type {
            self.add_enum(&full, e);
        }
        let mut fields = HashMap::new();
        for field in &message.field {
            let type_name = field.type_name().trim_start_matches('.').to_owned();
            let kind = match field.r#type() {
                Type::Enum => FieldKind::Enum(type_name),
                Type::Message => FieldKind::Message(type_name),
                _ => FieldKind::Scalar,
            };
            if !field.json_name().is_empty() {
                fields.insert(field.json_name().to_owned(), kind.clone());
            }
            fields.insert(field.name().to_owned(), kind);
        }
        let is_map_entry = message
            .options
            .as_ref()
            .is_some_and(|o| o.map_entry.unwrap_or(false));
        if let (true, Some(value)) = (is_map_entry, fields.get("value")) {
            self.map_entries.insert(full.clone(), value.clone());
        }
        self.messages.insert(full, fields);
    }

    fn add_enum(&mut self, scope: &str, e: &EnumDescriptorProto) {
        let full = format!("{scope}.{}", e.name());
        let prefix = format!("{}_", screaming_snake(e.name()));
        let mut spellings = HashMap::new();
        for value in &e.value {
            let canonical = value.name().to_owned();
            let short = canonical.strip_prefix(&prefix).unwrap_or(&canonical);
            spellings.insert(spelling_key(short), canonical.clone());
            spellings.insert(spelling_key(&canonical), canonical);
        }
        self.enums.insert(full, spellings);
    }

    /// Rewrites, in place, every enum value of `value` (a JSON `message`) to its
    /// canonical name. Unknown fields and values are left for the parser to judge.
    fn normalize(&self, message: &str, value: &mut serde_json::Value) {
        if message.starts_with("google.protobuf.") {
            return; // well-known types have their own JSON forms and no API enums
        }
        let Some(fields) = self.messages.get(message) else {
            return;
        };
        let serde_json::Value::Object(object) = value else {
            return;
        };
        for (name, field_value) in object.iter_mut() {
            if let Some(kind) = fields.get(name) {
                self.normalize_field(kind, field_value);
            }
        }
    }

    fn normalize_field(&self, kind: &FieldKind, value: &mut serde_json::Value) {
        if let serde_json::Value::Array(items) = value {
            for item in items {
                self.normalize_field(kind, item);
            }
            return;
        }
        match kind {
            FieldKind::Enum(name) => {
                if let (serde_json::Value::String(text), Some(spellings)) =
                    (&mut *value, self.enums.get(name))
                    && let Some(canonical) = spellings.get(&spelling_key(text))
                {
                    canonical.clone_into(text);
                }
            }
            FieldKind::Message(name) => match self.map_entries.get(name) {
                Some(value_kind) => {
                    if let serde_json::Value::Object(map) = value {
                        for entry in map.values_mut() {
                            self.normalize_field(value_kind, entry);
                        }
                    }
                }
                None => self.normalize(name, value),
            },
            FieldKind::Scalar => {}
        }
    }
}

/// `EventType` -> `EVENT_TYPE`, `TaskQueueKind` -> `TASK_QUEUE_KIND`.
fn screaming_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// Spellings of one value compare equal under this key: case and underscores are
/// ignored, so `WORKFLOW_EXECUTION_STARTED`, `WorkflowExecutionStarted` and
/// `workflowExecutionStarted` meet.
fn spelling_key(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn enum_prefixes_follow_the_type_name() {
        assert_eq!(screaming_snake("EventType"), "EVENT_TYPE");
        assert_eq!(screaming_snake("TaskQueueKind"), "TASK_QUEUE_KIND");
        assert_eq!(spelling_key("START_TO_CLOSE"), spelling_key("StartToClose"));
    }

    #[test]
    fn the_schema_reads_the_api_descriptors() {
        let schema = Schema::get().expect("the descriptors decode");
        let event_type = &schema.enums["temporal.api.enums.v1.EventType"];
        assert_eq!(
            event_type[&spelling_key("WorkflowExecutionStarted")],
            "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"
        );
        assert!(schema.messages.contains_key(HISTORY_MESSAGE));
    }
}
