//! Request metrics (feature `metrics`) through a real `Connection` against the
//! testkit's fake over gRPC with injected faults: `temporal_request`,
//! `temporal_request_failure` and `temporal_request_latency` per attempt after a
//! retried call and a failed one, and the `temporal_long_request*` ones for long polls.
//! Its own test binary: the recorder is process-wide.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use metrics::{
    Counter, CounterFn, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};

use temporal_client::{
    Client, Code, Connection, ConnectionOptions, RpcRetryConfig, WorkflowDefinition,
    WorkflowOptions,
};
use temporal_testkit::grpc::TestServer;
use temporal_testkit::{FakeServer, conformance_workflows};

const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");

async fn serve() -> (TestServer, Client) {
    let fake = FakeServer::new();
    conformance_workflows::register_all(&fake);
    let server = TestServer::start(Arc::new(fake)).await.unwrap();
    let retry = RpcRetryConfig {
        initial_interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(20),
        ..RpcRetryConfig::default()
    };
    let connection =
        Connection::connect(ConnectionOptions::new(server.url().unwrap()).retry(retry))
            .await
            .unwrap();
    (server, Client::new(connection))
}

/// `name{label=value,...}` with labels sorted.
fn render(key: &Key) -> String {
    let mut labels: Vec<_> = key
        .labels()
        .map(|l| format!("{}={}", l.key(), l.value()))
        .collect();
    labels.sort();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

#[derive(Default)]
struct Memory {
    counters: Mutex<BTreeMap<String, Arc<Count>>>,
    histograms: Mutex<BTreeMap<String, Arc<Samples>>>,
}

#[derive(Default)]
struct Count(AtomicU64);
impl CounterFn for Count {
    fn increment(&self, value: u64) {
        self.0.fetch_add(value, Ordering::Relaxed);
    }
    fn absolute(&self, value: u64) {
        self.0.fetch_max(value, Ordering::Relaxed);
    }
}

#[derive(Default)]
struct Samples(Mutex<Vec<f64>>);
impl HistogramFn for Samples {
    fn record(&self, value: f64) {
        self.0.lock().unwrap().push(value);
    }
}

impl Recorder for &'static Memory {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let mut counters = self.counters.lock().unwrap();
        Counter::from_arc(counters.entry(render(key)).or_default().clone())
    }
    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        let mut histograms = self.histograms.lock().unwrap();
        Histogram::from_arc(histograms.entry(render(key)).or_default().clone())
    }
}

impl Memory {
    fn count(&self, key: &str) -> u64 {
        let counters = self.counters.lock().unwrap();
        counters.get(key).map_or(0, |c| c.0.load(Ordering::Relaxed))
    }
    fn samples(&self, key: &str) -> Vec<f64> {
        let histograms = self.histograms.lock().unwrap();
        histograms
            .get(key)
            .map(|h| h.0.lock().unwrap().clone())
            .unwrap_or_default()
    }
    fn names(&self) -> Vec<String> {
        let mut names: Vec<_> = self.counters.lock().unwrap().keys().cloned().collect();
        names.extend(self.histograms.lock().unwrap().keys().cloned());
        names
    }
}

fn memory() -> &'static Memory {
    static MEMORY: OnceLock<&'static Memory> = OnceLock::new();
    MEMORY.get_or_init(|| {
        let memory: &'static Memory = Box::leak(Box::default());
        metrics::set_global_recorder(memory).unwrap();
        memory
    })
}

#[tokio::test]
async fn requests_failures_and_latency_are_counted_per_attempt() {
    let memory = memory();
    let (server, client) = serve().await;
    server
        .faults()
        .fail_next("StartWorkflowExecution", 2, Code::Unavailable, "try again");
    let handle = client
        .start(COUNTER, WorkflowOptions::new("metered", "q").args((1,)))
        .await
        .unwrap();
    // A call that fails for good: a signal to a workflow that does not exist.
    let missing = client.get_handle::<i64>("metered-missing");
    missing.signal("increment").arg(1_i64).await.unwrap_err();
    handle.signal("finish").await.unwrap();
    assert_eq!(handle.result().await.unwrap(), 1);

    let start = "namespace=default,operation=StartWorkflowExecution";
    assert_eq!(memory.count(&format!("temporal_request{{{start}}}")), 3);
    assert_eq!(
        memory.count(&format!(
            "temporal_request_failure{{{start},status_code=UNAVAILABLE}}"
        )),
        2,
        "{:?}",
        memory.names()
    );
    let latencies = memory.samples(&format!("temporal_request_latency{{{start}}}"));
    assert_eq!(latencies.len(), 3);
    assert!(
        latencies.iter().all(|ms| *ms >= 0.0 && *ms < 10_000.0),
        "{latencies:?}"
    );

    let signal = "namespace=default,operation=SignalWorkflowExecution";
    assert_eq!(memory.count(&format!("temporal_request{{{signal}}}")), 2);
    assert_eq!(
        memory.count(&format!(
            "temporal_request_failure{{{signal},status_code=NOT_FOUND}}"
        )),
        1
    );
    // result() long-polls the history: counted as long requests.
    let history = "namespace=default,operation=GetWorkflowExecutionHistory";
    assert!(memory.count(&format!("temporal_long_request{{{history}}}")) >= 1);
    assert_eq!(memory.count(&format!("temporal_request{{{history}}}")), 0);
}

/// A response that does not decode is the `INTERNAL` failure the caller gets, in the
/// metrics as well; it is not retried. (An RPC the other test does not make: the
/// recorder is shared.)
#[tokio::test]
async fn an_attempt_whose_response_does_not_decode_counts_as_internal() {
    let memory = memory();
    let (server, client) = serve().await;
    server
        .faults()
        .garble_response_next("CountWorkflowExecutions", 1);
    let err = client.count("").await.unwrap_err();
    assert_eq!(
        err.service_error().map(|e| e.code()),
        Some(Code::Internal),
        "{err}"
    );
    client.count("").await.unwrap();

    let count = "namespace=default,operation=CountWorkflowExecutions";
    assert_eq!(memory.count(&format!("temporal_request{{{count}}}")), 2);
    assert_eq!(
        memory.count(&format!(
            "temporal_request_failure{{{count},status_code=INTERNAL}}"
        )),
        1,
        "{:?}",
        memory.names()
    );
    assert_eq!(server.faults().calls("CountWorkflowExecutions"), 2);
}
