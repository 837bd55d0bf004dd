//! QueryWorkflow: reject conditions, the fake workflow's query handlers, and the
//! server's answers when no worker or no first workflow task.

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use temporal_client_core::{Code, ErrorDetails, ServiceError, ServiceRequest};
use temporal_proto::temporal::api::enums::v1::{
    QueryRejectCondition, WorkflowExecutionStatus as Status,
};
use temporal_proto::temporal::api::errordetails::v1::{
    QueryFailedFailure, WorkflowNotReadyFailure,
};
use temporal_proto::temporal::api::query::v1::QueryRejected;
use temporal_proto::temporal::api::workflowservice::v1 as wf;

use crate::fake::rpc::invalid;
use crate::fake::server::FakeServer;
use crate::fake::store::workflow_not_found;
use crate::fake::validation;
use crate::fake::workflows::{Args, WorkflowFailure};

impl FakeServer {
    pub(crate) async fn query_workflow_of(
        &self,
        request: ServiceRequest<wf::QueryWorkflowRequest>,
    ) -> Result<wf::QueryWorkflowResponse, ServiceError> {
        const RPC: &str = "QueryWorkflow";
        let r = request.message;
        let query = r.query.unwrap_or_default();
        let target = self.read(RPC, &r.namespace, |st| {
            if query.query_type.is_empty() {
                return Err(invalid(RPC, "QueryType is not set on request."));
            }
            validation::blob(RPC, query.query_args.as_ref())?;
            let run_id = st.target(RPC, &r.namespace, r.execution.as_ref(), "")?;
            let run = st
                .run(&r.namespace, &run_id)
                .ok_or_else(|| workflow_not_found(RPC, ""))?;
            let condition = QueryRejectCondition::try_from(r.query_reject_condition)
                .unwrap_or(QueryRejectCondition::Unspecified);
            let rejected = match condition {
                QueryRejectCondition::NotOpen => run.status != Status::Running,
                QueryRejectCondition::NotCompletedCleanly => {
                    !matches!(run.status, Status::Running | Status::Completed)
                }
                _ => false,
            };
            if rejected {
                return Ok(Err(wf::QueryWorkflowResponse {
                    query_rejected: Some(QueryRejected {
                        status: run.status as i32,
                    }),
                    ..Default::default()
                }));
            }
            if !run.has_worker {
                return Err(ServiceError::new(
                    RPC,
                    Code::DeadlineExceeded,
                    format!(
                        "query timed out: no worker polls task queue '{}' for workflow type '{}' (no fake workflow is registered under that name)",
                        run.task_queue, run.workflow_type
                    ),
                ));
            }
            match (&run.ctx, run.awaiting_first_task) {
                (Some(ctx), false) => Ok(Ok((ctx.clone(), st.codec.clone()))),
                _ => Err(ServiceError::new(
                    RPC,
                    Code::FailedPrecondition,
                    "Cannot query workflow because its first workflow task has not run yet.",
                )
                .with_details(ErrorDetails::WorkflowNotReady(WorkflowNotReadyFailure {}))),
            }
        })?;
        // A rejected query is answered at once, without the workflow's handler.
        let (ctx, codec) = match target {
            Ok(target) => target,
            Err(rejected) => return Ok(rejected),
        };
        let handler = ctx.lock().queries.get(&query.query_type).cloned();
        let result = match handler {
            Some(h) => h(Args(codec.decode_async(query.query_args).await)),
            None => {
                let known: Vec<String> = ctx.lock().queries.keys().cloned().collect();
                Err(WorkflowFailure::application(format!(
                    "Query handler for '{}' expected but not found, known queries: [{}]",
                    query.query_type,
                    known.join(" ")
                )))
            }
        };
        // The worker encodes the answer (or the failure) as it does every output.
        let result = match result {
            Ok(payloads) => codec
                .encode_async(payloads)
                .await
                .map_err(WorkflowFailure::from),
            Err(failure) => Err(
                match codec.encode_failure_async(failure.into_proto()).await {
                    Ok(f) => WorkflowFailure::from_proto(f),
                    Err(e) => WorkflowFailure::from(e),
                },
            ),
        };
        match result {
            Ok(payloads) => Ok(wf::QueryWorkflowResponse {
                query_result: Some(payloads),
                ..Default::default()
            }),
            Err(failure) => Err(
                ServiceError::new(RPC, Code::InvalidArgument, failure.message()).with_details(
                    ErrorDetails::QueryFailed(QueryFailedFailure {
                        failure: Some(failure.into_proto()),
                    }),
                ),
            ),
        }
    }
}
