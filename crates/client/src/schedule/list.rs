//! `client.schedules().list(query)`: a paged stream of schedule summaries.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use temporal_client_core::builders::list_schedules_request;
use temporal_client_core::schedule::ScheduleSummary;
use temporal_client_core::{CallOptions, ServiceRequest};

use super::ScheduleClient;
use crate::call::call_option_setters;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::interceptor::{ListSchedulesInput, ListSchedulesOutput};
use crate::operations::paging::{BoxStream, collect, paged, poll_lazy};

impl ScheduleClient {
    /// Lists schedules matching a visibility query (`""` for all; e.g.
    /// `TemporalSchedulePaused = true`, or one of the schedule's own search
    /// attributes). The returned [`ListSchedules`] is a `Stream` of
    /// [`ScheduleSummary`]s read page by page; [`into_vec`](ListSchedules::into_vec)
    /// collects them. The list comes from visibility, which lags behind describe by a
    /// moment on a real server.
    ///
    /// # Errors
    /// Items are [`Error::NamespaceNotFound`], [`Error::Service`] (INVALID_ARGUMENT for
    /// a malformed query), [`Error::Payload`] when a codec fails on a memo; the stream
    /// ends after an error.
    pub fn list(&self, query: impl Into<String>) -> ListSchedules {
        ListSchedules {
            client: self.client.clone(),
            query: query.into(),
            page_size: 0,
            call: CallOptions::default(),
            stream: None,
        }
    }
}

/// The schedules matching a query, from [`ScheduleClient::list`].
#[must_use = "a stream does nothing until it is read"]
pub struct ListSchedules {
    client: Client,
    query: String,
    page_size: i32,
    call: CallOptions,
    stream: Option<BoxStream<ScheduleSummary>>,
}

impl std::fmt::Debug for ListSchedules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListSchedules")
            .field("query", &self.query)
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

impl ListSchedules {
    call_option_setters!();

    /// Schedules per page (0, the default, lets the server choose; a negative size
    /// counts as 0).
    pub fn page_size(mut self, page_size: i32) -> Self {
        self.page_size = page_size.max(0);
        self
    }

    /// Reads every page and returns all the schedules.
    ///
    /// # Errors
    /// The first error of the stream.
    pub async fn into_vec(mut self) -> Result<Vec<ScheduleSummary>> {
        let stream = self.stream();
        collect(stream).await
    }

    fn stream(&mut self) -> BoxStream<ScheduleSummary> {
        if let Some(stream) = self.stream.take() {
            return stream;
        }
        let client = self.client.clone();
        let query = self.query.clone();
        let page_size = self.page_size;
        let call = self.call.clone();
        paged(move |token| {
            let client = client.clone();
            let input = ListSchedulesInput {
                query: query.clone(),
                page_size,
                next_page_token: token,
                call: call.clone(),
            };
            async move {
                let output = client
                    .intercept(
                        input,
                        |i, input, next| i.list_schedules(input, next),
                        |input| send(&client, input),
                    )
                    .await?;
                Ok((output.schedules, output.next_page_token))
            }
        })
    }
}

impl Stream for ListSchedules {
    type Item = Result<ScheduleSummary>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let mut slot = this.stream.take();
        let polled = poll_lazy(&mut slot, || this.stream(), cx);
        this.stream = slot;
        polled
    }
}

async fn send(client: &Client, input: ListSchedulesInput) -> Result<ListSchedulesOutput> {
    let inner = client.inner();
    let request = list_schedules_request(
        &inner.namespace,
        &input.query,
        input.page_size,
        input.next_page_token,
    );
    let response = inner
        .rpc()
        .list_schedules(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| Error::for_namespace(e, &inner.namespace))?;
    let mut schedules = Vec::with_capacity(response.schedules.len());
    for entry in response.schedules {
        schedules.push(ScheduleSummary::from_proto(entry, &inner.converter).await?);
    }
    Ok(ListSchedulesOutput {
        schedules,
        next_page_token: response.next_page_token,
    })
}
