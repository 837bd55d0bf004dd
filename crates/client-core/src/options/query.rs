//! [`QueryRejectCondition`]: when the server refuses a query instead of asking a worker.

use temporal_proto::temporal::api::enums::v1 as proto;

/// When the server should reject a query instead of running it, based on the workflow's
/// status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum QueryRejectCondition {
    /// Never reject: closed workflows are queried too (the default).
    #[default]
    None,
    /// Reject unless the workflow is still running.
    NotOpen,
    /// Reject if the workflow closed in any way other than completing successfully.
    NotCompletedCleanly,
}

impl QueryRejectCondition {
    /// The protobuf value.
    pub fn to_proto(self) -> proto::QueryRejectCondition {
        match self {
            Self::None => proto::QueryRejectCondition::None,
            Self::NotOpen => proto::QueryRejectCondition::NotOpen,
            Self::NotCompletedCleanly => proto::QueryRejectCondition::NotCompletedCleanly,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_proto() {
        assert_eq!(QueryRejectCondition::default(), QueryRejectCondition::None);
        assert_eq!(QueryRejectCondition::None.to_proto() as i32, 1);
        assert_eq!(QueryRejectCondition::NotOpen.to_proto() as i32, 2);
        assert_eq!(
            QueryRejectCondition::NotCompletedCleanly.to_proto() as i32,
            3
        );
    }
}
