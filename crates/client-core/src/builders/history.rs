//! GetWorkflowExecutionHistory requests: paging through a history, and the long poll
//! for the close event that `result()` uses.

use temporal_proto::prelude::workflowservice::GetWorkflowExecutionHistoryRequest;
use temporal_proto::temporal::api::enums::v1::HistoryEventFilterType;

use super::common::execution;

/// One page of the full history (all events, no waiting). Start with an empty
/// `next_page_token` and pass on the one each response returns until it is empty.
/// Archived histories are included.
pub fn history_page_request(
    namespace: &str,
    workflow_id: &str,
    run_id: &str,
    next_page_token: Vec<u8>,
) -> GetWorkflowExecutionHistoryRequest {
    GetWorkflowExecutionHistoryRequest {
        namespace: namespace.to_owned(),
        execution: execution(workflow_id, run_id),
        maximum_page_size: 0,
        next_page_token,
        wait_new_event: false,
        history_event_filter_type: HistoryEventFilterType::AllEvent as i32,
        skip_archival: false,
    }
}

/// The long poll for a run's close event: `wait_new_event`, the `CLOSE_EVENT` filter
/// and `skip_archival`. A response without events means the poll expired: send it
/// again with the returned `next_page_token`.
pub fn history_close_event_request(
    namespace: &str,
    workflow_id: &str,
    run_id: &str,
    next_page_token: Vec<u8>,
) -> GetWorkflowExecutionHistoryRequest {
    GetWorkflowExecutionHistoryRequest {
        namespace: namespace.to_owned(),
        execution: execution(workflow_id, run_id),
        maximum_page_size: 0,
        next_page_token,
        wait_new_event: true,
        history_event_filter_type: HistoryEventFilterType::CloseEvent as i32,
        skip_archival: true,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn page_request_reads_all_events_without_waiting() {
        let request = history_page_request("ns", "wid", "rid", b"tok".to_vec());
        assert_eq!(request.namespace, "ns");
        let execution = request.execution.unwrap();
        assert_eq!(execution.workflow_id, "wid");
        assert_eq!(execution.run_id, "rid");
        assert_eq!(request.next_page_token, b"tok");
        assert!(!request.wait_new_event);
        assert_eq!(
            request.history_event_filter_type,
            HistoryEventFilterType::AllEvent as i32
        );
        assert!(!request.skip_archival);
    }

    #[test]
    fn close_event_request_long_polls() {
        let request = history_close_event_request("ns", "wid", "rid", Vec::new());
        assert_eq!(request.namespace, "ns");
        assert_eq!(request.execution.unwrap().run_id, "rid");
        assert!(request.wait_new_event);
        assert_eq!(request.history_event_filter_type, 2, "CLOSE_EVENT");
        assert!(request.skip_archival);
        assert!(request.next_page_token.is_empty());
        let next = history_close_event_request("ns", "wid", "rid", vec![1, 2]);
        assert_eq!(next.next_page_token, [1, 2]);
    }
}
