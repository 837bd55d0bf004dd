//! GetWorkflowExecutionHistory with paging and long polls, and the wait every long poll
//! (history, update) goes through.

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::time::Duration;

use temporal_client_core::{Code, ServiceError, ServiceRequest};
use temporal_proto::temporal::api::enums::v1::HistoryEventFilterType;
use temporal_proto::temporal::api::history::v1::History;
use temporal_proto::temporal::api::workflowservice::v1 as wf;

use crate::fake::engine::State;
use crate::fake::history::is_close_event;
use crate::fake::rpc::invalid;
use crate::fake::server::FakeServer;
use crate::fake::store::workflow_not_found;

/// Default history page size of the server.
const DEFAULT_PAGE_SIZE: usize = 1000;

impl FakeServer {
    pub(crate) async fn wait_until<T>(
        &self,
        rpc: &'static str,
        limit: Option<Duration>,
        mut check: impl FnMut(&State) -> Option<Result<T, ServiceError>>,
    ) -> Result<T, ServiceError> {
        let mut rx = self.inner.version.subscribe();
        let wait = async {
            loop {
                if let Some(r) = check(&self.inner.lock()) {
                    return r;
                }
                if rx.changed().await.is_err() {
                    return Err(ServiceError::new(
                        rpc,
                        Code::Unavailable,
                        "the fake server was dropped",
                    ));
                }
            }
        };
        match limit {
            Some(limit) => tokio::time::timeout(limit, wait).await.unwrap_or_else(|_| {
                Err(ServiceError::new(
                    rpc,
                    Code::DeadlineExceeded,
                    "context deadline exceeded: the call's timeout passed before the fake server had an answer",
                ))
            }),
            None => wait.await,
        }
    }
}

impl FakeServer {
    pub(crate) async fn get_workflow_execution_history_of(
        &self,
        request: ServiceRequest<wf::GetWorkflowExecutionHistoryRequest>,
    ) -> Result<wf::GetWorkflowExecutionHistoryResponse, ServiceError> {
        const RPC: &str = "GetWorkflowExecutionHistory";
        let limit = request.options.timeout;
        let r = request.message;
        let run_id = self.read(RPC, &r.namespace, |st| {
            st.target(RPC, &r.namespace, r.execution.as_ref(), "")
        })?;
        let close_only = r.history_event_filter_type == HistoryEventFilterType::CloseEvent as i32;
        let start = if r.next_page_token.is_empty() {
            0
        } else {
            std::str::from_utf8(&r.next_page_token)
                .ok()
                .and_then(|t| t.strip_prefix(run_id.as_str()))
                .and_then(|t| t.strip_prefix(':'))
                .and_then(|t| t.parse::<usize>().ok())
                .ok_or_else(|| invalid(RPC, "Invalid NextPageToken."))?
        };
        let page_size = usize::try_from(r.maximum_page_size)
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_PAGE_SIZE);
        let ns = r.namespace.clone();
        let wait = r.wait_new_event;
        self.wait_until(RPC, limit, move |st| {
            let run = match st.run(&ns, &run_id) {
                Some(run) => run,
                None => return Some(Err(workflow_not_found(RPC, ""))),
            };
            let events = &run.history.events;
            if close_only {
                return match run.history.close_event() {
                    Some(e) => Some(Ok(wf::GetWorkflowExecutionHistoryResponse {
                        history: Some(History {
                            events: vec![e.clone()],
                        }),
                        ..Default::default()
                    })),
                    None if wait => None,
                    None => Some(Ok(wf::GetWorkflowExecutionHistoryResponse {
                        history: Some(History::default()),
                        ..Default::default()
                    })),
                };
            }
            if wait && start >= events.len() && run.is_open() {
                return None;
            }
            let end = (start + page_size).min(events.len());
            let page = events.get(start..end).unwrap_or_default().to_vec();
            let more = end < events.len()
                || (wait && run.is_open() && !page.last().is_some_and(is_close_event));
            Some(Ok(wf::GetWorkflowExecutionHistoryResponse {
                history: Some(History { events: page }),
                next_page_token: if more {
                    format!("{run_id}:{end}").into_bytes()
                } else {
                    Vec::new()
                },
                ..Default::default()
            }))
        })
        .await
    }
}
