//! Async activity completion on the fake only: timeouts on the virtual clock, the
//! history the fake writes, and that values go through the client's codecs and
//! interceptors (the scenarios of `activities.rs` run on every back end).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use temporal_client::activity::ActivityRef;
use temporal_client::failure::FailureKind;
use temporal_client::interceptor::{
    CompleteAsyncActivityInput, HeartbeatAsyncActivityInput, Interceptor, Next,
};
use temporal_client::payload::{CodecError, DataConverter, PayloadCodec};
use temporal_client::proto::temporal::api::common::v1::{Payload, Payloads};
use temporal_client::proto::temporal::api::enums::v1::{EventType, TimeoutType};
use temporal_client::proto::temporal::api::history::v1::history_event::Attributes;
use temporal_client::{Client, Error, Result, WorkflowDefinition, WorkflowOptions, async_trait};
use temporal_testkit::{ActivityOptions, FakeServer, WorkflowContext, WorkflowResult};

const TIMED: WorkflowDefinition<(bool,), String> = WorkflowDefinition::new("timed");

/// A workflow whose activity has a 10 s heartbeat timeout (`with_heartbeat = true`) or
/// only a 60 s start-to-close timeout; it fails with the activity's failure.
fn fake_with_timed_activity() -> FakeServer {
    let fake = FakeServer::new();
    fake.register_workflow("timed", |ctx: WorkflowContext| async move {
        let (with_heartbeat,): (bool,) = ctx.args()?;
        let mut options = ActivityOptions::new("slow")
            .activity_id("slow-1")
            .start_to_close_timeout(Duration::from_secs(60));
        if with_heartbeat {
            options = options.heartbeat_timeout(Duration::from_secs(10));
        }
        let done: String = ctx.start_activity(options).result().await?.get()?;
        Ok(WorkflowResult::completed(done))
    });
    fake
}

fn timeout_type(err: &Error) -> TimeoutType {
    let Error::WorkflowFailed { cause, .. } = err else {
        panic!("expected a failed workflow, got {err:?}");
    };
    assert!(
        matches!(cause.kind(), FailureKind::Activity { .. }),
        "{cause:?}"
    );
    match cause.cause().map(|c| c.kind()) {
        Some(FailureKind::Timeout { timeout_type, .. }) => *timeout_type,
        other => panic!("expected a timeout cause, got {other:?}"),
    }
}

#[tokio::test]
async fn heartbeats_keep_an_activity_alive_until_they_stop() {
    let fake = fake_with_timed_activity();
    let client = Client::from_service(fake.clone());
    let options = WorkflowOptions::new("hb", "q").args((true,));
    let handle = client.start(TIMED, options).await.unwrap();
    let activity = client.async_activity_handle(ActivityRef::by_id("hb", "slow-1"));
    for _ in 0..3 {
        fake.advance(Duration::from_secs(8));
        activity.heartbeat().details(("alive",)).await.unwrap();
    }
    fake.advance(Duration::from_secs(11)); // 35 s in: no heartbeat for 11 s
    let err = handle.result().await.unwrap_err();
    assert_eq!(timeout_type(&err), TimeoutType::Heartbeat);
    assert!(
        activity
            .heartbeat()
            .await
            .unwrap_err()
            .is_activity_not_found()
    );

    let history = handle.fetch_history().into_history().await.unwrap();
    let types: Vec<EventType> = history.events.iter().map(|e| e.event_type()).collect();
    let scheduled = types
        .iter()
        .position(|t| *t == EventType::ActivityTaskScheduled);
    let started = types
        .iter()
        .position(|t| *t == EventType::ActivityTaskStarted);
    let timed_out = types
        .iter()
        .position(|t| *t == EventType::ActivityTaskTimedOut);
    assert!(
        scheduled < started && started < timed_out && scheduled.is_some(),
        "{types:?}"
    );
    let last_details = history.events.iter().find_map(|e| match &e.attributes {
        Some(Attributes::ActivityTaskTimedOutEventAttributes(a)) => a.failure.clone(),
        _ => None,
    });
    assert!(
        last_details.is_some(),
        "the timed-out event carries the timeout failure"
    );
}

#[tokio::test]
async fn start_to_close_timeout_ends_an_activity_nobody_completes() {
    let fake = fake_with_timed_activity();
    let client = Client::from_service(fake.clone());
    let options = WorkflowOptions::new("stc", "q").args((false,));
    let handle = client.start(TIMED, options).await.unwrap();
    fake.advance(Duration::from_secs(59));
    let activity = client.async_activity_handle(ActivityRef::by_id("stc", "slow-1"));
    activity.heartbeat().await.unwrap(); // no heartbeat timeout: heartbeats change nothing
    fake.advance(Duration::from_secs(2));
    let err = handle.result().await.unwrap_err();
    assert_eq!(timeout_type(&err), TimeoutType::StartToClose);
    assert!(
        activity
            .complete("late")
            .await
            .unwrap_err()
            .is_activity_not_found()
    );
}

/// Flips every data byte; marks payloads it encoded.
#[derive(Debug)]
struct Flip;

#[async_trait]
impl PayloadCodec for Flip {
    async fn encode(
        &self,
        payloads: Vec<Payload>,
    ) -> std::result::Result<Vec<Payload>, CodecError> {
        Ok(payloads
            .into_iter()
            .map(|mut p| {
                p.data.iter_mut().for_each(|b| *b = !*b);
                p.metadata.insert("flipped".to_owned(), b"1".to_vec());
                p
            })
            .collect())
    }

    async fn decode(
        &self,
        payloads: Vec<Payload>,
    ) -> std::result::Result<Vec<Payload>, CodecError> {
        Ok(payloads
            .into_iter()
            .map(|mut p| {
                if p.metadata.remove("flipped").is_some() {
                    p.data.iter_mut().for_each(|b| *b = !*b);
                }
                p
            })
            .collect())
    }
}

/// Records which activity operations it saw, and the payload count of each.
#[derive(Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

#[async_trait]
impl Interceptor for Recorder {
    async fn complete_async_activity(
        &self,
        input: CompleteAsyncActivityInput,
        next: Next<'_, CompleteAsyncActivityInput, ()>,
    ) -> Result<()> {
        let seen = format!("complete {} {}", input.activity, input.result.len());
        self.0.lock().unwrap().push(seen);
        next.run(input).await
    }

    async fn heartbeat_async_activity(
        &self,
        input: HeartbeatAsyncActivityInput,
        next: Next<'_, HeartbeatAsyncActivityInput, ()>,
    ) -> Result<()> {
        if input.details.is_empty() {
            return Err(Error::interceptor("heartbeats need details here"));
        }
        self.0
            .lock()
            .unwrap()
            .push(format!("heartbeat {}", input.details.len()));
        next.run(input).await
    }
}

#[tokio::test]
async fn values_go_through_codecs_and_interceptors() {
    const PASS_THROUGH: WorkflowDefinition<(), Vec<String>> =
        WorkflowDefinition::new("pass_through");
    // Fake workflows read plain JSON only: this one takes no arguments and returns the
    // activity's (encoded) payloads as they are, for the client to decode.
    let fake = FakeServer::new();
    fake.register_workflow("pass_through", |ctx: WorkflowContext| async move {
        let activity = ctx.start_activity(ActivityOptions::new("secretive").activity_id("act-1"));
        let output = activity.result().await?;
        Ok(WorkflowResult::completed_payloads(Payloads {
            payloads: output.payloads().to_vec(),
        }))
    });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let client = Client::builder(fake.clone())
        .data_converter(DataConverter::default().with_codec(Arc::new(Flip)))
        .interceptor(Recorder(seen.clone()))
        .build();
    let handle = client
        .start(PASS_THROUGH, WorkflowOptions::new("codec", "q"))
        .await
        .unwrap();
    let activity = client.async_activity_handle(ActivityRef::by_id("codec", "act-1"));
    let refused = activity.heartbeat().await.unwrap_err();
    assert!(matches!(refused, Error::Interceptor(_)), "{refused:?}");
    activity.heartbeat().details((1, 2)).await.unwrap();
    let value = vec!["secret".to_owned()];
    activity.complete(&value).await.unwrap();
    assert_eq!(handle.result().await.unwrap(), value);
    assert_eq!(
        *seen.lock().unwrap(),
        ["heartbeat 2", "complete 'act-1' of workflow 'codec' 1"]
    );

    // What the server stored is the codec's output.
    let history = handle.fetch_history().into_history().await.unwrap();
    let stored = history
        .events
        .iter()
        .find_map(|e| match &e.attributes {
            Some(Attributes::ActivityTaskCompletedEventAttributes(a)) => a.result.clone(),
            _ => None,
        })
        .expect("an ActivityTaskCompleted event with a result");
    assert!(stored.payloads[0].metadata.contains_key("flipped"));
    assert!(!String::from_utf8_lossy(&stored.payloads[0].data).contains("secret"));
}
