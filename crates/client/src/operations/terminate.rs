//! `handle.terminate()`.

use temporal_client_core::builders::TerminateSpec;
use temporal_client_core::payload::ToPayloads;
use temporal_client_core::proto::temporal::api::enums::v1::WorkflowExecutionStatus;
use temporal_client_core::{CallOptions, ServiceRequest};

use crate::call::{bounded, call_option_setters, into_future};
use crate::error::Result;
use crate::handle::WorkflowHandle;
use crate::interceptor::{OperationInput as _, TerminateWorkflowInput};
use crate::spans::{operation_span, traced};

impl<R> WorkflowHandle<R> {
    /// Terminates the workflow at once: no workflow code runs. A handle from `start`
    /// (or with [`for_chain`](Self::for_chain)) acts only on its own chain of runs.
    /// Await the returned [`TerminateWorkflow`]; `.reason(..)` and `.details(..)` are
    /// recorded in the history, and [`result`](Self::result) then reports them in its
    /// terminated failure.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use temporal_client::{Client, WorkflowDefinition, WorkflowOptions};
    /// # use temporal_client::*;
    /// let fake = temporal_testkit::FakeServer::new();
    /// temporal_testkit::conformance_workflows::register_all(&fake);
    /// let client = Client::from_service(fake.clone());
    /// const WAIT_CANCEL: WorkflowDefinition<(), ()> = WorkflowDefinition::new("wait_cancel");
    /// let handle = client.start(WAIT_CANCEL, WorkflowOptions::new("job-2", "jobs")).await?;
    /// handle.terminate().reason("stuck").details(("ticket-42".to_owned(),)).await?;
    /// let err = handle.result().await.unwrap_err();
    /// assert_eq!(err.failure().map(|f| f.message()), Some("stuck"));
    /// # Ok(()) }
    /// ```
    ///
    /// Safe to retry: when the connection retried the RPC because the first attempt's
    /// answer was lost, and the retry finds the run already terminated, this returns
    /// `Ok` (the run is terminated, which is what was asked), not an error.
    ///
    /// # Errors
    /// [`Error::WorkflowNotFound`](crate::Error::WorkflowNotFound) for an unknown
    /// workflow, [`Error::WorkflowAlreadyCompleted`](crate::Error::WorkflowAlreadyCompleted)
    /// for one that closed already, [`Error::Payload`](crate::Error::Payload),
    /// [`Error::Timeout`](crate::Error::Timeout), [`Error::Service`](crate::Error::Service).
    pub fn terminate(&self) -> TerminateWorkflow<'_, R> {
        TerminateWorkflow {
            handle: self,
            reason: String::new(),
            details: Ok(Vec::new()),
            call: CallOptions::default(),
        }
    }
}

/// A termination, from [`WorkflowHandle::terminate`].
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct TerminateWorkflow<'a, R> {
    handle: &'a WorkflowHandle<R>,
    reason: String,
    details: Result<Vec<temporal_client_core::proto::temporal::api::common::v1::Payload>>,
    call: CallOptions,
}

impl<R> TerminateWorkflow<'_, R> {
    call_option_setters!();

    /// Why the workflow is terminated; recorded in its history.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = reason.into();
        self
    }

    /// Values recorded with the termination (a tuple, one payload per element).
    pub fn details<D: ToPayloads>(mut self, details: D) -> Self {
        self.details = self.handle.client.to_payloads(&details);
        self
    }
}

impl<'a, R: 'a> TerminateWorkflow<'a, R> {
    fn run(self) -> impl Future<Output = Result<()>> {
        let handle = self.handle;
        let client = &handle.client;
        let span = operation_span!(
            "temporal.terminate_workflow",
            client.namespace(),
            workflow_id = handle.workflow_id.as_str(),
            run_id = handle.target_run_id().as_deref()
        );
        traced(
            span,
            bounded(
                TerminateWorkflowInput::OPERATION,
                self.call.timeout,
                async move {
                    let input = TerminateWorkflowInput {
                        workflow_id: handle.workflow_id.clone(),
                        run_id: handle.target_run_id(),
                        first_execution_run_id: handle.first_execution_run_id.clone(),
                        reason: self.reason,
                        details: self.details?,
                        call: self.call,
                    };
                    client
                        .intercept(
                            input,
                            |i, input, next| i.terminate_workflow(input, next),
                            |input| send(handle, input),
                        )
                        .await
                },
            ),
        )
    }
}

into_future!(impl['a, R] TerminateWorkflow<'a, R> => (), where [R: 'a]);

async fn send<R>(handle: &WorkflowHandle<R>, input: TerminateWorkflowInput) -> Result<()> {
    let client = &handle.client;
    let inner = client.inner();
    let details = client.encode(input.details).await?;
    let request = inner.context().terminate(TerminateSpec {
        target: WorkflowHandle::<R>::execution_target(
            &input.workflow_id,
            &input.run_id,
            &input.first_execution_run_id,
        ),
        reason: &input.reason,
        details,
    })?;
    let target = WorkflowHandle::<R>::execution_target(
        &input.workflow_id,
        &input.run_id,
        &input.first_execution_run_id,
    );
    let describe = inner.context().describe(target)?;
    let call = input.call.clone();
    let outcome = inner
        .rpc()
        .terminate_workflow_execution(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await;
    match outcome {
        Ok(_) => Ok(()),
        // A retry (the first attempt's answer was lost) that finds the run closed: if it
        // is terminated, the first attempt did it (or another terminate did): the caller
        // asked for a terminated run and has one, so that is success, not an error.
        Err(e) if e.attempts() > 1 && e.code() == temporal_client_core::Code::NotFound => {
            let status = inner
                .rpc()
                .describe_workflow_execution(ServiceRequest {
                    message: describe,
                    options: call,
                })
                .await
                .ok()
                .and_then(|d| d.workflow_execution_info.map(|i| i.status()));
            if status == Some(WorkflowExecutionStatus::Terminated) {
                Ok(())
            } else {
                Err(handle.map_err(e))
            }
        }
        Err(e) => Err(handle.map_err(e)),
    }
}
