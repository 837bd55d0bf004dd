//! The fake's namespace RPCs: register, describe, list and update, with the
//! description, owner and retention they were given.
// `ServiceError` is large by nature; boxing it would only add allocations.
#![allow(clippy::result_large_err)]

use std::time::Duration;

use temporal_client_core::{Code, ServiceError};
use temporal_proto::temporal::api::enums::v1::NamespaceState;
use temporal_proto::temporal::api::namespace::v1::{
    NamespaceConfig, NamespaceInfo, namespace_info,
};
use temporal_proto::temporal::api::workflowservice::v1 as wf;

use crate::fake::clock::{from_proto_duration, to_proto_duration};
use crate::fake::rpc::invalid;
use crate::fake::server::FakeServer;
use crate::fake::store::{Namespace, namespace_not_found};

/// Retention of namespaces made by the builder (the dev server's `default` has 1 day).
const DEFAULT_RETENTION: Duration = Duration::from_secs(86_400);

/// What a namespace was registered (or updated) with.
#[derive(Debug, Clone, Default)]
pub(crate) struct NamespaceMeta {
    pub(crate) description: String,
    pub(crate) owner_email: String,
    /// `None`: [`DEFAULT_RETENTION`].
    pub(crate) retention: Option<Duration>,
}

fn describe(ns: &Namespace) -> wf::DescribeNamespaceResponse {
    wf::DescribeNamespaceResponse {
        namespace_info: Some(NamespaceInfo {
            name: ns.name.clone(),
            state: NamespaceState::Registered as i32,
            id: ns.id.clone(),
            description: ns.meta.description.clone(),
            owner_email: ns.meta.owner_email.clone(),
            capabilities: Some(namespace_info::Capabilities {
                eager_workflow_start: false,
                sync_update: true,
                async_update: true,
                ..Default::default()
            }),
            ..Default::default()
        }),
        config: Some(NamespaceConfig {
            workflow_execution_retention_ttl: Some(to_proto_duration(
                ns.meta.retention.unwrap_or(DEFAULT_RETENTION),
            )),
            ..Default::default()
        }),
        is_global_namespace: false,
        ..Default::default()
    }
}

fn not_found(rpc: &'static str, name: &str) -> ServiceError {
    namespace_not_found(rpc, name)
}

impl FakeServer {
    pub(crate) fn describe_namespace_of(
        &self,
        r: wf::DescribeNamespaceRequest,
    ) -> Result<wf::DescribeNamespaceResponse, ServiceError> {
        const RPC: &str = "DescribeNamespace";
        if r.namespace.is_empty() && r.id.is_empty() {
            return Err(invalid(RPC, "Namespace not set on request."));
        }
        let st = self.inner.lock();
        let ns = if r.namespace.is_empty() {
            st.namespaces
                .values()
                .find(|n| n.id == r.id)
                .ok_or_else(|| not_found(RPC, &r.id))?
        } else {
            st.namespace(RPC, &r.namespace)?
        };
        Ok(describe(ns))
    }

    pub(crate) fn register_namespace_of(
        &self,
        r: wf::RegisterNamespaceRequest,
    ) -> Result<wf::RegisterNamespaceResponse, ServiceError> {
        const RPC: &str = "RegisterNamespace";
        if r.namespace.is_empty() {
            return Err(invalid(RPC, "Namespace not set on request."));
        }
        let retention = r
            .workflow_execution_retention_period
            .as_ref()
            .and_then(from_proto_duration)
            .filter(|d| !d.is_zero())
            .ok_or_else(|| invalid(RPC, "A valid retention period is not set on request."))?;
        let mut st = self.inner.lock();
        if st.namespaces.contains_key(&r.namespace) {
            return Err(ServiceError::new(
                RPC,
                Code::AlreadyExists,
                format!("Namespace \"{}\" already exists", r.namespace),
            ));
        }
        let id = st.ids.uuid();
        st.namespaces.insert(
            r.namespace.clone(),
            Namespace {
                name: r.namespace,
                id,
                meta: NamespaceMeta {
                    description: r.description,
                    owner_email: r.owner_email,
                    retention: Some(retention),
                },
                ..Namespace::default()
            },
        );
        Ok(wf::RegisterNamespaceResponse {})
    }

    pub(crate) fn list_namespaces_of(
        &self,
        r: wf::ListNamespacesRequest,
    ) -> Result<wf::ListNamespacesResponse, ServiceError> {
        const RPC: &str = "ListNamespaces";
        let st = self.inner.lock();
        let page_size = usize::try_from(r.page_size)
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or(100);
        // The token is the name to continue from.
        let after = String::from_utf8(r.next_page_token)
            .map_err(|_| invalid(RPC, "Invalid NextPageToken."))?;
        let mut page: Vec<_> = st
            .namespaces
            .values()
            .filter(|n| after.is_empty() || n.name >= after)
            .take(page_size + 1)
            .collect();
        let next_page_token = if page.len() > page_size {
            page.pop()
                .map(|n| n.name.clone().into_bytes())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Ok(wf::ListNamespacesResponse {
            namespaces: page.into_iter().map(describe).collect(),
            next_page_token,
        })
    }

    pub(crate) fn update_namespace_of(
        &self,
        r: wf::UpdateNamespaceRequest,
    ) -> Result<wf::UpdateNamespaceResponse, ServiceError> {
        const RPC: &str = "UpdateNamespace";
        if r.replication_config.is_some() || r.promote_namespace || !r.delete_bad_binary.is_empty()
        {
            return Err(crate::fake::rpc::unimplemented_field(
                RPC,
                "replication_config / promote_namespace / delete_bad_binary",
            ));
        }
        let mut st = self.inner.lock();
        let ns = st
            .namespaces
            .get_mut(&r.namespace)
            .ok_or_else(|| not_found(RPC, &r.namespace))?;
        if let Some(info) = r.update_info {
            ns.meta.description = info.description;
            ns.meta.owner_email = info.owner_email;
        }
        if let Some(retention) = r
            .config
            .and_then(|c| c.workflow_execution_retention_ttl)
            .as_ref()
            .and_then(from_proto_duration)
        {
            ns.meta.retention = Some(retention);
        }
        let d = describe(ns);
        Ok(wf::UpdateNamespaceResponse {
            namespace_info: d.namespace_info,
            config: d.config,
            ..Default::default()
        })
    }
}
