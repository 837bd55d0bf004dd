//! A stream over pages: fetches the next page when the buffered items run out.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use futures_core::Stream;

use crate::error::Result;

/// A boxed item stream.
pub(crate) type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T>> + Send>>;

/// Items of every page that `fetch(token)` returns as `(items, next_token)`, starting
/// with an empty token and ending after a page whose next token is empty.
pub(crate) fn paged<T, F, Fut>(fetch: F) -> BoxStream<T>
where
    T: Send + 'static,
    F: FnMut(Vec<u8>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(Vec<T>, Vec<u8>)>> + Send + 'static,
{
    struct State<T, F> {
        fetch: F,
        buffer: VecDeque<T>,
        next_page_token: Vec<u8>,
        done: bool,
    }
    let state = State {
        fetch,
        buffer: VecDeque::new(),
        next_page_token: Vec::new(),
        done: false,
    };
    Box::pin(futures_util::stream::try_unfold(
        state,
        |mut state| async move {
            loop {
                if let Some(item) = state.buffer.pop_front() {
                    return Ok(Some((item, state)));
                }
                if state.done {
                    return Ok(None);
                }
                let token = std::mem::take(&mut state.next_page_token);
                let (items, next) = (state.fetch)(token).await?;
                state.done = next.is_empty();
                state.next_page_token = next;
                state.buffer.extend(items);
            }
        },
    ))
}

/// Polls the stream in `slot`, making it with `make` on the first poll: the builders
/// of paged operations are streams whose options can be set until they are read.
pub(crate) fn poll_lazy<T>(
    slot: &mut Option<BoxStream<T>>,
    make: impl FnOnce() -> BoxStream<T>,
    cx: &mut std::task::Context<'_>,
) -> std::task::Poll<Option<Result<T>>> {
    slot.get_or_insert_with(make).as_mut().poll_next(cx)
}

/// Collects a stream of results into a vector, stopping at the first error.
pub(crate) async fn collect<T>(mut stream: BoxStream<T>) -> Result<Vec<T>> {
    use futures_util::StreamExt as _;
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item?);
    }
    Ok(items)
}
