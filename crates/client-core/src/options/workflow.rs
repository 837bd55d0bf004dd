//! [`WorkflowOptions`]: everything a workflow start needs besides the workflow type.

use std::time::Duration;

use serde::Serialize;

use super::{IdConflictPolicy, IdReusePolicy, Memo, Priority, RetryPolicy};
use crate::search_attributes::{SearchAttributeKey, SearchAttributeType, SearchAttributes};

/// How to start a workflow: its id, task queue, arguments and policies.
///
/// `A` is the arguments, set with [`args`](Self::args); they stay opaque here and the
/// client converts them with its data converter. Fields are public to read (and to
/// change); the builder methods of the same names set them.
///
/// ```
/// # use std::time::Duration;
/// # use temporal_client_core::options::{IdConflictPolicy, WorkflowOptions};
/// # use temporal_client_core::search_attributes::{Keyword, SearchAttributeKey};
/// const STAGE: SearchAttributeKey<Keyword> = SearchAttributeKey::new("ConformanceStage");
/// let options = WorkflowOptions::new("order-42", "orders")
///     .args((42, "express"))
///     .execution_timeout(Duration::from_secs(3600))
///     .id_conflict_policy(IdConflictPolicy::UseExisting)
///     .memo("customer", "ada")
///     .search_attribute(&STAGE, "new");
/// assert_eq!(options.workflow_id(), "order-42");
/// assert_eq!(options.args, (42, "express"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WorkflowOptions<A = ()> {
    /// The workflow id; unique among running workflows of the namespace.
    pub workflow_id: String,
    /// The task queue the workflow's workers poll.
    pub task_queue: String,
    /// The workflow's arguments, converted by the client.
    pub args: A,
    /// The limit for the whole chain of runs (retries and continue-as-new included).
    pub execution_timeout: Option<Duration>,
    /// The limit for one run.
    pub run_timeout: Option<Duration>,
    /// The limit for one workflow task (the server's default is 10 s).
    pub task_timeout: Option<Duration>,
    /// Whether the id of a *closed* workflow may be reused.
    pub id_reuse_policy: IdReusePolicy,
    /// What to do if a workflow with the id is *running*; unset means the server's
    /// default (fail), or `UseExisting` for signal-with-start.
    pub id_conflict_policy: Option<IdConflictPolicy>,
    /// How the server retries failed runs; unset means no retries.
    pub retry_policy: Option<RetryPolicy>,
    /// Run on a cron schedule instead of once.
    pub cron_schedule: Option<String>,
    /// Unindexed notes; converted by the client's data converter.
    pub memo: Memo,
    /// Indexed, typed attributes for visibility queries.
    pub search_attributes: SearchAttributes,
    /// Wait this long before dispatching the first workflow task.
    pub start_delay: Option<Duration>,
    /// A one-line summary shown by UIs (fixed at start).
    pub static_summary: Option<String>,
    /// Longer details shown by UIs (fixed at start).
    pub static_details: Option<String>,
    /// Task queue priority and fairness.
    pub priority: Option<Priority>,
    /// Whether the result follows the chain of runs (continue-as-new, retries, cron);
    /// true by default.
    pub follow_runs: bool,
    /// The start's idempotency key; unset means a fresh UUID for each start.
    pub request_id: Option<String>,
}

impl WorkflowOptions<()> {
    /// Options for starting a workflow with this id on this task queue, with no
    /// arguments and every policy at its default.
    pub fn new(workflow_id: impl Into<String>, task_queue: impl Into<String>) -> Self {
        Self {
            workflow_id: workflow_id.into(),
            task_queue: task_queue.into(),
            args: (),
            execution_timeout: None,
            run_timeout: None,
            task_timeout: None,
            id_reuse_policy: IdReusePolicy::default(),
            id_conflict_policy: None,
            retry_policy: None,
            cron_schedule: None,
            memo: Memo::new(),
            search_attributes: SearchAttributes::new(),
            start_delay: None,
            static_summary: None,
            static_details: None,
            priority: None,
            follow_runs: true,
            request_id: None,
        }
    }
}

impl<A> WorkflowOptions<A> {
    /// The same options with these arguments.
    pub fn args<B>(self, args: B) -> WorkflowOptions<B> {
        self.replace_args(args).1
    }

    /// Takes the arguments out: the arguments, and the options without them (what the
    /// client's interceptors see).
    pub fn split_args(self) -> (A, WorkflowOptions) {
        self.replace_args(())
    }

    fn replace_args<B>(self, args: B) -> (A, WorkflowOptions<B>) {
        (
            self.args,
            WorkflowOptions {
                workflow_id: self.workflow_id,
                task_queue: self.task_queue,
                args,
                execution_timeout: self.execution_timeout,
                run_timeout: self.run_timeout,
                task_timeout: self.task_timeout,
                id_reuse_policy: self.id_reuse_policy,
                id_conflict_policy: self.id_conflict_policy,
                retry_policy: self.retry_policy,
                cron_schedule: self.cron_schedule,
                memo: self.memo,
                search_attributes: self.search_attributes,
                start_delay: self.start_delay,
                static_summary: self.static_summary,
                static_details: self.static_details,
                priority: self.priority,
                follow_runs: self.follow_runs,
                request_id: self.request_id,
            },
        )
    }

    /// The workflow id.
    pub fn workflow_id(&self) -> &str {
        &self.workflow_id
    }

    /// The task queue.
    pub fn task_queue(&self) -> &str {
        &self.task_queue
    }

    /// Sets the limit for the whole chain of runs.
    pub fn execution_timeout(mut self, timeout: Duration) -> Self {
        self.execution_timeout = Some(timeout);
        self
    }

    /// Sets the limit for one run.
    pub fn run_timeout(mut self, timeout: Duration) -> Self {
        self.run_timeout = Some(timeout);
        self
    }

    /// Sets the limit for one workflow task.
    pub fn task_timeout(mut self, timeout: Duration) -> Self {
        self.task_timeout = Some(timeout);
        self
    }

    /// Sets the id reuse policy (for a *closed* workflow with the same id).
    pub fn id_reuse_policy(mut self, policy: IdReusePolicy) -> Self {
        self.id_reuse_policy = policy;
        self
    }

    /// Sets the id conflict policy (for a *running* workflow with the same id).
    pub fn id_conflict_policy(mut self, policy: IdConflictPolicy) -> Self {
        self.id_conflict_policy = Some(policy);
        self
    }

    /// Sets the retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// Runs the workflow on a cron schedule, e.g. `"0 * * * *"` or `"@every 1h"`.
    pub fn cron_schedule(mut self, cron: impl Into<String>) -> Self {
        self.cron_schedule = Some(cron.into());
        self
    }

    /// Adds a memo field. A value that cannot be converted to JSON makes the start fail
    /// with [`InvalidRequest::InvalidMemo`](crate::InvalidRequest::InvalidMemo).
    pub fn memo(mut self, key: impl Into<String>, value: impl Serialize) -> Self {
        self.memo.insert(key, value);
        self
    }

    /// Replaces the whole memo.
    pub fn replace_memo(mut self, memo: Memo) -> Self {
        self.memo = memo;
        self
    }

    /// Sets one typed search attribute.
    pub fn search_attribute<T: SearchAttributeType>(
        mut self,
        key: &SearchAttributeKey<T>,
        value: impl Into<T::Value>,
    ) -> Self {
        self.search_attributes.insert(key, value);
        self
    }

    /// Replaces all search attributes.
    pub fn search_attributes(mut self, attributes: SearchAttributes) -> Self {
        self.search_attributes = attributes;
        self
    }

    /// Delays the first workflow task (not allowed with a cron schedule).
    pub fn start_delay(mut self, delay: Duration) -> Self {
        self.start_delay = Some(delay);
        self
    }

    /// Sets the summary shown by UIs.
    pub fn static_summary(mut self, summary: impl Into<String>) -> Self {
        self.static_summary = Some(summary.into());
        self
    }

    /// Sets the details shown by UIs.
    pub fn static_details(mut self, details: impl Into<String>) -> Self {
        self.static_details = Some(details.into());
        self
    }

    /// Sets the task queue priority.
    pub fn priority(mut self, priority: Priority) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Whether the result follows continue-as-new, retries and cron runs (default true).
    pub fn follow_runs(mut self, follow: bool) -> Self {
        self.follow_runs = follow;
        self
    }

    /// Sets the start's idempotency key (default: a fresh UUID per start).
    pub fn request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search_attributes::{Int, Keyword};

    #[test]
    fn new_has_defaults() {
        let options = WorkflowOptions::new("wid", "tq");
        assert_eq!(options.workflow_id(), "wid");
        assert_eq!(options.task_queue(), "tq");
        assert_eq!(options.id_reuse_policy, IdReusePolicy::AllowDuplicate);
        assert_eq!(options.id_conflict_policy, None);
        assert!(options.follow_runs);
        assert!(options.memo.is_empty());
        assert!(options.search_attributes.is_empty());
        assert_eq!(options.request_id, None);
        assert_eq!(options.execution_timeout, None);
    }

    #[test]
    fn setters_set_and_args_keep_everything() {
        const STAGE: SearchAttributeKey<Keyword> = SearchAttributeKey::new("Stage");
        const COUNT: SearchAttributeKey<Int> = SearchAttributeKey::new("Count");
        let options = WorkflowOptions::new("wid", "tq")
            .execution_timeout(Duration::from_secs(60))
            .run_timeout(Duration::from_secs(30))
            .task_timeout(Duration::from_secs(5))
            .id_reuse_policy(IdReusePolicy::RejectDuplicate)
            .id_conflict_policy(IdConflictPolicy::Fail)
            .retry_policy(RetryPolicy::new().maximum_attempts(3))
            .cron_schedule("@hourly")
            .memo("k", "v")
            .search_attribute(&STAGE, "s")
            .search_attribute(&COUNT, 7)
            .start_delay(Duration::from_secs(1))
            .static_summary("sum")
            .static_details("det")
            .priority(Priority::new().priority_key(1))
            .follow_runs(false)
            .request_id("rid")
            .args(vec![1, 2]);
        assert_eq!(options.args, vec![1, 2]);
        assert_eq!(options.execution_timeout, Some(Duration::from_secs(60)));
        assert_eq!(options.run_timeout, Some(Duration::from_secs(30)));
        assert_eq!(options.task_timeout, Some(Duration::from_secs(5)));
        assert_eq!(options.id_reuse_policy, IdReusePolicy::RejectDuplicate);
        assert_eq!(options.id_conflict_policy, Some(IdConflictPolicy::Fail));
        assert_eq!(
            options.retry_policy.as_ref().map(|p| p.maximum_attempts),
            Some(3)
        );
        assert_eq!(options.cron_schedule.as_deref(), Some("@hourly"));
        assert_eq!(options.memo.get("k"), Some(&serde_json::json!("v")));
        assert_eq!(
            options.search_attributes.get(&STAGE).and_then(Result::ok),
            Some("s".to_owned())
        );
        assert_eq!(
            options.search_attributes.get(&COUNT).and_then(Result::ok),
            Some(7)
        );
        assert_eq!(options.start_delay, Some(Duration::from_secs(1)));
        assert_eq!(options.static_summary.as_deref(), Some("sum"));
        assert_eq!(options.static_details.as_deref(), Some("det"));
        assert_eq!(options.priority.and_then(|p| p.priority_key), Some(1));
        assert!(!options.follow_runs);
        assert_eq!(options.request_id.as_deref(), Some("rid"));
    }

    #[test]
    fn replace_memo_and_search_attributes() {
        let options = WorkflowOptions::new("w", "t")
            .memo("a", 1)
            .replace_memo(Memo::new().with("b", 2))
            .search_attributes(SearchAttributes::new());
        assert_eq!(options.memo.get("a"), None);
        assert_eq!(options.memo.get("b"), Some(&serde_json::json!(2)));
    }
}
