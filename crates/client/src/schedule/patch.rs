//! `pause`, `unpause`, `trigger` and `backfill`: the PatchSchedule RPC.

use temporal_client_core::builders::{
    patch_schedule_request, pause_schedule_patch, trigger_schedule_patch, unpause_schedule_patch,
};
use temporal_client_core::schedule::{ScheduleBackfill, ScheduleOverlapPolicy, backfill_patch};
use temporal_client_core::{CallOptions, ServiceRequest};

use super::ScheduleHandle;
use crate::call::{bounded, call_option_setters, into_future};
use crate::error::Result;
use crate::interceptor::{OperationInput as _, PatchScheduleInput, SchedulePatchKind};
use crate::spans::{operation_span, traced};

impl ScheduleHandle {
    /// Pauses the schedule: it takes no scheduled action until unpaused (trigger and
    /// backfill still run). `note` is recorded in its state (`""`: a default note, as
    /// the server needs one).
    ///
    /// # Errors
    /// [`Error::ScheduleNotFound`](crate::Error::ScheduleNotFound);
    /// [`Error::Timeout`](crate::Error::Timeout), [`Error::Service`](crate::Error::Service).
    pub fn pause(&self, note: impl Into<String>) -> PatchSchedule<'_> {
        self.patch(SchedulePatchKind::Pause(note.into()))
    }

    /// Unpauses the schedule, recording `note` (`""`: a default note).
    ///
    /// # Errors
    /// As [`pause`](Self::pause).
    pub fn unpause(&self, note: impl Into<String>) -> PatchSchedule<'_> {
        self.patch(SchedulePatchKind::Unpause(note.into()))
    }

    /// Takes the action once now, with the schedule's overlap policy unless
    /// [`PatchSchedule::overlap`] sets one. Runs when paused too.
    ///
    /// # Errors
    /// As [`pause`](Self::pause).
    pub fn trigger(&self) -> PatchSchedule<'_> {
        self.patch(SchedulePatchKind::Trigger(None))
    }

    /// Takes now the actions the spec would have taken in each range, each with its
    /// own overlap policy. Runs when paused too.
    ///
    /// # Errors
    /// As [`pause`](Self::pause), and
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest) for a range that ends
    /// before it starts.
    pub fn backfill(
        &self,
        backfills: impl IntoIterator<Item = ScheduleBackfill>,
    ) -> PatchSchedule<'_> {
        self.patch(SchedulePatchKind::Backfill(backfills.into_iter().collect()))
    }

    fn patch(&self, patch: SchedulePatchKind) -> PatchSchedule<'_> {
        PatchSchedule {
            handle: self,
            patch,
            call: CallOptions::default(),
        }
    }
}

/// A pause, unpause, trigger or backfill, from [`ScheduleHandle`]: set per-call
/// options, then `.await` it.
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct PatchSchedule<'a> {
    handle: &'a ScheduleHandle,
    patch: SchedulePatchKind,
    call: CallOptions,
}

impl PatchSchedule<'_> {
    call_option_setters!();

    /// For a [`trigger`](ScheduleHandle::trigger): the overlap policy of this action
    /// (ignored by the other patches).
    pub fn overlap(mut self, overlap: ScheduleOverlapPolicy) -> Self {
        if let SchedulePatchKind::Trigger(policy) = &mut self.patch {
            *policy = Some(overlap);
        }
        self
    }
}

impl<'a> PatchSchedule<'a> {
    fn run(self) -> impl Future<Output = Result<()>> {
        let namespace = self.handle.client.namespace();
        let schedule_id = self.handle.schedule_id.as_str();
        let span = match &self.patch {
            SchedulePatchKind::Pause(_) => {
                operation_span!(
                    "temporal.pause_schedule",
                    namespace,
                    schedule_id = schedule_id
                )
            }
            SchedulePatchKind::Unpause(_) => {
                operation_span!(
                    "temporal.unpause_schedule",
                    namespace,
                    schedule_id = schedule_id
                )
            }
            SchedulePatchKind::Trigger(_) => {
                operation_span!(
                    "temporal.trigger_schedule",
                    namespace,
                    schedule_id = schedule_id
                )
            }
            SchedulePatchKind::Backfill(_) => {
                operation_span!(
                    "temporal.backfill_schedule",
                    namespace,
                    schedule_id = schedule_id
                )
            }
        };
        traced(span, self.run_untraced())
    }

    async fn run_untraced(self) -> Result<()> {
        let handle = self.handle;
        bounded(
            PatchScheduleInput::OPERATION,
            self.call.timeout,
            async move {
                let input = PatchScheduleInput {
                    schedule_id: handle.schedule_id.clone(),
                    patch: self.patch,
                    call: self.call,
                };
                handle
                    .client
                    .intercept(
                        input,
                        |i, input, next| i.patch_schedule(input, next),
                        |input| send(handle, input),
                    )
                    .await
            },
        )
        .await
    }
}

into_future!(impl['a] PatchSchedule<'a> => (), where []);

async fn send(handle: &ScheduleHandle, input: PatchScheduleInput) -> Result<()> {
    let inner = handle.client.inner();
    let patch = match &input.patch {
        SchedulePatchKind::Pause(note) => pause_schedule_patch(note),
        SchedulePatchKind::Unpause(note) => unpause_schedule_patch(note),
        SchedulePatchKind::Trigger(overlap) => {
            trigger_schedule_patch(overlap.map(ScheduleOverlapPolicy::to_proto))
        }
        SchedulePatchKind::Backfill(backfills) => backfill_patch(backfills)?,
    };
    let request =
        patch_schedule_request(&inner.namespace, &inner.identity, &input.schedule_id, patch)?;
    inner
        .rpc()
        .patch_schedule(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| handle.map_err(e))?;
    Ok(())
}
