//! `handle.report_cancellation()`.

use temporal_client_core::CallOptions;
use temporal_client_core::payload::ToPayloads;
use temporal_client_core::proto::temporal::api::common::v1::Payload;

use super::AsyncActivityHandle;
use crate::call::{bounded, call_option_setters, into_future};
use crate::error::Result;
use crate::interceptor::{OperationInput as _, ReportAsyncActivityCancellationInput};
use crate::spans::{operation_span, traced};

/// Reports an activity's cancellation, from
/// [`AsyncActivityHandle::report_cancellation`]: set details and per-call options, then
/// `.await` it.
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct ReportActivityCancellation<'a> {
    handle: &'a AsyncActivityHandle,
    details: Result<Vec<Payload>>,
    call: CallOptions,
}

impl<'a> ReportActivityCancellation<'a> {
    pub(super) fn new(handle: &'a AsyncActivityHandle) -> Self {
        Self {
            handle,
            details: Ok(Vec::new()),
            call: CallOptions::default(),
        }
    }

    /// The cancellation details, a tuple with one element per value; the workflow
    /// reads them from the cancellation failure.
    pub fn details<A: ToPayloads>(mut self, details: A) -> Self {
        self.details = self.handle.client.to_payloads(&details);
        self
    }

    call_option_setters!();

    fn run(self) -> impl Future<Output = Result<()>> {
        let span = operation_span!(
            "temporal.report_activity_cancellation",
            self.handle.client.namespace()
        );
        self.handle.record_target(&span);
        traced(span, self.run_untraced())
    }

    async fn run_untraced(self) -> Result<()> {
        let handle = self.handle;
        let client = &handle.client;
        bounded(
            ReportAsyncActivityCancellationInput::OPERATION,
            self.call.timeout,
            async move {
                let input = ReportAsyncActivityCancellationInput {
                    activity: handle.activity.clone(),
                    details: self.details?,
                    call: self.call,
                };
                client
                    .intercept(
                        input,
                        |i, input, next| i.report_async_activity_cancellation(input, next),
                        |input| super::send::report_cancellation(client, input),
                    )
                    .await
            },
        )
        .await
    }
}

into_future!(impl['a] ReportActivityCancellation<'a> => (), where []);
