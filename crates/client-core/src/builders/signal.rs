//! SignalWorkflowExecution requests.

use temporal_proto::prelude::workflowservice::SignalWorkflowExecutionRequest;
use temporal_proto::temporal::api::common::v1::{Header, Payload};

use super::common::{new_request_id, payloads};
use super::context::{ExecutionTarget, RequestContext};
use crate::validation::{InvalidRequest, require};

/// What a signal sends: the target, the signal name, its converted (and encoded)
/// arguments and the Temporal header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignalSpec<'a> {
    /// The workflow (and optionally run) to signal.
    pub target: ExecutionTarget<'a>,
    /// The signal name.
    pub signal_name: &'a str,
    /// The arguments, one payload each.
    pub input: Vec<Payload>,
    /// The Temporal header (context for the worker's interceptors), if any.
    pub header: Option<Header>,
    /// The idempotency key; `None` means a fresh UUID v4.
    pub request_id: Option<&'a str>,
}

impl RequestContext<'_> {
    /// A SignalWorkflowExecution request. Fails if the workflow id or signal name is
    /// empty.
    ///
    /// # Errors
    /// [`InvalidRequest::EmptyWorkflowId`], [`InvalidRequest::EmptySignalName`].
    pub fn signal(
        &self,
        spec: SignalSpec<'_>,
    ) -> Result<SignalWorkflowExecutionRequest, InvalidRequest> {
        require(spec.target.workflow_id, InvalidRequest::EmptyWorkflowId)?;
        require(spec.signal_name, InvalidRequest::EmptySignalName)?;
        Ok(SignalWorkflowExecutionRequest {
            namespace: self.namespace.to_owned(),
            workflow_execution: spec.target.execution(),
            signal_name: spec.signal_name.to_owned(),
            input: payloads(spec.input),
            identity: self.identity.to_owned(),
            request_id: spec
                .request_id
                .filter(|id| !id.is_empty())
                .map_or_else(new_request_id, str::to_owned),
            header: spec.header,
            ..Default::default()
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::builders::common::tests::{assert_uuid_v4, json_payload};

    fn signal_request(
        namespace: &str,
        identity: &str,
        workflow_id: &str,
        run_id: &str,
        signal_name: &str,
        input: Vec<Payload>,
    ) -> Result<SignalWorkflowExecutionRequest, InvalidRequest> {
        RequestContext::new(namespace, identity).signal(SignalSpec {
            target: ExecutionTarget::run(workflow_id, run_id),
            signal_name,
            input,
            ..Default::default()
        })
    }

    #[test]
    fn builds_signal() {
        let request = signal_request(
            "ns",
            "me",
            "wid",
            "rid",
            "increment",
            vec![json_payload("3")],
        )
        .unwrap();
        assert_eq!(request.namespace, "ns");
        let execution = request.workflow_execution.unwrap();
        assert_eq!(
            (execution.workflow_id.as_str(), execution.run_id.as_str()),
            ("wid", "rid")
        );
        assert_eq!(request.signal_name, "increment");
        assert_eq!(request.input.unwrap().payloads, [json_payload("3")]);
        assert_eq!(request.identity, "me");
        assert_uuid_v4(&request.request_id);
        assert_eq!(request.header, None);
    }

    #[test]
    fn request_ids_differ_and_latest_run_is_empty() {
        let a = signal_request("ns", "me", "wid", "", "finish", vec![]).unwrap();
        let b = signal_request("ns", "me", "wid", "", "finish", vec![]).unwrap();
        assert_ne!(a.request_id, b.request_id);
        assert_eq!(a.workflow_execution.unwrap().run_id, "");
        assert_eq!(a.input, None);
    }

    #[test]
    fn rejects_empty_names() {
        assert_eq!(
            signal_request("ns", "me", "wid", "", "", vec![]),
            Err(InvalidRequest::EmptySignalName)
        );
        assert_eq!(
            signal_request("ns", "me", "", "", "s", vec![]),
            Err(InvalidRequest::EmptyWorkflowId)
        );
    }
}
