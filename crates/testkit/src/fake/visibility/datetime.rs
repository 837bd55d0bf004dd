//! Instants as nanoseconds since the Unix epoch, the scale visibility queries compare
//! `Datetime` values on (literals are parsed by `temporal_client_core::rfc3339`).

use std::time::{SystemTime, UNIX_EPOCH};

/// Nanoseconds between the Unix epoch and `time` (negative before the epoch).
pub(super) fn system_time_nanos(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::time::Duration;

    const SECOND: i128 = 1_000_000_000;

    #[test]
    fn system_time_on_both_sides_of_the_epoch() {
        assert_eq!(
            system_time_nanos(UNIX_EPOCH + Duration::from_secs(2)),
            2 * SECOND
        );
        assert_eq!(
            system_time_nanos(UNIX_EPOCH - Duration::from_secs(2)),
            -2 * SECOND
        );
    }
}
