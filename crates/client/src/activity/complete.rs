//! `handle.complete(result)`.

use temporal_client_core::CallOptions;
use temporal_client_core::proto::temporal::api::common::v1::Payload;

use super::AsyncActivityHandle;
use crate::call::{bounded, call_option_setters, into_future};
use crate::error::Result;
use crate::interceptor::{CompleteAsyncActivityInput, OperationInput as _};
use crate::spans::{operation_span, traced};

/// Completes an activity, from [`AsyncActivityHandle::complete`]: set per-call options,
/// then `.await` it.
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct CompleteActivity<'a> {
    handle: &'a AsyncActivityHandle,
    result: Result<Vec<Payload>>,
    call: CallOptions,
}

impl<'a> CompleteActivity<'a> {
    pub(super) fn new(handle: &'a AsyncActivityHandle, result: Result<Vec<Payload>>) -> Self {
        Self {
            handle,
            result,
            call: CallOptions::default(),
        }
    }

    call_option_setters!();

    fn run(self) -> impl Future<Output = Result<()>> {
        let span = operation_span!("temporal.complete_activity", self.handle.client.namespace());
        self.handle.record_target(&span);
        traced(span, self.run_untraced())
    }

    async fn run_untraced(self) -> Result<()> {
        let handle = self.handle;
        let client = &handle.client;
        bounded(
            CompleteAsyncActivityInput::OPERATION,
            self.call.timeout,
            async move {
                let input = CompleteAsyncActivityInput {
                    activity: handle.activity.clone(),
                    result: self.result?,
                    call: self.call,
                };
                client
                    .intercept(
                        input,
                        |i, input, next| i.complete_async_activity(input, next),
                        |input| super::send::complete(client, input),
                    )
                    .await
            },
        )
        .await
    }
}

into_future!(impl['a] CompleteActivity<'a> => (), where []);
