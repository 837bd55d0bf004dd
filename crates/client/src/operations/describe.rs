//! `handle.describe()`.

use temporal_client_core::{CallOptions, ServiceRequest};

use crate::call::{bounded, call_option_setters, into_future};
use crate::description::WorkflowExecutionDescription;
use crate::error::Result;
use crate::handle::WorkflowHandle;
use crate::interceptor::{DescribeWorkflowInput, OperationInput as _};
use crate::spans::{operation_span, traced};

impl<R> WorkflowHandle<R> {
    /// Describes the execution: status, type, times, memo, search attributes, static
    /// summary and details, pending activities (in `raw`), ... Await the returned
    /// [`DescribeWorkflow`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use temporal_client::{Client, WorkflowDefinition, WorkflowOptions};
    /// # use temporal_client::*;
    /// let fake = temporal_testkit::FakeServer::new();
    /// temporal_testkit::conformance_workflows::register_all(&fake);
    /// let client = Client::from_service(fake.clone());
    /// const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");
    /// let handle = client
    ///     .start(COUNTER, WorkflowOptions::new("counter-1", "q").args((1,)).memo("owner", "ada"))
    ///     .await?;
    /// let d = handle.describe().await?;
    /// assert_eq!(d.status(), WorkflowExecutionStatus::Running);
    /// assert_eq!(d.workflow_type(), "counter");
    /// let owner: Option<String> = d.execution.memo("owner").transpose()?;
    /// assert_eq!(owner.as_deref(), Some("ada"));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::WorkflowNotFound`](crate::Error::WorkflowNotFound),
    /// [`Error::Payload`](crate::Error::Payload) when a memo value fails the codecs,
    /// [`Error::Timeout`](crate::Error::Timeout), [`Error::Service`](crate::Error::Service).
    pub fn describe(&self) -> DescribeWorkflow<'_, R> {
        DescribeWorkflow {
            handle: self,
            call: CallOptions::default(),
        }
    }
}

/// A describe call, from [`WorkflowHandle::describe`].
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct DescribeWorkflow<'a, R> {
    handle: &'a WorkflowHandle<R>,
    call: CallOptions,
}

impl<R> DescribeWorkflow<'_, R> {
    call_option_setters!();
}

impl<'a, R: 'a> DescribeWorkflow<'a, R> {
    fn run(self) -> impl Future<Output = Result<WorkflowExecutionDescription>> {
        let handle = self.handle;
        let client = &handle.client;
        let span = operation_span!(
            "temporal.describe_workflow",
            client.namespace(),
            workflow_id = handle.workflow_id.as_str(),
            run_id = handle.target_run_id().as_deref()
        );
        traced(
            span,
            bounded(
                DescribeWorkflowInput::OPERATION,
                self.call.timeout,
                async move {
                    let input = DescribeWorkflowInput {
                        workflow_id: handle.workflow_id.clone(),
                        run_id: handle.target_run_id(),
                        call: self.call,
                    };
                    client
                        .intercept(
                            input,
                            |i, input, next| i.describe_workflow(input, next),
                            |input| send(handle, input),
                        )
                        .await
                },
            ),
        )
    }
}

into_future!(impl['a, R] DescribeWorkflow<'a, R> => WorkflowExecutionDescription, where [R: 'a]);

async fn send<R>(
    handle: &WorkflowHandle<R>,
    input: DescribeWorkflowInput,
) -> Result<WorkflowExecutionDescription> {
    let inner = handle.client.inner();
    let request = inner
        .context()
        .describe(WorkflowHandle::<R>::execution_target(
            &input.workflow_id,
            &input.run_id,
            &None,
        ))?;
    let response = inner
        .rpc()
        .describe_workflow_execution(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| handle.map_err(e))?;
    WorkflowExecutionDescription::from_response(response, handle.client.data_converter()).await
}
