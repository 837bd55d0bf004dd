//! Splits a list filter into tokens: words, quoted strings and names, numbers and punctuation.

use super::QueryError;

/// One token and the byte range it covers in the query text.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub(super) kind: TokenKind,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// The kinds of token a list filter is made of.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum TokenKind {
    /// A bare word: a keyword such as `AND` or a search attribute name. Its text is the
    /// token's range in the query.
    Word,
    /// A name in backticks, with the backticks removed.
    QuotedName(String),
    /// A string in single or double quotes, with quotes and escapes resolved.
    Str(String),
    Int(i64),
    Double(f64),
    LParen,
    RParen,
    Comma,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// MySQL's `<=>`, which the server does not support.
    NullSafeEq,
    Minus,
    Plus,
}

/// Splits `src` into tokens, or reports the first character that cannot start one.
pub(super) fn tokenize(src: &str) -> Result<Vec<Token>, QueryError> {
    let bytes = src.as_bytes();
    let next_is = |at: usize, byte: u8| bytes.get(at) == Some(&byte);
    let mut tokens = Vec::new();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        let start = at;
        let (kind, end) = match byte {
            b' ' | b'\t' | b'\n' | b'\r' => {
                at += 1;
                continue;
            }
            b'(' => (TokenKind::LParen, at + 1),
            b')' => (TokenKind::RParen, at + 1),
            b',' => (TokenKind::Comma, at + 1),
            b'-' => (TokenKind::Minus, at + 1),
            b'+' => (TokenKind::Plus, at + 1),
            b'=' => (TokenKind::Eq, at + 1),
            b'!' if next_is(at + 1, b'=') => (TokenKind::Ne, at + 2),
            b'<' if next_is(at + 1, b'=') && next_is(at + 2, b'>') => {
                (TokenKind::NullSafeEq, at + 3)
            }
            b'<' if next_is(at + 1, b'=') => (TokenKind::Le, at + 2),
            b'<' if next_is(at + 1, b'>') => (TokenKind::Ne, at + 2),
            b'<' => (TokenKind::Lt, at + 1),
            b'>' if next_is(at + 1, b'=') => (TokenKind::Ge, at + 2),
            b'>' => (TokenKind::Gt, at + 1),
            b'\'' | b'"' | b'`' => {
                let (text, end) = read_quoted(src, at, char::from(byte))?;
                let kind = if byte == b'`' {
                    if text.is_empty() {
                        return Err(QueryError::syntax(
                            src,
                            at,
                            Some("``"),
                            "a name in backticks cannot be empty",
                        ));
                    }
                    TokenKind::QuotedName(text)
                } else {
                    TokenKind::Str(text)
                };
                (kind, end)
            }
            b'0'..=b'9' => read_number(src, at)?,
            b'.' if bytes.get(at + 1).is_some_and(u8::is_ascii_digit) => read_number(src, at)?,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => (TokenKind::Word, word_end(bytes, at)),
            _ => {
                let found = src
                    .get(at..)
                    .and_then(|rest| rest.chars().next())
                    .unwrap_or('?');
                let reason = match found {
                    '!' => "'!' must be followed by '=' (write != for \"not equal\")".to_owned(),
                    _ => format!("the character '{found}' has no meaning in a list filter"),
                };
                return Err(QueryError::syntax(
                    src,
                    at,
                    Some(&found.to_string()),
                    reason,
                ));
            }
        };
        tokens.push(Token { kind, start, end });
        at = end;
    }
    Ok(tokens)
}

fn word_end(bytes: &[u8], start: usize) -> usize {
    start
        + bytes
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count()
}

/// Reads a quoted string or backticked name starting at `start`. A doubled quote stands for
/// one quote; in strings (not names) a backslash escapes the next character as in MySQL.
fn read_quoted(src: &str, start: usize, quote: char) -> Result<(String, usize), QueryError> {
    let body_start = start + 1;
    let mut out = String::new();
    let mut chars = src
        .get(body_start..)
        .unwrap_or_default()
        .char_indices()
        .peekable();
    while let Some((offset, c)) = chars.next() {
        if c == quote {
            if chars.peek().is_some_and(|&(_, next)| next == quote) {
                chars.next();
                out.push(quote);
                continue;
            }
            return Ok((out, body_start + offset + 1));
        }
        if c == '\\' && quote != '`' {
            let Some((_, escaped)) = chars.next() else {
                break;
            };
            out.push(match escaped {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '0' => '\0',
                'b' => '\u{8}',
                'Z' => '\u{1a}',
                other => other,
            });
            continue;
        }
        out.push(c);
    }
    let opening: String = src
        .get(start..)
        .unwrap_or_default()
        .chars()
        .take(20)
        .collect();
    let what = if quote == '`' { "name" } else { "string" };
    Err(QueryError::syntax(
        src,
        start,
        Some(&opening),
        format!("this {what} is never closed; add the matching {quote} at its end"),
    ))
}

/// Reads an integer (`42`) or a decimal number (`4.2`, `.5`, `1e3`). Integers too large for
/// 64 bits become decimals, as on the server.
fn read_number(src: &str, start: usize) -> Result<(TokenKind, usize), QueryError> {
    let bytes = src.as_bytes();
    let digits_from = |at: usize| {
        bytes
            .get(at..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut end = start + digits_from(start);
    let mut decimal = false;
    if bytes.get(end) == Some(&b'.') {
        decimal = true;
        end += 1 + digits_from(end + 1);
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
        let exponent = digits_from(end + 1 + sign);
        if exponent > 0 {
            decimal = true;
            end += 1 + sign + exponent;
        }
    }
    let text = src.get(start..end).unwrap_or_default();
    if bytes
        .get(end)
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_' || *b == b'.')
    {
        let near = src
            .get(start..word_end(bytes, end).max(end + 1))
            .unwrap_or(text);
        return Err(QueryError::syntax(
            src,
            start,
            Some(near),
            "a number cannot run into letters; put string values in quotes",
        ));
    }
    let kind = match text.parse::<i64>() {
        Ok(int) if !decimal => TokenKind::Int(int),
        _ => match text.parse::<f64>() {
            Ok(double) => TokenKind::Double(double),
            Err(_) => {
                return Err(QueryError::InvalidExpression(format!(
                    "unable to parse value {text}"
                )));
            }
        },
    };
    Ok((kind, end))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        tokenize(src).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn punctuation_and_operators() {
        use TokenKind::*;
        assert_eq!(
            kinds("( ) , = != <> < <= > >= <=> - +"),
            vec![
                LParen, RParen, Comma, Eq, Ne, Ne, Lt, Le, Gt, Ge, NullSafeEq, Minus, Plus
            ]
        );
    }

    #[test]
    fn words_carry_their_range() {
        let tokens = tokenize("  Custom_Field1 AND").unwrap();
        assert_eq!((tokens[0].start, tokens[0].end), (2, 15));
        assert_eq!(
            (tokens[1].kind.clone(), tokens[1].start),
            (TokenKind::Word, 16)
        );
    }

    #[test]
    fn strings_in_either_quote_with_escapes() {
        assert_eq!(kinds("'a b'"), vec![TokenKind::Str("a b".into())]);
        assert_eq!(kinds("\"x\""), vec![TokenKind::Str("x".into())]);
        assert_eq!(kinds(r"'it''s'"), vec![TokenKind::Str("it's".into())]);
        assert_eq!(kinds(r"'it\'s\n'"), vec![TokenKind::Str("it's\n".into())]);
        assert_eq!(kinds("'é→'"), vec![TokenKind::Str("é→".into())]);
        assert_eq!(kinds("''"), vec![TokenKind::Str(String::new())]);
    }

    #[test]
    fn backticked_names() {
        assert_eq!(
            kinds("`my-attr.x`"),
            vec![TokenKind::QuotedName("my-attr.x".into())]
        );
        assert_eq!(kinds("`a``b`"), vec![TokenKind::QuotedName("a`b".into())]);
    }

    #[test]
    fn numbers() {
        use TokenKind::*;
        assert_eq!(
            kinds("42 4.5 .5 1e3 2E-2"),
            vec![
                Int(42),
                Double(4.5),
                Double(0.5),
                Double(1000.0),
                Double(0.02)
            ]
        );
        assert_eq!(kinds("99999999999999999999"), vec![Double(1e20)]);
        assert_eq!(kinds("-7"), vec![Minus, Int(7)]);
    }

    #[test]
    fn errors_point_at_the_offending_text() {
        let err = tokenize("WorkflowId = 'abc").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid query: malformed SQL query: syntax error at position 14 near ''abc': \
             this string is never closed; add the matching ' at its end"
        );
        let err = tokenize("a = 1 ; b").unwrap_err();
        assert!(err.to_string().contains("position 7 near ';'"), "{err}");
        assert!(
            tokenize("a ! b")
                .unwrap_err()
                .to_string()
                .contains("'!' must be followed by '='")
        );
        assert!(
            tokenize("`unclosed")
                .unwrap_err()
                .to_string()
                .contains("this name is never closed")
        );
        assert!(
            tokenize("``")
                .unwrap_err()
                .to_string()
                .contains("cannot be empty")
        );
        assert!(
            tokenize("a = 12abc")
                .unwrap_err()
                .to_string()
                .contains("near '12abc'")
        );
    }
}
