//! `std::time::Duration` to and from the protobuf `Duration`, with the range check the
//! protobuf definition asks for.

use std::time::Duration;

use temporal_proto::protobuf::Duration as ProtoDuration;

use crate::validation::InvalidRequest;

/// The longest duration protobuf allows: 10,000 years, in seconds.
pub const MAX_PROTO_DURATION_SECS: u64 = 315_576_000_000;

/// Converts `duration` for field `field`; fails if it exceeds
/// [`MAX_PROTO_DURATION_SECS`].
pub fn duration_to_proto(
    field: &'static str,
    duration: Duration,
) -> Result<ProtoDuration, InvalidRequest> {
    let out_of_range = || InvalidRequest::DurationOutOfRange { field, duration };
    if duration.as_secs() > MAX_PROTO_DURATION_SECS {
        return Err(out_of_range());
    }
    Ok(ProtoDuration {
        seconds: i64::try_from(duration.as_secs()).map_err(|_| out_of_range())?,
        nanos: i32::try_from(duration.subsec_nanos()).map_err(|_| out_of_range())?,
    })
}

/// Converts an optional duration. Zero means "unset" to the server, so it is sent as
/// unset.
pub fn optional_duration(
    field: &'static str,
    duration: Option<Duration>,
) -> Result<Option<ProtoDuration>, InvalidRequest> {
    match duration {
        Some(d) if !d.is_zero() => duration_to_proto(field, d).map(Some),
        _ => Ok(None),
    }
}

/// Converts a protobuf duration; `None` if it is negative or malformed.
pub fn duration_from_proto(duration: &ProtoDuration) -> Option<Duration> {
    let seconds = u64::try_from(duration.seconds).ok()?;
    let nanos = u32::try_from(duration.nanos)
        .ok()
        .filter(|n| *n < 1_000_000_000)?;
    Some(Duration::new(seconds, nanos))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn converts_seconds_and_nanos() {
        let d = duration_to_proto("f", Duration::new(5, 250_000_000)).unwrap();
        assert_eq!((d.seconds, d.nanos), (5, 250_000_000));
        assert_eq!(duration_from_proto(&d), Some(Duration::new(5, 250_000_000)));
        let max = duration_to_proto("f", Duration::from_secs(MAX_PROTO_DURATION_SECS)).unwrap();
        assert_eq!(max.seconds, 315_576_000_000);
    }

    #[test]
    fn rejects_overflow_naming_the_field() {
        for too_long in [
            Duration::from_secs(MAX_PROTO_DURATION_SECS + 1),
            Duration::from_secs(i64::MAX as u64 + 1),
            Duration::MAX,
        ] {
            let err = duration_to_proto("execution_timeout", too_long).unwrap_err();
            assert_eq!(
                err,
                InvalidRequest::DurationOutOfRange {
                    field: "execution_timeout",
                    duration: too_long
                }
            );
            assert!(err.to_string().contains("`execution_timeout`"));
        }
    }

    #[test]
    fn zero_and_none_are_unset() {
        assert_eq!(optional_duration("f", None).unwrap(), None);
        assert_eq!(optional_duration("f", Some(Duration::ZERO)).unwrap(), None);
        assert_eq!(
            optional_duration("f", Some(Duration::from_millis(1))).unwrap(),
            Some(ProtoDuration {
                seconds: 0,
                nanos: 1_000_000
            })
        );
        assert!(optional_duration("f", Some(Duration::MAX)).is_err());
    }

    #[test]
    fn negative_proto_durations_are_none() {
        assert_eq!(
            duration_from_proto(&ProtoDuration {
                seconds: -1,
                nanos: 0
            }),
            None
        );
        assert_eq!(
            duration_from_proto(&ProtoDuration {
                seconds: 1,
                nanos: -1
            }),
            None
        );
        assert_eq!(
            duration_from_proto(&ProtoDuration {
                seconds: 1,
                nanos: 1_000_000_000
            }),
            None
        );
    }
}
