//! Event builders: appending history events with increasing ids, the virtual time and the
//! event type that matches the attributes.
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::time::SystemTime;

use prost::Message as _;
use temporal_proto::temporal::api::enums::v1::EventType;
use temporal_proto::temporal::api::history::v1::{HistoryEvent, history_event::Attributes};

use super::clock::to_timestamp;

/// The event type that goes with an attributes variant.
pub(crate) fn event_type_of(attrs: &Attributes) -> EventType {
    use Attributes as A;
    match attrs {
        A::WorkflowExecutionStartedEventAttributes(_) => EventType::WorkflowExecutionStarted,
        A::WorkflowExecutionCompletedEventAttributes(_) => EventType::WorkflowExecutionCompleted,
        A::WorkflowExecutionFailedEventAttributes(_) => EventType::WorkflowExecutionFailed,
        A::WorkflowExecutionTimedOutEventAttributes(_) => EventType::WorkflowExecutionTimedOut,
        A::WorkflowTaskScheduledEventAttributes(_) => EventType::WorkflowTaskScheduled,
        A::WorkflowTaskStartedEventAttributes(_) => EventType::WorkflowTaskStarted,
        A::WorkflowTaskCompletedEventAttributes(_) => EventType::WorkflowTaskCompleted,
        A::WorkflowTaskFailedEventAttributes(_) => EventType::WorkflowTaskFailed,
        A::TimerStartedEventAttributes(_) => EventType::TimerStarted,
        A::TimerFiredEventAttributes(_) => EventType::TimerFired,
        A::TimerCanceledEventAttributes(_) => EventType::TimerCanceled,
        A::WorkflowExecutionSignaledEventAttributes(_) => EventType::WorkflowExecutionSignaled,
        A::WorkflowExecutionTerminatedEventAttributes(_) => EventType::WorkflowExecutionTerminated,
        A::WorkflowExecutionCancelRequestedEventAttributes(_) => {
            EventType::WorkflowExecutionCancelRequested
        }
        A::WorkflowExecutionCanceledEventAttributes(_) => EventType::WorkflowExecutionCanceled,
        A::WorkflowExecutionContinuedAsNewEventAttributes(_) => {
            EventType::WorkflowExecutionContinuedAsNew
        }
        A::UpsertWorkflowSearchAttributesEventAttributes(_) => {
            EventType::UpsertWorkflowSearchAttributes
        }
        A::WorkflowExecutionUpdateAcceptedEventAttributes(_) => {
            EventType::WorkflowExecutionUpdateAccepted
        }
        A::WorkflowExecutionUpdateCompletedEventAttributes(_) => {
            EventType::WorkflowExecutionUpdateCompleted
        }
        A::WorkflowPropertiesModifiedEventAttributes(_) => EventType::WorkflowPropertiesModified,
        A::ActivityTaskScheduledEventAttributes(_) => EventType::ActivityTaskScheduled,
        A::ActivityTaskStartedEventAttributes(_) => EventType::ActivityTaskStarted,
        A::ActivityTaskCompletedEventAttributes(_) => EventType::ActivityTaskCompleted,
        A::ActivityTaskFailedEventAttributes(_) => EventType::ActivityTaskFailed,
        A::ActivityTaskTimedOutEventAttributes(_) => EventType::ActivityTaskTimedOut,
        A::ActivityTaskCancelRequestedEventAttributes(_) => EventType::ActivityTaskCancelRequested,
        A::ActivityTaskCanceledEventAttributes(_) => EventType::ActivityTaskCanceled,
        _ => EventType::Unspecified,
    }
}

/// Whether the event closes a run.
pub(crate) fn is_close_event(event: &HistoryEvent) -> bool {
    matches!(
        EventType::try_from(event.event_type),
        Ok(EventType::WorkflowExecutionCompleted
            | EventType::WorkflowExecutionFailed
            | EventType::WorkflowExecutionTimedOut
            | EventType::WorkflowExecutionCanceled
            | EventType::WorkflowExecutionTerminated
            | EventType::WorkflowExecutionContinuedAsNew)
    )
}

/// One run's history.
#[derive(Debug, Clone, Default)]
pub(crate) struct History {
    pub(crate) events: Vec<HistoryEvent>,
    pub(crate) size_bytes: i64,
}

impl History {
    /// Appends an event at `time` and returns its id.
    pub(crate) fn push(&mut self, time: SystemTime, attrs: Attributes) -> i64 {
        let event_id = self.events.len() as i64 + 1;
        let event = HistoryEvent {
            event_id,
            event_time: Some(to_timestamp(time)),
            event_type: event_type_of(&attrs) as i32,
            // Local (non-global) namespaces use failover version 0.
            version: 0,
            // Task ids grow with events, as the server's do within a shard.
            task_id: 1_048_576 + event_id,
            attributes: Some(attrs),
            ..HistoryEvent::default()
        };
        self.size_bytes += event.encoded_len() as i64;
        self.events.push(event);
        event_id
    }

    /// Number of events.
    pub(crate) fn len(&self) -> i64 {
        self.events.len() as i64
    }

    /// The last event, if it closes the run.
    pub(crate) fn close_event(&self) -> Option<&HistoryEvent> {
        self.events.last().filter(|e| is_close_event(e))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use temporal_proto::temporal::api::history::v1::{
        WorkflowExecutionCompletedEventAttributes, WorkflowExecutionSignaledEventAttributes,
    };

    #[test]
    fn events_get_increasing_ids_and_matching_types() {
        let mut h = History::default();
        let t = SystemTime::UNIX_EPOCH;
        let a = h.push(
            t,
            Attributes::WorkflowExecutionSignaledEventAttributes(
                WorkflowExecutionSignaledEventAttributes::default(),
            ),
        );
        assert!(h.close_event().is_none());
        let b = h.push(
            t,
            Attributes::WorkflowExecutionCompletedEventAttributes(
                WorkflowExecutionCompletedEventAttributes::default(),
            ),
        );
        assert_eq!((a, b, h.len()), (1, 2, 2));
        assert_eq!(
            h.events[0].event_type,
            EventType::WorkflowExecutionSignaled as i32
        );
        assert!(h.close_event().is_some());
        assert!(h.size_bytes > 0);
    }
}
