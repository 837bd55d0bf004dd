//! The terminals of the async activity operations: encode, build the by-token or by-id
//! request (core's `activity_completion` builders), send, and map the error.

use temporal_client_core::builders::{self, ActivityRef as CoreRef};
use temporal_client_core::{ServiceError, ServiceRequest};

use super::ActivityRef;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::interceptor::{
    CompleteAsyncActivityInput, FailAsyncActivityInput, HeartbeatAsyncActivityInput,
    ReportAsyncActivityCancellationInput,
};

/// Core's by-id reference for an id reference (`None` for a token).
fn core_ref(activity: &ActivityRef) -> Option<CoreRef<'_>> {
    match activity {
        ActivityRef::TaskToken(_) => None,
        ActivityRef::Id {
            workflow_id,
            run_id,
            activity_id,
        } => Some(
            CoreRef::new(workflow_id, activity_id).with_run_id(run_id.as_deref().unwrap_or("")),
        ),
    }
}

fn token(activity: &ActivityRef) -> Vec<u8> {
    match activity {
        ActivityRef::TaskToken(token) => token.clone(),
        ActivityRef::Id { .. } => Vec::new(),
    }
}

/// Every `NotFound` of these RPCs means the activity is not pending: the server says
/// "workflow execution already completed", "workflow not found for ID: ..", "cannot
/// find pending activity with ActivityID .." or "activity task not found".
fn map_err(client: &Client, activity: &ActivityRef, err: ServiceError) -> Error {
    let namespace = client.namespace();
    if err.is_namespace_not_found() {
        Error::NamespaceNotFound {
            namespace: namespace.to_owned(),
            source: err,
        }
    } else if err.is_not_found() {
        Error::ActivityNotFound {
            namespace: namespace.to_owned(),
            activity: activity.to_string(),
            source: err,
        }
    } else {
        Error::Service(err)
    }
}

/// Builds the by-token or the by-id request for `$activity` with core's builder pair,
/// sends it with the matching RPC, and maps the response with `$map`. The builders take
/// the namespace, the identity, the token or the reference, then `$args`.
macro_rules! by_token_or_id {
    (
        $client:ident, $activity:expr, $call:expr,
        token: $by_token:ident => $token_rpc:ident,
        id: $by_id:ident => $id_rpc:ident,
        args: ($($arg:expr),*),
        map: $map:expr $(,)?
    ) => {{
        let inner = $client.inner();
        let (ns, me) = (inner.namespace.as_str(), inner.identity.as_str());
        let sent: std::result::Result<_, ServiceError> = match core_ref($activity) {
            None => {
                let message = builders::$by_token(ns, me, token($activity), $($arg),*)?;
                inner
                    .rpc()
                    .$token_rpc(ServiceRequest { message, options: $call })
                    .await
                    .map($map)
            }
            Some(reference) => {
                let message = builders::$by_id(ns, me, reference, $($arg),*)?;
                inner
                    .rpc()
                    .$id_rpc(ServiceRequest { message, options: $call })
                    .await
                    .map($map)
            }
        };
        sent.map_err(|e| map_err($client, $activity, e))
    }};
}

pub(super) async fn complete(client: &Client, input: CompleteAsyncActivityInput) -> Result<()> {
    let result = client.encode(input.result).await?;
    by_token_or_id!(
        client, &input.activity, input.call,
        token: complete_activity_request => respond_activity_task_completed,
        id: complete_activity_by_id_request => respond_activity_task_completed_by_id,
        args: (result),
        map: drop,
    )
}

pub(super) async fn fail(client: &Client, input: FailAsyncActivityInput) -> Result<()> {
    let failure = client
        .inner()
        .converter
        .failure_to_proto(&input.failure)
        .await?;
    let details = client.encode(input.last_heartbeat_details).await?;
    by_token_or_id!(
        client, &input.activity, input.call,
        token: fail_activity_request => respond_activity_task_failed,
        id: fail_activity_by_id_request => respond_activity_task_failed_by_id,
        args: (failure, details),
        map: drop,
    )
}

pub(super) async fn heartbeat(client: &Client, input: HeartbeatAsyncActivityInput) -> Result<()> {
    let details = client.encode(input.details).await?;
    // What the response says, as (cancel requested, paused, reset).
    let flags = by_token_or_id!(
        client, &input.activity, input.call,
        token: heartbeat_activity_request => record_activity_task_heartbeat,
        id: heartbeat_activity_by_id_request => record_activity_task_heartbeat_by_id,
        args: (details),
        map: |r| (r.cancel_requested, r.activity_paused, r.activity_reset),
    )?;
    let activity = input.activity.to_string();
    match flags {
        (true, _, _) => Err(Error::ActivityCancelRequested { activity }),
        (_, true, _) => Err(Error::ActivityPaused { activity }),
        (_, _, true) => Err(Error::ActivityReset { activity }),
        _ => Ok(()),
    }
}

pub(super) async fn report_cancellation(
    client: &Client,
    input: ReportAsyncActivityCancellationInput,
) -> Result<()> {
    let details = client.encode(input.details).await?;
    by_token_or_id!(
        client, &input.activity, input.call,
        token: report_activity_canceled_request => respond_activity_task_canceled,
        id: report_activity_canceled_by_id_request => respond_activity_task_canceled_by_id,
        args: (details),
        map: drop,
    )
}
