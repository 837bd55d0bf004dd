//! No metadata value and no API key is printed: not by `Debug` or `Display` of the
//! options, the connection or an error, and not by any span or event at TRACE level
//! (the client's, tonic's, hyper's, h2's), for calls that succeed, are retried and fail.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use temporal_client::{
    Client, Code, Connection, ConnectionOptions, RpcRetryConfig, WorkflowDefinition,
    WorkflowOptions,
};
use temporal_testkit::grpc::TestServer;
use temporal_testkit::{FakeServer, conformance_workflows};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::Registry;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

const API_KEY: &str = "SECRET-API-KEY-7f3a";
const X_API_KEY: &str = "SECRET-X-API-KEY-91bc";
const CALL_TOKEN: &str = "SECRET-CALL-TOKEN-55de";

/// Every span field and event field, as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

impl Visit for Capture {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = self.0.lock().unwrap();
        let _ = writeln!(text, "{}={value:?}", field.name());
    }
}

impl<S: Subscriber> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        self.0.lock().unwrap().push_str(attrs.metadata().name());
        attrs.record(&mut self.clone());
    }

    fn on_record(&self, _span: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        values.record(&mut self.clone());
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        self.0.lock().unwrap().push_str(event.metadata().target());
        event.record(&mut self.clone());
    }
}

const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");

#[test]
fn no_secret_reaches_traces_debug_or_errors() {
    let capture = Capture::default();
    let subscriber = Registry::default().with(capture.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    // One thread, so the thread-local subscriber sees every task (the server's too).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut printed = String::new();
    runtime.block_on(async {
        let fake = FakeServer::new();
        conformance_workflows::register_all(&fake);
        let server = TestServer::start(Arc::new(fake)).await.unwrap();
        let options = ConnectionOptions::new(server.url().unwrap())
            .tls_disabled()
            .api_key(API_KEY)
            .metadata("x-api-key", X_API_KEY)
            .retry(RpcRetryConfig {
                initial_interval: Duration::from_millis(1),
                max_interval: Duration::from_millis(1),
                ..RpcRetryConfig::default()
            });
        let _ = writeln!(printed, "{options:?}");
        let connection = Connection::connect(options).await.unwrap();
        let _ = writeln!(printed, "{connection:?}");
        let client = Client::new(connection);
        let handle = client
            .start(COUNTER, WorkflowOptions::new("secret-1", "q").args((1,)))
            .metadata("x-call-token", CALL_TOKEN)
            .await
            .unwrap();
        // A retried call, and calls that fail: their errors are printed both ways.
        server
            .faults()
            .fail_next("SignalWorkflowExecution", 1, Code::Unavailable, "retry me");
        handle
            .signal("increment")
            .arg(1_i64)
            .metadata("x-call-token", CALL_TOKEN)
            .await
            .unwrap();
        let err = client
            .get_handle::<i64>("no-such-workflow")
            .describe()
            .metadata("x-call-token", CALL_TOKEN)
            .await
            .unwrap_err();
        let _ = writeln!(printed, "{err:?}\n{err}");
        let err = handle
            .signal("increment")
            .metadata("x-bad name", CALL_TOKEN)
            .await
            .unwrap_err();
        let _ = writeln!(printed, "{err:?}\n{err}");
        handle.signal("finish").await.unwrap();
        assert_eq!(handle.result().await.unwrap(), 2);
    });
    drop(runtime);
    let traced = capture.0.lock().unwrap().clone();
    assert!(
        traced.contains("temporal.rpc") && traced.contains("SignalWorkflowExecution"),
        "the capture saw the calls"
    );
    for secret in [API_KEY, X_API_KEY, CALL_TOKEN] {
        assert!(!traced.contains(secret), "{secret} in the traces");
        assert!(!printed.contains(secret), "{secret} printed:\n{printed}");
    }
    assert!(printed.contains("x-api-key"), "names are shown: {printed}");
}
