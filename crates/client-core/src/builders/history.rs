//! GetWorkflowExecutionHistory requests: pages of the whole history, and the long poll
//! for the close event that `result()` uses.

use temporal_proto::prelude::workflowservice::GetWorkflowExecutionHistoryRequest;
use temporal_proto::temporal::api::enums::v1::HistoryEventFilterType;

use super::context::{ExecutionTarget, RequestContext};
use crate::validation::{InvalidRequest, require};

/// Which history events a request reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HistoryFilter {
    /// Every event, page by page, without waiting for new ones.
    #[default]
    AllEvents,
    /// Only the close event: a long poll that returns once the run closed (what the
    /// other SDKs' `result()` sends), skipping the archival lookup.
    CloseEvent,
}

/// One page request of a run's history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistorySpec<'a> {
    /// The run; an empty run id reads the latest run.
    pub target: ExecutionTarget<'a>,
    /// Which events.
    pub filter: HistoryFilter,
    /// The token from the previous page (empty for the first).
    pub next_page_token: Vec<u8>,
    /// Events per page; 0 lets the server choose.
    pub page_size: i32,
}

impl RequestContext<'_> {
    /// A GetWorkflowExecutionHistory request for one page.
    ///
    /// # Errors
    /// [`InvalidRequest::EmptyWorkflowId`].
    pub fn history(
        &self,
        spec: HistorySpec<'_>,
    ) -> Result<GetWorkflowExecutionHistoryRequest, InvalidRequest> {
        require(spec.target.workflow_id, InvalidRequest::EmptyWorkflowId)?;
        let close_event = spec.filter == HistoryFilter::CloseEvent;
        Ok(GetWorkflowExecutionHistoryRequest {
            namespace: self.namespace.to_owned(),
            execution: spec.target.execution(),
            maximum_page_size: spec.page_size.max(0),
            next_page_token: spec.next_page_token,
            wait_new_event: close_event,
            history_event_filter_type: if close_event {
                HistoryEventFilterType::CloseEvent
            } else {
                HistoryEventFilterType::AllEvent
            } as i32,
            skip_archival: close_event,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn request(
        filter: HistoryFilter,
        wid: &str,
        rid: &str,
        token: Vec<u8>,
    ) -> GetWorkflowExecutionHistoryRequest {
        RequestContext::new("ns", "me")
            .history(HistorySpec {
                target: ExecutionTarget::run(wid, rid),
                filter,
                next_page_token: token,
                page_size: 0,
            })
            .unwrap()
    }

    fn history_page_request(
        _ns: &str,
        wid: &str,
        rid: &str,
        token: Vec<u8>,
    ) -> GetWorkflowExecutionHistoryRequest {
        request(HistoryFilter::AllEvents, wid, rid, token)
    }

    fn history_close_event_request(
        _ns: &str,
        wid: &str,
        rid: &str,
        token: Vec<u8>,
    ) -> GetWorkflowExecutionHistoryRequest {
        request(HistoryFilter::CloseEvent, wid, rid, token)
    }

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
