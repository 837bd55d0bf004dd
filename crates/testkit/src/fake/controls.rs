//! The test controls of a [`FakeServer`]: the virtual clock (`advance`, `advance_to`,
//! `next_timer`, `now`), finishing runs by hand (`complete`, `fail`, `cancel_finish`,
//! `time_out`, `finish`) and reading a run's history.

// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use std::time::{Duration, SystemTime};

use serde::Serialize;
use temporal_client_core::ServiceError;
use temporal_proto::temporal::api::history::v1::HistoryEvent;

use crate::fake::engine::{Close, WftSource};
use crate::fake::server::FakeServer;
use crate::fake::store::Run;
use crate::fake::workflows::{WorkflowFailure, WorkflowResult};

/// Picks the namespace `default`.
const DEFAULT_NAMESPACE: &str = "default";

impl FakeServer {
    /// The current virtual time.
    pub fn now(&self) -> SystemTime {
        self.inner.lock().now
    }

    /// Moves the virtual clock forward by `by`, firing in order everything that falls
    /// due on the way: workflow timers, delayed first workflow tasks (start delay, cron,
    /// retry backoff), run and execution timeouts.
    pub fn advance(&self, by: Duration) {
        let target = self.now() + by;
        self.advance_to(target);
    }

    /// Moves the virtual clock to `target` (no-op if it is in the past), firing what
    /// falls due on the way.
    pub fn advance_to(&self, target: SystemTime) {
        self.inner.settle();
        loop {
            let fired = {
                let mut st = self.inner.lock();
                match st.timers.pop_due(target) {
                    Some((at, kind)) => {
                        if at > st.now {
                            st.now = at;
                        }
                        st.fire(kind);
                        true
                    }
                    None => {
                        if target > st.now {
                            st.now = target;
                        }
                        false
                    }
                }
            };
            self.inner.settle();
            if !fired {
                break;
            }
        }
    }

    /// The virtual time of the next thing due (timer, backoff, timeout), if any.
    pub fn next_timer(&self) -> Option<SystemTime> {
        self.inner.lock().timers.next_due()
    }

    /// Completes the current run of `workflow_id` in namespace `default` with `result`,
    /// as if its worker had returned it.
    pub fn complete<T: Serialize>(&self, workflow_id: &str, result: T) -> Result<(), ServiceError> {
        self.finish(
            DEFAULT_NAMESPACE,
            workflow_id,
            WorkflowResult::completed(result),
        )
    }

    /// Fails the current run of `workflow_id` in namespace `default` (the retry policy
    /// and cron schedule apply).
    pub fn fail(&self, workflow_id: &str, failure: WorkflowFailure) -> Result<(), ServiceError> {
        self.finish(
            DEFAULT_NAMESPACE,
            workflow_id,
            WorkflowResult::Failed(failure),
        )
    }

    /// Ends the current run of `workflow_id` in namespace `default` as canceled.
    pub fn cancel_finish(&self, workflow_id: &str) -> Result<(), ServiceError> {
        self.finish(DEFAULT_NAMESPACE, workflow_id, WorkflowResult::canceled())
    }

    /// Times out the current run of `workflow_id` in namespace `default` now (the retry
    /// policy applies), as if its run timeout had passed.
    pub fn time_out(&self, workflow_id: &str) -> Result<(), ServiceError> {
        self.time_out_in(DEFAULT_NAMESPACE, workflow_id)
    }

    /// Ends the current run of `workflow_id` in `namespace` with `result`, as if its
    /// worker had returned it (a workflow task completes first).
    pub fn finish(
        &self,
        namespace: &str,
        workflow_id: &str,
        result: WorkflowResult,
    ) -> Result<(), ServiceError> {
        let result = self.inner.lock().codec.encode_result(result);
        self.close_by_hand(
            namespace,
            workflow_id,
            Close::from(result),
            WftSource::Complete,
        )
    }

    /// Times out the current run of `workflow_id` in `namespace` now.
    pub fn time_out_in(&self, namespace: &str, workflow_id: &str) -> Result<(), ServiceError> {
        self.close_by_hand(namespace, workflow_id, Close::TimedOut, WftSource::None)
    }

    fn close_by_hand(
        &self,
        ns: &str,
        workflow_id: &str,
        close: Close,
        wft: WftSource,
    ) -> Result<(), ServiceError> {
        const RPC: &str = "FakeServer";
        {
            let mut st = self.inner.lock();
            let run_id = st.namespace(RPC, ns)?.resolve_id(RPC, workflow_id, "")?;
            if !st.run(ns, &run_id).is_some_and(Run::is_open) {
                return Err(crate::fake::store::already_completed(RPC));
            }
            st.close_run(ns, &run_id, close, wft);
        }
        self.inner.settle();
        Ok(())
    }

    /// The history of a run (`run_id` empty: the current run), for assertions.
    pub fn history(
        &self,
        namespace: &str,
        workflow_id: &str,
        run_id: &str,
    ) -> Result<Vec<HistoryEvent>, ServiceError> {
        const RPC: &str = "FakeServer";
        let st = self.inner.lock();
        let run = st
            .namespace(RPC, namespace)?
            .resolve(RPC, workflow_id, run_id)?;
        Ok(run.history.events.clone())
    }
}
