//! `client.count(query)`.

use temporal_client_core::proto::temporal::api::workflowservice::v1::CountWorkflowExecutionsResponse;
use temporal_client_core::{CallOptions, ServiceRequest};

use crate::call::{bounded, call_option_setters, into_future};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::interceptor::{CountWorkflowsInput, OperationInput as _};
use crate::spans::{operation_span, traced};

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

impl Client {
    /// Counts executions matching a visibility query; with `GROUP BY
    /// ExecutionStatus` the groups are returned too. Await the returned
    /// [`CountWorkflows`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use temporal_client::{Client, WorkflowDefinition, WorkflowOptions};
    /// # use temporal_client::*;
    /// let fake = temporal_testkit::FakeServer::new();
    /// temporal_testkit::conformance_workflows::register_all(&fake);
    /// let client = Client::from_service(fake.clone());
    /// const ECHO: WorkflowDefinition<(i64,), Vec<i64>> = WorkflowDefinition::new("echo");
    /// for i in 0..3 {
    ///     client.execute(ECHO, WorkflowOptions::new(format!("e-{i}"), "q").args((i,))).await?;
    /// }
    /// let n = client.count("WorkflowType = 'echo'").await?;
    /// assert_eq!(n.count, 3);
    /// let by_status = client.count("GROUP BY ExecutionStatus").await?;
    /// assert_eq!(by_status.groups[0].values, vec![serde_json::json!("Completed")]);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NamespaceNotFound`], [`Error::Timeout`], [`Error::Service`]
    /// (INVALID_ARGUMENT for a malformed query, with the server's reason).
    pub fn count(&self, query: impl Into<String>) -> CountWorkflows<'_> {
        CountWorkflows {
            client: self,
            query: query.into(),
            call: CallOptions::default(),
        }
    }
}

/// A count, from [`Client::count`].
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct CountWorkflows<'a> {
    client: &'a Client,
    query: String,
    call: CallOptions,
}

impl CountWorkflows<'_> {
    call_option_setters!();
}

impl<'a> CountWorkflows<'a> {
    fn run(self) -> impl Future<Output = Result<WorkflowCount>> {
        let client = self.client;
        let span = operation_span!("temporal.count_workflows", client.namespace());
        traced(
            span,
            bounded(
                CountWorkflowsInput::OPERATION,
                self.call.timeout,
                async move {
                    let input = CountWorkflowsInput {
                        query: self.query,
                        call: self.call,
                    };
                    client
                        .intercept(
                            input,
                            |i, input, next| i.count_workflows(input, next),
                            |input| send(client, input),
                        )
                        .await
                },
            ),
        )
    }
}

into_future!(impl['a] CountWorkflows<'a> => WorkflowCount, where []);

async fn send(client: &Client, input: CountWorkflowsInput) -> Result<WorkflowCount> {
    let inner = client.inner();
    let request = inner.context().count_workflows(&input.query);
    let response = inner
        .rpc()
        .count_workflow_executions(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| Error::for_namespace(e, &inner.namespace))?;
    Ok(count_from_response(response))
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
