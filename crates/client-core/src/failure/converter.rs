//! [`FailureConverter`]: how failures are prepared for sending and read after
//! receiving, in particular the "encoded common attributes" option that hides
//! messages and stack traces inside a payload (so a codec can encrypt them).

use serde::{Deserialize, Serialize};
use temporal_proto::temporal::api::failure::v1::Failure;

use crate::payload::{DataConverter, PayloadError};

/// The message a failure carries when its real message is in `encoded_attributes`.
pub const ENCODED_FAILURE_MESSAGE: &str = "Encoded failure";

/// Options of failure conversion, held by a [`DataConverter`].
///
/// With [`with_encode_common_attributes(true)`](Self::with_encode_common_attributes),
/// [`DataConverter::encode_failure`] moves each failure's message and stack trace into
/// a `{"message": ..., "stack_trace": ...}` payload in `encoded_attributes` (which the
/// codecs then encode) and sets the message to `"Encoded failure"`, like the other
/// SDKs' option of the same name. Decoding always restores them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailureConverter {
    encode_common_attributes: bool,
}

impl FailureConverter {
    /// The default: messages and stack traces are sent as they are.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether to move messages and stack traces into `encoded_attributes` on the way
    /// out.
    #[must_use]
    pub fn with_encode_common_attributes(mut self, encode: bool) -> Self {
        self.encode_common_attributes = encode;
        self
    }

    /// Whether messages and stack traces are moved into `encoded_attributes`.
    pub fn encodes_common_attributes(&self) -> bool {
        self.encode_common_attributes
    }
}

#[derive(Serialize)]
struct AttributesOut<'a> {
    message: &'a str,
    stack_trace: &'a str,
}

#[derive(Deserialize)]
struct AttributesIn {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    stack_trace: Option<String>,
}

/// Moves the message and stack trace of every failure of the chain that has no
/// encoded attributes yet into `encoded_attributes`.
pub(crate) fn encode_common_attributes(
    failure: &mut Failure,
    converter: &DataConverter,
) -> Result<(), PayloadError> {
    let mut current = Some(failure);
    while let Some(node) = current {
        if node.encoded_attributes.is_none() {
            let payload = converter.to_payload(&AttributesOut {
                message: &node.message,
                stack_trace: &node.stack_trace,
            })?;
            node.encoded_attributes = Some(payload);
            node.message = ENCODED_FAILURE_MESSAGE.to_owned();
            node.stack_trace.clear();
        }
        current = node.cause.as_deref_mut();
    }
    Ok(())
}

/// Restores message and stack trace from `encoded_attributes` in every failure of the
/// chain whose message is [`ENCODED_FAILURE_MESSAGE`], and clears the attributes.
/// Attributes that do not read as a JSON object are left in place.
pub(crate) fn decode_common_attributes(failure: &mut Failure, converter: &DataConverter) {
    let mut current = Some(failure);
    while let Some(node) = current {
        if node.message == ENCODED_FAILURE_MESSAGE {
            let decoded = node
                .encoded_attributes
                .as_ref()
                .and_then(|p| converter.from_payload::<AttributesIn>(p).ok());
            if let Some(attributes) = decoded {
                if let Some(message) = attributes.message {
                    node.message = message;
                }
                if let Some(stack_trace) = attributes.stack_trace {
                    node.stack_trace = stack_trace;
                }
                node.encoded_attributes = None;
            }
        }
        current = node.cause.as_deref_mut();
    }
}
