//! Checks a parsed filter against the types of the search attributes it names, as the server
//! does once it knows which custom search attributes the namespace has registered.

use std::fmt;

use super::ast::{CompareOp, Expr, Literal, Test};
use super::{Query, QueryError};

/// The type of a search attribute, as registered on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// An exact-match string, such as `WorkflowId`.
    Keyword,
    /// Free text, matched word by word; cannot be sorted on.
    Text,
    /// A 64-bit integer.
    Int,
    /// A 64-bit floating point number.
    Double,
    /// `true` or `false`.
    Bool,
    /// An instant in time, such as `StartTime`.
    Datetime,
    /// A list of exact-match strings; `=` means "contains".
    KeywordList,
}

impl ValueType {
    /// The type of a system search attribute such as `WorkflowId` or `StartTime`; `None` for
    /// any other name.
    pub fn of_system_attribute(name: &str) -> Option<Self> {
        Some(match name {
            "WorkflowId" | "WorkflowType" | "RunId" | "ExecutionStatus" | "TaskQueue"
            | "ParentWorkflowId" | "ParentRunId" | "RootWorkflowId" | "RootRunId" => Self::Keyword,
            "StartTime" | "CloseTime" | "ExecutionTime" => Self::Datetime,
            "HistoryLength" | "HistorySizeBytes" | "ExecutionDuration" | "StateTransitionCount" => {
                Self::Int
            }
            "BuildIds" | "TemporalChangeVersion" => Self::KeywordList,
            _ => return None,
        })
    }

    /// The server's name for the type, e.g. `KeywordList`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keyword => "Keyword",
            Self::Text => "Text",
            Self::Int => "Int",
            Self::Double => "Double",
            Self::Bool => "Bool",
            Self::Datetime => "Datetime",
            Self::KeywordList => "KeywordList",
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Query {
    /// Checks that every name in the query is a system search attribute or one that
    /// `custom_type` knows, and that each operator and value suits the attribute's type.
    /// The errors read like the server's, e.g. `invalid query: invalid search attribute: Foo`.
    pub fn validate(
        &self,
        custom_type: impl Fn(&str) -> Option<ValueType>,
    ) -> Result<(), QueryError> {
        let type_of = |name: &str| {
            ValueType::of_system_attribute(name)
                .or_else(|| custom_type(name))
                .ok_or_else(|| QueryError::UnknownSearchAttribute(name.to_owned()))
        };
        if let Some(filter) = &self.statement.filter {
            check_expr(filter, &type_of)?;
        }
        if let Some(field) = &self.statement.group_by {
            type_of(field)?;
        }
        for key in &self.statement.order_by {
            if type_of(&key.field)? == ValueType::Text {
                return Err(QueryError::NotSupported(
                    "unable to sort by search attribute type Text".into(),
                ));
            }
        }
        Ok(())
    }
}

fn check_expr(
    expr: &Expr,
    type_of: &dyn Fn(&str) -> Result<ValueType, QueryError>,
) -> Result<(), QueryError> {
    let predicate = match expr {
        Expr::And(left, right) | Expr::Or(left, right) => {
            check_expr(left, type_of)?;
            return check_expr(right, type_of);
        }
        Expr::Not(inner) => return check_expr(inner, type_of),
        Expr::Predicate(predicate) => predicate,
    };
    let field = predicate.field.as_str();
    let ty = type_of(field)?;
    let not_supported = |operator: &str| {
        QueryError::NotSupported(format!(
            "operator '{operator}' not supported for {ty} type search attribute '{field}'"
        ))
    };
    let not = |negated: bool| if negated { "NOT " } else { "" };
    match &predicate.test {
        Test::Compare(op, literal) => {
            let equality = matches!(op, CompareOp::Eq | CompareOp::Ne);
            if !equality && matches!(ty, ValueType::Text | ValueType::KeywordList) {
                return Err(not_supported(op.as_str()));
            }
            check_value(field, ty, literal)
        }
        Test::In { values, negated } => {
            if ty == ValueType::Text {
                return Err(not_supported(&format!("{}IN", not(*negated))));
            }
            values
                .iter()
                .try_for_each(|literal| check_value(field, ty, literal))
        }
        Test::Between { low, high, .. } => {
            if !matches!(
                ty,
                ValueType::Datetime | ValueType::Double | ValueType::Int | ValueType::Keyword
            ) {
                return Err(QueryError::InvalidExpression(format!(
                    "cannot do range condition on search attribute '{field}' of type {ty}"
                )));
            }
            check_value(field, ty, low)?;
            check_value(field, ty, high)
        }
        Test::StartsWith { negated, .. } if ty != ValueType::Keyword => {
            Err(not_supported(&format!("{}STARTS_WITH", not(*negated))))
        }
        Test::StartsWith { .. } | Test::IsNull { .. } => Ok(()),
    }
}

/// Checks that `literal` is a valid value for the attribute `field` of type `ty`.
pub(super) fn check_value(field: &str, ty: ValueType, literal: &Literal) -> Result<(), QueryError> {
    let fits = match (ty, literal) {
        (ValueType::Int | ValueType::Double, Literal::Int(_) | Literal::Double(_)) => true,
        (ValueType::Bool, Literal::Bool(_)) => true,
        (
            ValueType::Datetime,
            Literal::Int(_)
            | Literal::Str {
                instant: Some(_), ..
            },
        ) => true,
        (
            ValueType::Datetime,
            Literal::Str {
                text,
                instant: None,
            },
        ) => {
            return Err(QueryError::InvalidExpression(format!(
                "unable to parse datetime '{text}'; write times in RFC 3339, like '2024-01-31T12:00:00Z'"
            )));
        }
        (ValueType::Keyword | ValueType::KeywordList, Literal::Str { .. }) => true,
        (ValueType::Text, Literal::Str { text, .. }) if text.trim().is_empty() => {
            return Err(QueryError::InvalidExpression(format!(
                "no tokens found filtering on Text type search attribute {field}"
            )));
        }
        (ValueType::Text, Literal::Str { .. }) => true,
        _ => false,
    };
    if fits {
        Ok(())
    } else {
        Err(QueryError::InvalidExpression(format!(
            "invalid value type for search attribute {field} of type {ty}: {literal}"
        )))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn custom(name: &str) -> Option<ValueType> {
        Some(match name {
            "Tags" => ValueType::KeywordList,
            "Notes" => ValueType::Text,
            "Count" => ValueType::Int,
            "Ratio" => ValueType::Double,
            "Flag" => ValueType::Bool,
            "Due" => ValueType::Datetime,
            "Kind" => ValueType::Keyword,
            _ => return None,
        })
    }

    fn check(query: &str) -> Result<(), String> {
        Query::parse(query)
            .unwrap()
            .validate(custom)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn well_typed_queries_pass() {
        for query in [
            "",
            "WorkflowId = 'a' AND StartTime > '2024-01-01T00:00:00Z' AND HistoryLength > 3",
            "Tags = 'x' AND Tags NOT IN ('y') AND Notes = 'word'",
            "Count BETWEEN 1 AND 2.5 AND Ratio > 1 AND Flag = false",
            "Due < 1700000000000000000 OR Due >= '2024-01-01T00:00:00Z'",
            "Kind STARTS_WITH 'k' AND Notes IS NULL AND BuildIds = 'b'",
            "GROUP BY ExecutionStatus",
            "ORDER BY Count DESC, Due, WorkflowId",
        ] {
            assert_eq!(check(query), Ok(()), "{query}");
        }
    }

    #[test]
    fn unknown_names_are_rejected_wherever_they_appear() {
        for query in [
            "Nope = 'a'",
            "WorkflowId = 'a' OR NOT (Nope IS NULL)",
            "ORDER BY Nope",
        ] {
            assert_eq!(
                check(query),
                Err("invalid query: invalid search attribute: Nope".into()),
                "{query}"
            );
        }
    }

    #[test]
    fn operators_must_suit_the_type() {
        let not_supported = "invalid query: operation is not supported: operator";
        for (query, expected) in [
            ("Tags < 'x'", format!("{not_supported} '<' not supported for KeywordList type search attribute 'Tags'")),
            ("Notes >= 'x'", format!("{not_supported} '>=' not supported for Text type search attribute 'Notes'")),
            ("Notes NOT IN ('x')", format!("{not_supported} 'NOT IN' not supported for Text type search attribute 'Notes'")),
            ("Tags STARTS_WITH 'x'", format!("{not_supported} 'STARTS_WITH' not supported for KeywordList type search attribute 'Tags'")),
            ("Count NOT STARTS_WITH '1'", format!("{not_supported} 'NOT STARTS_WITH' not supported for Int type search attribute 'Count'")),
            (
                "Flag BETWEEN false AND true",
                "invalid query: invalid expression: cannot do range condition on search attribute 'Flag' of type Bool".into(),
            ),
            ("ORDER BY Notes", "invalid query: operation is not supported: unable to sort by search attribute type Text".into()),
        ] {
            assert_eq!(check(query), Err(expected), "{query}");
        }
    }

    #[test]
    fn values_must_suit_the_type() {
        let invalid = "invalid query: invalid expression:";
        for (query, expected) in [
            (
                "Count = 'one'",
                format!(
                    "{invalid} invalid value type for search attribute Count of type Int: 'one'"
                ),
            ),
            (
                "Ratio IN (1, true)",
                format!(
                    "{invalid} invalid value type for search attribute Ratio of type Double: true"
                ),
            ),
            (
                "Flag = 1",
                format!("{invalid} invalid value type for search attribute Flag of type Bool: 1"),
            ),
            (
                "Kind = 5",
                format!(
                    "{invalid} invalid value type for search attribute Kind of type Keyword: 5"
                ),
            ),
            (
                "Tags = false",
                format!(
                    "{invalid} invalid value type for search attribute Tags of type KeywordList: false"
                ),
            ),
            (
                "Due BETWEEN 'a' AND 'b'",
                format!(
                    "{invalid} unable to parse datetime 'a'; write times in RFC 3339, like '2024-01-31T12:00:00Z'"
                ),
            ),
            (
                "Due = 1.5",
                format!(
                    "{invalid} invalid value type for search attribute Due of type Datetime: 1.5"
                ),
            ),
            (
                "Notes = '  '",
                format!("{invalid} no tokens found filtering on Text type search attribute Notes"),
            ),
        ] {
            assert_eq!(check(query), Err(expected), "{query}");
        }
    }

    #[test]
    fn system_attribute_types() {
        assert_eq!(
            ValueType::of_system_attribute("RunId"),
            Some(ValueType::Keyword)
        );
        assert_eq!(
            ValueType::of_system_attribute("ExecutionTime"),
            Some(ValueType::Datetime)
        );
        assert_eq!(
            ValueType::of_system_attribute("BuildIds"),
            Some(ValueType::KeywordList)
        );
        assert_eq!(ValueType::of_system_attribute("workflowid"), None);
        assert_eq!(ValueType::KeywordList.to_string(), "KeywordList");
    }
}
