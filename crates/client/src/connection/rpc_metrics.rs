//! Request metrics per RPC attempt (feature `metrics`), through the [`metrics`] facade:
//! install any recorder (`metrics-exporter-prometheus`, an OpenTelemetry bridge, ...)
//! and the connection's RPCs show up under the names the official SDKs emit.
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `temporal_request` | counter, one per attempt | `operation`, `namespace` |
//! | `temporal_request_failure` | counter, one per failed attempt | `operation`, `namespace`, `status_code` |
//! | `temporal_request_latency` | histogram, milliseconds per attempt | `operation`, `namespace` |
//! | `temporal_long_request`, `temporal_long_request_failure`, `temporal_long_request_latency` | the same, for long polls and server-held waits | the same |
//!
//! `operation` is the RPC name (`StartWorkflowExecution`), `namespace` the request's
//! namespace, `status_code` the gRPC code name (`UNAVAILABLE`). Latency is in
//! milliseconds, as the official SDKs' default. A long poll whose deadline passed
//! (the normal "nothing yet" outcome) is not a failure.

use std::time::Duration;

use temporal_client_core::Code;

use super::call::RpcKind;

/// Records one finished attempt: `failure` is the gRPC code when it failed.
pub(crate) fn record_attempt(
    rpc: &'static str,
    namespace: &str,
    kind: RpcKind,
    elapsed: Duration,
    failure: Option<Code>,
) {
    let long = kind != RpcKind::Normal;
    let (requests, failures, latency) = if long {
        (
            "temporal_long_request",
            "temporal_long_request_failure",
            "temporal_long_request_latency",
        )
    } else {
        (
            "temporal_request",
            "temporal_request_failure",
            "temporal_request_latency",
        )
    };
    let labels = [
        ("operation", rpc.to_owned()),
        ("namespace", namespace.to_owned()),
    ];
    metrics::counter!(requests, &labels).increment(1);
    metrics::histogram!(latency, &labels).record(elapsed.as_secs_f64() * 1000.0);
    let failure = failure.filter(|code| kind.failed_with(*code));
    if let Some(code) = failure {
        let [operation, namespace] = labels;
        let labels = [operation, namespace, ("status_code", code.to_string())];
        metrics::counter!(failures, &labels).increment(1);
    }
}
