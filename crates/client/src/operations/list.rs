//! `client.list(query)`: a paged stream of executions matching a visibility query.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;
use temporal_client_core::builders::ListSpec;
use temporal_client_core::{CallOptions, ServiceRequest};

use super::paging::{BoxStream, collect, paged, poll_lazy};
use crate::call::{OperationDeadline, call_option_setters};
use crate::client::Client;
use crate::description::WorkflowExecution;
use crate::error::{Error, Result};
use crate::interceptor::{ListWorkflowsInput, ListWorkflowsOutput, OperationInput as _};

impl Client {
    /// Lists executions matching a visibility query (e.g. `WorkflowType = 'counter'
    /// AND ExecutionStatus = 'Running'`; `""` for all). The returned
    /// [`ListWorkflows`] is a `Stream` that fetches pages as it is read; set
    /// `.page_size(n)` first, or collect everything with
    /// [`into_vec`](ListWorkflows::into_vec) (no stream traits needed).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), temporal_client::Error> {
    /// use temporal_client::{Client, WorkflowOptions};
    /// use temporal_testkit::FakeServer;
    ///
    /// let client = Client::from_service(FakeServer::new());
    /// client.start("report", WorkflowOptions::new("report-1", "reports")).await?;
    /// let running = client
    ///     .list("WorkflowType = 'report' AND ExecutionStatus = 'Running'")
    ///     .page_size(100)
    ///     .into_vec()
    ///     .await?;
    /// assert_eq!(running.len(), 1);
    /// assert_eq!(running[0].workflow_id, "report-1");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Items are [`Error::NamespaceNotFound`], [`Error::Service`] (INVALID_ARGUMENT for
    /// a malformed query, with the server's reason), [`Error::Payload`] for a memo the
    /// codecs fail on; the stream ends after an error.
    pub fn list(&self, query: impl Into<String>) -> ListWorkflows {
        ListWorkflows {
            client: self.clone(),
            query: query.into(),
            page_size: 0,
            call: CallOptions::default(),
            stream: None,
        }
    }
}

/// The executions matching a visibility query, from [`Client::list`]: a `Stream` of
/// [`WorkflowExecution`]s, read page by page.
#[must_use = "a stream does nothing until it is read"]
pub struct ListWorkflows {
    client: Client,
    query: String,
    page_size: i32,
    call: CallOptions,
    stream: Option<BoxStream<WorkflowExecution>>,
}

impl std::fmt::Debug for ListWorkflows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListWorkflows")
            .field("query", &self.query)
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

impl ListWorkflows {
    call_option_setters!();

    /// Executions per page (0, the default, lets the server choose; a negative size
    /// counts as 0). Each page is one RPC; the call's timeout bounds all of them
    /// together, from the first read.
    pub fn page_size(mut self, page_size: i32) -> Self {
        self.page_size = page_size.max(0);
        self
    }

    /// Reads every page and returns all the executions.
    ///
    /// # Errors
    /// The first error of the stream.
    pub async fn into_vec(mut self) -> Result<Vec<WorkflowExecution>> {
        let stream = self.stream();
        collect(stream).await
    }

    fn stream(&mut self) -> BoxStream<WorkflowExecution> {
        if let Some(stream) = self.stream.take() {
            return stream;
        }
        let client = self.client.clone();
        let query = self.query.clone();
        let page_size = self.page_size;
        let call = self.call.clone();
        // One deadline for all the pages, from the first read: each page's RPC gets the
        // time left.
        let deadline = Arc::new(OperationDeadline::new(
            ListWorkflowsInput::OPERATION,
            call.timeout,
        ));
        paged(move |token| {
            let deadline = Arc::clone(&deadline);
            let client = client.clone();
            let input = ListWorkflowsInput {
                query: query.clone(),
                page_size,
                next_page_token: token,
                call: deadline.call(&call),
            };
            async move {
                let deadline = &*deadline;
                let client = &client;
                let output = client
                    .intercept(
                        input,
                        |i, input, next| i.list_workflows(input, next),
                        |mut input: ListWorkflowsInput| async move {
                            deadline.apply(&mut input.call)?;
                            send(client, input).await
                        },
                    )
                    .await;
                let output = deadline.finish(output)?;
                Ok((output.executions, output.next_page_token))
            }
        })
    }
}

impl Stream for ListWorkflows {
    type Item = Result<WorkflowExecution>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let mut slot = this.stream.take();
        let polled = poll_lazy(&mut slot, || this.stream(), cx);
        this.stream = slot;
        polled
    }
}

async fn send(client: &Client, input: ListWorkflowsInput) -> Result<ListWorkflowsOutput> {
    let inner = client.inner();
    let request = inner.context().list_workflows(ListSpec {
        query: &input.query,
        page_size: input.page_size,
        next_page_token: input.next_page_token,
    });
    let response = inner
        .rpc()
        .list_workflow_executions(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| Error::for_namespace(e, &inner.namespace))?;
    let mut executions = Vec::with_capacity(response.executions.len());
    for info in response.executions {
        executions.push(WorkflowExecution::from_proto(info, &inner.converter).await?);
    }
    Ok(ListWorkflowsOutput {
        executions,
        next_page_token: response.next_page_token,
    })
}
