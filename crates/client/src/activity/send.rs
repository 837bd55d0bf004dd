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

pub(super) async fn complete(client: &Client, input: CompleteAsyncActivityInput) -> Result<()> {
    let inner = client.inner();
    let (ns, me) = (inner.namespace.as_str(), inner.identity.as_str());
    let result = client.encode(input.result).await?;
    let sent = match core_ref(&input.activity) {
        None => {
            let message =
                builders::complete_activity_request(ns, me, token(&input.activity), result)?;
            inner
                .rpc()
                .respond_activity_task_completed(ServiceRequest {
                    message,
                    options: input.call,
                })
                .await
                .map(drop)
        }
        Some(by_id) => {
            let message = builders::complete_activity_by_id_request(ns, me, by_id, result)?;
            inner
                .rpc()
                .respond_activity_task_completed_by_id(ServiceRequest {
                    message,
                    options: input.call,
                })
                .await
                .map(drop)
        }
    };
    sent.map_err(|e| map_err(client, &input.activity, e))
}

pub(super) async fn fail(client: &Client, input: FailAsyncActivityInput) -> Result<()> {
    let inner = client.inner();
    let (ns, me) = (inner.namespace.as_str(), inner.identity.as_str());
    let failure = inner.converter.failure_to_proto(&input.failure).await?;
    let details = client.encode(input.last_heartbeat_details).await?;
    let sent = match core_ref(&input.activity) {
        None => {
            let message =
                builders::fail_activity_request(ns, me, token(&input.activity), failure, details)?;
            inner
                .rpc()
                .respond_activity_task_failed(ServiceRequest {
                    message,
                    options: input.call,
                })
                .await
                .map(drop)
        }
        Some(by_id) => {
            let message = builders::fail_activity_by_id_request(ns, me, by_id, failure, details)?;
            inner
                .rpc()
                .respond_activity_task_failed_by_id(ServiceRequest {
                    message,
                    options: input.call,
                })
                .await
                .map(drop)
        }
    };
    sent.map_err(|e| map_err(client, &input.activity, e))
}

/// What a heartbeat response says, as (cancel requested, paused, reset).
type HeartbeatFlags = (bool, bool, bool);

pub(super) async fn heartbeat(client: &Client, input: HeartbeatAsyncActivityInput) -> Result<()> {
    let inner = client.inner();
    let (ns, me) = (inner.namespace.as_str(), inner.identity.as_str());
    let details = client.encode(input.details).await?;
    let sent: Result<HeartbeatFlags, ServiceError> = match core_ref(&input.activity) {
        None => {
            let message =
                builders::heartbeat_activity_request(ns, me, token(&input.activity), details)?;
            inner
                .rpc()
                .record_activity_task_heartbeat(ServiceRequest {
                    message,
                    options: input.call,
                })
                .await
                .map(|r| (r.cancel_requested, r.activity_paused, r.activity_reset))
        }
        Some(by_id) => {
            let message = builders::heartbeat_activity_by_id_request(ns, me, by_id, details)?;
            inner
                .rpc()
                .record_activity_task_heartbeat_by_id(ServiceRequest {
                    message,
                    options: input.call,
                })
                .await
                .map(|r| (r.cancel_requested, r.activity_paused, r.activity_reset))
        }
    };
    let activity = input.activity.to_string();
    match sent.map_err(|e| map_err(client, &input.activity, e))? {
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
    let inner = client.inner();
    let (ns, me) = (inner.namespace.as_str(), inner.identity.as_str());
    let details = client.encode(input.details).await?;
    let sent = match core_ref(&input.activity) {
        None => {
            let message = builders::report_activity_canceled_request(
                ns,
                me,
                token(&input.activity),
                details,
            )?;
            inner
                .rpc()
                .respond_activity_task_canceled(ServiceRequest {
                    message,
                    options: input.call,
                })
                .await
                .map(drop)
        }
        Some(by_id) => {
            let message = builders::report_activity_canceled_by_id_request(ns, me, by_id, details)?;
            inner
                .rpc()
                .respond_activity_task_canceled_by_id(ServiceRequest {
                    message,
                    options: input.call,
                })
                .await
                .map(drop)
        }
    };
    sent.map_err(|e| map_err(client, &input.activity, e))
}
