//! `SystemTime` to and from the protobuf `Timestamp`, for schedule times.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use temporal_proto::protobuf::Timestamp;

use crate::validation::InvalidRequest;

/// Converts `time` for field `field`; fails for times before 1970 or too far ahead.
pub(crate) fn timestamp_to_proto(
    field: &'static str,
    time: SystemTime,
) -> Result<Timestamp, InvalidRequest> {
    let invalid = InvalidRequest::InvalidValue {
        field,
        reason: "the time is before 1970 or too far in the future for a protobuf Timestamp",
    };
    let since = time
        .duration_since(UNIX_EPOCH)
        .map_err(|_| invalid.clone())?;
    Ok(Timestamp {
        seconds: i64::try_from(since.as_secs()).map_err(|_| invalid.clone())?,
        nanos: i32::try_from(since.subsec_nanos()).map_err(|_| invalid)?,
    })
}

/// Converts a protobuf timestamp; `None` for times before 1970 or malformed ones.
pub(crate) fn timestamp_from_proto(ts: &Timestamp) -> Option<SystemTime> {
    let seconds = u64::try_from(ts.seconds).ok()?;
    let nanos = u32::try_from(ts.nanos)
        .ok()
        .filter(|n| *n < 1_000_000_000)?;
    UNIX_EPOCH.checked_add(Duration::new(seconds, nanos))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_before_epoch() {
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 123);
        let proto = timestamp_to_proto("t", t).unwrap();
        assert_eq!(timestamp_from_proto(&proto), Some(t));
        assert!(timestamp_to_proto("t", UNIX_EPOCH - Duration::from_secs(1)).is_err());
        assert_eq!(
            timestamp_from_proto(&Timestamp {
                seconds: -1,
                nanos: 0
            }),
            None
        );
    }
}
