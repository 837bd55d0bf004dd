//! The fake's `OperatorService`: custom search attributes (add, list, remove), as the
//! dev server answers them. Search attributes are server-wide here; the namespace must
//! exist.
// `ServiceError` is large by nature; boxing it would only add allocations.
#![allow(clippy::result_large_err)]

use temporal_client_core::{OperatorService, ServiceError, ServiceRequest};
use temporal_proto::temporal::api::enums::v1::IndexedValueType;
use temporal_proto::temporal::api::operatorservice::v1 as op;

use crate::fake::rpc::invalid;
use crate::fake::server::FakeServer;

/// The system search attributes a dev server lists, with their types.
const SYSTEM_ATTRIBUTES: &[(&str, IndexedValueType)] = &[
    ("WorkflowId", IndexedValueType::Keyword),
    ("WorkflowType", IndexedValueType::Keyword),
    ("RunId", IndexedValueType::Keyword),
    ("ExecutionStatus", IndexedValueType::Keyword),
    ("TaskQueue", IndexedValueType::Keyword),
    ("ParentWorkflowId", IndexedValueType::Keyword),
    ("ParentRunId", IndexedValueType::Keyword),
    ("RootWorkflowId", IndexedValueType::Keyword),
    ("RootRunId", IndexedValueType::Keyword),
    ("StartTime", IndexedValueType::Datetime),
    ("CloseTime", IndexedValueType::Datetime),
    ("ExecutionTime", IndexedValueType::Datetime),
    ("HistoryLength", IndexedValueType::Int),
    ("HistorySizeBytes", IndexedValueType::Int),
    ("ExecutionDuration", IndexedValueType::Int),
    ("StateTransitionCount", IndexedValueType::Int),
    ("BuildIds", IndexedValueType::KeywordList),
    ("TemporalChangeVersion", IndexedValueType::KeywordList),
];

fn is_system(name: &str) -> bool {
    SYSTEM_ATTRIBUTES.iter().any(|(n, _)| *n == name)
}

impl FakeServer {
    fn check_namespace(&self, rpc: &'static str, ns: &str) -> Result<(), ServiceError> {
        if ns.is_empty() {
            return Err(invalid(rpc, "Namespace not set on request."));
        }
        self.inner.lock().namespace(rpc, ns).map(|_| ())
    }
}

#[async_trait::async_trait]
impl OperatorService for FakeServer {
    async fn add_search_attributes(
        &self,
        request: ServiceRequest<op::AddSearchAttributesRequest>,
    ) -> Result<op::AddSearchAttributesResponse, ServiceError> {
        const RPC: &str = "AddSearchAttributes";
        let r = request.message;
        self.check_namespace(RPC, &r.namespace)?;
        let mut added = Vec::new();
        for (name, kind) in &r.search_attributes {
            if is_system(name) {
                return Err(invalid(
                    RPC,
                    format!("Search attribute {name} is reserved by system."),
                ));
            }
            let kind = IndexedValueType::try_from(*kind)
                .ok()
                .filter(|k| *k != IndexedValueType::Unspecified)
                .ok_or_else(|| {
                    invalid(
                        RPC,
                        format!("Unable to create search attributes: {name} has no valid type."),
                    )
                })?;
            added.push((name.clone(), kind));
        }
        let mut state = self.inner.lock();
        for (name, kind) in added {
            // As on the dev server, adding an existing attribute succeeds and keeps it.
            state.search_attributes.entry(name).or_insert(kind);
        }
        Ok(op::AddSearchAttributesResponse {})
    }

    async fn remove_search_attributes(
        &self,
        request: ServiceRequest<op::RemoveSearchAttributesRequest>,
    ) -> Result<op::RemoveSearchAttributesResponse, ServiceError> {
        const RPC: &str = "RemoveSearchAttributes";
        let r = request.message;
        self.check_namespace(RPC, &r.namespace)?;
        if let Some(name) = r.search_attributes.iter().find(|n| is_system(n)) {
            return Err(invalid(
                RPC,
                format!("Unable to remove non-custom search attributes: {name}."),
            ));
        }
        let mut state = self.inner.lock();
        // As on the dev server, removing an unknown attribute succeeds.
        for name in &r.search_attributes {
            state.search_attributes.remove(name);
        }
        Ok(op::RemoveSearchAttributesResponse {})
    }

    async fn list_search_attributes(
        &self,
        request: ServiceRequest<op::ListSearchAttributesRequest>,
    ) -> Result<op::ListSearchAttributesResponse, ServiceError> {
        const RPC: &str = "ListSearchAttributes";
        self.check_namespace(RPC, &request.message.namespace)?;
        let state = self.inner.lock();
        Ok(op::ListSearchAttributesResponse {
            custom_attributes: state
                .search_attributes
                .iter()
                .map(|(n, k)| (n.clone(), *k as i32))
                .collect(),
            system_attributes: SYSTEM_ATTRIBUTES
                .iter()
                .map(|(n, k)| ((*n).to_owned(), *k as i32))
                .collect(),
            storage_schema: Default::default(),
        })
    }
}
