//! `schedule_handle.update(|current| ...)`: a read-modify-write with the conflict
//! token, retried when another writer got there first.
//!
//! The server (checked against the 1.32 dev server) drops an UpdateSchedule whose
//! conflict token is stale *without an error*: the RPC succeeds and nothing changes.
//! So after each attempt the client describes the schedule again until its conflict
//! token moves, and checks that what it now holds is what was sent (the action's
//! workflow type, id, task queue and arguments, the policies, the note and paused
//! flag; the spec is left out because the server rewrites it, cron strings into
//! calendars). If not, another update won: the function runs again on the new
//! description, up to [`UPDATE_MAX_ATTEMPTS`] times.

use std::time::Duration;

use temporal_client_core::builders::update_schedule_request;
use temporal_client_core::payload::DataConverter;
use temporal_client_core::proto::temporal::api::schedule::v1 as proto;
use temporal_client_core::schedule::{Schedule, ScheduleDescription, ScheduleUpdate};
use temporal_client_core::{CallOptions, ServiceError, ServiceRequest};

use super::ScheduleHandle;
use crate::call::{bounded, call_option_setters, into_future};
use crate::error::{Error, Result};
use crate::interceptor::{OperationInput as _, UpdateScheduleInput};
use crate::spans::{operation_span, traced};

/// How many times `update` runs its function before it gives up on a schedule that
/// keeps changing under it.
pub const UPDATE_MAX_ATTEMPTS: u32 = 5;

/// How long `update` waits for the server to apply an update before it checks again.
const APPLY_WAIT: Duration = Duration::from_secs(5);

impl ScheduleHandle {
    /// Updates the schedule: describes it, calls `update` with the description, and
    /// sends what it returns (`None`: change nothing) with the description's conflict
    /// token. When another writer changed the schedule in between, the server drops
    /// this update without an error (seen on the 1.32 dev server); the client sees
    /// that by describing the schedule again until its conflict token moves and
    /// comparing what it holds with what was sent (action type, id, task queue and
    /// arguments, policies, note and paused; not the spec, which the server rewrites),
    /// and calls `update` again on the new description, up to
    /// [`UPDATE_MAX_ATTEMPTS`] times. Await the returned
    /// [`UpdateSchedule`]; its timeout bounds every attempt.
    ///
    /// This is TypeScript's `handle.update(fn)` and Python's `handle.update(fn)`, with
    /// the retry those leave to the caller.
    ///
    /// # Errors
    /// [`Error::ScheduleNotFound`]; [`Error::InvalidRequest`] naming the field for a
    /// new schedule the server would reject; [`Error::Service`] with ABORTED when the
    /// schedule changed under every attempt; [`Error::Payload`], [`Error::Timeout`].
    pub fn update<F>(&self, update: F) -> UpdateSchedule<'_, F>
    where
        F: FnMut(ScheduleDescription) -> Option<ScheduleUpdate> + Send,
    {
        UpdateSchedule {
            handle: self,
            update,
            call: CallOptions::default(),
        }
    }
}

/// A schedule update, from [`ScheduleHandle::update`].
#[must_use = "an operation does nothing until it is awaited"]
pub struct UpdateSchedule<'a, F> {
    handle: &'a ScheduleHandle,
    update: F,
    call: CallOptions,
}

impl<F> std::fmt::Debug for UpdateSchedule<'_, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateSchedule")
            .field("schedule_id", &self.handle.schedule_id)
            .finish_non_exhaustive()
    }
}

impl<F> UpdateSchedule<'_, F> {
    call_option_setters!();
}

impl<'a, F> UpdateSchedule<'a, F>
where
    F: FnMut(ScheduleDescription) -> Option<ScheduleUpdate> + Send + 'a,
{
    fn run(self) -> impl Future<Output = Result<()>> {
        let span = operation_span!(
            "temporal.update_schedule",
            self.handle.client.namespace(),
            schedule_id = self.handle.schedule_id.as_str()
        );
        traced(span, self.run_untraced())
    }

    async fn run_untraced(mut self) -> Result<()> {
        let handle = self.handle;
        let call = self.call.clone();
        bounded(
            UpdateScheduleInput::OPERATION,
            self.call.timeout,
            async move {
                let converter = handle.client.data_converter().clone();
                for _ in 0..UPDATE_MAX_ATTEMPTS {
                    let current = handle.describe_with(call.clone()).await?;
                    let token = current.conflict_token.clone();
                    let Some(mut update) = (self.update)(current) else {
                        return Ok(());
                    };
                    if let Some(action) = update.schedule.action.as_start_workflow_mut() {
                        action.args.convert(&converter)?;
                    }
                    let expected = fingerprint(handle, &update.schedule).await?;
                    let input = UpdateScheduleInput {
                        schedule_id: handle.schedule_id.clone(),
                        update,
                        conflict_token: token.clone(),
                        call: call.clone(),
                    };
                    handle
                        .client
                        .intercept(
                            input,
                            |i, input, next| i.update_schedule(input, next),
                            |input| send(handle, input),
                        )
                        .await?;
                    if applied(handle, &call, &token, &expected).await? {
                        return Ok(());
                    }
                }
                Err(Error::Service(ServiceError::new(
                    "UpdateSchedule",
                    temporal_client_core::Code::Aborted,
                    format!(
                        "schedule '{}' changed under each of {UPDATE_MAX_ATTEMPTS} update attempts",
                        handle.schedule_id
                    ),
                )))
            },
        )
        .await
    }
}

into_future!(impl['a, F] UpdateSchedule<'a, F> => (),
    where [F: FnMut(ScheduleDescription) -> Option<ScheduleUpdate> + Send + 'a]);

/// What an update must leave on the server, in a form both sides can be compared in:
/// the proto made without codecs, spec left out.
async fn fingerprint(handle: &ScheduleHandle, schedule: &Schedule) -> Result<proto::Schedule> {
    let plain = DataConverter::new(handle.client.data_converter().payload_converter().clone());
    let mut proto = schedule
        .to_proto(handle.client.inner().context(), &plain)
        .await?;
    proto.spec = None;
    if let Some(state) = proto.state.as_mut() {
        state.limited_actions = false;
        state.remaining_actions = 0;
    }
    if let Some(proto::ScheduleAction {
        action: Some(proto::schedule_action::Action::StartWorkflow(start)),
    }) = proto.action.as_mut()
    {
        // The parts the server keeps as sent.
        let keep =
            temporal_client_core::proto::temporal::api::workflow::v1::NewWorkflowExecutionInfo {
                workflow_id: std::mem::take(&mut start.workflow_id),
                workflow_type: start.workflow_type.take(),
                task_queue: start.task_queue.take().map(|q| {
                    temporal_client_core::proto::temporal::api::taskqueue::v1::TaskQueue {
                        name: q.name,
                        ..Default::default()
                    }
                }),
                input: start.input.take(),
                ..Default::default()
            };
        *start = keep;
    }
    Ok(proto)
}

/// Waits until the conflict token moves from `token`, then says whether the schedule
/// holds `expected` (this update won) or not (another one did). A token that does not
/// move within [`APPLY_WAIT`] counts as not applied.
async fn applied(
    handle: &ScheduleHandle,
    call: &CallOptions,
    token: &[u8],
    expected: &proto::Schedule,
) -> Result<bool> {
    let deadline = tokio::time::Instant::now() + APPLY_WAIT;
    loop {
        let now = handle.describe_with(call.clone()).await?;
        if now.conflict_token != token {
            return Ok(fingerprint(handle, &now.schedule).await? == *expected);
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn send(handle: &ScheduleHandle, input: UpdateScheduleInput) -> Result<()> {
    let inner = handle.client.inner();
    let schedule = input
        .update
        .schedule
        .to_proto(inner.context(), &inner.converter)
        .await?;
    let request = update_schedule_request(
        &inner.namespace,
        &inner.identity,
        &input.schedule_id,
        schedule,
        input.conflict_token,
        input.update.search_attributes.as_ref(),
        None,
    )?;
    inner
        .rpc()
        .update_schedule(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| handle.map_err(e))?;
    Ok(())
}
