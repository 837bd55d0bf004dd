//! Trace context propagation (feature `opentelemetry`): the `_tracer-data` header's
//! shape on the fake, and on the dev server a Python worker running the official
//! `TracingInterceptor` continues the Rust client's trace for start, signal, query
//! and update.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry::trace::{SpanId, TraceId, TracerProvider as _};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use temporal_client::interceptor::{
    Headers, Interceptor, Next, StartWorkflowInput, StartWorkflowOutput,
};
use temporal_client::opentelemetry::{TRACER_HEADER, TracingInterceptor};
use temporal_client::{
    Client, Connection, ConnectionOptions, QueryDefinition, SignalDefinition, UpdateDefinition,
    WorkflowDefinition, WorkflowOptions, async_trait,
};
use temporal_testkit::{FakeServer, PythonWorker};
use tracing::Instrument as _;
use tracing::instrument::WithSubscriber as _;
use tracing_subscriber::layer::SubscriberExt as _;

/// Keeps exported spans in memory.
#[derive(Debug, Clone, Default)]
struct Memory(Arc<Mutex<Vec<SpanData>>>);

impl SpanExporter for Memory {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.lock().unwrap().extend(batch);
        Ok(())
    }
}

impl Memory {
    fn named(&self, name: &str) -> Vec<SpanData> {
        let spans = self.0.lock().unwrap();
        spans.iter().filter(|s| s.name == name).cloned().collect()
    }

    fn one(&self, name: &str) -> SpanData {
        let spans = self.named(name);
        assert_eq!(spans.len(), 1, "one span named {name}: {spans:?}");
        spans.into_iter().next().unwrap()
    }
}

/// A `tracing` dispatcher exporting to OpenTelemetry (through `tracing-opentelemetry`),
/// and the exporter's memory.
fn otel_dispatch() -> (Memory, SdkTracerProvider, tracing::Dispatch) {
    let memory = Memory::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(memory.clone())
        .build();
    let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("observability-test"));
    let subscriber = tracing_subscriber::registry().with(layer);
    (memory, provider, tracing::Dispatch::new(subscriber))
}

/// Records the headers of every start it sees.
#[derive(Default, Clone)]
struct SeenHeaders(Arc<Mutex<Vec<Headers>>>);

#[async_trait]
impl Interceptor for SeenHeaders {
    async fn start_workflow(
        &self,
        input: StartWorkflowInput,
        next: Next<'_, StartWorkflowInput, StartWorkflowOutput>,
    ) -> temporal_client::Result<StartWorkflowOutput> {
        self.0.lock().unwrap().push(input.headers.clone());
        next.run(input).await
    }
}

#[tokio::test]
async fn the_header_is_a_json_w3c_carrier_of_the_operation_span() {
    let seen = SeenHeaders::default();
    let client = Client::builder(FakeServer::new())
        .interceptor(TracingInterceptor::new())
        .interceptor(seen.clone())
        .build();
    // Without a tracing-opentelemetry layer or an OpenTelemetry context there is no
    // trace to continue: no header.
    client
        .start("greet", WorkflowOptions::new("no-otel", "q"))
        .await
        .unwrap();

    let (memory, provider, dispatch) = otel_dispatch();
    async {
        async {
            client
                .start("greet", WorkflowOptions::new("in-span", "q"))
                .await
                .unwrap();
        }
        .instrument(tracing::info_span!("checkout"))
        .await;
    }
    .with_subscriber(dispatch)
    .await;
    provider.force_flush().unwrap();

    let headers = seen.0.lock().unwrap().clone();
    assert!(!headers[0].contains_key(TRACER_HEADER), "{:?}", headers[0]);
    let payload = &headers[1][TRACER_HEADER];
    assert_eq!(payload.metadata["encoding"], b"json/plain");
    let carrier: HashMap<String, String> = serde_json::from_slice(&payload.data).unwrap();
    let checkout = memory.one("checkout");
    let start = memory.one("temporal.start_workflow");
    assert_eq!(start.parent_span_id, checkout.span_context.span_id());
    assert_eq!(
        carrier,
        HashMap::from([(
            "traceparent".to_owned(),
            format!(
                "00-{}-{}-01",
                checkout.span_context.trace_id(),
                start.span_context.span_id()
            )
        )]),
        "the worker's parent is the client's operation span, in the caller's trace"
    );
}

const TRACED: WorkflowDefinition<(), i64> = WorkflowDefinition::new("traced");
const POKE: SignalDefinition<()> = SignalDefinition::new("poke");
const FINISH: SignalDefinition<()> = SignalDefinition::new("finish");
const STATE: QueryDefinition<i64> = QueryDefinition::new("state");
const BUMP: UpdateDefinition<i64, (i64,)> = UpdateDefinition::new("bump");

/// One span the Python worker reported (`SPAN {json}` lines of `tracing_worker.py`).
#[derive(Debug, serde::Deserialize)]
struct WorkerSpan {
    name: String,
    trace_id: String,
    parent_span_id: Option<String>,
    links: Vec<WorkerLink>,
}

#[derive(Debug, serde::Deserialize)]
struct WorkerLink {
    trace_id: String,
    span_id: String,
}

fn worker_spans(worker: &PythonWorker) -> Vec<WorkerSpan> {
    worker
        .output_tail()
        .lines()
        .filter_map(|line| line.strip_prefix("SPAN "))
        .map(|json| serde_json::from_str(json).unwrap())
        .collect()
}

fn hex(trace: TraceId, span: SpanId) -> (String, String) {
    (trace.to_string(), span.to_string())
}

#[tokio::test]
async fn a_python_worker_continues_the_trace_of_start_signal_query_and_update() {
    let Some(address) = std::env::var("TEMPORAL_ADDRESS")
        .ok()
        .filter(|a| !a.is_empty())
    else {
        assert!(
            std::env::var("TEMPORAL_REQUIRE_SERVER").as_deref() != Ok("1"),
            "TEMPORAL_REQUIRE_SERVER=1 but TEMPORAL_ADDRESS is not set"
        );
        eprintln!("skipped: set TEMPORAL_ADDRESS to run against a dev server");
        return;
    };
    let suffix = uuid::Uuid::new_v4();
    let task_queue = format!("otel-{suffix}");
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testkit/worker/tracing_worker.py"
    );
    let worker = PythonWorker::builder(&address, "default", &task_queue)
        .script(script)
        .start()
        .await
        .expect("tracing worker (needs opentelemetry-sdk: scripts/install-test-deps.sh)");
    let connection = Connection::connect(ConnectionOptions::new(address))
        .await
        .unwrap();
    let client = Client::builder(connection)
        .interceptor(TracingInterceptor::new())
        .build();
    let (memory, provider, dispatch) = otel_dispatch();
    let workflow_id = format!("otel-{suffix}");
    async {
        async {
            let handle = client
                .start(TRACED, WorkflowOptions::new(&workflow_id, &task_queue))
                .await
                .unwrap();
            handle.signal(POKE).await.unwrap();
            assert_eq!(handle.query(STATE).await.unwrap(), 1);
            assert_eq!(handle.execute_update(BUMP).arg(2).await.unwrap(), 3);
            handle.signal(FINISH).await.unwrap();
            assert_eq!(handle.result().await.unwrap(), 3);
        }
        .instrument(tracing::info_span!("checkout"))
        .await;
    }
    .with_subscriber(dispatch)
    .await;
    provider.force_flush().unwrap();

    let checkout = memory.one("checkout");
    let trace_id = checkout.span_context.trace_id();
    let ids = |name: &str| {
        let span = memory.one(name);
        assert_eq!(
            span.span_context.trace_id(),
            trace_id,
            "{name} in the caller's trace"
        );
        hex(span.span_context.trace_id(), span.span_context.span_id())
    };
    let start = ids("temporal.start_workflow");
    let signal = memory
        .named("temporal.signal_workflow")
        .into_iter()
        .map(|s| hex(s.span_context.trace_id(), s.span_context.span_id()))
        .collect::<Vec<_>>();
    let query = ids("temporal.query_workflow");
    let update = ids("temporal.start_update");

    // The worker reports its spans as the interceptor finishes them.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let spans = loop {
        let spans = worker_spans(&worker);
        if spans.iter().any(|s| s.name == "HandleUpdate:bump")
            || tokio::time::Instant::now() > deadline
        {
            break spans;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let find = |name: &str| {
        spans
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("the worker reported no {name}: {spans:?}"))
    };

    // Start: the workflow's span is a child of the client's start span.
    let run = find("RunWorkflow:traced");
    assert_eq!(
        (run.trace_id.clone(), run.parent_span_id.clone().unwrap()),
        start
    );
    // Query: the handler's span is a child of the client's query span.
    let handled_query = find("HandleQuery:state");
    assert_eq!(
        (
            handled_query.trace_id.clone(),
            handled_query.parent_span_id.clone().unwrap()
        ),
        query
    );
    // Signal and update: the handler spans are children of the workflow's span and link
    // to the client's call span (as the Python interceptor does).
    let link = |s: &WorkerSpan| {
        s.links
            .iter()
            .map(|l| (l.trace_id.clone(), l.span_id.clone()))
            .collect::<Vec<_>>()
    };
    let poke = find("HandleSignal:poke");
    assert_eq!(poke.trace_id, start.0);
    assert_eq!(link(poke), vec![signal[0].clone()]);
    let bump = find("HandleUpdate:bump");
    assert_eq!(bump.trace_id, start.0);
    assert_eq!(link(bump), vec![update]);
    worker.stop().await;
}
