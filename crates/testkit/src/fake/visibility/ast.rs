//! The parsed form of a list filter: a tree of conditions plus the GROUP BY and ORDER BY clauses.

/// A whole parsed list filter.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Statement {
    /// The condition a record must meet; `None` matches every record.
    pub(super) filter: Option<Expr>,
    /// The single `GROUP BY` field, if any.
    pub(super) group_by: Option<String>,
    /// The `ORDER BY` keys, in priority order.
    pub(super) order_by: Vec<SortKey>,
}

/// One `ORDER BY` key.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SortKey {
    pub(super) field: String,
    pub(super) descending: bool,
}

/// A boolean expression over search attributes.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Predicate(Predicate),
}

/// A test of one search attribute, such as `WorkflowId = 'a'`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Predicate {
    pub(super) field: String,
    pub(super) test: Test,
}

/// What a [`Predicate`] checks about its field.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Test {
    Compare(CompareOp, Literal),
    In {
        values: Vec<Literal>,
        negated: bool,
    },
    Between {
        low: Literal,
        high: Literal,
        negated: bool,
    },
    StartsWith {
        prefix: String,
        negated: bool,
    },
    IsNull {
        negated: bool,
    },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    /// The operator as written in a query.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
        }
    }
}

/// A constant written in the query.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Literal {
    /// A quoted string; `instant` holds its value in nanoseconds since the Unix epoch when the
    /// string is an RFC 3339 date-time, so time comparisons need not re-parse it per record.
    Str {
        text: String,
        instant: Option<i128>,
    },
    Int(i64),
    Double(f64),
    Bool(bool),
}

impl Literal {
    /// A string literal, with its instant pre-computed.
    pub(super) fn string(text: String) -> Self {
        let instant = temporal_client_core::rfc3339::parse_nanos(&text);
        Self::Str { text, instant }
    }
}

impl std::fmt::Display for Literal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Str { text, .. } => write!(f, "'{text}'"),
            Self::Int(v) => write!(f, "{v}"),
            Self::Double(v) => write!(f, "{v}"),
            Self::Bool(v) => write!(f, "{v}"),
        }
    }
}
