//! What the server does when a workflow id is used again: [`IdReusePolicy`] (for a
//! *closed* workflow with that id) and [`IdConflictPolicy`] (for a *running* one).

use temporal_proto::temporal::api::enums::v1 as proto;

/// Whether a new run may reuse the id of a workflow that is already *closed*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IdReusePolicy {
    /// A new run may start whatever way the previous one closed (the default).
    #[default]
    AllowDuplicate,
    /// A new run may start only if the previous one failed, was canceled, terminated or
    /// timed out.
    AllowDuplicateFailedOnly,
    /// No new run may ever reuse the id.
    RejectDuplicate,
    /// Deprecated by the server: terminate a running workflow with the id and start anew.
    /// Sent as `AllowDuplicate` with the conflict policy `TerminateExisting`, which is
    /// what the server turns it into; it cannot be combined with an [`IdConflictPolicy`].
    TerminateIfRunning,
}

impl IdReusePolicy {
    /// The protobuf value.
    pub fn to_proto(self) -> proto::WorkflowIdReusePolicy {
        match self {
            Self::AllowDuplicate => proto::WorkflowIdReusePolicy::AllowDuplicate,
            Self::AllowDuplicateFailedOnly => {
                proto::WorkflowIdReusePolicy::AllowDuplicateFailedOnly
            }
            Self::RejectDuplicate => proto::WorkflowIdReusePolicy::RejectDuplicate,
            #[allow(deprecated)]
            Self::TerminateIfRunning => proto::WorkflowIdReusePolicy::TerminateIfRunning,
        }
    }
}

/// What happens when a workflow with the same id is *running* already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdConflictPolicy {
    /// Fail the start with "already started".
    Fail,
    /// Do not start anything; use the running workflow (its run id is returned).
    UseExisting,
    /// Terminate the running workflow, then start a new run.
    TerminateExisting,
}

impl IdConflictPolicy {
    /// The protobuf value.
    pub fn to_proto(self) -> proto::WorkflowIdConflictPolicy {
        match self {
            Self::Fail => proto::WorkflowIdConflictPolicy::Fail,
            Self::UseExisting => proto::WorkflowIdConflictPolicy::UseExisting,
            Self::TerminateExisting => proto::WorkflowIdConflictPolicy::TerminateExisting,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuse_policy_maps_to_proto() {
        assert_eq!(IdReusePolicy::default(), IdReusePolicy::AllowDuplicate);
        assert_eq!(IdReusePolicy::AllowDuplicate.to_proto() as i32, 1);
        assert_eq!(IdReusePolicy::AllowDuplicateFailedOnly.to_proto() as i32, 2);
        assert_eq!(IdReusePolicy::RejectDuplicate.to_proto() as i32, 3);
        assert_eq!(IdReusePolicy::TerminateIfRunning.to_proto() as i32, 4);
    }

    #[test]
    fn conflict_policy_maps_to_proto() {
        assert_eq!(IdConflictPolicy::Fail.to_proto() as i32, 1);
        assert_eq!(IdConflictPolicy::UseExisting.to_proto() as i32, 2);
        assert_eq!(IdConflictPolicy::TerminateExisting.to_proto() as i32, 3);
    }
}
