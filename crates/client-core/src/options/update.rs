//! [`UpdateWaitStage`]: how far an update must get before the update call returns.

use temporal_proto::temporal::api::enums::v1::UpdateWorkflowExecutionLifecycleStage as Stage;

/// The stage of an update that the sending call waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UpdateWaitStage {
    /// The server has received the update. (Servers up to at least 1.32 reject this
    /// stage for sending an update; it is here for completeness.)
    Admitted,
    /// A worker's validator accepted the update; it is running.
    Accepted,
    /// The update finished, with a result or a failure.
    Completed,
}

impl UpdateWaitStage {
    /// The protobuf value.
    pub fn to_proto(self) -> Stage {
        match self {
            Self::Admitted => Stage::Admitted,
            Self::Accepted => Stage::Accepted,
            Self::Completed => Stage::Completed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_proto_and_orders_by_progress() {
        assert_eq!(UpdateWaitStage::Admitted.to_proto() as i32, 1);
        assert_eq!(UpdateWaitStage::Accepted.to_proto() as i32, 2);
        assert_eq!(UpdateWaitStage::Completed.to_proto() as i32, 3);
        assert!(UpdateWaitStage::Admitted < UpdateWaitStage::Accepted);
        assert!(UpdateWaitStage::Accepted < UpdateWaitStage::Completed);
    }
}
