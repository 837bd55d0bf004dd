//! Visibility list filters (`WorkflowType = 'order' AND StartTime > '2024-01-01T00:00:00Z'`),
//! parsed and evaluated in memory the way the Temporal server's visibility store does.
//!
//! ```
//! use temporal_testkit::fake::visibility::{FieldValue, Query};
//! use std::collections::HashMap;
//!
//! let query = Query::parse("WorkflowId STARTS_WITH 'order-' AND ExecutionStatus = 'Running'")?;
//! let record = HashMap::from([
//!     ("WorkflowId".to_owned(), FieldValue::String("order-17".into())),
//!     ("ExecutionStatus".to_owned(), FieldValue::String("Running".into())),
//! ]);
//! assert!(query.matches(&record));
//! # Ok::<(), temporal_testkit::fake::visibility::QueryError>(())
//! ```
//!
//! Supported: `=`, `!=` (or `<>`), `<`, `<=`, `>`, `>=`, `AND`, `OR`, `NOT`, parentheses,
//! `[NOT] IN (…)`, `[NOT] BETWEEN … AND …`, `[NOT] STARTS_WITH`, `IS [NOT] NULL`,
//! `GROUP BY ExecutionStatus` and `ORDER BY field [ASC|DESC], …`. Keywords are case-insensitive;
//! search attribute names are case-sensitive and may be written in backticks.

mod ast;
mod datetime;
mod eval;
mod lexer;
mod parser;
mod validate;

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::str::FromStr;
use std::time::SystemTime;

pub use validate::ValueType;

/// The value of one search attribute of a workflow execution.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// A Keyword value; `ExecutionStatus` uses the status name, such as `Running`.
    String(String),
    /// A Text value, matched word by word as the server's full-text index does: `=`
    /// holds when the value shares a word with the constant (any one of its words),
    /// `!=` when it shares none. Words are runs of letters and digits, compared
    /// without case: `'Hello-There'` has the words `hello` and `there`.
    Text(String),
    /// An Int value.
    Int(i64),
    /// A Double value.
    Double(f64),
    /// A Bool value.
    Bool(bool),
    /// A Datetime value.
    Time(SystemTime),
    /// A KeywordList value; `Attr = 'x'` matches when the list contains `x`.
    KeywordList(Vec<String>),
}

/// Something a query can be tested against: a workflow execution's search attributes.
pub trait VisibilityRecord {
    /// The value of the search attribute `name` (such as `WorkflowId`, `StartTime` or a custom
    /// attribute), or `None` when the execution has none.
    fn field(&self, name: &str) -> Option<FieldValue>;
}

impl<S: BuildHasher> VisibilityRecord for HashMap<String, FieldValue, S> {
    fn field(&self, name: &str) -> Option<FieldValue> {
        self.get(name).cloned()
    }
}

/// Why a list filter was rejected. The text matches the message of the server's
/// `INVALID_ARGUMENT` error, so it can be returned to clients as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The text is not a well-formed filter: a stray character, an unclosed quote or
    /// parenthesis, or a word where it does not belong.
    #[error("invalid query: malformed SQL query: syntax error at position {position} {}: {reason}", near_text(.near))]
    Syntax {
        /// Where the problem is, counting characters from 1.
        position: usize,
        /// The text found there, or `None` at the end of the query.
        near: Option<String>,
        /// What was expected instead, in plain words.
        reason: String,
    },
    /// Well-formed, but the server does not support it (e.g. `LIKE`, `LIMIT`, `GROUP BY WorkflowType`).
    #[error("invalid query: operation is not supported: {0}")]
    NotSupported(String),
    /// A condition whose value or operator does not suit its search attribute.
    #[error("invalid query: invalid expression: {0}")]
    InvalidExpression(String),
    /// A name that is neither a system nor a registered custom search attribute.
    #[error("invalid query: invalid search attribute: {0}")]
    UnknownSearchAttribute(String),
}

fn near_text(near: &Option<String>) -> String {
    match near {
        Some(text) => format!("near '{text}'"),
        None => "at the end of the query".to_owned(),
    }
}

impl QueryError {
    /// A syntax error at byte offset `at` of `src`.
    fn syntax(src: &str, at: usize, near: Option<&str>, reason: impl Into<String>) -> Self {
        Self::Syntax {
            position: Self::position(src, at),
            near: near.map(str::to_owned),
            reason: reason.into(),
        }
    }

    /// The 1-based character position of byte offset `at` in `src`.
    fn position(src: &str, at: usize) -> usize {
        src.get(..at).map_or(0, |before| before.chars().count()) + 1
    }
}

/// A parsed list filter: which executions match, how to group them and how to sort them.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    statement: ast::Statement,
}

impl Query {
    /// Parses a list filter. An empty (or all-blank) string matches every execution; a query
    /// may also be only a `GROUP BY` or `ORDER BY` clause.
    ///
    /// Names are not checked here, since custom search attributes depend on the namespace:
    /// see [`Query::fields`] and [`Query::validate`].
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        Ok(Self {
            statement: parser::parse(text)?,
        })
    }

    /// Whether `record` meets the filter. Conditions on attributes the record lacks are
    /// neither true nor false (SQL `NULL`), so they never match, even under `NOT` or `!=`.
    pub fn matches(&self, record: &dyn VisibilityRecord) -> bool {
        self.statement
            .filter
            .as_ref()
            .is_none_or(|filter| eval::eval(filter, record) == Some(true))
    }

    /// The first `ORDER BY` key as (search attribute name, descending?), if any.
    pub fn order_by(&self) -> Option<(&str, bool)> {
        self.sort_keys().next()
    }

    /// All `ORDER BY` keys, most significant first, as (search attribute name, descending?).
    pub fn sort_keys(&self) -> impl ExactSizeIterator<Item = (&str, bool)> {
        self.statement
            .order_by
            .iter()
            .map(|key| (key.field.as_str(), key.descending))
    }

    /// The `GROUP BY` field; parsing only accepts `ExecutionStatus`. The server allows
    /// `GROUP BY` only when counting, so a list request with one should be rejected.
    pub fn group_by(&self) -> Option<&str> {
        self.statement.group_by.as_deref()
    }

    /// Every search attribute name the query mentions, each once, in order of appearance.
    pub fn fields(&self) -> Vec<&str> {
        fn walk<'q>(expr: &'q ast::Expr, out: &mut Vec<&'q str>) {
            match expr {
                ast::Expr::And(l, r) | ast::Expr::Or(l, r) => {
                    walk(l, out);
                    walk(r, out);
                }
                ast::Expr::Not(inner) => walk(inner, out),
                ast::Expr::Predicate(p) => out.push(&p.field),
            }
        }
        let mut out = Vec::new();
        if let Some(filter) = &self.statement.filter {
            walk(filter, &mut out);
        }
        out.extend(self.statement.group_by.as_deref());
        out.extend(self.statement.order_by.iter().map(|key| key.field.as_str()));
        let mut seen = std::collections::HashSet::new();
        out.retain(|name| seen.insert(*name));
        out
    }

    /// Orders two records as a list response would: by the `ORDER BY` keys (missing values
    /// last), or without them by the server's default, `CloseTime DESC` with open executions
    /// first, then `StartTime DESC`.
    pub fn compare(&self, a: &dyn VisibilityRecord, b: &dyn VisibilityRecord) -> Ordering {
        eval::compare_records(&self.statement.order_by, a, b)
    }
}

impl FromStr for Query {
    type Err = QueryError;

    fn from_str(text: &str) -> Result<Self, QueryError> {
        Self::parse(text)
    }
}

#[cfg(test)]
fn record(pairs: &[(&str, FieldValue)]) -> HashMap<String, FieldValue> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn s(text: &str) -> FieldValue {
        FieldValue::String(text.to_owned())
    }

    #[test]
    fn empty_and_blank_queries_match_everything() {
        for text in ["", "   ", "\n\t"] {
            let query = Query::parse(text).unwrap();
            assert!(query.matches(&record(&[])));
            assert!(query.matches(&record(&[("WorkflowId", s("a"))])));
            assert_eq!((query.order_by(), query.group_by()), (None, None));
            assert!(query.fields().is_empty());
        }
    }

    #[test]
    fn order_by_keys_default_to_ascending() {
        let query = Query::parse("ORDER BY StartTime desc, WorkflowId, RunId ASC").unwrap();
        assert_eq!(query.order_by(), Some(("StartTime", true)));
        let keys: Vec<_> = query.sort_keys().collect();
        assert_eq!(
            keys,
            vec![("StartTime", true), ("WorkflowId", false), ("RunId", false)]
        );
        assert!(
            query.matches(&record(&[])),
            "ORDER BY alone filters nothing"
        );
    }

    #[test]
    fn group_by_execution_status() {
        let query = Query::parse("WorkflowType = 'a' group by ExecutionStatus").unwrap();
        assert_eq!(query.group_by(), Some("ExecutionStatus"));
        assert_eq!(
            Query::parse("GROUP BY ExecutionStatus").unwrap().group_by(),
            Some("ExecutionStatus")
        );
        let both = Query::parse("GROUP BY ExecutionStatus ORDER BY StartTime").unwrap();
        assert_eq!(
            (both.group_by(), both.order_by()),
            (Some("ExecutionStatus"), Some(("StartTime", false)))
        );
    }

    #[test]
    fn fields_lists_each_name_once_in_order() {
        let query = Query::parse(
            "(`Custom-Int` > 3 OR WorkflowId = 'a') AND NOT `Custom-Int` IS NULL \
             AND Flag = true GROUP BY ExecutionStatus ORDER BY Score DESC, WorkflowId",
        )
        .unwrap();
        assert_eq!(
            query.fields(),
            vec![
                "Custom-Int",
                "WorkflowId",
                "Flag",
                "ExecutionStatus",
                "Score"
            ]
        );
    }

    #[test]
    fn from_str_is_parse() {
        let query: Query = "WorkflowId = 'a'".parse().unwrap();
        assert_eq!(query, Query::parse("WorkflowId = 'a'").unwrap());
    }

    #[test]
    fn compare_follows_order_by_with_missing_values_last() {
        let query = Query::parse("ORDER BY Score DESC, WorkflowId").unwrap();
        let high = record(&[("Score", FieldValue::Int(9)), ("WorkflowId", s("b"))]);
        let low_a = record(&[("Score", FieldValue::Double(1.5)), ("WorkflowId", s("a"))]);
        let low_b = record(&[("Score", FieldValue::Int(1)), ("WorkflowId", s("b"))]);
        let none = record(&[("WorkflowId", s("0"))]);
        let mut rows = vec![&none, &low_b, &low_a, &high];
        rows.sort_by(|a, b| query.compare(*a, *b));
        assert_eq!(rows, vec![&high, &low_a, &low_b, &none]);

        let ascending = Query::parse("ORDER BY Score").unwrap();
        rows.sort_by(|a, b| ascending.compare(*a, *b));
        assert_eq!(rows, vec![&low_b, &low_a, &high, &none]);
    }

    #[test]
    fn compare_defaults_to_open_first_then_newest() {
        let at = |secs| FieldValue::Time(UNIX_EPOCH + Duration::from_secs(secs));
        let open_old = record(&[("StartTime", at(10))]);
        let open_new = record(&[("StartTime", at(20))]);
        let closed_late = record(&[("StartTime", at(1)), ("CloseTime", at(100))]);
        let closed_early = record(&[("StartTime", at(5)), ("CloseTime", at(50))]);
        let mut rows = vec![&closed_early, &open_old, &closed_late, &open_new];
        let query = Query::parse("").unwrap();
        rows.sort_by(|a, b| query.compare(*a, *b));
        assert_eq!(
            rows,
            vec![&open_new, &open_old, &closed_late, &closed_early]
        );
    }

    #[test]
    fn errors_are_plain_and_cloneable() {
        let err = Query::parse("WorkflowId = 'a' LIMIT 5").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid query: operation is not supported: 'LIMIT' clause"
        );
        assert_eq!(err.clone(), err);
    }
}
