//! `handle.cancel()`.

use temporal_client_core::builders::CancelSpec;
use temporal_client_core::{CallOptions, ServiceRequest};

use crate::call::{bounded, call_option_setters, into_future};
use crate::error::Result;
use crate::handle::WorkflowHandle;
use crate::interceptor::{CancelWorkflowInput, OperationInput as _};
use crate::spans::{operation_span, traced};

impl<R> WorkflowHandle<R> {
    /// Requests cancellation. The workflow decides how to react;
    /// [`result`](Self::result) then usually fails with status `Canceled`. A handle
    /// from `start` (or with [`for_chain`](Self::for_chain)) acts only on its own
    /// chain of runs. Await the returned [`CancelWorkflow`]; `.reason(..)` records why.
    ///
    /// Cancelling a workflow that already closed succeeds and does nothing, as on the
    /// server.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use temporal_client::{Client, WorkflowDefinition, WorkflowOptions};
    /// # use temporal_client::*;
    /// let fake = temporal_testkit::FakeServer::new();
    /// temporal_testkit::conformance_workflows::register_all(&fake);
    /// let client = Client::from_service(fake.clone());
    /// const WAIT_CANCEL: WorkflowDefinition<(), ()> = WorkflowDefinition::new("wait_cancel");
    /// let handle = client.start(WAIT_CANCEL, WorkflowOptions::new("job-1", "jobs")).await?;
    /// handle.cancel().reason("no longer needed").await?;
    /// // The workflow cleans up and ends as Canceled: result() says so.
    /// let err = handle.result().await.unwrap_err();
    /// assert!(matches!(err, Error::WorkflowFailed { status: WorkflowCloseStatus::Canceled, .. }));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::WorkflowNotFound`](crate::Error::WorkflowNotFound),
    /// [`Error::Timeout`](crate::Error::Timeout), [`Error::Service`](crate::Error::Service).
    pub fn cancel(&self) -> CancelWorkflow<'_, R> {
        CancelWorkflow {
            handle: self,
            reason: String::new(),
            call: CallOptions::default(),
        }
    }
}

/// A cancellation request, from [`WorkflowHandle::cancel`].
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct CancelWorkflow<'a, R> {
    handle: &'a WorkflowHandle<R>,
    reason: String,
    call: CallOptions,
}

impl<R> CancelWorkflow<'_, R> {
    call_option_setters!();

    /// Why the workflow is cancelled; recorded in its history.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = reason.into();
        self
    }
}

impl<'a, R: 'a> CancelWorkflow<'a, R> {
    fn run(self) -> impl Future<Output = Result<()>> {
        let handle = self.handle;
        let client = &handle.client;
        let span = operation_span!(
            "temporal.cancel_workflow",
            client.namespace(),
            workflow_id = handle.workflow_id.as_str(),
            run_id = handle.target_run_id().as_deref()
        );
        traced(
            span,
            bounded(
                CancelWorkflowInput::OPERATION,
                self.call.timeout,
                async move {
                    let input = CancelWorkflowInput {
                        workflow_id: handle.workflow_id.clone(),
                        run_id: handle.target_run_id(),
                        first_execution_run_id: handle.first_execution_run_id.clone(),
                        reason: self.reason,
                        call: self.call,
                    };
                    client
                        .intercept(
                            input,
                            |i, input, next| i.cancel_workflow(input, next),
                            |input| send(handle, input),
                        )
                        .await
                },
            ),
        )
    }
}

into_future!(impl['a, R] CancelWorkflow<'a, R> => (), where [R: 'a]);

async fn send<R>(handle: &WorkflowHandle<R>, input: CancelWorkflowInput) -> Result<()> {
    let inner = handle.client.inner();
    let request = inner.context().cancel(CancelSpec {
        target: WorkflowHandle::<R>::execution_target(
            &input.workflow_id,
            &input.run_id,
            &input.first_execution_run_id,
        ),
        reason: &input.reason,
        request_id: None,
    })?;
    inner
        .rpc()
        .request_cancel_workflow_execution(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| handle.map_err(e))?;
    Ok(())
}
