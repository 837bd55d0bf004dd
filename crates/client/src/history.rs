//! `fetch_history`: a workflow run's event history, as a stream or as JSON.

use std::collections::VecDeque;

use futures_core::Stream;
use futures_util::TryStreamExt;
use temporal_client_core::builders;
use temporal_client_core::proto::temporal::api::history::v1::{History, HistoryEvent};

use crate::error::Result;
use crate::handle::WorkflowHandle;

struct HistoryState<R> {
    handle: WorkflowHandle<R>,
    buffer: VecDeque<HistoryEvent>,
    next_page_token: Vec<u8>,
    done: bool,
}

impl<R: 'static> WorkflowHandle<R> {
    /// The run's history events, fetched page by page as the stream is read. Does not
    /// wait for new events: a running workflow's history ends at its latest event.
    pub fn fetch_history(&self) -> impl Stream<Item = Result<HistoryEvent>> + Send + 'static {
        let state = HistoryState {
            handle: self.clone(),
            buffer: VecDeque::new(),
            next_page_token: Vec::new(),
            done: false,
        };
        futures_util::stream::try_unfold(state, |mut state| async move {
            loop {
                if let Some(event) = state.buffer.pop_front() {
                    return Ok(Some((event, state)));
                }
                if state.done {
                    return Ok(None);
                }
                let handle = &state.handle;
                let inner = handle.client.inner();
                let request = builders::history_page_request(
                    &inner.namespace,
                    &handle.workflow_id,
                    handle.target_run_id(),
                    std::mem::take(&mut state.next_page_token),
                );
                let response = inner
                    .rpc()
                    .get_workflow_execution_history(handle.client.request(request))
                    .await
                    .map_err(|e| handle.map_err(e))?;
                state.done = response.next_page_token.is_empty();
                state.next_page_token = response.next_page_token;
                state
                    .buffer
                    .extend(response.history.map(|h| h.events).unwrap_or_default());
            }
        })
    }

    /// The whole history of the run, collected.
    pub async fn history(&self) -> Result<History> {
        let events: Vec<HistoryEvent> = self.fetch_history().try_collect().await?;
        Ok(History { events })
    }

    /// The whole history in the protobuf JSON mapping, the format
    /// `temporal workflow show --output json` prints and replayers load.
    #[cfg(feature = "json")]
    pub async fn history_json(&self) -> Result<String> {
        let history = self.history().await?;
        history_to_json(&history)
    }
}

/// Serializes a history in the protobuf JSON mapping (`{"events": [...]}`).
#[cfg(feature = "json")]
pub fn history_to_json(history: &History) -> Result<String> {
    serde_json::to_string_pretty(history).map_err(|source| crate::Error::HistoryJson { source })
}

/// Parses a history in the protobuf JSON mapping, e.g. the output of
/// `temporal workflow show --output json`.
#[cfg(feature = "json")]
pub fn history_from_json(json: &str) -> Result<History> {
    serde_json::from_str(json).map_err(|source| crate::Error::HistoryJson { source })
}
