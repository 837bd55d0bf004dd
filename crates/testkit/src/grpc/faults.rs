//! Fault injection for the gRPC [`TestServer`](super::TestServer): failures, latency,
//! dropped connections, and a count of the calls each RPC received.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use temporal_client_core::{Code, ServiceError};
use tokio::task::JoinSet;

/// Matches every RPC in [`Faults::latency`], [`Faults::fail_next`] and
/// [`Faults::fail_next_error`].
pub const ANY_RPC: &str = "*";

/// The fault-injection controls of one [`TestServer`](super::TestServer).
///
/// Cloning is cheap; every clone controls the same server. Rules apply to the RPC named
/// by its wire name (`"StartWorkflowExecution"`), or to all RPCs with [`ANY_RPC`].
/// When no rule is set, a call pays one atomic load.
#[derive(Clone, Default)]
pub struct Faults {
    inner: Arc<FaultState>,
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rules = lock(&self.inner.rules);
        f.debug_struct("Faults")
            .field("pending_failures", &rules.failures.len())
            .field("latencies", &rules.latency.len())
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct FaultState {
    /// True when any failure or latency rule is set.
    active: AtomicBool,
    /// True when a lost-response rule is set.
    losing: AtomicBool,
    rules: Mutex<Rules>,
    calls: Mutex<HashMap<&'static str, u64>>,
    connections: Mutex<JoinSet<()>>,
    /// True when a stream-reset or garbled-response rule is set.
    replacing_bodies: AtomicBool,
    /// Wakes every connection to send a graceful GOAWAY.
    goaway: tokio::sync::Notify,
}

#[derive(Default)]
struct Rules {
    /// Pending failures, consumed in order; each entry fails `remaining` more calls.
    failures: Vec<FailRule>,
    latency: HashMap<String, Duration>,
    /// Calls whose response is lost after the service applied them.
    lost_responses: Vec<FailRule>,
    /// Calls whose response body is replaced after the service applied them.
    bodies: Vec<BodyRule>,
}

struct BodyRule {
    rpc: String,
    remaining: u32,
    fault: BodyFault,
}

/// What replaces the response body of a call the service answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyFault {
    /// The stream is reset (`RST_STREAM`) with this reason.
    Reset(h2::Reason),
    /// A message that is no protobuf message at all, then an OK status.
    Garbled,
}

struct FailRule {
    rpc: String,
    remaining: u32,
    error: ServiceError,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks cannot leave the data half-updated in a
    // way that matters to a test server, so a poisoned lock is used as is.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn matches(rule_rpc: &str, rpc: &str) -> bool {
    rule_rpc == ANY_RPC || rule_rpc == rpc
}

impl Faults {
    /// Makes the next `n` calls of `rpc` (or of any RPC, with [`ANY_RPC`]) fail with
    /// `code` and `message`, without reaching the service.
    pub fn fail_next(&self, rpc: &str, n: u32, code: Code, message: impl Into<String>) {
        self.fail_next_error(rpc, n, ServiceError::new("TestServer", code, message));
    }

    /// Makes the next `n` calls of `rpc` fail with `error`, typed details included.
    pub fn fail_next_error(&self, rpc: &str, n: u32, error: ServiceError) {
        if n == 0 {
            return;
        }
        let mut rules = lock(&self.inner.rules);
        rules.failures.push(FailRule {
            rpc: rpc.to_owned(),
            remaining: n,
            error,
        });
        self.inner.active.store(true, Ordering::Release);
    }

    /// Delays every call of `rpc` (or every call, with [`ANY_RPC`]) by `delay` before it
    /// reaches the service. A zero delay removes the rule.
    pub fn latency(&self, rpc: &str, delay: Duration) {
        let mut rules = lock(&self.inner.rules);
        if delay.is_zero() {
            rules.latency.remove(rpc);
        } else {
            rules.latency.insert(rpc.to_owned(), delay);
        }
        self.inner
            .active
            .store(rules.is_active(), Ordering::Release);
    }

    /// Removes every failure, latency, lost-response and stream-reset rule.
    pub fn clear(&self) {
        let mut rules = lock(&self.inner.rules);
        rules.failures.clear();
        rules.latency.clear();
        rules.lost_responses.clear();
        rules.bodies.clear();
        self.inner.active.store(false, Ordering::Release);
        self.inner.losing.store(false, Ordering::Release);
        self.inner.replacing_bodies.store(false, Ordering::Release);
    }

    /// Closes every open client connection at once, in the middle of any call in flight
    /// (long polls included). The calls in flight are cancelled on the server side too.
    /// The server keeps accepting new connections.
    pub fn drop_connections(&self) {
        lock(&self.inner.connections).abort_all();
    }

    /// Sends a graceful GOAWAY (`NO_ERROR`) on every open connection, as a server
    /// that shuts down or rebalances does: calls already in flight (long polls
    /// included) finish on their connection, new streams are refused, and the
    /// connection closes once idle. The server keeps accepting new connections.
    pub fn goaway_connections(&self) {
        self.inner.goaway.notify_waiters();
    }

    /// Lets the next `n` calls of `rpc` (or of any RPC, with [`ANY_RPC`]) reach the
    /// service and take effect, then resets their HTTP/2 stream (`RST_STREAM` with
    /// `reason`, e.g. `h2::Reason::INTERNAL_ERROR`) instead of sending the response,
    /// as a proxy or a crashing frontend does mid-call.
    pub fn reset_stream_next(&self, rpc: &str, n: u32, reason: h2::Reason) {
        self.replace_body_next(rpc, n, BodyFault::Reset(reason));
    }

    /// Lets the next `n` calls of `rpc` (or of any RPC, with [`ANY_RPC`]) reach the
    /// service and take effect, then answers with a gRPC message that does not decode
    /// (a length-delimited field longer than the message) and an `OK` status, as a
    /// proxy that mangles bodies or a server of another API would. The gRPC clients
    /// report it as `INTERNAL`.
    pub fn garble_response_next(&self, rpc: &str, n: u32) {
        self.replace_body_next(rpc, n, BodyFault::Garbled);
    }

    fn replace_body_next(&self, rpc: &str, n: u32, fault: BodyFault) {
        if n == 0 {
            return;
        }
        let mut rules = lock(&self.inner.rules);
        rules.bodies.push(BodyRule {
            rpc: rpc.to_owned(),
            remaining: n,
            fault,
        });
        self.inner.replacing_bodies.store(true, Ordering::Release);
    }

    /// The body rule for a call of `rpc`, if one matches (one use taken).
    pub(crate) fn take_body_fault(&self, rpc: &str) -> Option<BodyFault> {
        if !self.inner.replacing_bodies.load(Ordering::Acquire) {
            return None;
        }
        let mut rules = lock(&self.inner.rules);
        let index = rules.bodies.iter().position(|r| matches(&r.rpc, rpc))?;
        let rule = &mut rules.bodies[index];
        rule.remaining = rule.remaining.saturating_sub(1);
        let fault = rule.fault;
        if rule.remaining == 0 {
            rules.bodies.remove(index);
        }
        self.inner
            .replacing_bodies
            .store(!rules.bodies.is_empty(), Ordering::Release);
        Some(fault)
    }

    /// Resolves at the next [`goaway_connections`](Self::goaway_connections).
    pub(crate) async fn goaway_requested(&self) {
        self.inner.goaway.notified().await;
    }

    /// How many calls of `rpc` the server received (failed and delayed ones included).
    pub fn calls(&self, rpc: &str) -> u64 {
        lock(&self.inner.calls).get(rpc).copied().unwrap_or(0)
    }

    /// Lets the next `n` calls of `rpc` (or of any RPC, with [`ANY_RPC`]) reach the
    /// service and take effect, then replaces each response with `code` and `message`:
    /// a response lost on the way back, which a client may retry although the first
    /// attempt already worked.
    pub fn lose_response_next(&self, rpc: &str, n: u32, code: Code, message: impl Into<String>) {
        if n == 0 {
            return;
        }
        let mut rules = lock(&self.inner.rules);
        rules.lost_responses.push(FailRule {
            rpc: rpc.to_owned(),
            remaining: n,
            error: ServiceError::new("", code, message),
        });
        self.inner.losing.store(true, Ordering::Release);
    }

    /// After the service answered `rpc`: the lost-response rule, if one matches.
    pub(crate) fn after_call(&self, rpc: &'static str) -> Result<(), ServiceError> {
        if !self.inner.losing.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut rules = lock(&self.inner.rules);
        let lost = take_rule(&mut rules.lost_responses, rpc);
        self.inner
            .losing
            .store(!rules.lost_responses.is_empty(), Ordering::Release);
        match lost {
            Some(error) => Err(error.with_rpc(rpc)),
            None => Ok(()),
        }
    }

    /// Counts the call, then applies the latency and failure rules for `rpc`.
    pub(crate) async fn before_call(&self, rpc: &'static str) -> Result<(), ServiceError> {
        *lock(&self.inner.calls).entry(rpc).or_insert(0) += 1;
        if !self.inner.active.load(Ordering::Acquire) {
            return Ok(());
        }
        let (delay, failure) = {
            let mut rules = lock(&self.inner.rules);
            let delay = rules
                .latency
                .get(rpc)
                .or_else(|| rules.latency.get(ANY_RPC))
                .copied();
            let failure = rules.take_failure(rpc);
            self.inner
                .active
                .store(rules.is_active(), Ordering::Release);
            (delay, failure)
        };
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        match failure {
            Some(error) => Err(error.with_rpc(rpc)),
            None => Ok(()),
        }
    }

    /// Runs `connection` as a task that [`drop_connections`](Self::drop_connections)
    /// aborts.
    pub(crate) fn track_connection<F>(&self, connection: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let mut set = lock(&self.inner.connections);
        // Reap connections that ended so the set does not grow without bound.
        while set.try_join_next().is_some() {}
        set.spawn(connection);
    }

    /// Aborts every connection; used when the server stops.
    pub(crate) fn shutdown_connections(&self) {
        self.drop_connections();
    }
}

impl Rules {
    fn is_active(&self) -> bool {
        !self.failures.is_empty() || !self.latency.is_empty()
    }

    fn take_failure(&mut self, rpc: &str) -> Option<ServiceError> {
        take_rule(&mut self.failures, rpc)
    }
}

/// Takes one use of the first rule of `rules` that matches `rpc`.
fn take_rule(rules: &mut Vec<FailRule>, rpc: &str) -> Option<ServiceError> {
    let index = rules.iter().position(|r| matches(&r.rpc, rpc))?;
    let rule = &mut rules[index];
    rule.remaining -= 1;
    if rule.remaining == 0 {
        Some(rules.remove(index).error)
    } else {
        Some(rule.error.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn fail_next_fails_exactly_n_calls_of_that_rpc() {
        let faults = Faults::default();
        faults.fail_next("GetSystemInfo", 2, Code::Unavailable, "down");
        assert!(faults.before_call("DescribeNamespace").await.is_ok());
        for _ in 0..2 {
            let err = faults.before_call("GetSystemInfo").await.err();
            let err = err.map(|e| (e.code(), e.rpc(), e.message().to_owned()));
            assert_eq!(
                err,
                Some((Code::Unavailable, "GetSystemInfo", "down".to_owned()))
            );
        }
        assert!(faults.before_call("GetSystemInfo").await.is_ok());
        assert!(!faults.inner.active.load(Ordering::Acquire));
        assert_eq!(faults.calls("GetSystemInfo"), 3);
        assert_eq!(faults.calls("DescribeNamespace"), 1);
        assert_eq!(faults.calls("ListWorkflowExecutions"), 0);
    }

    #[tokio::test]
    async fn any_rpc_matches_every_rpc_and_clear_removes_rules() {
        let faults = Faults::default();
        faults.fail_next(ANY_RPC, 1, Code::Internal, "boom");
        assert!(faults.before_call("CountWorkers").await.is_err());
        assert!(faults.before_call("CountWorkers").await.is_ok());
        faults.fail_next(ANY_RPC, 5, Code::Internal, "boom");
        faults.latency(ANY_RPC, Duration::from_secs(60));
        faults.clear();
        assert!(faults.before_call("CountWorkers").await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn latency_delays_the_call() {
        let faults = Faults::default();
        faults.latency("GetSystemInfo", Duration::from_millis(300));
        let start = tokio::time::Instant::now();
        assert!(faults.before_call("GetSystemInfo").await.is_ok());
        assert!(start.elapsed() >= Duration::from_millis(300));
        let start = tokio::time::Instant::now();
        assert!(faults.before_call("DescribeNamespace").await.is_ok());
        assert!(start.elapsed() < Duration::from_millis(300));
        faults.latency("GetSystemInfo", Duration::ZERO);
        assert!(!faults.inner.active.load(Ordering::Acquire));
    }
}
