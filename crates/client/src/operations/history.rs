//! `handle.fetch_history()`: a run's event history, as a stream, a `History` or JSON.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;
use temporal_client_core::CallOptions;
use temporal_client_core::builders::HistoryFilter;
use temporal_client_core::proto::temporal::api::history::v1::{History, HistoryEvent};

use super::paging::{BoxStream, collect, paged, poll_lazy};
use super::result::fetch_page;
use crate::call::{OperationDeadline, call_option_setters};
use crate::error::Result;
use crate::handle::WorkflowHandle;
use crate::interceptor::{FetchHistoryInput, OperationInput as _};

impl<R> WorkflowHandle<R> {
    /// The run's history events, fetched page by page as the returned
    /// [`FetchHistory`] stream is read. Does not wait for new events: a running
    /// workflow's history ends at its latest event. Collect it with
    /// [`into_history`](FetchHistory::into_history), or as JSON with
    #[cfg_attr(
        feature = "json",
        doc = "[`into_json`](FetchHistory::into_json) (feature `json`)."
    )]
    #[cfg_attr(not(feature = "json"), doc = "`into_json` (feature `json`).")]
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use temporal_client::{Client, WorkflowDefinition, WorkflowOptions};
    /// # use temporal_client::*;
    /// let fake = temporal_testkit::FakeServer::new();
    /// temporal_testkit::conformance_workflows::register_all(&fake);
    /// let client = Client::from_service(fake.clone());
    /// const ECHO: WorkflowDefinition<(i64,), Vec<i64>> = WorkflowDefinition::new("echo");
    /// let handle = client.start(ECHO, WorkflowOptions::new("e-1", "q").args((1,))).await?;
    /// handle.result().await?;
    /// let history = handle.fetch_history().into_history().await?;
    /// let first = &history.events[0];
    /// assert_eq!(first.event_type(), proto::temporal::api::enums::v1::EventType::WorkflowExecutionStarted);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Items are [`Error::WorkflowNotFound`](crate::Error::WorkflowNotFound) or
    /// [`Error::Service`](crate::Error::Service); the stream ends after an error.
    pub fn fetch_history(&self) -> FetchHistory {
        FetchHistory {
            handle: self.clone().with_result_type(),
            page_size: 0,
            call: CallOptions::default(),
            stream: None,
        }
    }
}

/// A run's history events, from [`WorkflowHandle::fetch_history`]: a `Stream` of
/// [`HistoryEvent`]s.
#[must_use = "a stream does nothing until it is read"]
pub struct FetchHistory {
    handle: WorkflowHandle<()>,
    page_size: i32,
    call: CallOptions,
    stream: Option<BoxStream<HistoryEvent>>,
}

impl std::fmt::Debug for FetchHistory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchHistory")
            .field("handle", &self.handle)
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

impl FetchHistory {
    call_option_setters!();

    /// Events per page (0, the default, lets the server choose; a negative size counts
    /// as 0).
    pub fn page_size(mut self, page_size: i32) -> Self {
        self.page_size = page_size.max(0);
        self
    }

    /// Reads every page and returns the whole history.
    ///
    /// # Errors
    /// The first error of the stream.
    pub async fn into_history(mut self) -> Result<History> {
        let stream = self.stream();
        Ok(History {
            events: collect(stream).await?,
        })
    }

    /// The whole history in the protobuf JSON mapping, the format `temporal workflow
    /// show --output json` prints and replayers load.
    ///
    /// # Errors
    /// The first error of the stream, or [`Error::HistoryJson`](crate::Error::HistoryJson).
    #[cfg(feature = "json")]
    pub async fn into_json(self) -> Result<String> {
        crate::history_to_json(&self.into_history().await?)
    }

    fn stream(&mut self) -> BoxStream<HistoryEvent> {
        if let Some(stream) = self.stream.take() {
            return stream;
        }
        let handle = self.handle.clone();
        let page_size = self.page_size;
        let call = self.call.clone();
        // One deadline for all the pages, from the first read: each page's RPC gets the
        // time left.
        let deadline = Arc::new(OperationDeadline::new(
            FetchHistoryInput::OPERATION,
            call.timeout,
        ));
        paged(move |token| {
            let deadline = Arc::clone(&deadline);
            let handle = handle.clone();
            let input = FetchHistoryInput {
                workflow_id: handle.workflow_id.clone(),
                run_id: handle.target_run_id(),
                filter: HistoryFilter::AllEvents,
                next_page_token: token,
                page_size,
                call: deadline.call(&call),
            };
            async move {
                let deadline = &*deadline;
                let handle = &handle;
                let output = handle
                    .client
                    .intercept(
                        input,
                        |i, input, next| i.fetch_history(input, next),
                        |mut input: FetchHistoryInput| async move {
                            deadline.apply(&mut input.call)?;
                            fetch_page(handle, input).await
                        },
                    )
                    .await;
                let output = deadline.finish(output)?;
                Ok((output.events, output.next_page_token))
            }
        })
    }
}

impl Stream for FetchHistory {
    type Item = Result<HistoryEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let mut slot = this.stream.take();
        let polled = poll_lazy(&mut slot, || this.stream(), cx);
        this.stream = slot;
        polled
    }
}
