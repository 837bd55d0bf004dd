//! [`ScheduleHandle`]: one schedule by id; `describe()` and `delete()` (the patches
//! and `update` are in their own modules).

use temporal_client_core::builders::{delete_schedule_request, describe_schedule_request};
use temporal_client_core::schedule::ScheduleDescription;
use temporal_client_core::{CallOptions, ServiceRequest};

use crate::call::{bounded, call_option_setters, into_future};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::interceptor::{DeleteScheduleInput, DescribeScheduleInput, OperationInput as _};
use crate::spans::{operation_span, traced};

/// A handle to one schedule, from [`ScheduleClient::get_handle`](super::ScheduleClient::get_handle)
/// or [`create`](super::ScheduleClient::create). Cheap to clone; holds no state of the
/// schedule, so every call reads the server.
#[derive(Debug, Clone)]
pub struct ScheduleHandle {
    pub(crate) client: Client,
    pub(crate) schedule_id: String,
}

impl ScheduleHandle {
    /// The schedule id.
    pub fn id(&self) -> &str {
        &self.schedule_id
    }

    /// Describes the schedule: spec, action (arguments and memo decoded), policy,
    /// state, info (recent actions with their workflow ids, running workflows, next
    /// action times, created and updated times), memo, search attributes and the
    /// conflict token. Await the returned [`DescribeSchedule`].
    ///
    /// # Errors
    /// [`Error::ScheduleNotFound`]; [`Error::Payload`] when a codec fails or an action
    /// memo value is not JSON; [`Error::Timeout`], [`Error::Service`].
    pub fn describe(&self) -> DescribeSchedule<'_> {
        DescribeSchedule {
            handle: self,
            call: CallOptions::default(),
        }
    }

    /// Deletes the schedule. The workflows it started keep running. Await the returned
    /// [`DeleteSchedule`].
    ///
    /// # Errors
    /// [`Error::ScheduleNotFound`]; [`Error::Timeout`], [`Error::Service`].
    pub fn delete(&self) -> DeleteSchedule<'_> {
        DeleteSchedule {
            handle: self,
            call: CallOptions::default(),
        }
    }

    pub(crate) fn map_err(&self, err: temporal_client_core::ServiceError) -> Error {
        Error::for_schedule(err, self.client.namespace(), &self.schedule_id)
    }

    /// One intercepted describe, with these call options.
    pub(crate) async fn describe_with(&self, call: CallOptions) -> Result<ScheduleDescription> {
        let input = DescribeScheduleInput {
            schedule_id: self.schedule_id.clone(),
            call,
        };
        self.client
            .intercept(
                input,
                |i, input, next| i.describe_schedule(input, next),
                |input| send_describe(self, input),
            )
            .await
    }
}

/// A schedule describe, from [`ScheduleHandle::describe`].
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct DescribeSchedule<'a> {
    handle: &'a ScheduleHandle,
    call: CallOptions,
}

impl DescribeSchedule<'_> {
    call_option_setters!();
}

impl<'a> DescribeSchedule<'a> {
    fn run(self) -> impl Future<Output = Result<ScheduleDescription>> {
        let span = operation_span!(
            "temporal.describe_schedule",
            self.handle.client.namespace(),
            schedule_id = self.handle.schedule_id.as_str()
        );
        traced(span, self.run_untraced())
    }

    async fn run_untraced(self) -> Result<ScheduleDescription> {
        bounded(
            DescribeScheduleInput::OPERATION,
            self.call.timeout,
            self.handle.describe_with(self.call.clone()),
        )
        .await
    }
}

into_future!(impl['a] DescribeSchedule<'a> => ScheduleDescription, where []);

async fn send_describe(
    handle: &ScheduleHandle,
    input: DescribeScheduleInput,
) -> Result<ScheduleDescription> {
    let inner = handle.client.inner();
    let request = describe_schedule_request(&inner.namespace, &input.schedule_id)?;
    let response = inner
        .rpc()
        .describe_schedule(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| handle.map_err(e))?;
    Ok(ScheduleDescription::from_proto(input.schedule_id, response, &inner.converter).await?)
}

/// A schedule delete, from [`ScheduleHandle::delete`].
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct DeleteSchedule<'a> {
    handle: &'a ScheduleHandle,
    call: CallOptions,
}

impl DeleteSchedule<'_> {
    call_option_setters!();
}

impl<'a> DeleteSchedule<'a> {
    fn run(self) -> impl Future<Output = Result<()>> {
        let span = operation_span!(
            "temporal.delete_schedule",
            self.handle.client.namespace(),
            schedule_id = self.handle.schedule_id.as_str()
        );
        traced(span, self.run_untraced())
    }

    async fn run_untraced(self) -> Result<()> {
        let handle = self.handle;
        bounded(
            DeleteScheduleInput::OPERATION,
            self.call.timeout,
            async move {
                let input = DeleteScheduleInput {
                    schedule_id: handle.schedule_id.clone(),
                    call: self.call,
                };
                handle
                    .client
                    .intercept(
                        input,
                        |i, input, next| i.delete_schedule(input, next),
                        |input| send_delete(handle, input),
                    )
                    .await
            },
        )
        .await
    }
}

into_future!(impl['a] DeleteSchedule<'a> => (), where []);

async fn send_delete(handle: &ScheduleHandle, input: DeleteScheduleInput) -> Result<()> {
    let inner = handle.client.inner();
    let request = delete_schedule_request(&inner.namespace, &inner.identity, &input.schedule_id)?;
    inner
        .rpc()
        .delete_schedule(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| handle.map_err(e))?;
    Ok(())
}
