//! Evaluates a parsed filter against one record, and orders records for `ORDER BY`.
//!
//! Conditions follow SQL's three-valued logic, as the server's SQL visibility store does: a
//! test on a missing attribute (or on a value of another type) is *unknown*, `NOT unknown` is
//! still unknown, and only records whose filter is definitely true match. So
//! `CustomKeyword != 'a'` does not match a record that has no `CustomKeyword`.

use std::cmp::Ordering;

use super::ast::{CompareOp, Expr, Literal, Predicate, SortKey, Test};
use super::datetime::system_time_nanos;
use super::{FieldValue, VisibilityRecord};

/// `Some(true)`/`Some(false)` when the record definitely does or does not meet `expr`, `None`
/// when that is unknown.
pub(super) fn eval(expr: &Expr, record: &dyn VisibilityRecord) -> Option<bool> {
    match expr {
        Expr::And(left, right) => match eval(left, record) {
            Some(false) => Some(false),
            left => match (left, eval(right, record)) {
                (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
        },
        Expr::Or(left, right) => match eval(left, record) {
            Some(true) => Some(true),
            left => match (left, eval(right, record)) {
                (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
        },
        Expr::Not(inner) => eval(inner, record).map(|b| !b),
        Expr::Predicate(predicate) => test(predicate, record),
    }
}

fn test(predicate: &Predicate, record: &dyn VisibilityRecord) -> Option<bool> {
    let value = record.field(&predicate.field);
    if let Test::IsNull { negated } = predicate.test {
        return Some(value.is_none() != negated);
    }
    let value = value?;
    match &predicate.test {
        Test::Compare(op, literal) => compare(&value, *op, literal),
        Test::In { values, negated } => {
            let mut unknown = false;
            for literal in values {
                match compare(&value, CompareOp::Eq, literal) {
                    Some(true) => return Some(!negated),
                    Some(false) => {}
                    None => unknown = true,
                }
            }
            if unknown { None } else { Some(*negated) }
        }
        Test::Between { low, high, negated } => {
            let inside =
                order(&value, low)? != Ordering::Less && order(&value, high)? != Ordering::Greater;
            Some(inside != *negated)
        }
        Test::StartsWith { prefix, negated } => match &value {
            FieldValue::String(s) => Some(s.starts_with(prefix.as_str()) != *negated),
            _ => None,
        },
        Test::IsNull { .. } => None,
    }
}

/// `value op literal`; on a keyword list `=` means "contains" and `!=` "does not contain",
/// on text "shares a word" and "shares none".
fn compare(value: &FieldValue, op: CompareOp, literal: &Literal) -> Option<bool> {
    if let FieldValue::Text(text) = value {
        let Literal::Str { text: wanted, .. } = literal else {
            return None;
        };
        let have: Vec<String> = words(text).collect();
        let shares = words(wanted).any(|word| have.contains(&word));
        return match op {
            CompareOp::Eq => Some(shares),
            CompareOp::Ne => Some(!shares),
            _ => None,
        };
    }
    if let FieldValue::KeywordList(items) = value {
        let Literal::Str { text, .. } = literal else {
            return None;
        };
        let contains = items.iter().any(|item| item == text);
        return match op {
            CompareOp::Eq => Some(contains),
            CompareOp::Ne => Some(!contains),
            _ => None,
        };
    }
    let ordering = order(value, literal)?;
    Some(match op {
        CompareOp::Eq => ordering == Ordering::Equal,
        CompareOp::Ne => ordering != Ordering::Equal,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Le => ordering != Ordering::Greater,
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Ge => ordering != Ordering::Less,
    })
}

/// The words of a Text value or constant, lower-cased: runs of letters and digits, as
/// the dev server's full-text tokenizer (SQLite FTS5's `unicode61`) splits them, without
/// its folding of diacritics.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
}

/// How a record's value orders against a constant, or `None` if they cannot be compared.
/// Times compare with RFC 3339 strings as instants and with integers as Unix nanoseconds.
fn order(value: &FieldValue, literal: &Literal) -> Option<Ordering> {
    match (value, literal) {
        (FieldValue::String(s), Literal::Str { text, .. }) => Some(s.as_str().cmp(text)),
        (FieldValue::Int(v), Literal::Int(l)) => Some(v.cmp(l)),
        (FieldValue::Int(v), Literal::Double(l)) => (*v as f64).partial_cmp(l),
        (FieldValue::Double(v), Literal::Double(l)) => v.partial_cmp(l),
        (FieldValue::Double(v), Literal::Int(l)) => v.partial_cmp(&(*l as f64)),
        (FieldValue::Bool(v), Literal::Bool(l)) => Some(v.cmp(l)),
        (
            FieldValue::Time(t),
            Literal::Str {
                instant: Some(l), ..
            },
        ) => Some(system_time_nanos(*t).cmp(l)),
        (FieldValue::Time(t), Literal::Int(l)) => Some(system_time_nanos(*t).cmp(&i128::from(*l))),
        _ => None,
    }
}

/// Orders two records by `keys`, missing values last in either direction. Without keys, uses
/// the server's default order: `CloseTime DESC` with open workflows first, then `StartTime DESC`.
pub(super) fn compare_records(
    keys: &[SortKey],
    a: &dyn VisibilityRecord,
    b: &dyn VisibilityRecord,
) -> Ordering {
    let by = |field: &str, descending: bool, missing_first: bool| {
        let ordering = match (a.field(field), b.field(field)) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => {
                return if missing_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
            }
            (Some(_), None) => {
                return if missing_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                };
            }
            (Some(x), Some(y)) => compare_values(&x, &y),
        };
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    };
    if keys.is_empty() {
        return by("CloseTime", true, true).then_with(|| by("StartTime", true, false));
    }
    keys.iter()
        .map(|key| by(&key.field, key.descending, false))
        .find(|ordering| ordering.is_ne())
        .unwrap_or(Ordering::Equal)
}

fn compare_values(a: &FieldValue, b: &FieldValue) -> Ordering {
    match (a, b) {
        (FieldValue::String(x), FieldValue::String(y))
        | (FieldValue::Text(x), FieldValue::Text(y)) => x.cmp(y),
        (FieldValue::Int(x), FieldValue::Int(y)) => x.cmp(y),
        (FieldValue::Double(x), FieldValue::Double(y)) => x.total_cmp(y),
        (FieldValue::Int(x), FieldValue::Double(y)) => (*x as f64).total_cmp(y),
        (FieldValue::Double(x), FieldValue::Int(y)) => x.total_cmp(&(*y as f64)),
        (FieldValue::Bool(x), FieldValue::Bool(y)) => x.cmp(y),
        (FieldValue::Time(x), FieldValue::Time(y)) => x.cmp(y),
        (FieldValue::KeywordList(x), FieldValue::KeywordList(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use super::super::{FieldValue, Query, record};

    fn s(text: &str) -> FieldValue {
        FieldValue::String(text.to_owned())
    }

    fn at(text: &str) -> FieldValue {
        let nanos = temporal_client_core::rfc3339::parse_nanos(text).unwrap();
        FieldValue::Time(UNIX_EPOCH + Duration::from_nanos(nanos as u64))
    }

    fn matches(query: &str, pairs: &[(&str, FieldValue)]) -> bool {
        Query::parse(query)
            .unwrap_or_else(|e| panic!("{query}: {e}"))
            .matches(&record(pairs))
    }

    #[test]
    fn comparison_operators_on_strings() {
        let r = [("WorkflowId", s("m"))];
        for (query, expected) in [
            ("WorkflowId = 'm'", true),
            ("WorkflowId = \"m\"", true),
            ("WorkflowId = 'M'", false),
            ("WorkflowId != 'm'", false),
            ("WorkflowId <> 'x'", true),
            ("WorkflowId < 'n'", true),
            ("WorkflowId < 'm'", false),
            ("WorkflowId <= 'm'", true),
            ("WorkflowId > 'l'", true),
            ("WorkflowId > 'm'", false),
            ("WorkflowId >= 'm'", true),
            ("WorkflowId >= 'n'", false),
        ] {
            assert_eq!(matches(query, &r), expected, "{query}");
        }
    }

    #[test]
    fn comparison_operators_on_numbers_and_bools() {
        let r = [
            ("Count", FieldValue::Int(10)),
            ("Ratio", FieldValue::Double(0.5)),
            ("Flag", FieldValue::Bool(true)),
        ];
        for (query, expected) in [
            ("Count = 10", true),
            ("Count = 10.0", true),
            ("Count != 10", false),
            ("Count < 11", true),
            ("Count <= 9", false),
            ("Count > -3", true),
            ("Count >= 10.5", false),
            ("Ratio = .5", true),
            ("Ratio < 1", true),
            ("Ratio > 5e-1", false),
            ("Ratio >= 0.5", true),
            ("Flag = true", true),
            ("Flag = FALSE", false),
            ("Flag != false", true),
            ("Count = '10'", false),
            ("Flag = 1", false),
        ] {
            assert_eq!(matches(query, &r), expected, "{query}");
        }
    }

    #[test]
    fn times_compare_as_instants() {
        let r = [("StartTime", at("2021-06-08T00:46:34.5Z"))];
        for (query, expected) in [
            ("StartTime = '2021-06-08T00:46:34.5Z'", true),
            ("StartTime = '2021-06-07T16:46:34.500-08:00'", true),
            ("StartTime > '2021-06-07T16:46:34-08:00'", true),
            ("StartTime < '2021-06-08T01:00:00+00:00'", true),
            ("StartTime >= '2021-06-08T02:46:35+02:00'", false),
            ("StartTime <= '2021-06-08T00:46:34.500000001Z'", true),
            ("StartTime != '2021-06-08T00:46:34Z'", true),
            ("StartTime > 1623113194000000000", true),
            ("StartTime < 1623113194000000000", false),
            (
                "StartTime BETWEEN '2021-06-08T00:00:00Z' AND '2021-06-09T00:00:00Z'",
                true,
            ),
            (
                "StartTime BETWEEN '2021-06-09T00:00:00Z' AND '2021-06-10T00:00:00Z'",
                false,
            ),
        ] {
            assert_eq!(matches(query, &r), expected, "{query}");
        }
    }

    #[test]
    fn times_before_the_epoch() {
        let before = SystemTime::UNIX_EPOCH - Duration::from_secs(1);
        assert!(matches(
            "CloseTime < '1970-01-01T00:00:00Z'",
            &[("CloseTime", FieldValue::Time(before))]
        ));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let query = "WorkflowId = 'a' OR WorkflowId = 'b' AND WorkflowType = 'T'";
        assert!(matches(
            query,
            &[("WorkflowId", s("a")), ("WorkflowType", s("other"))]
        ));
        assert!(matches(
            query,
            &[("WorkflowId", s("b")), ("WorkflowType", s("T"))]
        ));
        assert!(!matches(
            query,
            &[("WorkflowId", s("b")), ("WorkflowType", s("other"))]
        ));
        let reversed = "WorkflowType = 'T' AND WorkflowId = 'b' OR WorkflowId = 'a'";
        assert!(matches(
            reversed,
            &[("WorkflowId", s("a")), ("WorkflowType", s("other"))]
        ));
    }

    #[test]
    fn parentheses_override_precedence() {
        let query = "(WorkflowId = 'a' OR WorkflowId = 'b') AND WorkflowType = 'T'";
        assert!(!matches(
            query,
            &[("WorkflowId", s("a")), ("WorkflowType", s("other"))]
        ));
        assert!(matches(
            query,
            &[("WorkflowId", s("a")), ("WorkflowType", s("T"))]
        ));
        assert!(matches(
            "((((WorkflowId = 'a'))))",
            &[("WorkflowId", s("a"))]
        ));
    }

    #[test]
    fn not_negates_and_binds_tighter_than_and() {
        let r = [("WorkflowId", s("a")), ("WorkflowType", s("T"))];
        assert!(!matches("NOT WorkflowId = 'a'", &r));
        assert!(matches("NOT NOT WorkflowId = 'a'", &r));
        assert!(matches("not WorkflowId = 'x' and WorkflowType = 'T'", &r));
        assert!(!matches(
            "NOT (WorkflowId = 'a' AND WorkflowType = 'T')",
            &r
        ));
    }

    #[test]
    fn keywords_are_case_insensitive_names_are_not() {
        let r = [("WorkflowId", s("a")), ("WorkflowType", s("T"))];
        assert!(matches(
            "WorkflowId = 'a' aNd WorkflowType In ('T') oR WorkflowId Is Null",
            &r
        ));
        assert!(!matches("workflowid = 'a'", &r));
        assert!(matches("`WorkflowId` = 'a'", &r));
    }

    #[test]
    fn between_is_inclusive_and_can_be_negated() {
        let r = [("Count", FieldValue::Int(5)), ("WorkflowId", s("order-12"))];
        for (query, expected) in [
            ("Count BETWEEN 5 AND 7", true),
            ("Count BETWEEN 1 AND 5", true),
            ("Count BETWEEN 6 AND 7", false),
            ("Count NOT BETWEEN 6 AND 7", true),
            ("Count not between 1 and 9", false),
            ("Count BETWEEN 1 AND 9 AND WorkflowId = 'order-12'", true),
            ("WorkflowId BETWEEN 'order-' AND 'order-~'", true),
            ("WorkflowId BETWEEN 'p' AND 'q'", false),
        ] {
            assert_eq!(matches(query, &r), expected, "{query}");
        }
    }

    #[test]
    fn in_and_not_in() {
        let r = [("WorkflowId", s("b")), ("Count", FieldValue::Int(2))];
        for (query, expected) in [
            ("WorkflowId IN ('a', 'b')", true),
            ("WorkflowId IN ('a')", false),
            ("WorkflowId NOT IN ('a', 'c')", true),
            ("WorkflowId NOT IN ('b')", false),
            ("Count IN (1, 2, 3)", true),
            ("Count in (-2)", false),
        ] {
            assert_eq!(matches(query, &r), expected, "{query}");
        }
    }

    #[test]
    fn starts_with() {
        let r = [("WorkflowType", s("order.Process"))];
        assert!(matches("WorkflowType STARTS_WITH 'order.'", &r));
        assert!(matches("WorkflowType starts_with ''", &r));
        assert!(!matches("WorkflowType STARTS_WITH 'Order'", &r));
        assert!(matches("WorkflowType NOT STARTS_WITH 'pay'", &r));
        assert!(!matches("WorkflowType NOT STARTS_WITH 'order'", &r));
        assert!(!matches(
            "Count STARTS_WITH '1'",
            &[("Count", FieldValue::Int(1))]
        ));
    }

    #[test]
    fn is_null_and_is_not_null() {
        let r = [("WorkflowId", s("a"))];
        assert!(matches("CloseTime IS NULL", &r));
        assert!(!matches("CloseTime IS NOT NULL", &r));
        assert!(matches("WorkflowId IS NOT NULL", &r));
        assert!(!matches("WorkflowId is null", &r));
    }

    #[test]
    fn keyword_list_equals_means_contains() {
        let r = [(
            "Tags",
            FieldValue::KeywordList(vec!["red".into(), "blue".into()]),
        )];
        for (query, expected) in [
            ("Tags = 'red'", true),
            ("Tags = 'green'", false),
            ("Tags != 'green'", true),
            ("Tags != 'blue'", false),
            ("Tags IN ('green', 'blue')", true),
            ("Tags IN ('green', 'pink')", false),
            ("Tags NOT IN ('green', 'pink')", true),
            ("Tags NOT IN ('red')", false),
            ("Tags < 'z'", false),
            ("Tags = 1", false),
        ] {
            assert_eq!(matches(query, &r), expected, "{query}");
        }
        assert!(matches(
            "Tags != 'x'",
            &[("Tags", FieldValue::KeywordList(vec![]))]
        ));
    }

    #[test]
    fn execution_status_by_name_full_name_or_number() {
        let r = [("ExecutionStatus", s("ContinuedAsNew"))];
        assert!(matches("ExecutionStatus = 'ContinuedAsNew'", &r));
        assert!(matches(
            "ExecutionStatus = 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW'",
            &r
        ));
        assert!(matches("ExecutionStatus = 6", &r));
        assert!(matches("ExecutionStatus IN ('Running', 6)", &r));
        assert!(matches("ExecutionStatus != 'Running'", &r));
        assert!(!matches("ExecutionStatus = 'TimedOut'", &r));
    }

    #[test]
    fn missing_attributes_never_match_even_negated() {
        let r = [("WorkflowId", s("w"))];
        assert!(!matches("Custom = 'a'", &r));
        assert!(!matches("Custom != 'a'", &r));
        assert!(!matches("NOT Custom = 'a'", &r));
        assert!(!matches("Custom NOT IN ('a')", &r));
        assert!(!matches("Custom NOT BETWEEN 1 AND 2", &r));
        assert!(!matches("Custom NOT STARTS_WITH 'a'", &r));
        // Unknown OR true is true; unknown AND false is false, so its negation is true.
        assert!(matches("Custom = 'a' OR WorkflowId = 'w'", &r));
        assert!(matches("NOT (Custom = 'a' AND WorkflowId = 'x')", &r));
        assert!(!matches("NOT (Custom = 'a' OR WorkflowId = 'x')", &r));
    }

    #[test]
    fn mismatched_types_do_not_match() {
        let r = [
            ("Count", FieldValue::Int(1)),
            ("StartTime", at("2021-01-01T00:00:00Z")),
        ];
        assert!(!matches("Count = 'one'", &r));
        assert!(!matches("Count != 'one'", &r));
        assert!(!matches("Custom = true", &[("Custom", s("true"))]));
        assert!(!matches(
            "Custom > '2020-01-01T00:00:00Z'",
            &[("Custom", FieldValue::Int(5))]
        ));
    }

    #[test]
    fn custom_attributes_and_backticked_names() {
        let r = [("my-attr", s("x")), ("CustomKeywordField", s("k"))];
        assert!(matches("`my-attr` = 'x' AND CustomKeywordField = 'k'", &r));
    }

    #[test]
    fn documented_example_query() {
        let query = "WorkflowType = \"main.YourWorkflowDefinition\" and ExecutionStatus != \"Running\" \
                     and (StartTime > \"2021-06-07T16:46:34.236-08:00\" or CloseTime > \"2021-06-07T16:46:34-08:00\")";
        let base = [
            ("WorkflowType", s("main.YourWorkflowDefinition")),
            ("ExecutionStatus", s("Completed")),
        ];
        let started_late = [
            base[0].clone(),
            base[1].clone(),
            ("StartTime", at("2021-06-08T01:00:00Z")),
        ];
        let closed_early = [
            base[0].clone(),
            base[1].clone(),
            ("CloseTime", at("2021-06-08T00:00:00Z")),
        ];
        assert!(matches(query, &started_late));
        assert!(!matches(query, &closed_early));
        assert!(!matches(query, &base));
    }

    #[test]
    fn text_matches_word_by_word_without_case() {
        let text = |t: &str| record(&[("Notes", FieldValue::Text(t.to_owned()))]);
        let matches = |query: &str, value: &str| Query::parse(query).unwrap().matches(&text(value));
        assert!(matches("Notes = 'hello'", "hello world"));
        assert!(matches("Notes = 'HELLO'", "Hello-There"));
        assert!(matches("Notes = 'there'", "Hello-There"));
        // Any one word of the constant is enough.
        assert!(matches("Notes = 'goodbye hello'", "hello world"));
        assert!(!matches("Notes = 'hel'", "hello world"));
        assert!(!matches("Notes = 'hello'", "helloworld"));
        assert!(matches("Notes != 'hello'", "goodbye"));
        assert!(!matches("Notes != 'world'", "hello world"));
    }
}
