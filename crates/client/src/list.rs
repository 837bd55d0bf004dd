//! `list` and `count`: visibility queries over workflow executions.

use std::collections::VecDeque;

use futures_core::Stream;
use temporal_client_core::builders;
use temporal_client_core::proto::temporal::api::workflowservice::v1::CountWorkflowExecutionsResponse;

use crate::client::Client;
use crate::description::WorkflowExecution;
use crate::error::{Error, Result};

/// One group of a `GROUP BY` count.
#[derive(Debug, Clone, PartialEq)]
pub struct CountGroup {
    /// The values of the grouped fields (e.g. `["Running"]`).
    pub values: Vec<serde_json::Value>,
    /// How many executions are in the group.
    pub count: i64,
}

/// What [`Client::count`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowCount {
    /// The number of matching executions.
    pub count: i64,
    /// The groups, for a `GROUP BY` query (empty otherwise).
    pub groups: Vec<CountGroup>,
}

struct ListState {
    client: Client,
    query: String,
    page_size: i32,
    buffer: VecDeque<WorkflowExecution>,
    next_page_token: Vec<u8>,
    done: bool,
}

impl Client {
    /// Lists executions matching a visibility query (e.g.
    /// `WorkflowType = 'counter' AND ExecutionStatus = 'Running'`; empty for all), as a
    /// stream that fetches pages as it is read.
    ///
    /// ```no_run
    /// # async fn demo(client: temporal_client::Client) -> Result<(), temporal_client::Error> {
    /// use futures_util::TryStreamExt;
    /// let running: Vec<_> = client.list("ExecutionStatus = 'Running'").try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(
        &self,
        query: impl Into<String>,
    ) -> impl Stream<Item = Result<WorkflowExecution>> + Send + 'static {
        self.list_with_page_size(query, 0)
    }

    /// Like [`list`](Self::list) with a page size (0 lets the server choose).
    pub fn list_with_page_size(
        &self,
        query: impl Into<String>,
        page_size: i32,
    ) -> impl Stream<Item = Result<WorkflowExecution>> + Send + 'static {
        let state = ListState {
            client: self.clone(),
            query: query.into(),
            page_size,
            buffer: VecDeque::new(),
            next_page_token: Vec::new(),
            done: false,
        };
        futures_util::stream::try_unfold(state, |mut state| async move {
            loop {
                if let Some(item) = state.buffer.pop_front() {
                    return Ok(Some((item, state)));
                }
                if state.done {
                    return Ok(None);
                }
                let inner = state.client.inner();
                let request = builders::list_workflows_request(
                    &inner.namespace,
                    &state.query,
                    state.page_size,
                    std::mem::take(&mut state.next_page_token),
                );
                let response = inner
                    .rpc()
                    .list_workflow_executions(state.client.request(request))
                    .await
                    .map_err(|e| namespace_error(e, &inner.namespace))?;
                state.done = response.next_page_token.is_empty();
                state.next_page_token = response.next_page_token;
                for info in response.executions {
                    let execution = WorkflowExecution::from_proto(info, &inner.converter).await?;
                    state.buffer.push_back(execution);
                }
            }
        })
    }

    /// Counts executions matching a visibility query; with `GROUP BY ExecutionStatus`
    /// the groups are returned too.
    pub async fn count(&self, query: impl Into<String>) -> Result<WorkflowCount> {
        let inner = self.inner();
        let request = builders::count_workflows_request(&inner.namespace, &query.into());
        let response = inner
            .rpc()
            .count_workflow_executions(self.request(request))
            .await
            .map_err(|e| namespace_error(e, &inner.namespace))?;
        Ok(count_from_response(response))
    }
}

fn namespace_error(err: temporal_client_core::ServiceError, namespace: &str) -> Error {
    if err.is_namespace_not_found() {
        Error::NamespaceNotFound {
            namespace: namespace.to_owned(),
            source: err,
        }
    } else {
        Error::Service(err)
    }
}

fn count_from_response(response: CountWorkflowExecutionsResponse) -> WorkflowCount {
    let groups = response
        .groups
        .into_iter()
        .map(|g| CountGroup {
            values: g
                .group_values
                .iter()
                .map(|p| serde_json::from_slice(&p.data).unwrap_or(serde_json::Value::Null))
                .collect(),
            count: g.count,
        })
        .collect();
    WorkflowCount {
        count: response.count,
        groups,
    }
}
