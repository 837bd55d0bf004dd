//! SignalWorkflowExecution requests.

use temporal_proto::prelude::workflowservice::SignalWorkflowExecutionRequest;
use temporal_proto::temporal::api::common::v1::Payload;

use super::common::{execution, new_request_id, payloads};
use crate::validation::{InvalidRequest, require};

/// A SignalWorkflowExecution request with a fresh UUID v4 request id. An empty
/// `run_id` targets the latest run. Fails if the workflow id or signal name is empty.
pub fn signal_request(
    namespace: &str,
    identity: &str,
    workflow_id: &str,
    run_id: &str,
    signal_name: &str,
    input: Vec<Payload>,
) -> Result<SignalWorkflowExecutionRequest, InvalidRequest> {
    require(workflow_id, InvalidRequest::EmptyWorkflowId)?;
    require(signal_name, InvalidRequest::EmptySignalName)?;
    Ok(SignalWorkflowExecutionRequest {
        namespace: namespace.to_owned(),
        workflow_execution: execution(workflow_id, run_id),
        signal_name: signal_name.to_owned(),
        input: payloads(input),
        identity: identity.to_owned(),
        request_id: new_request_id(),
        ..Default::default()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::builders::common::tests::{assert_uuid_v4, json_payload};

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
