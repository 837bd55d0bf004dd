//! Queries of `ListSchedules` and `CountSchedules`, as the dev server answers them:
//! a schedule is seen as a visibility record with `ScheduleId`, `TemporalSchedulePaused`
//! and the schedule's own search attributes.
//!
//! What the server (1.29, `temporal server start-dev`) does, and the fake follows:
//! - the filter may name `ScheduleId` (Keyword), `TemporalSchedulePaused` (Bool) and the
//!   namespace's custom search attributes; any other system attribute (`WorkflowId`,
//!   `ExecutionStatus`, `StartTime`, ...) is `INVALID_ARGUMENT` `invalid query filter
//!   for schedules: cannot filter on "WorkflowId"`, an unknown name `invalid query:
//!   invalid search attribute: Nope`, a value of the wrong type `invalid query: invalid
//!   expression: ...`;
//! - `ORDER BY` is a syntax error (the server nests the filter in a condition of its
//!   own), `GROUP BY` is not supported for any attribute a schedule has.
//!
//! Unlike the server, comparisons other than equality on `ScheduleId` compare the id
//! itself (the server compares them with the id of the scheduler's workflow).
// `ServiceError` is large by nature; boxing it here would only add allocations.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use temporal_client_core::ServiceError;
use temporal_proto::temporal::api::enums::v1::IndexedValueType;

use super::{Schedule, Schedules};
use crate::fake::rpc::invalid;
use crate::fake::rpc::list::{custom_field, value_type};
use crate::fake::visibility::{FieldValue, Query, QueryError, ValueType, VisibilityRecord};

/// A schedule seen by a query.
struct ScheduleRecord<'a> {
    id: &'a str,
    schedule: &'a Schedule,
    types: &'a BTreeMap<String, IndexedValueType>,
}

/// The schedules of namespace `ns` that `query` matches, in id order.
pub(crate) fn matching<'a>(
    schedules: &'a Schedules,
    ns: &str,
    query: &'a Query,
    types: &'a BTreeMap<String, IndexedValueType>,
) -> impl Iterator<Item = (&'a String, &'a Schedule)> {
    schedules.in_namespace(ns).filter(move |(id, schedule)| {
        query.matches(&ScheduleRecord {
            id,
            schedule,
            types,
        })
    })
}

impl VisibilityRecord for ScheduleRecord<'_> {
    fn field(&self, name: &str) -> Option<FieldValue> {
        match name {
            "ScheduleId" => Some(FieldValue::String(self.id.to_owned())),
            "TemporalSchedulePaused" => Some(FieldValue::Bool(
                self.schedule
                    .schedule
                    .state
                    .as_ref()
                    .is_some_and(|s| s.paused),
            )),
            _ => {
                let payload = self
                    .schedule
                    .search_attributes
                    .as_ref()?
                    .indexed_fields
                    .get(name)?;
                custom_field(payload, self.types, name)
            }
        }
    }
}

/// The type of a name a schedule query may use that is not a custom attribute.
fn schedule_attribute(name: &str) -> Option<ValueType> {
    match name {
        "ScheduleId" => Some(ValueType::Keyword),
        "TemporalSchedulePaused" => Some(ValueType::Bool),
        _ => None,
    }
}

/// A system search attribute of workflows, which schedules do not have. (Custom
/// attributes may not take the `Temporal` prefix.)
fn workflow_only(name: &str) -> bool {
    schedule_attribute(name).is_none()
        && (ValueType::of_system_attribute(name).is_some() || name.starts_with("Temporal"))
}

/// Parses and checks the query of a schedule list or count.
pub(crate) fn schedule_query(
    rpc: &'static str,
    text: &str,
    types: &BTreeMap<String, IndexedValueType>,
) -> Result<Query, ServiceError> {
    let query = Query::parse(text).map_err(|e| invalid(rpc, e.to_string()))?;
    if query.order_by().is_some() {
        let error = QueryError::Syntax {
            position: order_by_position(text),
            near: Some("order".to_owned()),
            reason: "ORDER BY is not supported for schedules".to_owned(),
        };
        return Err(invalid(rpc, error.to_string()));
    }
    if let Some(name) = query.fields().into_iter().find(|name| workflow_only(name)) {
        return Err(invalid(
            rpc,
            format!("invalid query filter for schedules: cannot filter on \"{name}\""),
        ));
    }
    query
        .validate(|name| {
            schedule_attribute(name).or_else(|| types.get(name).copied().and_then(value_type))
        })
        .map_err(|e| invalid(rpc, e.to_string()))?;
    Ok(query)
}

/// Where `ORDER` starts in `text`, counting characters from 1.
/// (The last `order` followed by `by`: the clause ends the query, and a name in it may
/// contain `order`, as `OrderCount` does.)
fn order_by_position(text: &str) -> usize {
    let lower = text.to_ascii_lowercase();
    let at = lower
        .rmatch_indices("order")
        .map(|(at, _)| at)
        .find(|&at| {
            let rest = &lower[at + "order".len()..];
            rest.starts_with(char::is_whitespace) && rest.trim_start().starts_with("by")
        })
        .unwrap_or(0);
    text.get(..at).map_or(0, |before| before.chars().count()) + 1
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn types() -> BTreeMap<String, IndexedValueType> {
        BTreeMap::from([("Stage".to_owned(), IndexedValueType::Keyword)])
    }

    fn refusal(text: &str) -> String {
        schedule_query("ListSchedules", text, &types())
            .unwrap_err()
            .message()
            .to_owned()
    }

    #[test]
    fn schedule_names_and_custom_attributes_are_accepted() {
        for text in [
            "",
            "ScheduleId = 'a'",
            "TemporalSchedulePaused = true AND Stage = 'x'",
            "ScheduleId STARTS_WITH 'a' OR NOT TemporalSchedulePaused = false",
        ] {
            schedule_query("ListSchedules", text, &types()).unwrap();
        }
    }

    #[test]
    fn refusals_read_like_the_servers() {
        assert_eq!(
            refusal("WorkflowId = 'x'"),
            "invalid query filter for schedules: cannot filter on \"WorkflowId\""
        );
        assert_eq!(
            refusal("Stage = 'x' OR TemporalNamespaceDivision = 'y'"),
            "invalid query filter for schedules: cannot filter on \"TemporalNamespaceDivision\""
        );
        assert_eq!(
            refusal("GROUP BY ExecutionStatus"),
            "invalid query filter for schedules: cannot filter on \"ExecutionStatus\""
        );
        assert_eq!(
            refusal("Nope = 1"),
            "invalid query: invalid search attribute: Nope"
        );
        assert!(
            refusal("TemporalSchedulePaused = 'true'")
                .starts_with("invalid query: invalid expression"),
            "{}",
            refusal("TemporalSchedulePaused = 'true'")
        );
        assert!(
            refusal("Stage = 'x' ORDER BY OrderCount").starts_with(
                "invalid query: malformed SQL query: syntax error at position 13 near 'order'"
            ),
            "{}",
            refusal("Stage = 'x' ORDER BY OrderCount")
        );
        assert!(
            refusal("Stage = 'x' ORDER BY ScheduleId").starts_with(
                "invalid query: malformed SQL query: syntax error at position 13 near 'order'"
            ),
            "{}",
            refusal("Stage = 'x' ORDER BY ScheduleId")
        );
    }
}
