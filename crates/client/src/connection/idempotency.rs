//! Which RPCs are safe to send again when the connection failed while one was out
//! (the server may have applied it): reads, long polls, and mutations the server
//! de-duplicates by a request id or an update id.
//!
//! | RPCs | why a repeat is safe |
//! |---|---|
//! | `Get*`, `Describe*`, `List*`, `Count*`, `Scan*`, `Poll*` (long polls), `QueryWorkflow`, `HealthCheck`, `RecordActivityTaskHeartbeat*` | they read, or record state that a repeat overwrites |
//! | `StartWorkflowExecution`, `SignalWorkflowExecution`, `SignalWithStartWorkflowExecution`, `RequestCancelWorkflowExecution`, `ResetWorkflowExecution`, `CreateSchedule`, `UpdateSchedule`, `PatchSchedule` | the request carries a `request_id` the server de-duplicates by (the client sets one per call, the same for every attempt) |
//! | `UpdateWorkflowExecution`, `ExecuteMultiOperation` | the update id (and the start's request id) de-duplicate them |
//! | `TerminateWorkflowExecution` | a repeat that finds the run terminated is reported as success by the client (`WorkflowHandle::terminate`) |
//!
//! Every other RPC (`DeleteSchedule`, the `RespondActivityTask*` completions, namespace
//! and operator mutations, ...) is not repeated after a lost connection: the caller
//! gets an `UNAVAILABLE` transport error whose message says the outcome is unknown.
//! All of them are still retried when the request provably did not reach the server
//! (connect refused, stream refused, graceful GOAWAY) or the server answered with a
//! retryable code.

/// Whether `rpc` (the wire method name, e.g. `"StartWorkflowExecution"`) may be sent
/// again after the connection failed while it was out (see the module table).
pub(crate) fn is_idempotent(rpc: &str) -> bool {
    const READ_PREFIXES: [&str; 6] = ["Get", "Describe", "List", "Count", "Scan", "Poll"];
    if READ_PREFIXES.iter().any(|prefix| rpc.starts_with(prefix)) {
        return true;
    }
    matches!(
        rpc,
        "QueryWorkflow"
            | "HealthCheck"
            | "RecordActivityTaskHeartbeat"
            | "RecordActivityTaskHeartbeatById"
            | "StartWorkflowExecution"
            | "SignalWorkflowExecution"
            | "SignalWithStartWorkflowExecution"
            | "RequestCancelWorkflowExecution"
            | "ResetWorkflowExecution"
            | "CreateSchedule"
            | "UpdateSchedule"
            | "PatchSchedule"
            | "UpdateWorkflowExecution"
            | "ExecuteMultiOperation"
            | "TerminateWorkflowExecution"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_deduplicated_mutations_are_idempotent_others_are_not() {
        for rpc in [
            "GetWorkflowExecutionHistory",
            "DescribeWorkflowExecution",
            "ListWorkflowExecutions",
            "CountWorkflowExecutions",
            "PollWorkflowExecutionUpdate",
            "QueryWorkflow",
            "StartWorkflowExecution",
            "SignalWorkflowExecution",
            "SignalWithStartWorkflowExecution",
            "RequestCancelWorkflowExecution",
            "UpdateWorkflowExecution",
            "ExecuteMultiOperation",
            "CreateSchedule",
            "TerminateWorkflowExecution",
        ] {
            assert!(is_idempotent(rpc), "{rpc}");
        }
        for rpc in [
            "DeleteSchedule",
            "RespondActivityTaskCompleted",
            "RegisterNamespace",
            "DeleteWorkflowExecution",
            "AddSearchAttributes",
        ] {
            assert!(!is_idempotent(rpc), "{rpc}");
        }
    }

    #[test]
    fn every_listed_mutation_is_a_real_rpc() {
        macro_rules! names {
            ($( ($method:ident, $req:ident, $resp:ident, $name:literal) ),* $(,)?) => {
                vec![$($name),*]
            };
        }
        let names: Vec<&str> = temporal_client_core::for_each_workflow_service_rpc!(names);
        for rpc in [
            "QueryWorkflow",
            "RecordActivityTaskHeartbeat",
            "RecordActivityTaskHeartbeatById",
            "StartWorkflowExecution",
            "SignalWorkflowExecution",
            "SignalWithStartWorkflowExecution",
            "RequestCancelWorkflowExecution",
            "ResetWorkflowExecution",
            "CreateSchedule",
            "UpdateSchedule",
            "PatchSchedule",
            "UpdateWorkflowExecution",
            "ExecuteMultiOperation",
            "TerminateWorkflowExecution",
        ] {
            assert!(names.contains(&rpc), "{rpc}");
        }
    }
}
