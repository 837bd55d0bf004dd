//! What a caller chooses for a workflow start, a query or an update: [`WorkflowOptions`]
//! and the small policy types it is made of.

mod id_policies;
mod memo;
mod priority;
mod query;
mod retry;
mod update;
mod workflow;

pub use id_policies::{IdConflictPolicy, IdReusePolicy};
pub use memo::Memo;
pub use priority::Priority;
pub use query::QueryRejectCondition;
pub use retry::RetryPolicy;
pub use update::UpdateWaitStage;
pub use workflow::WorkflowOptions;
