//! [`FakeServer`]: the public handle of the in-memory Temporal server, how to make one
//! and how fake workflows are registered. The builder is in `builder.rs`, the test
//! controls (clock, finishing runs by hand, history) in `controls.rs`, the RPCs in
//! `rpc/` and the state machine in `engine/`.

use std::future::Future;
use std::sync::Arc;

use crate::fake::builder::FakeServerBuilder;
use crate::fake::engine::Inner;
use crate::fake::workflows::{IntoWorkflowResult, WorkflowContext, WorkflowFactory, factory};

/// An in-memory Temporal server with real semantics, for tests.
///
/// It implements [`WorkflowService`](temporal_client_core::WorkflowService), so a client
/// built on that trait talks to it as to a real server. Time is virtual: it only moves
/// when the test calls [`advance`](Self::advance). Workflows are fake workflows registered
/// with [`register_workflow`](Self::register_workflow); an execution of a type nobody
/// registered stays Running, as on a real server without a worker.
///
/// Cloning gives another handle to the same server.
#[derive(Clone)]
pub struct FakeServer {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeServer")
            .field("now", &self.now())
            .finish_non_exhaustive()
    }
}

impl Default for FakeServer {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeServer {
    /// A server with namespace `default`, seed 0 and the clock at 2024-01-01T00:00:00Z.
    pub fn new() -> Self {
        FakeServerBuilder::default().build()
    }

    /// Configures a server.
    pub fn builder() -> FakeServerBuilder {
        FakeServerBuilder::default()
    }

    /// Registers a fake workflow for `workflow_type` on every task queue, as a worker
    /// polling all of them would. Executions of that type waiting for a worker (started
    /// before, on a queue nothing served) are picked up now, as when a worker starts
    /// polling. See [`register_workflow_on`](Self::register_workflow_on) to serve one
    /// queue only, as a real worker does.
    ///
    /// ```
    /// # use temporal_testkit::{FakeServer, WorkflowContext, WorkflowResult};
    /// let fake = FakeServer::new();
    /// fake.register_workflow("hello", |ctx: WorkflowContext| async move {
    ///     let (name,): (String,) = ctx.args()?;
    ///     Ok(WorkflowResult::completed(format!("Hello, {name}!")))
    /// });
    /// ```
    pub fn register_workflow<F, Fut>(&self, workflow_type: impl Into<String>, workflow: F)
    where
        F: Fn(WorkflowContext) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoWorkflowResult,
    {
        self.register(None, workflow_type.into(), factory(workflow));
    }

    /// Registers a fake workflow for `workflow_type` on `task_queue` only, as a worker
    /// polling that queue. An execution on a queue with nothing registered for its type
    /// stays Running with its first workflow task scheduled, as on a server with no
    /// worker, until something registers for it.
    ///
    /// ```
    /// # use temporal_testkit::{FakeServer, WorkflowContext, WorkflowResult};
    /// let fake = FakeServer::new();
    /// fake.register_workflow_on("greetings", "hello", |_ctx: WorkflowContext| async move {
    ///     WorkflowResult::completed("Hello!")
    /// });
    /// ```
    pub fn register_workflow_on<F, Fut>(
        &self,
        task_queue: impl Into<String>,
        workflow_type: impl Into<String>,
        workflow: F,
    ) where
        F: Fn(WorkflowContext) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoWorkflowResult,
    {
        self.register(
            Some(task_queue.into()),
            workflow_type.into(),
            factory(workflow),
        );
    }

    fn register(&self, task_queue: Option<String>, workflow_type: String, f: WorkflowFactory) {
        {
            let mut st = self.inner.lock();
            st.registry
                .insert((task_queue.clone(), workflow_type.clone()), f);
            // Runs waiting for a worker of this type on a matching queue are picked up.
            let mut waiting = Vec::new();
            for (ns, namespace) in &mut st.namespaces {
                for run in namespace.runs.values_mut() {
                    let serves = task_queue.as_ref().is_none_or(|q| *q == run.task_queue);
                    if run.is_open()
                        && !run.has_worker
                        && serves
                        && run.workflow_type == workflow_type
                    {
                        run.has_worker = true;
                        waiting.push((ns.clone(), run.run_id.clone()));
                    }
                }
            }
            for (ns, run_id) in waiting {
                st.schedule_wft(&ns, &run_id);
            }
        }
        self.inner.settle();
    }
}
