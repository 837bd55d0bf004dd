//! ListWorkflowExecutions and CountWorkflowExecutions: runs seen as visibility records and
//! filtered with the [`visibility`](crate::fake::visibility) query evaluator.
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

use temporal_client_core::{Code, ServiceError};
use temporal_proto::temporal::api::enums::v1::{
    IndexedValueType, WorkflowExecutionStatus as Status,
};
use temporal_proto::temporal::api::workflowservice::v1 as wf;
use wf::count_workflow_executions_response::AggregationGroup;

use crate::fake::payload;
use crate::fake::rpc::describe::execution_info;
use crate::fake::rpc::invalid;
use crate::fake::server::FakeServer;
use crate::fake::store::Run;
use crate::fake::visibility::{FieldValue, Query, ValueType, VisibilityRecord};

const LIST: &str = "ListWorkflowExecutions";
const COUNT: &str = "CountWorkflowExecutions";
/// Page size when the request sets none (the server's default).
const DEFAULT_PAGE_SIZE: usize = 1000;

/// The status name visibility queries use (`Running`, `ContinuedAsNew`, ...).
fn status_name(status: Status) -> &'static str {
    match status {
        Status::Running => "Running",
        Status::Completed => "Completed",
        Status::Failed => "Failed",
        Status::Canceled => "Canceled",
        Status::Terminated => "Terminated",
        Status::ContinuedAsNew => "ContinuedAsNew",
        Status::TimedOut => "TimedOut",
        Status::Paused => "Paused",
        Status::Unspecified => "Unspecified",
    }
}

pub(crate) fn value_type(kind: IndexedValueType) -> Option<ValueType> {
    Some(match kind {
        IndexedValueType::Text => ValueType::Text,
        IndexedValueType::Keyword => ValueType::Keyword,
        IndexedValueType::Int => ValueType::Int,
        IndexedValueType::Double => ValueType::Double,
        IndexedValueType::Bool => ValueType::Bool,
        IndexedValueType::Datetime => ValueType::Datetime,
        IndexedValueType::KeywordList => ValueType::KeywordList,
        IndexedValueType::Unspecified => return None,
    })
}

/// A run plus the namespace's search attribute types.
struct Record<'a> {
    run: &'a Run,
    types: &'a std::collections::BTreeMap<String, IndexedValueType>,
}

impl VisibilityRecord for Record<'_> {
    fn field(&self, name: &str) -> Option<FieldValue> {
        let run = self.run;
        let s = |v: &str| Some(FieldValue::String(v.to_owned()));
        match name {
            "WorkflowId" => s(&run.workflow_id),
            "RunId" => s(&run.run_id),
            "WorkflowType" => s(&run.workflow_type),
            "TaskQueue" => s(&run.task_queue),
            "ExecutionStatus" => s(status_name(run.status)),
            "StartTime" => Some(FieldValue::Time(run.start_time)),
            "ExecutionTime" => Some(FieldValue::Time(run.execution_time)),
            "CloseTime" => run.close_time.map(FieldValue::Time),
            "HistoryLength" => Some(FieldValue::Int(run.history.len())),
            "HistorySizeBytes" => Some(FieldValue::Int(run.history.size_bytes)),
            "StateTransitionCount" => Some(FieldValue::Int(run.history.len())),
            "ExecutionDuration" => run
                .close_time
                .and_then(|c| c.duration_since(run.execution_time).ok())
                .map(|d| FieldValue::Int(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))),
            "RootWorkflowId" => s(&run.workflow_id),
            "RootRunId" => s(&run.run_id),
            _ => custom_field(run.search_attributes.get(name)?, self.types, name),
        }
    }
}

/// The value of the custom search attribute `name` from its payload, read as the
/// namespace registered its type; `None` when it does not read as that type.
pub(crate) fn custom_field(
    payload: &temporal_proto::temporal::api::common::v1::Payload,
    types: &std::collections::BTreeMap<String, IndexedValueType>,
    name: &str,
) -> Option<FieldValue> {
    let json = payload::decode::<serde_json::Value>(payload).ok()?;
    let kind = types
        .get(name)
        .copied()
        .unwrap_or(IndexedValueType::Unspecified);
    match kind {
        IndexedValueType::Int => json.as_i64().map(FieldValue::Int),
        IndexedValueType::Double => json.as_f64().map(FieldValue::Double),
        IndexedValueType::Bool => json.as_bool().map(FieldValue::Bool),
        IndexedValueType::Datetime => json
            .as_str()
            .and_then(temporal_client_core::rfc3339::parse)
            .map(FieldValue::Time),
        IndexedValueType::KeywordList => match json {
            serde_json::Value::Array(items) => Some(FieldValue::KeywordList(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            )),
            serde_json::Value::String(one) => Some(FieldValue::KeywordList(vec![one])),
            _ => None,
        },
        IndexedValueType::Text => json.as_str().map(|v| FieldValue::Text(v.to_owned())),
        _ => json.as_str().map(|v| FieldValue::String(v.to_owned())),
    }
}

impl FakeServer {
    fn parse_query(
        &self,
        rpc: &'static str,
        text: &str,
        types: &std::collections::BTreeMap<String, IndexedValueType>,
    ) -> Result<Query, ServiceError> {
        let query = Query::parse(text).map_err(|e| invalid(rpc, e.to_string()))?;
        query
            .validate(|name| types.get(name).copied().and_then(value_type))
            .map_err(|e| invalid(rpc, e.to_string()))?;
        Ok(query)
    }

    pub(crate) fn list(
        &self,
        r: wf::ListWorkflowExecutionsRequest,
    ) -> Result<wf::ListWorkflowExecutionsResponse, ServiceError> {
        let st = self.inner.lock();
        let ns = st.namespace(LIST, &r.namespace)?;
        let query = self.parse_query(LIST, &r.query, &st.search_attributes)?;
        if query.group_by().is_some() {
            return Err(invalid(
                LIST,
                "invalid query: operation is not supported: 'GROUP BY' clause is only supported for count",
            ));
        }
        let mut rows: Vec<Record<'_>> = ns
            .runs
            .values()
            .map(|run| Record {
                run,
                types: &st.search_attributes,
            })
            .filter(|rec| query.matches(rec))
            .collect();
        rows.sort_by(|a, b| query.compare(a, b).then_with(|| b.run.seq.cmp(&a.run.seq)));
        let offset = if r.next_page_token.is_empty() {
            0
        } else {
            std::str::from_utf8(&r.next_page_token)
                .ok()
                .and_then(|t| t.parse::<usize>().ok())
                .ok_or_else(|| {
                    ServiceError::new(LIST, Code::InvalidArgument, "Invalid NextPageToken.")
                })?
        };
        let size = usize::try_from(r.page_size)
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_PAGE_SIZE);
        let end = (offset + size).min(rows.len());
        let executions = rows
            .get(offset..end)
            .unwrap_or_default()
            .iter()
            .map(|rec| execution_info(rec.run))
            .collect();
        Ok(wf::ListWorkflowExecutionsResponse {
            executions,
            next_page_token: if end < rows.len() {
                end.to_string().into_bytes()
            } else {
                Vec::new()
            },
        })
    }

    pub(crate) fn count(
        &self,
        r: wf::CountWorkflowExecutionsRequest,
    ) -> Result<wf::CountWorkflowExecutionsResponse, ServiceError> {
        let st = self.inner.lock();
        let ns = st.namespace(COUNT, &r.namespace)?;
        let query = self.parse_query(COUNT, &r.query, &st.search_attributes)?;
        let matching: Vec<&Run> = ns
            .runs
            .values()
            .filter(|run| {
                query.matches(&Record {
                    run,
                    types: &st.search_attributes,
                })
            })
            .collect();
        let mut groups = Vec::new();
        if query.group_by().is_some() {
            let mut counts: std::collections::BTreeMap<&'static str, i64> = Default::default();
            for run in &matching {
                *counts.entry(status_name(run.status)).or_default() += 1;
            }
            for (status, count) in counts {
                groups.push(AggregationGroup {
                    group_values: payload::encode(&status)
                        .map(|p| vec![p])
                        .unwrap_or_default(),
                    count,
                });
            }
        }
        Ok(wf::CountWorkflowExecutionsResponse {
            count: matching.len() as i64,
            groups,
        })
    }
}
