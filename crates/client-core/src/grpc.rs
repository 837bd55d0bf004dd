//! The one mapping between this crate's errors and gRPC as tonic speaks it: a
//! `tonic::Status` becomes a [`ServiceError`] (code, message, typed details) and back,
//! and a `grpc-timeout` header value is written and read.
//!
//! This is the status mapping only: tonic is used without its default features, so this
//! module brings in no channel, no sockets, no HTTP/2 and no TLS. The client's transport
//! and the test server both use it, so what one side writes the other reads the same way.
//!
//! Enabled by the `tonic` feature.

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::time::Duration;

use crate::error::{Code, ErrorDetails, ServiceError};

/// The largest number a `grpc-timeout` value may have: 8 digits.
const MAX_TIMEOUT_DIGITS: u128 = 99_999_999;

impl From<tonic::Code> for Code {
    fn from(code: tonic::Code) -> Self {
        Code::from_i32(code as i32)
    }
}

impl From<Code> for tonic::Code {
    fn from(code: Code) -> Self {
        tonic::Code::from_i32(code as i32)
    }
}

/// Translates a gRPC status into a [`ServiceError`] for `rpc`: the code, the message
/// followed by the causes a transport keeps as sources (e.g. "Connection refused"), the
/// typed details of `grpc-status-details-bin`, and the status itself as the source.
///
/// The origin stays [`ErrorOrigin::Server`](crate::ErrorOrigin::Server); a transport
/// that knows better sets it with [`ServiceError::with_origin`].
pub fn status_to_error(rpc: &'static str, status: tonic::Status) -> ServiceError {
    let message = message_with_causes(&status);
    let mut error = ServiceError::new(rpc, status.code().into(), message);
    if let Some(details) = ErrorDetails::decode_status(status.details()) {
        error = error.with_details(details);
    }
    error.with_source(status)
}

/// Translates a [`ServiceError`] into the gRPC status a server sends: same code and
/// message, typed details encoded as a `google.rpc.Status` (`grpc-status-details-bin`).
/// An error carrying code `OK` is sent as `UNKNOWN`, since `OK` reads as success.
pub fn error_to_status(error: &ServiceError) -> tonic::Status {
    let code = match error.code() {
        Code::Ok => Code::Unknown,
        code => code,
    };
    match error.details() {
        Some(details) => {
            let bytes = details.encode_status(code, error.message());
            tonic::Status::with_details(code.into(), error.message(), bytes.into())
        }
        None => tonic::Status::new(code.into(), error.message()),
    }
}

impl From<ServiceError> for tonic::Status {
    fn from(error: ServiceError) -> Self {
        error_to_status(&error)
    }
}

/// The status message, followed by the chain of transport causes (e.g. "Connection
/// refused") that tonic keeps as sources but leaves out of the message.
fn message_with_causes(status: &tonic::Status) -> String {
    let mut message = status.message().to_owned();
    let mut cause = StdError::source(status);
    let mut previous = String::new();
    while let Some(err) = cause {
        let text = err.to_string();
        if !text.is_empty() && text != previous && !message.contains(&text) {
            let _ = write!(
                message,
                "{}{text}",
                if message.is_empty() { "" } else { ": " }
            );
        }
        previous = text;
        cause = err.source();
    }
    message
}

/// Writes a `grpc-timeout` header value: milliseconds rounded up (at least `1m`), or
/// whole seconds (also rounded up, at most `99999999S`) for timeouts too long for 8
/// digits of milliseconds.
pub fn encode_timeout(timeout: Duration) -> String {
    let millis = timeout.as_nanos().div_ceil(1_000_000).max(1);
    if millis <= MAX_TIMEOUT_DIGITS {
        format!("{millis}m")
    } else {
        let secs = timeout
            .as_nanos()
            .div_ceil(1_000_000_000)
            .min(MAX_TIMEOUT_DIGITS);
        format!("{secs}S")
    }
}

/// Reads a `grpc-timeout` header value: 1 to 8 digits and a unit (`H`ours, `M`inutes,
/// `S`econds, `m`illis, `u`micros, `n`anos). `None` when it is malformed.
pub fn parse_timeout(value: &str) -> Option<Duration> {
    let split = value.len().checked_sub(1)?;
    if !value.is_char_boundary(split) {
        return None;
    }
    let (digits, unit) = value.split_at(split);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorOrigin;
    use temporal_proto::temporal::api::errordetails::v1::{
        NotFoundFailure, WorkflowExecutionAlreadyStartedFailure,
    };

    #[test]
    fn every_code_round_trips() {
        for n in 0..=16 {
            let code = Code::from_i32(n);
            let tonic_code: tonic::Code = code.into();
            assert_eq!(tonic_code as i32, n);
            assert_eq!(Code::from(tonic_code), code);
            if code == Code::Ok {
                continue;
            }
            let status = error_to_status(&ServiceError::new("Rpc", code, format!("m{n}")));
            let back = status_to_error("Rpc", status);
            assert_eq!(back.code(), code);
            assert_eq!(back.message(), format!("m{n}"));
            assert_eq!(back.rpc(), "Rpc");
            assert_eq!(back.origin(), ErrorOrigin::Server);
            assert_eq!(back.details(), None);
        }
    }

    #[test]
    fn typed_details_round_trip() {
        for details in [
            ErrorDetails::WorkflowExecutionAlreadyStarted(WorkflowExecutionAlreadyStartedFailure {
                start_request_id: "r".into(),
                run_id: "run-9".into(),
                first_execution_run_id: String::new(),
            }),
            ErrorDetails::NotFound(NotFoundFailure {
                current_cluster: "a".into(),
                active_cluster: "b".into(),
            }),
            ErrorDetails::Other {
                type_url: "type.googleapis.com/foo.Bar".into(),
                value: vec![1, 2],
            },
        ] {
            let error = ServiceError::new("StartWorkflowExecution", Code::AlreadyExists, "already")
                .with_details(details.clone());
            let status: tonic::Status = error.into();
            assert_eq!(status.code(), tonic::Code::AlreadyExists);
            assert_eq!(status.message(), "already");
            assert_eq!(
                ErrorDetails::decode_status(status.details()).as_ref(),
                Some(&details)
            );
            let back = status_to_error("StartWorkflowExecution", status);
            assert_eq!(back.details(), Some(&details));
            assert_eq!(back.message(), "already");
            let source = StdError::source(&back).and_then(|s| s.downcast_ref::<tonic::Status>());
            assert_eq!(source.map(|s| s.code()), Some(tonic::Code::AlreadyExists));
        }
    }

    #[test]
    fn an_ok_error_is_sent_as_unknown() {
        let status = error_to_status(&ServiceError::new("X", Code::Ok, "odd"));
        assert_eq!(status.code(), tonic::Code::Unknown);
        assert_eq!(status.message(), "odd");
        assert!(status.details().is_empty());
    }

    #[test]
    fn transport_causes_are_appended_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused");
        let status = tonic::Status::from_error(Box::new(io));
        let err = status_to_error("GetSystemInfo", status);
        assert_eq!(err.message().matches("Connection refused").count(), 1);
        assert!(err.message().contains("Connection refused"), "{err}");
    }

    #[test]
    fn timeouts_encode_in_millis_or_seconds_rounded_up() {
        assert_eq!(encode_timeout(Duration::from_millis(1500)), "1500m");
        assert_eq!(encode_timeout(Duration::from_micros(1)), "1m");
        assert_eq!(encode_timeout(Duration::ZERO), "1m");
        assert_eq!(encode_timeout(Duration::from_secs(200_000)), "200000S");
        assert_eq!(
            encode_timeout(Duration::from_millis(200_000_001)),
            "200001S"
        );
        assert_eq!(encode_timeout(Duration::MAX), "99999999S");
    }

    #[test]
    fn every_timeout_unit_parses() {
        assert_eq!(parse_timeout("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_timeout("3M"), Some(Duration::from_secs(180)));
        assert_eq!(parse_timeout("5S"), Some(Duration::from_secs(5)));
        assert_eq!(parse_timeout("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse_timeout("7u"), Some(Duration::from_micros(7)));
        assert_eq!(parse_timeout("9n"), Some(Duration::from_nanos(9)));
        assert_eq!(
            parse_timeout("99999999S"),
            Some(Duration::from_secs(99_999_999))
        );
        for bad in ["", "S", "5", "5x", "123456789S", "-1S", "1.5S", "5é", " 5S"] {
            assert_eq!(parse_timeout(bad), None, "{bad}");
        }
    }

    #[test]
    fn encoded_timeouts_parse_back_to_at_least_the_original() {
        for timeout in [
            Duration::from_nanos(1),
            Duration::from_millis(1),
            Duration::from_millis(10_500),
            Duration::from_secs(70),
            Duration::from_secs(3 * 24 * 3600),
            Duration::from_secs(5_000_000),
        ] {
            let parsed = parse_timeout(&encode_timeout(timeout));
            assert!(
                parsed.is_some_and(|p| p >= timeout && p - timeout < Duration::from_secs(1)),
                "{timeout:?} -> {parsed:?}"
            );
        }
    }
}
