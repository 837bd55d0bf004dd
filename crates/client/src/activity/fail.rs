//! `handle.fail(failure)`.

use temporal_client_core::CallOptions;
use temporal_client_core::failure::TemporalFailure;
use temporal_client_core::payload::ToPayloads;
use temporal_client_core::proto::temporal::api::common::v1::Payload;

use super::AsyncActivityHandle;
use crate::call::{bounded, call_option_setters, into_future};
use crate::error::Result;
use crate::interceptor::{FailAsyncActivityInput, OperationInput as _};
use crate::spans::{operation_span, traced};

/// Fails an activity, from [`AsyncActivityHandle::fail`]: set details and per-call
/// options, then `.await` it.
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct FailActivity<'a> {
    handle: &'a AsyncActivityHandle,
    failure: TemporalFailure,
    details: Result<Option<Vec<Payload>>>,
    last_heartbeat_details: Result<Vec<Payload>>,
    call: CallOptions,
}

impl<'a> FailActivity<'a> {
    pub(super) fn new(handle: &'a AsyncActivityHandle, failure: TemporalFailure) -> Self {
        Self {
            handle,
            failure,
            details: Ok(None),
            last_heartbeat_details: Ok(Vec::new()),
            call: CallOptions::default(),
        }
    }

    /// The failure's details, a tuple with one element per value (`("code", 7)`),
    /// converted with the client's payload converter. They replace any details the
    /// failure has; only application and cancellation failures carry details.
    pub fn details<A: ToPayloads>(mut self, details: A) -> Self {
        self.details = self.handle.client.to_payloads(&details).map(Some);
        self
    }

    /// Heartbeat details recorded with the failure, a tuple (as the worker's last
    /// heartbeat; the next attempt reads them).
    pub fn last_heartbeat_details<A: ToPayloads>(mut self, details: A) -> Self {
        self.last_heartbeat_details = self.handle.client.to_payloads(&details);
        self
    }

    call_option_setters!();

    fn run(self) -> impl Future<Output = Result<()>> {
        let span = operation_span!("temporal.fail_activity", self.handle.client.namespace());
        self.handle.record_target(&span);
        traced(span, self.run_untraced())
    }

    async fn run_untraced(self) -> Result<()> {
        let handle = self.handle;
        let client = &handle.client;
        bounded(
            FailAsyncActivityInput::OPERATION,
            self.call.timeout,
            async move {
                let failure = match self.details? {
                    Some(details) => self.failure.with_details(details),
                    None => self.failure,
                };
                let input = FailAsyncActivityInput {
                    activity: handle.activity.clone(),
                    failure,
                    last_heartbeat_details: self.last_heartbeat_details?,
                    call: self.call,
                };
                client
                    .intercept(
                        input,
                        |i, input, next| i.fail_async_activity(input, next),
                        |input| super::send::fail(client, input),
                    )
                    .await
            },
        )
        .await
    }
}

into_future!(impl['a] FailActivity<'a> => (), where []);
