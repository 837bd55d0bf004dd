//! Typed definitions of the conformance workflows (crates/testkit/worker/WORKFLOWS.md).

use serde_json::Value;
use temporal_client::{
    Int, Keyword, QueryDefinition, SearchAttributeKey, SignalDefinition, UpdateDefinition,
    WorkflowDefinition,
};

/// The mixed argument types of `echo`: string, int, float, bool, null and an object.
pub(crate) type EchoArgs = (String, i64, f64, bool, Option<String>, Value);
pub(crate) const ECHO: WorkflowDefinition<EchoArgs, Vec<Value>> = WorkflowDefinition::new("echo");
pub(crate) const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");
pub(crate) const WAIT_CANCEL: WorkflowDefinition<(), ()> = WorkflowDefinition::new("wait_cancel");
pub(crate) const FAIL: WorkflowDefinition<(String,), ()> = WorkflowDefinition::new("fail");
pub(crate) const RETRY_THEN_SUCCEED: WorkflowDefinition<(), String> =
    WorkflowDefinition::new("retry_then_succeed");
pub(crate) const CONTINUE_AS_NEW: WorkflowDefinition<(i64,), String> =
    WorkflowDefinition::new("continue_as_new");
pub(crate) const CRON: WorkflowDefinition<(), String> = WorkflowDefinition::new("cron");
pub(crate) const SLEEP: WorkflowDefinition<(u64,), String> = WorkflowDefinition::new("sleep");
pub(crate) const SEARCH_ATTRS: WorkflowDefinition<(), String> =
    WorkflowDefinition::new("search_attrs");
pub(crate) const LONG_UPDATE: WorkflowDefinition<(), String> =
    WorkflowDefinition::new("long_update");

pub(crate) const INCREMENT: SignalDefinition<(i64,)> = SignalDefinition::new("increment");
pub(crate) const FINISH: SignalDefinition<()> = SignalDefinition::new("finish");
pub(crate) const GET_VALUE: QueryDefinition<i64> = QueryDefinition::new("get_value");
pub(crate) const FAIL_QUERY: QueryDefinition<i64> = QueryDefinition::new("fail_query");
pub(crate) const CLEANED_UP: QueryDefinition<bool> = QueryDefinition::new("cleaned_up");
pub(crate) const ADD: UpdateDefinition<i64, (i64,)> = UpdateDefinition::new("add");
pub(crate) const SLOW: UpdateDefinition<String, (u64,)> = UpdateDefinition::new("slow");

pub(crate) const STAGE: SearchAttributeKey<Keyword> = SearchAttributeKey::new("ConformanceStage");
pub(crate) const COUNT: SearchAttributeKey<Int> = SearchAttributeKey::new("ConformanceCount");
