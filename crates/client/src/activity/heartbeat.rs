//! `handle.heartbeat()`.

use temporal_client_core::CallOptions;
use temporal_client_core::payload::ToPayloads;
use temporal_client_core::proto::temporal::api::common::v1::Payload;

use super::AsyncActivityHandle;
use crate::call::{bounded, call_option_setters, into_future};
use crate::error::Result;
use crate::interceptor::{HeartbeatAsyncActivityInput, OperationInput as _};
use crate::spans::{operation_span, traced};

/// Records a heartbeat, from [`AsyncActivityHandle::heartbeat`]: set details and
/// per-call options, then `.await` it.
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct HeartbeatActivity<'a> {
    handle: &'a AsyncActivityHandle,
    details: Result<Vec<Payload>>,
    call: CallOptions,
}

impl<'a> HeartbeatActivity<'a> {
    pub(super) fn new(handle: &'a AsyncActivityHandle) -> Self {
        Self {
            handle,
            details: Ok(Vec::new()),
            call: CallOptions::default(),
        }
    }

    /// The heartbeat details, a tuple with one element per value (`(progress,)`),
    /// converted with the client's payload converter and codecs.
    pub fn details<A: ToPayloads>(mut self, details: A) -> Self {
        self.details = self.handle.client.to_payloads(&details);
        self
    }

    call_option_setters!();

    fn run(self) -> impl Future<Output = Result<()>> {
        let span = operation_span!(
            "temporal.heartbeat_activity",
            self.handle.client.namespace()
        );
        self.handle.record_target(&span);
        traced(span, self.run_untraced())
    }

    async fn run_untraced(self) -> Result<()> {
        let handle = self.handle;
        let client = &handle.client;
        bounded(
            HeartbeatAsyncActivityInput::OPERATION,
            self.call.timeout,
            async move {
                let input = HeartbeatAsyncActivityInput {
                    activity: handle.activity.clone(),
                    details: self.details?,
                    call: self.call,
                };
                client
                    .intercept(
                        input,
                        |i, input, next| i.heartbeat_async_activity(input, next),
                        |input| super::send::heartbeat(client, input),
                    )
                    .await
            },
        )
        .await
    }
}

into_future!(impl['a] HeartbeatActivity<'a> => (), where []);
