//! [`FailureKind`]: what kind of failure a [`TemporalFailure`](super::TemporalFailure)
//! is, with the kind's own fields (the proto's `failure_info` oneof).

use std::fmt;
use std::time::Duration;

use temporal_proto::protobuf::Duration as ProtoDuration;
use temporal_proto::temporal::api::common::v1::{
    ActivityType, Payload, Payloads, WorkflowExecution, WorkflowType,
};
use temporal_proto::temporal::api::enums::v1::{
    ApplicationErrorCategory, NexusHandlerErrorRetryBehavior, RetryState, TimeoutType,
};
use temporal_proto::temporal::api::failure::v1 as proto;
use temporal_proto::temporal::api::failure::v1::failure::FailureInfo;

/// The kind of a failure and its kind-specific fields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FailureKind {
    /// An error raised by user code (workflow, activity, update handler).
    Application {
        /// The error type the raising SDK gave it (e.g. the Python class name).
        type_name: String,
        /// Whether retry policies must not retry it.
        non_retryable: bool,
        /// Extra values attached to the error (payloads).
        details: Vec<Payload>,
        /// Retry delay the error asked for, overriding the retry policy.
        next_retry_delay: Option<Duration>,
        /// Error category (e.g. `Benign`, which is logged less loudly).
        category: ApplicationErrorCategory,
    },
    /// A cancellation.
    Canceled {
        /// Values attached to the cancellation.
        details: Vec<Payload>,
        /// Who requested it, when known.
        identity: String,
    },
    /// The workflow was terminated.
    Terminated {
        /// Who terminated it, when known.
        identity: String,
        /// The details given to the terminate call. The proto failure has no place for
        /// them: the client fills them from the terminated event (as Python's
        /// `TerminatedError.details`), and the proto conversion drops them.
        details: Vec<Payload>,
    },
    /// A timeout.
    Timeout {
        /// Which timeout fired.
        timeout_type: TimeoutType,
        /// The details of the last activity heartbeat, if any.
        last_heartbeat_details: Vec<Payload>,
    },
    /// An error of the Temporal server.
    Server {
        /// Whether it must not be retried.
        non_retryable: bool,
    },
    /// The workflow was reset.
    ResetWorkflow {
        /// The details of the last activity heartbeat, if any.
        last_heartbeat_details: Vec<Payload>,
    },
    /// An activity failed; the cause says why.
    Activity {
        /// The activity type name.
        activity_type: String,
        /// The activity id.
        activity_id: String,
        /// Why retrying stopped.
        retry_state: RetryState,
        /// Event id of the `ActivityTaskScheduled` event.
        scheduled_event_id: i64,
        /// Event id of the `ActivityTaskStarted` event.
        started_event_id: i64,
        /// Identity of the worker that ran it.
        identity: String,
    },
    /// A child workflow failed; the cause says why.
    ChildWorkflow {
        /// The child's namespace.
        namespace: String,
        /// The child's workflow id.
        workflow_id: String,
        /// The child's run id.
        run_id: String,
        /// The child's workflow type name.
        workflow_type: String,
        /// Why retrying stopped.
        retry_state: RetryState,
        /// Event id of the `StartChildWorkflowExecutionInitiated` event.
        initiated_event_id: i64,
        /// Event id of the `ChildWorkflowExecutionStarted` event.
        started_event_id: i64,
    },
    /// A Nexus operation failed; the cause says why.
    NexusOperation {
        /// The endpoint name.
        endpoint: String,
        /// The service name.
        service: String,
        /// The operation name.
        operation: String,
        /// The operation token, for asynchronous operations.
        operation_token: String,
        /// The operation id (older servers; superseded by the token).
        operation_id: String,
        /// Event id of the `NexusOperationScheduled` event.
        scheduled_event_id: i64,
    },
    /// A Nexus handler failed.
    NexusHandler {
        /// The Nexus error type.
        type_name: String,
        /// Whether the handler asked for retries.
        retry_behavior: NexusHandlerErrorRetryBehavior,
    },
    /// The failure carries no kind information (or one this version does not know).
    Unknown,
}

fn payloads_from(payloads: Option<Payloads>) -> Vec<Payload> {
    payloads.map(|p| p.payloads).unwrap_or_default()
}

fn payloads_to(payloads: &[Payload]) -> Option<Payloads> {
    (!payloads.is_empty()).then(|| Payloads {
        payloads: payloads.to_vec(),
    })
}

fn duration_from(d: Option<ProtoDuration>) -> Option<Duration> {
    let d = d?;
    let secs = u64::try_from(d.seconds).ok()?;
    let nanos = u32::try_from(d.nanos).ok()?;
    Some(Duration::new(secs, nanos))
}

fn duration_to(d: Option<Duration>) -> Option<ProtoDuration> {
    d.map(|d| ProtoDuration {
        seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        // Always below 10^9, so it fits.
        nanos: i32::try_from(d.subsec_nanos()).unwrap_or(0),
    })
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

impl FailureKind {
    /// Maps the proto's `failure_info`.
    #[allow(deprecated)] // `operation_id` is deprecated upstream but still sent by older servers.
    pub(crate) fn from_proto(info: Option<FailureInfo>) -> Self {
        let Some(info) = info else {
            return Self::Unknown;
        };
        match info {
            FailureInfo::ApplicationFailureInfo(i) => Self::Application {
                category: i.category(),
                type_name: i.r#type,
                non_retryable: i.non_retryable,
                details: payloads_from(i.details),
                next_retry_delay: duration_from(i.next_retry_delay),
            },
            FailureInfo::TimeoutFailureInfo(i) => Self::Timeout {
                timeout_type: i.timeout_type(),
                last_heartbeat_details: payloads_from(i.last_heartbeat_details),
            },
            FailureInfo::CanceledFailureInfo(i) => Self::Canceled {
                details: payloads_from(i.details),
                identity: i.identity,
            },
            FailureInfo::TerminatedFailureInfo(i) => Self::Terminated {
                identity: i.identity,
                details: Vec::new(),
            },
            FailureInfo::ServerFailureInfo(i) => Self::Server {
                non_retryable: i.non_retryable,
            },
            FailureInfo::ResetWorkflowFailureInfo(i) => Self::ResetWorkflow {
                last_heartbeat_details: payloads_from(i.last_heartbeat_details),
            },
            FailureInfo::ActivityFailureInfo(i) => Self::Activity {
                retry_state: i.retry_state(),
                activity_type: i.activity_type.map(|t| t.name).unwrap_or_default(),
                activity_id: i.activity_id,
                scheduled_event_id: i.scheduled_event_id,
                started_event_id: i.started_event_id,
                identity: i.identity,
            },
            FailureInfo::ChildWorkflowExecutionFailureInfo(i) => {
                let retry_state = i.retry_state();
                let execution = i.workflow_execution.unwrap_or_default();
                Self::ChildWorkflow {
                    namespace: i.namespace,
                    workflow_id: execution.workflow_id,
                    run_id: execution.run_id,
                    workflow_type: i.workflow_type.map(|t| t.name).unwrap_or_default(),
                    retry_state,
                    initiated_event_id: i.initiated_event_id,
                    started_event_id: i.started_event_id,
                }
            }
            FailureInfo::NexusOperationExecutionFailureInfo(i) => Self::NexusOperation {
                endpoint: i.endpoint,
                service: i.service,
                operation: i.operation,
                operation_token: i.operation_token,
                operation_id: i.operation_id,
                scheduled_event_id: i.scheduled_event_id,
            },
            FailureInfo::NexusHandlerFailureInfo(i) => Self::NexusHandler {
                retry_behavior: i.retry_behavior(),
                type_name: i.r#type,
            },
        }
    }

    /// Builds the proto's `failure_info`.
    #[allow(deprecated)] // see `from_proto`
    pub(crate) fn to_proto(&self) -> Option<FailureInfo> {
        Some(match self {
            Self::Application {
                type_name,
                non_retryable,
                details,
                next_retry_delay,
                category,
            } => FailureInfo::ApplicationFailureInfo(proto::ApplicationFailureInfo {
                r#type: type_name.clone(),
                non_retryable: *non_retryable,
                details: payloads_to(details),
                next_retry_delay: duration_to(*next_retry_delay),
                category: *category as i32,
            }),
            Self::Canceled { details, identity } => {
                FailureInfo::CanceledFailureInfo(proto::CanceledFailureInfo {
                    details: payloads_to(details),
                    identity: identity.clone(),
                })
            }
            Self::Terminated { identity, .. } => {
                FailureInfo::TerminatedFailureInfo(proto::TerminatedFailureInfo {
                    identity: identity.clone(),
                })
            }
            Self::Timeout {
                timeout_type,
                last_heartbeat_details,
            } => FailureInfo::TimeoutFailureInfo(proto::TimeoutFailureInfo {
                timeout_type: *timeout_type as i32,
                last_heartbeat_details: payloads_to(last_heartbeat_details),
            }),
            Self::Server { non_retryable } => {
                FailureInfo::ServerFailureInfo(proto::ServerFailureInfo {
                    non_retryable: *non_retryable,
                })
            }
            Self::ResetWorkflow {
                last_heartbeat_details,
            } => FailureInfo::ResetWorkflowFailureInfo(proto::ResetWorkflowFailureInfo {
                last_heartbeat_details: payloads_to(last_heartbeat_details),
            }),
            Self::Activity {
                activity_type,
                activity_id,
                retry_state,
                scheduled_event_id,
                started_event_id,
                identity,
            } => FailureInfo::ActivityFailureInfo(proto::ActivityFailureInfo {
                scheduled_event_id: *scheduled_event_id,
                started_event_id: *started_event_id,
                identity: identity.clone(),
                activity_type: non_empty(activity_type).map(|name| ActivityType {
                    name: name.to_owned(),
                }),
                activity_id: activity_id.clone(),
                retry_state: *retry_state as i32,
            }),
            Self::ChildWorkflow {
                namespace,
                workflow_id,
                run_id,
                workflow_type,
                retry_state,
                initiated_event_id,
                started_event_id,
            } => FailureInfo::ChildWorkflowExecutionFailureInfo(
                proto::ChildWorkflowExecutionFailureInfo {
                    namespace: namespace.clone(),
                    workflow_execution: (!workflow_id.is_empty() || !run_id.is_empty()).then(
                        || WorkflowExecution {
                            workflow_id: workflow_id.clone(),
                            run_id: run_id.clone(),
                        },
                    ),
                    workflow_type: non_empty(workflow_type).map(|name| WorkflowType {
                        name: name.to_owned(),
                    }),
                    initiated_event_id: *initiated_event_id,
                    started_event_id: *started_event_id,
                    retry_state: *retry_state as i32,
                },
            ),
            Self::NexusOperation {
                endpoint,
                service,
                operation,
                operation_token,
                operation_id,
                scheduled_event_id,
            } => {
                FailureInfo::NexusOperationExecutionFailureInfo(proto::NexusOperationFailureInfo {
                    scheduled_event_id: *scheduled_event_id,
                    endpoint: endpoint.clone(),
                    service: service.clone(),
                    operation: operation.clone(),
                    operation_id: operation_id.clone(),
                    operation_token: operation_token.clone(),
                })
            }
            Self::NexusHandler {
                type_name,
                retry_behavior,
            } => FailureInfo::NexusHandlerFailureInfo(proto::NexusHandlerFailureInfo {
                r#type: type_name.clone(),
                retry_behavior: *retry_behavior as i32,
            }),
            Self::Unknown => return None,
        })
    }

    /// The payloads of the kind: details, or last heartbeat details.
    pub fn details(&self) -> &[Payload] {
        match self {
            Self::Application { details, .. }
            | Self::Canceled { details, .. }
            | Self::Terminated { details, .. } => details,
            Self::Timeout {
                last_heartbeat_details,
                ..
            }
            | Self::ResetWorkflow {
                last_heartbeat_details,
            } => last_heartbeat_details,
            _ => &[],
        }
    }

    /// The mutable payloads of the kind, for kinds that have some.
    pub fn details_mut(&mut self) -> Option<&mut Vec<Payload>> {
        match self {
            Self::Application { details, .. }
            | Self::Canceled { details, .. }
            | Self::Terminated { details, .. } => Some(details),
            Self::Timeout {
                last_heartbeat_details,
                ..
            }
            | Self::ResetWorkflow {
                last_heartbeat_details,
            } => Some(last_heartbeat_details),
            _ => None,
        }
    }
}

/// `RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED` → `maximum attempts reached`.
fn enum_words(name: &str, prefix: &str) -> String {
    name.strip_prefix(prefix)
        .unwrap_or(name)
        .to_ascii_lowercase()
        .replace('_', " ")
}

fn write_retry_state(f: &mut fmt::Formatter<'_>, state: RetryState) -> fmt::Result {
    if state == RetryState::Unspecified {
        return Ok(());
    }
    write!(
        f,
        " (retry state: {})",
        enum_words(state.as_str_name(), "RETRY_STATE_")
    )
}

/// The kind in plain words, as the start of a failure's `Display`.
impl FailureKind {
    /// A short, stable name of the kind, after the proto's `failure_info` case:
    /// `ApplicationFailure`, `CanceledFailure`, `TerminatedFailure`, `TimeoutFailure`,
    /// `ServerFailure`, `ResetWorkflowFailure`, `ActivityFailure`,
    /// `ChildWorkflowExecutionFailure`, `NexusOperationFailure`, `NexusHandlerFailure`,
    /// or `UnknownFailure` for a failure without kind information.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Application { .. } => "ApplicationFailure",
            Self::Canceled { .. } => "CanceledFailure",
            Self::Terminated { .. } => "TerminatedFailure",
            Self::Timeout { .. } => "TimeoutFailure",
            Self::Server { .. } => "ServerFailure",
            Self::ResetWorkflow { .. } => "ResetWorkflowFailure",
            Self::Activity { .. } => "ActivityFailure",
            Self::ChildWorkflow { .. } => "ChildWorkflowExecutionFailure",
            Self::NexusOperation { .. } => "NexusOperationFailure",
            Self::NexusHandler { .. } => "NexusHandlerFailure",
            Self::Unknown => "UnknownFailure",
        }
    }
}

/// The kind in plain words, with its identifying fields (e.g. `application error
/// MyError`, `activity greet (id 1) failed`).
impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Application { type_name, .. } => {
                f.write_str("application error")?;
                if !type_name.is_empty() {
                    write!(f, " {type_name}")?;
                }
                Ok(())
            }
            Self::Canceled { .. } => f.write_str("cancelled"),
            Self::Terminated { .. } => f.write_str("terminated"),
            Self::Timeout { timeout_type, .. } => {
                f.write_str("timed out")?;
                if *timeout_type != TimeoutType::Unspecified {
                    let name = timeout_type.as_str_name();
                    write!(
                        f,
                        " ({})",
                        name.strip_prefix("TIMEOUT_TYPE_").unwrap_or(name)
                    )?;
                }
                Ok(())
            }
            Self::Server { .. } => f.write_str("server error"),
            Self::ResetWorkflow { .. } => f.write_str("workflow reset"),
            Self::Activity {
                activity_type,
                activity_id,
                retry_state,
                ..
            } => {
                write!(f, "activity {activity_type} (id {activity_id}) failed")?;
                write_retry_state(f, *retry_state)
            }
            Self::ChildWorkflow {
                workflow_type,
                workflow_id,
                retry_state,
                ..
            } => {
                write!(
                    f,
                    "child workflow {workflow_type} (id {workflow_id}) failed"
                )?;
                write_retry_state(f, *retry_state)
            }
            Self::NexusOperation {
                service, operation, ..
            } => write!(f, "Nexus operation {service}/{operation} failed"),
            Self::NexusHandler { type_name, .. } => {
                f.write_str("Nexus handler error")?;
                if !type_name.is_empty() {
                    write!(f, " {type_name}")?;
                }
                Ok(())
            }
            Self::Unknown => f.write_str("error"),
        }
    }
}
