//! The dev server address of tests that run against a real Temporal server
//! (`TEMPORAL_ADDRESS`, set by `scripts/test.sh`).

/// The dev server's address; without one the test says it skipped (`test` names it),
/// unless `TEMPORAL_REQUIRE_SERVER=1`, where a missing server is a failure.
pub(crate) fn dev_server_address(test: &str) -> Option<String> {
    match std::env::var("TEMPORAL_ADDRESS") {
        Ok(address) if !address.is_empty() => Some(address),
        _ if std::env::var("TEMPORAL_REQUIRE_SERVER").as_deref() == Ok("1") => {
            panic!("TEMPORAL_REQUIRE_SERVER=1 but TEMPORAL_ADDRESS is not set")
        }
        _ => {
            eprintln!(
                "SKIPPED {test}: TEMPORAL_ADDRESS is not set (run scripts/test.sh to start a dev server)"
            );
            None
        }
    }
}
