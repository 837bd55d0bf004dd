//! SignalWorkflowExecution, RequestCancelWorkflowExecution and
//! TerminateWorkflowExecution: the RPCs that act on a running execution.

// `ServiceError` (the WorkflowService error type) is large by nature; boxing it here
// would only add allocations on every error path.
#![allow(clippy::result_large_err)]

use temporal_client_core::{ServiceError, ServiceRequest};
use temporal_proto::temporal::api::history::v1::{self as hist};
use temporal_proto::temporal::api::workflowservice::v1 as wf;

use crate::fake::engine::{Close, WftSource};
use crate::fake::server::FakeServer;
use crate::fake::store::Run;
use crate::fake::validation;

impl FakeServer {
    pub(crate) async fn signal_workflow_execution_of(
        &self,
        request: ServiceRequest<wf::SignalWorkflowExecutionRequest>,
    ) -> Result<wf::SignalWorkflowExecutionResponse, ServiceError> {
        const RPC: &str = "SignalWorkflowExecution";
        let r = request.message;
        let ns = r.namespace.clone();
        self.change(RPC, &ns, |st| {
            validation::signal_name(RPC, &r.signal_name, false)?;
            validation::request_id(RPC, &r.request_id)?;
            validation::blob(RPC, r.input.as_ref())?;
            let run_id = st.open_target(RPC, &ns, r.workflow_execution.as_ref(), "")?;
            st.signal(
                &ns,
                &run_id,
                hist::WorkflowExecutionSignaledEventAttributes {
                    signal_name: r.signal_name,
                    input: r.input,
                    identity: r.identity,
                    header: r.header,
                    request_id: r.request_id,
                    ..Default::default()
                },
            );
            Ok(wf::SignalWorkflowExecutionResponse::default())
        })
    }

    pub(crate) async fn request_cancel_workflow_execution_of(
        &self,
        request: ServiceRequest<wf::RequestCancelWorkflowExecutionRequest>,
    ) -> Result<wf::RequestCancelWorkflowExecutionResponse, ServiceError> {
        const RPC: &str = "RequestCancelWorkflowExecution";
        let r = request.message;
        let ns = r.namespace.clone();
        self.change(RPC, &ns, |st| {
            let execution = r.workflow_execution.as_ref();
            let run_id = st.target(RPC, &ns, execution, &r.first_execution_run_id)?;
            // As on the server, cancelling a closed run is a no-op that succeeds.
            if st.run(&ns, &run_id).is_some_and(Run::is_open) {
                st.request_cancel(&ns, &run_id, r.reason, r.identity);
            }
            Ok(wf::RequestCancelWorkflowExecutionResponse::default())
        })
    }

    pub(crate) async fn terminate_workflow_execution_of(
        &self,
        request: ServiceRequest<wf::TerminateWorkflowExecutionRequest>,
    ) -> Result<wf::TerminateWorkflowExecutionResponse, ServiceError> {
        const RPC: &str = "TerminateWorkflowExecution";
        let r = request.message;
        let ns = r.namespace.clone();
        self.change(RPC, &ns, |st| {
            let execution = r.workflow_execution.as_ref();
            let run_id = st.open_target(RPC, &ns, execution, &r.first_execution_run_id)?;
            let close = Close::Terminated {
                reason: r.reason,
                details: r.details,
                identity: r.identity,
            };
            st.close_run(&ns, &run_id, close, WftSource::None);
            Ok(wf::TerminateWorkflowExecutionResponse::default())
        })
    }
}
