//! Turns the tokens of a list filter into a [`Statement`], reporting errors in the server's words.
//!
//! Grammar (keywords in any case):
//! ```text
//! statement := [or] [GROUP BY name] [ORDER BY name [ASC|DESC] {, name [ASC|DESC]}]
//! or        := and {OR and}
//! and       := not {AND not}
//! not       := NOT not | '(' or ')' | predicate
//! predicate := name (op value | [NOT] IN '(' value {, value} ')'
//!              | [NOT] BETWEEN value AND value | [NOT] STARTS_WITH string | IS [NOT] NULL)
//! ```

use super::QueryError;
use super::ast::{CompareOp, Expr, Literal, Predicate, SortKey, Statement, Test};
use super::lexer::{Token, TokenKind, tokenize};
use super::validate::{ValueType, check_value};

/// Words that have a meaning of their own and so cannot be bare search attribute names.
const RESERVED: &[&str] = &[
    "AND",
    "OR",
    "NOT",
    "IN",
    "BETWEEN",
    "IS",
    "NULL",
    "STARTS_WITH",
    "GROUP",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "TRUE",
    "FALSE",
    "LIMIT",
    "LIKE",
    "REGEXP",
    "RLIKE",
    "WHERE",
    "SELECT",
];

/// Comparison keywords MySQL knows but the Temporal server rejects.
const UNSUPPORTED_OPERATORS: &[&str] = &["LIKE", "REGEXP", "RLIKE"];

/// Workflow execution status names, indexed by their numeric value in the API.
pub(super) const EXECUTION_STATUSES: [&str; 8] = [
    "Unspecified",
    "Running",
    "Completed",
    "Failed",
    "Canceled",
    "Terminated",
    "ContinuedAsNew",
    "TimedOut",
];

const EXPECTED_OPERATOR: &str =
    "expected an operator: =, !=, <, <=, >, >=, IN, NOT IN, BETWEEN, STARTS_WITH or IS [NOT] NULL";
const EXPECTED_VALUE: &str = "expected a value: a quoted string, a number, true or false";

/// Parses a whole list filter.
pub(super) fn parse(src: &str) -> Result<Statement, QueryError> {
    let tokens = tokenize(src)?;
    Parser {
        src,
        tokens,
        next: 0,
    }
    .statement()
}

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    next: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn text(&self, token: &Token) -> &'a str {
        self.src.get(token.start..token.end).unwrap_or_default()
    }

    fn at_keyword(&self, keyword: &str) -> bool {
        self.peek().is_some_and(|t| {
            t.kind == TokenKind::Word && self.text(t).eq_ignore_ascii_case(keyword)
        })
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        let found = self.at_keyword(keyword);
        self.next += usize::from(found);
        found
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        let found = self.peek().is_some_and(|t| t.kind == *kind);
        self.next += usize::from(found);
        found
    }

    /// A syntax error at the next token (or at the end of the query).
    fn error(&self, reason: impl Into<String>) -> QueryError {
        match self.peek() {
            Some(t) => QueryError::syntax(self.src, t.start, Some(self.text(t)), reason),
            None => QueryError::syntax(self.src, self.src.len(), None, reason),
        }
    }

    fn expect_keyword(&mut self, keyword: &str, reason: &str) -> Result<(), QueryError> {
        if self.eat_keyword(keyword) {
            Ok(())
        } else {
            Err(self.error(reason))
        }
    }

    fn statement(mut self) -> Result<Statement, QueryError> {
        let filter =
            if self.peek().is_none() || self.at_keyword("GROUP") || self.at_keyword("ORDER") {
                None
            } else {
                Some(self.or()?)
            };
        let mut group_by = None;
        if self.eat_keyword("GROUP") {
            self.expect_keyword("BY", "expected BY after GROUP")?;
            let field = self.name()?;
            if self.peek().is_some_and(|t| t.kind == TokenKind::Comma) {
                return Err(QueryError::NotSupported(
                    "'GROUP BY' clause supports only a single field".into(),
                ));
            }
            if field != "ExecutionStatus" {
                return Err(QueryError::NotSupported(format!(
                    "'GROUP BY' clause is not supported for search attribute {field}"
                )));
            }
            group_by = Some(field);
        }
        let mut order_by = Vec::new();
        if self.eat_keyword("ORDER") {
            self.expect_keyword("BY", "expected BY after ORDER")?;
            loop {
                let field = self.name()?;
                let descending = self.eat_keyword("DESC");
                if !descending {
                    self.eat_keyword("ASC");
                }
                order_by.push(SortKey { field, descending });
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
        }
        if self.at_keyword("LIMIT") {
            return Err(QueryError::NotSupported("'LIMIT' clause".into()));
        }
        match self.peek().map(|t| &t.kind) {
            None => Ok(Statement {
                filter,
                group_by,
                order_by,
            }),
            Some(TokenKind::RParen) => Err(self.error("this ')' has no matching '('")),
            Some(_) if self.at_keyword("GROUP") && !order_by.is_empty() => {
                Err(self.error("GROUP BY must come before ORDER BY"))
            }
            Some(_) if filter.is_some() && group_by.is_none() && order_by.is_empty() => {
                Err(self.error("expected AND, OR, GROUP BY, ORDER BY or the end of the query"))
            }
            Some(_) => Err(self.error("expected the end of the query")),
        }
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.and()?;
        while self.eat_keyword("OR") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.not()?;
        while self.eat_keyword("AND") {
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, QueryError> {
        if self.eat_keyword("NOT") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        let open = self.peek().map(|t| t.start);
        if let Some(open) = open.filter(|_| self.eat(&TokenKind::LParen)) {
            let inner = self.or()?;
            if !self.eat(&TokenKind::RParen) {
                let position = QueryError::position(self.src, open);
                return Err(self.error(format!(
                    "expected AND, OR or ')' to close the '(' at position {position}"
                )));
            }
            return Ok(inner);
        }
        self.predicate()
    }

    /// A search attribute name: a bare word that is not a keyword, or a backticked name.
    fn name(&mut self) -> Result<String, QueryError> {
        let Some(token) = self.peek() else {
            return Err(self.error("expected a search attribute name"));
        };
        let name = match &token.kind {
            TokenKind::Word
                if !RESERVED
                    .iter()
                    .any(|k| self.text(token).eq_ignore_ascii_case(k)) =>
            {
                self.text(token).to_owned()
            }
            TokenKind::QuotedName(name) => name.clone(),
            TokenKind::Str(_) | TokenKind::Int(_) | TokenKind::Double(_) => {
                return Err(QueryError::InvalidExpression(format!(
                    "a condition must start with a search attribute name, not the value {}; \
                     write it as, for example, WorkflowId = 'my-id'",
                    self.text(token)
                )));
            }
            _ => return Err(self.error("expected a search attribute name")),
        };
        self.next += 1;
        Ok(name)
    }

    fn predicate(&mut self) -> Result<Expr, QueryError> {
        let field = self.name()?;
        let op = match self.peek().map(|t| &t.kind) {
            Some(TokenKind::Eq) => Some(CompareOp::Eq),
            Some(TokenKind::Ne) => Some(CompareOp::Ne),
            Some(TokenKind::Lt) => Some(CompareOp::Lt),
            Some(TokenKind::Le) => Some(CompareOp::Le),
            Some(TokenKind::Gt) => Some(CompareOp::Gt),
            Some(TokenKind::Ge) => Some(CompareOp::Ge),
            Some(TokenKind::NullSafeEq) => {
                return Err(QueryError::NotSupported("operator '<=>'".into()));
            }
            _ => None,
        };
        let test = if let Some(op) = op {
            self.next += 1;
            Test::Compare(op, self.value_for(&field)?)
        } else if self.eat_keyword("IS") {
            let negated = self.eat_keyword("NOT");
            if !self.eat_keyword("NULL") {
                return Err(QueryError::InvalidExpression(
                    "'IS' operator can only be used as 'IS NULL' or 'IS NOT NULL'".into(),
                ));
            }
            Test::IsNull { negated }
        } else {
            let negated = self.eat_keyword("NOT");
            self.keyword_test(&field, negated)?
        };
        Ok(Expr::Predicate(Predicate { field, test }))
    }

    /// `IN`, `BETWEEN` and `STARTS_WITH`, possibly after `NOT`.
    fn keyword_test(&mut self, field: &str, negated: bool) -> Result<Test, QueryError> {
        if self.eat_keyword("IN") {
            if !self.eat(&TokenKind::LParen) {
                return Err(self.error("expected '(' after IN, as in IN ('a', 'b')"));
            }
            let mut values = vec![self.value_for(field)?];
            while self.eat(&TokenKind::Comma) {
                values.push(self.value_for(field)?);
            }
            if !self.eat(&TokenKind::RParen) {
                return Err(self.error("expected ',' or ')' in the IN list"));
            }
            Ok(Test::In { values, negated })
        } else if self.eat_keyword("BETWEEN") {
            let low = self.value_for(field)?;
            self.expect_keyword("AND", "expected AND between the two BETWEEN values")?;
            let high = self.value_for(field)?;
            Ok(Test::Between { low, high, negated })
        } else if self.eat_keyword("STARTS_WITH") {
            match self.value()? {
                Literal::Str { text, .. } => Ok(Test::StartsWith {
                    prefix: text,
                    negated,
                }),
                other => Err(QueryError::InvalidExpression(format!(
                    "STARTS_WITH needs a quoted string, not {other}"
                ))),
            }
        } else if let Some(word) = UNSUPPORTED_OPERATORS.iter().find(|k| self.at_keyword(k)) {
            let not = if negated { "NOT " } else { "" };
            Err(QueryError::NotSupported(format!("operator '{not}{word}'")))
        } else if negated {
            Err(self.error("expected IN, BETWEEN or STARTS_WITH after NOT"))
        } else {
            Err(self.error(EXPECTED_OPERATOR))
        }
    }

    /// A constant, checked against what the system attribute `field` accepts.
    fn value_for(&mut self, field: &str) -> Result<Literal, QueryError> {
        let value = self.value()?;
        match field {
            "ExecutionStatus" => execution_status(value),
            "StartTime" | "CloseTime" | "ExecutionTime" => {
                check_value(field, ValueType::Datetime, &value)?;
                Ok(value)
            }
            _ => Ok(value),
        }
    }

    fn value(&mut self) -> Result<Literal, QueryError> {
        let Some(token) = self.peek() else {
            return Err(self.error(EXPECTED_VALUE));
        };
        let literal = match &token.kind {
            TokenKind::Str(text) => Literal::string(text.clone()),
            TokenKind::Int(v) => Literal::Int(*v),
            TokenKind::Double(v) => Literal::Double(*v),
            TokenKind::Minus | TokenKind::Plus => {
                let minus = token.kind == TokenKind::Minus;
                self.next += 1;
                return match self.peek().map(|t| &t.kind) {
                    Some(TokenKind::Int(v)) if minus => v
                        .checked_neg()
                        .map(Literal::Int)
                        .ok_or_else(|| self.error("number out of range")),
                    Some(TokenKind::Int(v)) => Ok(Literal::Int(*v)),
                    Some(TokenKind::Double(v)) => Ok(Literal::Double(if minus { -v } else { *v })),
                    _ => Err(self.error("expected a number after the sign")),
                }
                .inspect(|_| self.next += 1);
            }
            TokenKind::Word => {
                let word = self.text(token);
                if word.eq_ignore_ascii_case("TRUE") {
                    Literal::Bool(true)
                } else if word.eq_ignore_ascii_case("FALSE") {
                    Literal::Bool(false)
                } else if word.eq_ignore_ascii_case("NULL") {
                    return Err(QueryError::InvalidExpression(
                        "use 'IS NULL' or 'IS NOT NULL' to test for a missing value".into(),
                    ));
                } else if RESERVED.iter().any(|k| word.eq_ignore_ascii_case(k)) {
                    return Err(self.error(EXPECTED_VALUE));
                } else {
                    return Err(unquoted_name(word));
                }
            }
            TokenKind::QuotedName(name) => return Err(unquoted_name(name)),
            _ => return Err(self.error(EXPECTED_VALUE)),
        };
        self.next += 1;
        Ok(literal)
    }
}

fn unquoted_name(name: &str) -> QueryError {
    QueryError::NotSupported(format!(
        "column name on the right side of comparison expression (did you forget to quote '{name}'?)"
    ))
}

/// Accepts a status by short name (`Running`), full enum name
/// (`WORKFLOW_EXECUTION_STATUS_RUNNING`) or number, and stores the short name.
fn execution_status(value: Literal) -> Result<Literal, QueryError> {
    let index = match &value {
        Literal::Int(n) => usize::try_from(*n)
            .ok()
            .filter(|n| *n < EXECUTION_STATUSES.len()),
        Literal::Str { text, .. } => EXECUTION_STATUSES.iter().position(|name| {
            name == text
                || text
                    .strip_prefix("WORKFLOW_EXECUTION_STATUS_")
                    .is_some_and(|rest| {
                        rest.replace('_', "").eq_ignore_ascii_case(name)
                            && rest.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
                    })
        }),
        _ => None,
    };
    match index.and_then(|i| EXECUTION_STATUSES.get(i)) {
        Some(name) => Ok(Literal::string((*name).to_owned())),
        None => Err(QueryError::InvalidExpression(format!(
            "invalid ExecutionStatus value {value}; use one of {}",
            EXECUTION_STATUSES[1..].join(", ")
        ))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn filter(src: &str) -> Expr {
        parse(src).unwrap().filter.unwrap()
    }

    fn eq(field: &str, value: i64) -> Expr {
        Expr::Predicate(Predicate {
            field: field.into(),
            test: Test::Compare(CompareOp::Eq, Literal::Int(value)),
        })
    }

    fn and(l: Expr, r: Expr) -> Expr {
        Expr::And(Box::new(l), Box::new(r))
    }

    fn or(l: Expr, r: Expr) -> Expr {
        Expr::Or(Box::new(l), Box::new(r))
    }

    #[test]
    fn precedence_not_over_and_over_or() {
        assert_eq!(
            filter("a = 1 OR b = 2 AND c = 3"),
            or(eq("a", 1), and(eq("b", 2), eq("c", 3)))
        );
        assert_eq!(
            filter("a = 1 AND b = 2 OR c = 3"),
            or(and(eq("a", 1), eq("b", 2)), eq("c", 3))
        );
        assert_eq!(
            filter("(a = 1 OR b = 2) AND c = 3"),
            and(or(eq("a", 1), eq("b", 2)), eq("c", 3))
        );
        assert_eq!(
            filter("NOT a = 1 AND b = 2"),
            and(Expr::Not(Box::new(eq("a", 1))), eq("b", 2))
        );
        assert_eq!(
            filter("a = 1 OR b = 2 OR c = 3"),
            or(or(eq("a", 1), eq("b", 2)), eq("c", 3))
        );
    }

    #[test]
    fn predicate_forms() {
        let test = |src: &str| match filter(src) {
            Expr::Predicate(p) => p.test,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            test("x NOT IN ('a', -1, 2.5, true)"),
            Test::In {
                values: vec![
                    Literal::string("a".into()),
                    Literal::Int(-1),
                    Literal::Double(2.5),
                    Literal::Bool(true)
                ],
                negated: true
            }
        );
        assert_eq!(
            test("x between -2 and +3"),
            Test::Between {
                low: Literal::Int(-2),
                high: Literal::Int(3),
                negated: false
            }
        );
        assert_eq!(
            test("x NOT STARTS_WITH 'p'"),
            Test::StartsWith {
                prefix: "p".into(),
                negated: true
            }
        );
        assert_eq!(test("x IS NOT NULL"), Test::IsNull { negated: true });
        assert_eq!(
            test("x >= -1.5"),
            Test::Compare(CompareOp::Ge, Literal::Double(-1.5))
        );
    }

    #[test]
    fn string_literals_remember_their_instant() {
        let Literal::Str { instant, .. } = Literal::string("1970-01-01T00:00:01Z".into()) else {
            panic!()
        };
        assert_eq!(instant, Some(1_000_000_000));
        let Literal::Str { instant, .. } = Literal::string("soon".into()) else {
            panic!()
        };
        assert_eq!(instant, None);
    }

    /// Malformed queries and the exact error each one gives.
    #[test]
    fn malformed_queries_give_clear_errors() {
        let syntax = "invalid query: malformed SQL query: syntax error at position";
        let cases = [
            ("WorkflowId = ", format!("{syntax} 14 at the end of the query: {EXPECTED_VALUE}")),
            ("WorkflowId 'x'", format!("{syntax} 12 near ''x'': {EXPECTED_OPERATOR}")),
            ("WorkflowId", format!("{syntax} 11 at the end of the query: {EXPECTED_OPERATOR}")),
            (
                "(WorkflowId = 'a'",
                format!("{syntax} 18 at the end of the query: expected AND, OR or ')' to close the '(' at position 1"),
            ),
            (
                "WorkflowId = 'a' AND (RunId = 'r' OR RunId = 's'",
                format!("{syntax} 49 at the end of the query: expected AND, OR or ')' to close the '(' at position 22"),
            ),
            ("WorkflowId = 'a')", format!("{syntax} 17 near ')': this ')' has no matching '('")),
            (
                "WorkflowId = \"abc",
                format!("{syntax} 14 near '\"abc': this string is never closed; add the matching \" at its end"),
            ),
            ("WorkflowId LIKE 'a%'", "invalid query: operation is not supported: operator 'LIKE'".into()),
            ("WorkflowId NOT LIKE 'a%'", "invalid query: operation is not supported: operator 'NOT LIKE'".into()),
            ("WorkflowId <=> 'a'", "invalid query: operation is not supported: operator '<=>'".into()),
            ("WorkflowId == 'a'", format!("{syntax} 13 near '=': {EXPECTED_VALUE}")),
            (
                "GROUP BY WorkflowType",
                "invalid query: operation is not supported: 'GROUP BY' clause is not supported for search attribute WorkflowType".into(),
            ),
            (
                "GROUP BY ExecutionStatus, WorkflowType",
                "invalid query: operation is not supported: 'GROUP BY' clause supports only a single field".into(),
            ),
            ("WorkflowId = 'a' LIMIT 10", "invalid query: operation is not supported: 'LIMIT' clause".into()),
            (
                "WorkflowId = foo",
                "invalid query: operation is not supported: column name on the right side of comparison \
                 expression (did you forget to quote 'foo'?)"
                    .into(),
            ),
            (
                "'a' = WorkflowId",
                "invalid query: invalid expression: a condition must start with a search attribute name, \
                 not the value 'a'; write it as, for example, WorkflowId = 'my-id'"
                    .into(),
            ),
            (
                "ExecutionStatus = 'Done'",
                "invalid query: invalid expression: invalid ExecutionStatus value 'Done'; use one of Running, \
                 Completed, Failed, Canceled, Terminated, ContinuedAsNew, TimedOut"
                    .into(),
            ),
            (
                "StartTime > 'yesterday'",
                "invalid query: invalid expression: unable to parse datetime 'yesterday'; write times in \
                 RFC 3339, like '2024-01-31T12:00:00Z'"
                    .into(),
            ),
            (
                "CloseTime < true",
                "invalid query: invalid expression: invalid value type for search attribute CloseTime of type Datetime: true".into(),
            ),
            ("WorkflowId = 'a' AND", format!("{syntax} 21 at the end of the query: expected a search attribute name")),
            ("WorkflowId BETWEEN 'a' 'b'", format!("{syntax} 24 near ''b'': expected AND between the two BETWEEN values")),
            ("WorkflowId IN 'a'", format!("{syntax} 15 near ''a'': expected '(' after IN, as in IN ('a', 'b')")),
            ("WorkflowId IN ('a' 'b')", format!("{syntax} 20 near ''b'': expected ',' or ')' in the IN list")),
            ("WorkflowId IN ()", format!("{syntax} 16 near ')': {EXPECTED_VALUE}")),
            (
                "WorkflowId = NULL",
                "invalid query: invalid expression: use 'IS NULL' or 'IS NOT NULL' to test for a missing value".into(),
            ),
            (
                "WorkflowId IS 'x'",
                "invalid query: invalid expression: 'IS' operator can only be used as 'IS NULL' or 'IS NOT NULL'".into(),
            ),
            ("WorkflowId STARTS_WITH 5", "invalid query: invalid expression: STARTS_WITH needs a quoted string, not 5".into()),
            (
                "WorkflowId = 'a' WorkflowType = 'b'",
                format!("{syntax} 18 near 'WorkflowType': expected AND, OR, GROUP BY, ORDER BY or the end of the query"),
            ),
            ("ORDER WorkflowId", format!("{syntax} 7 near 'WorkflowId': expected BY after ORDER")),
            ("ORDER BY StartTime GROUP BY ExecutionStatus", format!("{syntax} 20 near 'GROUP': GROUP BY must come before ORDER BY")),
            ("ORDER BY StartTime DESC RunId", format!("{syntax} 25 near 'RunId': expected the end of the query")),
            ("AND = 'x'", format!("{syntax} 1 near 'AND': expected a search attribute name")),
            ("()", format!("{syntax} 2 near ')': expected a search attribute name")),
            ("WorkflowId NOT 'a'", format!("{syntax} 16 near ''a'': expected IN, BETWEEN or STARTS_WITH after NOT")),
            ("Count > -'a'", format!("{syntax} 10 near ''a'': expected a number after the sign")),
            ("WorkflowId = 'a' ; x", format!("{syntax} 18 near ';': the character ';' has no meaning in a list filter")),
            ("WorkflowId = 'é' # x", format!("{syntax} 18 near '#': the character '#' has no meaning in a list filter")),
        ];
        for (query, expected) in cases {
            match parse(query) {
                Ok(statement) => panic!("{query:?} parsed as {statement:?}"),
                Err(err) => assert_eq!(err.to_string(), expected, "for query {query:?}"),
            }
        }
    }

    #[test]
    fn syntax_errors_expose_their_parts() {
        let err = parse("a = 1 b").unwrap_err();
        let QueryError::Syntax { position, near, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!((position, near.as_deref()), (7, Some("b")));
    }
}
