//! [`TemporalFailure`]: a Temporal `Failure` (and its cause chain) as a Rust error.

use std::error::Error as StdError;
use std::fmt;

use serde::de::DeserializeOwned;
use temporal_proto::temporal::api::common::v1::Payload;
use temporal_proto::temporal::api::enums::v1::ApplicationErrorCategory;
use temporal_proto::temporal::api::failure::v1::Failure;

use super::FailureKind;
use crate::payload::{DataConverter, FromPayloads, PayloadError};

/// A failure as Temporal records it (an error raised in a workflow or activity, a
/// timeout, a cancellation, ...), with its chain of causes.
///
/// Converts losslessly from and to the proto `Failure` ([`from_proto`](Self::from_proto),
/// [`to_proto`](Self::to_proto)). Details stay payloads; read them typed with
/// [`details`](Self::details), which uses the data converter the failure was decoded
/// with (the client attaches its own), so no converter has to be passed in.
///
/// `Display` shows the message alone, as the other SDKs' errors do (the kind is
/// [`kind`](Self::kind), printable, with a short [`FailureKind::name`]);
/// [`std::error::Error::source`] and [`cause`](Self::cause) walk the causes.
///
/// ```
/// use temporal_client_core::failure::{FailureKind, TemporalFailure};
/// use temporal_client_core::payload::DataConverter;
///
/// let dc = DataConverter::default();
/// let failure = TemporalFailure::application("boom", "MyError")
///     .with_non_retryable(true)
///     .with_details(dc.to_payloads(&(serde_json::json!({"k": "v"}), 7))?)
///     .with_cause(TemporalFailure::application("inner cause", "InnerError"));
/// assert_eq!(failure.to_string(), "boom");
/// assert_eq!(failure.kind().name(), "ApplicationFailure");
/// assert_eq!(failure.kind().to_string(), "application error MyError");
/// let (map, n): (serde_json::Value, i32) = failure.details()?;
/// assert_eq!((map["k"].as_str(), n), (Some("v"), 7));
/// assert_eq!(failure.cause().map(|c| c.message()), Some("inner cause"));
///
/// let back = TemporalFailure::from_proto(failure.to_proto());
/// assert_eq!(back, failure);
/// # Ok::<(), temporal_client_core::payload::PayloadError>(())
/// ```
#[derive(Debug, Clone)]
pub struct TemporalFailure {
    message: String,
    stack_trace: String,
    origin: String,
    encoded_attributes: Option<Payload>,
    kind: FailureKind,
    cause: Option<Box<TemporalFailure>>,
    /// Reads the details; `None` means the default converter.
    converter: Option<DataConverter>,
}

/// Two failures are equal when their contents are; the attached converter is not
/// compared.
impl PartialEq for TemporalFailure {
    fn eq(&self, other: &Self) -> bool {
        self.message == other.message
            && self.stack_trace == other.stack_trace
            && self.origin == other.origin
            && self.encoded_attributes == other.encoded_attributes
            && self.kind == other.kind
            && self.cause == other.cause
    }
}

impl TemporalFailure {
    /// A failure of this kind with this message, no stack trace and no cause.
    pub fn new(message: impl Into<String>, kind: FailureKind) -> Self {
        Self {
            message: message.into(),
            stack_trace: String::new(),
            origin: String::new(),
            encoded_attributes: None,
            kind,
            cause: None,
            converter: None,
        }
    }

    /// A retryable application error of type `type_name`, without details.
    pub fn application(message: impl Into<String>, type_name: impl Into<String>) -> Self {
        Self::new(
            message,
            FailureKind::Application {
                type_name: type_name.into(),
                non_retryable: false,
                details: Vec::new(),
                next_retry_delay: None,
                category: ApplicationErrorCategory::Unspecified,
            },
        )
    }

    /// A cancellation, without details.
    pub fn cancelled(message: impl Into<String>) -> Self {
        Self::new(
            message,
            FailureKind::Canceled {
                details: Vec::new(),
                identity: String::new(),
            },
        )
    }

    /// An application failure for any Rust error: the message is its `Display`, and
    /// its `source()` chain becomes the causes. A [`TemporalFailure`] anywhere in the
    /// chain is kept as it is (with its own causes). The type name is left empty.
    pub fn from_error(error: &(dyn StdError + 'static)) -> Self {
        let mut chain: Vec<&(dyn StdError + 'static)> = Vec::new();
        let mut current = Some(error);
        let mut innermost = None;
        while let Some(e) = current {
            if let Some(failure) = e.downcast_ref::<TemporalFailure>() {
                innermost = Some(failure.clone());
                break;
            }
            chain.push(e);
            current = e.source();
        }
        let mut result = innermost;
        while let Some(e) = chain.pop() {
            let mut failure = Self::application(e.to_string(), "");
            failure.cause = result.map(Box::new);
            result = Some(failure);
        }
        // `chain` held at least `error` unless `error` itself was a TemporalFailure.
        result.unwrap_or_else(|| Self::application(error.to_string(), ""))
    }

    /// Attaches the data converter that [`details`](Self::details) and
    /// [`detail`](Self::detail) read payloads with, to this failure and every cause.
    #[must_use]
    pub fn with_data_converter(mut self, converter: &DataConverter) -> Self {
        let mut current = Some(&mut self);
        while let Some(node) = current {
            node.converter = Some(converter.clone());
            current = node.cause.as_deref_mut();
        }
        self
    }

    /// Sets the cause (replacing any).
    #[must_use]
    pub fn with_cause(mut self, cause: TemporalFailure) -> Self {
        self.cause = Some(Box::new(cause));
        self
    }

    /// Sets the stack trace text.
    #[must_use]
    pub fn with_stack_trace(mut self, stack_trace: impl Into<String>) -> Self {
        self.stack_trace = stack_trace.into();
        self
    }

    /// Sets the origin (the proto's `source`, e.g. `TypeScriptSDK`).
    #[must_use]
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = origin.into();
        self
    }

    /// Sets the details (for application and cancellation failures) or the last
    /// heartbeat details (timeouts, resets). Kinds without payloads ignore them.
    #[must_use]
    pub fn with_details(mut self, details: Vec<Payload>) -> Self {
        if let Some(slot) = self.kind.details_mut() {
            *slot = details;
        }
        self
    }

    /// Marks an application or server failure as (not) retryable. Other kinds ignore it.
    #[must_use]
    pub fn with_non_retryable(mut self, value: bool) -> Self {
        match &mut self.kind {
            FailureKind::Application { non_retryable, .. }
            | FailureKind::Server { non_retryable } => *non_retryable = value,
            _ => {}
        }
        self
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The stack trace, as text from the SDK that raised it (empty when unknown).
    pub fn stack_trace(&self) -> &str {
        &self.stack_trace
    }

    /// Where the failure was created (the proto's `source`, e.g. `TypeScriptSDK`;
    /// often empty).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The kind and its fields.
    pub fn kind(&self) -> &FailureKind {
        &self.kind
    }

    /// The kind, mutably.
    pub fn kind_mut(&mut self) -> &mut FailureKind {
        &mut self.kind
    }

    /// The encoded common attributes, when they were not (or could not be) restored.
    pub fn encoded_attributes(&self) -> Option<&Payload> {
        self.encoded_attributes.as_ref()
    }

    /// The next failure of the chain.
    pub fn cause(&self) -> Option<&TemporalFailure> {
        self.cause.as_deref()
    }

    /// Removes and returns the cause.
    pub fn take_cause(&mut self) -> Option<TemporalFailure> {
        self.cause.take().map(|c| *c)
    }

    /// This failure, then each cause in turn.
    pub fn chain(&self) -> impl Iterator<Item = &TemporalFailure> {
        std::iter::successors(Some(self), |f| f.cause.as_deref())
    }

    /// The last failure of the chain (this one when there is no cause).
    pub fn root_cause(&self) -> &TemporalFailure {
        let mut current = self;
        while let Some(next) = current.cause() {
            current = next;
        }
        current
    }

    /// The application error type, for application failures.
    pub fn application_type(&self) -> Option<&str> {
        match &self.kind {
            FailureKind::Application { type_name, .. } => Some(type_name),
            _ => None,
        }
    }

    /// Whether retry policies must not retry this failure (application or server
    /// failures marked so).
    pub fn is_non_retryable(&self) -> bool {
        matches!(
            self.kind,
            FailureKind::Application {
                non_retryable: true,
                ..
            } | FailureKind::Server {
                non_retryable: true
            }
        )
    }

    /// The raw detail payloads (details or last heartbeat details; empty for other
    /// kinds).
    pub fn details_payloads(&self) -> &[Payload] {
        self.kind.details()
    }

    /// All details, typed: a tuple with one element per detail, `Vec<serde_json::Value>`
    /// for any number, or `()` for none. Read with the attached data converter (see
    /// [`with_data_converter`](Self::with_data_converter)), or the default one.
    ///
    /// # Errors
    /// [`PayloadError::ArgCount`] when the number of details differs from the tuple's,
    /// or a conversion error.
    pub fn details<A: FromPayloads>(&self) -> Result<A, PayloadError> {
        self.converter().from_payloads(self.details_payloads())
    }

    /// One detail, typed; `None` when there are fewer details.
    ///
    /// # Errors
    /// A conversion error.
    pub fn detail<T: DeserializeOwned>(&self, index: usize) -> Result<Option<T>, PayloadError> {
        let converter = self.converter();
        self.details_payloads()
            .get(index)
            .map(|p| converter.from_payload(p))
            .transpose()
    }

    fn converter(&self) -> std::borrow::Cow<'_, DataConverter> {
        match &self.converter {
            Some(converter) => std::borrow::Cow::Borrowed(converter),
            None => std::borrow::Cow::Owned(DataConverter::default()),
        }
    }

    fn from_node(node: Failure) -> Self {
        Self {
            message: node.message,
            stack_trace: node.stack_trace,
            origin: node.source,
            encoded_attributes: node.encoded_attributes,
            kind: FailureKind::from_proto(node.failure_info),
            cause: None,
            converter: None,
        }
    }

    fn to_node(&self) -> Failure {
        Failure {
            message: self.message.clone(),
            source: self.origin.clone(),
            stack_trace: self.stack_trace.clone(),
            encoded_attributes: self.encoded_attributes.clone(),
            cause: None,
            failure_info: self.kind.to_proto(),
        }
    }

    /// Maps a proto `Failure` and all its causes. Payloads are kept as they are: run
    /// [`DataConverter::decode_failure`] first when codecs or encoded attributes may be
    /// in use (or use [`DataConverter::failure_from_proto`]).
    pub fn from_proto(failure: Failure) -> Self {
        let mut outer = Vec::new();
        let mut current = failure;
        while let Some(cause) = current.cause.take() {
            outer.push(current);
            current = *cause;
        }
        let mut result = Self::from_node(current);
        while let Some(node) = outer.pop() {
            let mut failure = Self::from_node(node);
            failure.cause = Some(Box::new(result));
            result = failure;
        }
        result
    }

    /// Builds the proto `Failure`, causes included.
    pub fn to_proto(&self) -> Failure {
        let chain: Vec<&TemporalFailure> = self.chain().collect();
        let mut result: Option<Failure> = None;
        for failure in chain.into_iter().rev() {
            let mut node = failure.to_node();
            node.cause = result.map(Box::new);
            result = Some(node);
        }
        // The chain always holds `self`.
        result.unwrap_or_else(|| self.to_node())
    }
}

impl From<Failure> for TemporalFailure {
    fn from(failure: Failure) -> Self {
        Self::from_proto(failure)
    }
}

impl From<&TemporalFailure> for Failure {
    fn from(failure: &TemporalFailure) -> Self {
        failure.to_proto()
    }
}

impl From<TemporalFailure> for Failure {
    fn from(failure: TemporalFailure) -> Self {
        failure.to_proto()
    }
}

/// The message; a failure without one shows its kind instead.
impl fmt::Display for TemporalFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            fmt::Display::fmt(&self.kind, f)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl StdError for TemporalFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn StdError + 'static))
    }
}
