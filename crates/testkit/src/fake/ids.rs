//! Seedable, deterministic generator of run ids and other server-made ids.
// `ServiceError` (the WorkflowService error type) and `Failure` are large by nature;
// boxing them here would only add allocations on every error path.
#![allow(clippy::result_large_err, clippy::collapsible_if)]

/// Makes UUID-shaped ids from a seeded pseudo-random sequence (SplitMix64), so two fakes
/// built with the same seed hand out the same ids in the same order.
#[derive(Debug, Clone)]
pub(crate) struct IdGenerator {
    state: u64,
}

impl IdGenerator {
    /// A generator whose sequence is fixed by `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The next id, formatted as a version-4 UUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`).
    pub(crate) fn uuid(&mut self) -> String {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let hi = (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
        let lo = (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xFFFF,
            hi & 0xFFFF,
            lo >> 48,
            lo & 0xFFFF_FFFF_FFFF
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_ids_and_ids_look_like_uuids() {
        let mut a = IdGenerator::new(7);
        let mut b = IdGenerator::new(7);
        let ida: Vec<String> = (0..3).map(|_| a.uuid()).collect();
        let idb: Vec<String> = (0..3).map(|_| b.uuid()).collect();
        assert_eq!(ida, idb);
        assert_ne!(ida[0], ida[1]);
        let id = &ida[0];
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(IdGenerator::new(8).uuid(), ida[0]);
    }
}
