//! Rust fake-workflow versions of the conformance workflows in `worker/WORKFLOWS.md`, with
//! the same names, arguments, results and errors as the Python worker (`worker.py`), so
//! one scenario runs against the fake or a real server.
//!
//! ```
//! # use temporal_testkit::{FakeServer, conformance_workflows};
//! let fake = FakeServer::builder().conformance_search_attributes().build();
//! conformance_workflows::register_all(&fake);
//! ```
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use serde_json::json;
use temporal_proto::temporal::api::common::v1::Payloads;

use super::activity_handle::ActivityOptions;
use super::workflows::{
    BoxFuture, IntoWorkflowResult, WorkflowContext, WorkflowFailure, WorkflowResult,
    search_attribute,
};
use crate::fake::server::FakeServer;

/// Every conformance workflow type name, as `WORKFLOWS.md` lists them.
pub const WORKFLOW_TYPES: &[&str] = &[
    "hello",
    "echo",
    "echo_bytes",
    "counter",
    "wait_cancel",
    "fail",
    "retry_then_succeed",
    "continue_as_new",
    "cron",
    "sleep",
    "search_attrs",
    "header_echo",
    "long_update",
    "async_activity",
];

/// Registers every conformance workflow on `fake`, for every task queue.
///
/// `search_attrs` upserts `ConformanceStage`; build the server with
/// [`conformance_search_attributes`](super::FakeServerBuilder::conformance_search_attributes)
/// so start requests may set the suite's attributes too.
pub fn register_all(fake: &FakeServer) {
    register_each(|name, f| fake.register_workflow(name, move |ctx| f(ctx)));
}

/// Registers every conformance workflow on `fake` for `task_queue` only, as the Python
/// worker polls one queue: executions on other queues stay Running.
pub fn register_all_on(fake: &FakeServer, task_queue: &str) {
    register_each(|name, f| fake.register_workflow_on(task_queue, name, move |ctx| f(ctx)));
}

type Conformance = Arc<dyn Fn(WorkflowContext) -> BoxFuture<WorkflowResult> + Send + Sync>;

fn boxed<F, Fut>(f: F) -> Conformance
where
    F: Fn(WorkflowContext) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future + Send + 'static,
    Fut::Output: IntoWorkflowResult,
{
    Arc::new(move |ctx| {
        let fut = f(ctx);
        Box::pin(async move { fut.await.into_workflow_result() })
    })
}

fn register_each(mut register: impl FnMut(&'static str, Conformance)) {
    register(
        "hello",
        boxed(|ctx: WorkflowContext| async move {
            let (name,): (String,) = ctx.args()?;
            Ok::<_, WorkflowFailure>(WorkflowResult::completed(format!("Hello, {name}!")))
        }),
    );
    register("echo", boxed(echo));
    register("echo_bytes", boxed(echo_bytes));
    register("counter", boxed(counter));
    register("wait_cancel", boxed(wait_cancel));
    register("fail", boxed(fail));
    register("retry_then_succeed", boxed(retry_then_succeed));
    register("continue_as_new", boxed(continue_as_new));
    register(
        "cron",
        boxed(|_ctx: WorkflowContext| async { WorkflowResult::completed("cron run") }),
    );
    register("sleep", boxed(sleep));
    register("search_attrs", boxed(search_attrs));
    register("long_update", boxed(long_update));
    register("header_echo", boxed(header_echo));
    register("async_activity", boxed(async_activity));
}

/// `header_echo()`: query `echo_arg(x)` returns `x`; signal `finish()` ends it with the
/// value of the start's Temporal header entry `echo` (null without one), which the
/// Python worker reads through a worker interceptor.
async fn header_echo(ctx: WorkflowContext) -> Result<WorkflowResult, WorkflowFailure> {
    ctx.on_query("echo_arg", |args| {
        let (value,): (serde_json::Value,) = args.get()?;
        Ok(value)
    });
    let echo = match ctx
        .info()
        .header
        .and_then(|h| h.fields.get("echo").cloned())
    {
        Some(payload) => crate::fake::payload::decode::<serde_json::Value>(&payload)?,
        None => serde_json::Value::Null,
    };
    ctx.signal_channel("finish").recv().await;
    Ok(WorkflowResult::completed(echo))
}

/// `echo(*args)`: the list of its arguments.
async fn echo(ctx: WorkflowContext) -> Result<WorkflowResult, WorkflowFailure> {
    let args: Vec<serde_json::Value> = ctx.args()?;
    Ok(WorkflowResult::completed(args))
}

/// `echo_bytes(data: bytes)`: the same `binary/plain` payload back.
async fn echo_bytes(ctx: WorkflowContext) -> Result<WorkflowResult, WorkflowFailure> {
    let input = ctx.input().unwrap_or_default();
    let first = input.payloads.into_iter().next().ok_or_else(|| {
        WorkflowFailure::application("echo_bytes expects one bytes argument").with_type("TypeError")
    })?;
    Ok(WorkflowResult::completed_payloads(Payloads {
        payloads: vec![first],
    }))
}

/// `counter(initial: int)`: signals `increment(n)` and `finish()`, queries `get_value()`
/// and `fail_query()`, update `add(n)` whose validator rejects `n < 0`.
async fn counter(ctx: WorkflowContext) -> Result<WorkflowResult, WorkflowFailure> {
    let value = Arc::new(AtomicI64::new(0));
    let v = Arc::clone(&value);
    ctx.on_query("get_value", move |_| Ok(v.load(Ordering::SeqCst)));
    ctx.on_query("fail_query", |_| -> Result<i64, WorkflowFailure> {
        Err(WorkflowFailure::application("query failed on purpose"))
    });
    let v = Arc::clone(&value);
    ctx.on_update_with_validator(
        "add",
        |args| {
            let (n,): (i64,) = args.get()?;
            if n < 0 {
                return Err(WorkflowFailure::application("negative increment"));
            }
            Ok(())
        },
        move |_ctx, args| {
            let v = Arc::clone(&v);
            async move {
                let (n,): (i64,) = args.get()?;
                Ok(v.fetch_add(n, Ordering::SeqCst) + n)
            }
        },
    );
    let (initial,): (i64,) = ctx.args()?;
    value.fetch_add(initial, Ordering::SeqCst);
    loop {
        // Like the Python worker's `wait_condition`, the wait ends with the workflow
        // Canceled when cancellation is requested.
        let signal = tokio::select! {
            biased;
            signal = ctx.next_signal() => signal,
            () = ctx.cancelled() => return Ok(WorkflowResult::canceled()),
        };
        match signal.name.as_str() {
            "increment" => {
                let (n,): (i64,) = signal.args.get()?;
                value.fetch_add(n, Ordering::SeqCst);
            }
            "finish" => return Ok(WorkflowResult::completed(value.load(Ordering::SeqCst))),
            _ => {}
        }
    }
}

/// `wait_cancel()`: waits for cancellation, sets `cleaned_up()`, ends as Canceled.
async fn wait_cancel(ctx: WorkflowContext) -> WorkflowResult {
    let cleaned = Arc::new(AtomicBool::new(false));
    let c = Arc::clone(&cleaned);
    ctx.on_query("cleaned_up", move |_| Ok(c.load(Ordering::SeqCst)));
    ctx.cancelled().await;
    cleaned.store(true, Ordering::SeqCst);
    WorkflowResult::canceled()
}

/// `fail(message)`: the failure chain the Python worker raises.
async fn fail(ctx: WorkflowContext) -> Result<WorkflowResult, WorkflowFailure> {
    let (message,): (String,) = ctx.args()?;
    Ok(WorkflowResult::failed(
        WorkflowFailure::application(message)
            .with_type("MyError")
            .non_retryable()
            .with_details((json!({"k": "v"}), 7))
            .with_cause(WorkflowFailure::application("inner cause").with_type("InnerError")),
    ))
}

/// `retry_then_succeed()`: attempt 1 fails (retryable `Flaky`), later attempts succeed.
async fn retry_then_succeed(ctx: WorkflowContext) -> WorkflowResult {
    let attempt = ctx.info().attempt;
    if attempt == 1 {
        return WorkflowResult::failed(
            WorkflowFailure::application("first attempt fails").with_type("Flaky"),
        );
    }
    WorkflowResult::completed(format!("succeeded on attempt {attempt}"))
}

/// `continue_as_new(n)`: continues as new with `n - 1` until `n` is 0.
async fn continue_as_new(ctx: WorkflowContext) -> Result<WorkflowResult, WorkflowFailure> {
    let (n,): (i64,) = ctx.args()?;
    if n > 0 {
        return Ok(WorkflowResult::continue_as_new((n - 1,)));
    }
    Ok(WorkflowResult::completed("done"))
}

/// `sleep(ms)`: a workflow timer of `ms` milliseconds.
async fn sleep(ctx: WorkflowContext) -> Result<WorkflowResult, WorkflowFailure> {
    let (ms,): (u64,) = ctx.args()?;
    ctx.sleep(Duration::from_millis(ms)).await;
    Ok(WorkflowResult::completed("slept"))
}

/// `search_attrs()`: upserts `ConformanceStage` and a memo, then waits for `finish()`.
async fn search_attrs(ctx: WorkflowContext) -> Result<WorkflowResult, WorkflowFailure> {
    ctx.upsert_search_attributes([(
        "ConformanceStage".to_owned(),
        search_attribute("Keyword", "upserted")?,
    )]);
    ctx.upsert_memo([("note".to_owned(), "from worker")]);
    ctx.signal_channel("finish").recv().await;
    Ok(WorkflowResult::completed("done"))
}

/// `long_update()`: update `slow(ms)` sleeps then answers; `finish()` ends the workflow
/// once running updates are done.
async fn long_update(ctx: WorkflowContext) -> WorkflowResult {
    ctx.on_update("slow", |ctx: WorkflowContext, args| async move {
        let (ms,): (u64,) = args.get()?;
        ctx.sleep(Duration::from_millis(ms)).await;
        Ok("slow done")
    });
    let finished = Arc::new(AtomicBool::new(false));
    let f = Arc::clone(&finished);
    let finish = ctx.signal_channel("finish");
    let waiter = ctx.clone();
    let mut got_finish = false;
    ctx.wait_condition(move || {
        if !got_finish && finish.try_recv().is_some() {
            got_finish = true;
            f.store(true, Ordering::SeqCst);
        }
        got_finish && waiter.all_handlers_finished()
    })
    .await;
    WorkflowResult::completed("done")
}

/// `async_activity(activity_id)`: schedules activity `complete_async` with that id (the
/// Python worker's activity calls `raise_complete_async()`; the fake leaves every
/// activity to the client); query `task_token()` gives its token as a list of bytes
/// (null before); signal `cancel_activity()` cancels it and waits for the client's
/// report. Returns the activity's result, or `{"canceled": [details]}`; an activity
/// failure fails the workflow (ActivityFailure caused by the client's failure).
async fn async_activity(ctx: WorkflowContext) -> Result<WorkflowResult, WorkflowFailure> {
    use temporal_proto::temporal::api::failure::v1::failure::FailureInfo;

    let (activity_id,): (String,) = ctx.args()?;
    let activity =
        ctx.start_activity(ActivityOptions::new("complete_async").activity_id(activity_id));
    let token = activity.clone();
    ctx.on_query("task_token", move |_| Ok(token.task_token()));
    let cancel = ctx.signal_channel("cancel_activity");
    let done = activity.clone();
    let mut cancelled = false;
    ctx.wait_condition(move || {
        cancelled = cancelled || cancel.try_recv().is_some();
        cancelled || done.is_done()
    })
    .await;
    if !activity.is_done() {
        activity.cancel();
    }
    match activity.result().await {
        Ok(output) => Ok(WorkflowResult::completed_payloads(Payloads {
            payloads: output.payloads().to_vec(),
        })),
        Err(failure) => match &failure.as_proto().cause {
            Some(cause) => match &cause.failure_info {
                Some(FailureInfo::CanceledFailureInfo(info)) => {
                    let details: Vec<serde_json::Value> =
                        super::workflows::Args(info.details.clone()).get()?;
                    Ok(WorkflowResult::completed(json!({ "canceled": details })))
                }
                _ => Err(failure),
            },
            None => Err(failure),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// The type names in the first column of `WORKFLOWS.md`'s table.
    fn documented() -> Vec<String> {
        include_str!("../../worker/WORKFLOWS.md")
            .lines()
            .filter_map(|line| line.strip_prefix("| `")?.split_once('`'))
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    /// What `WORKFLOWS.md` lists, `WORKFLOW_TYPES` names and `register_all` registers
    /// are the same set: the README sends readers to that table for the fake too.
    #[test]
    fn every_documented_workflow_is_listed_and_registered() {
        let mut registered = Vec::new();
        register_each(|name, _| registered.push(name.to_owned()));
        let mut listed: Vec<String> = WORKFLOW_TYPES.iter().map(|&n| n.to_owned()).collect();
        let mut documented = documented();
        for names in [&mut registered, &mut listed, &mut documented] {
            names.sort();
        }
        assert!(documented.contains(&"hello".to_owned()), "{documented:?}");
        assert_eq!(listed, documented);
        assert_eq!(registered, documented);
    }
}
