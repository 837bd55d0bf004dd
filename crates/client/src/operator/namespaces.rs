//! Register, describe, list and update namespaces (`WorkflowService`).

use std::time::Duration;

use temporal_client_core::proto::temporal::api::enums::v1::NamespaceState;
use temporal_client_core::proto::temporal::api::namespace::v1::{
    NamespaceConfig, UpdateNamespaceInfo,
};
use temporal_client_core::proto::temporal::api::workflowservice::v1 as wf;

use super::OperatorClient;
use crate::error::{Error, Result};

/// The retention [`RegisterNamespace::new`] uses, as the CLI: 72 hours.
const DEFAULT_RETENTION: Duration = Duration::from_secs(72 * 3600);

/// What to register: a name, and optionally a description, owner and retention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterNamespace {
    name: String,
    description: String,
    owner_email: String,
    retention: Option<Duration>,
}

impl RegisterNamespace {
    /// A namespace named `name`, with a retention of 72 hours unless
    /// [`retention`](Self::retention) says otherwise (the server requires one; 72 h is
    /// what `temporal operator namespace create` uses).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: String::new(),
            owner_email: String::new(),
            retention: Some(DEFAULT_RETENTION),
        }
    }

    /// A description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The owner's email.
    pub fn owner_email(mut self, email: impl Into<String>) -> Self {
        self.owner_email = email.into();
        self
    }

    /// How long closed workflows are kept.
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = Some(retention);
        self
    }
}

/// Changes to a namespace; unset fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateNamespace {
    description: Option<String>,
    owner_email: Option<String>,
    retention: Option<Duration>,
}

impl UpdateNamespace {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// A new owner email.
    pub fn owner_email(mut self, email: impl Into<String>) -> Self {
        self.owner_email = Some(email.into());
        self
    }

    /// A new retention.
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = Some(retention);
        self
    }
}

/// A namespace as the server describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NamespaceDescription {
    /// The name.
    pub name: String,
    /// The server-assigned id.
    pub id: String,
    /// Registered, deprecated or deleted.
    pub state: NamespaceState,
    /// The description.
    pub description: String,
    /// The owner's email.
    pub owner_email: String,
    /// How long closed workflows are kept.
    pub retention: Option<Duration>,
    /// The whole answer, for the fields not above.
    pub raw: wf::DescribeNamespaceResponse,
}

fn to_duration(d: Option<&temporal_client_core::proto::protobuf::Duration>) -> Option<Duration> {
    let d = d?;
    let secs = u64::try_from(d.seconds).ok()?;
    let nanos = u32::try_from(d.nanos).ok()?;
    Some(Duration::new(secs, nanos))
}

fn to_proto(d: Duration) -> temporal_client_core::proto::protobuf::Duration {
    temporal_client_core::proto::protobuf::Duration {
        seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        nanos: i32::try_from(d.subsec_nanos()).unwrap_or(0),
    }
}

impl From<wf::DescribeNamespaceResponse> for NamespaceDescription {
    fn from(raw: wf::DescribeNamespaceResponse) -> Self {
        let info = raw.namespace_info.clone().unwrap_or_default();
        let retention = to_duration(
            raw.config
                .as_ref()
                .and_then(|c| c.workflow_execution_retention_ttl.as_ref()),
        );
        Self {
            state: info.state(),
            name: info.name,
            id: info.id,
            description: info.description,
            owner_email: info.owner_email,
            retention,
            raw,
        }
    }
}

impl OperatorClient {
    /// Registers a namespace, as `temporal operator namespace create`.
    ///
    /// # Errors
    /// [`Error::Service`]: `ALREADY_EXISTS` when it exists, `INVALID_ARGUMENT` for a
    /// bad name or retention.
    pub async fn register_namespace(&self, namespace: RegisterNamespace) -> Result<()> {
        let request = wf::RegisterNamespaceRequest {
            namespace: namespace.name,
            description: namespace.description,
            owner_email: namespace.owner_email,
            workflow_execution_retention_period: namespace.retention.map(to_proto),
            ..Default::default()
        };
        self.client()
            .inner()
            .rpc()
            .register_namespace(request.into())
            .await?;
        Ok(())
    }

    /// Describes the namespace `name`.
    ///
    /// # Errors
    /// [`Error::NamespaceNotFound`]; [`Error::Service`].
    pub async fn describe_namespace(&self, name: &str) -> Result<NamespaceDescription> {
        let request = wf::DescribeNamespaceRequest {
            namespace: name.to_owned(),
            ..Default::default()
        };
        let response = self
            .client()
            .inner()
            .rpc()
            .describe_namespace(request.into())
            .await
            .map_err(|e| Error::for_namespace(e, name))?;
        Ok(response.into())
    }

    /// Every namespace of the server (all pages).
    ///
    /// # Errors
    /// [`Error::Service`].
    pub async fn list_namespaces(&self) -> Result<Vec<NamespaceDescription>> {
        let mut namespaces = Vec::new();
        let mut next_page_token = Vec::new();
        loop {
            let request = wf::ListNamespacesRequest {
                page_size: 100,
                next_page_token,
                ..Default::default()
            };
            let response = self
                .client()
                .inner()
                .rpc()
                .list_namespaces(request.into())
                .await?;
            namespaces.extend(response.namespaces.into_iter().map(Into::into));
            if response.next_page_token.is_empty() {
                return Ok(namespaces);
            }
            next_page_token = response.next_page_token;
        }
    }

    /// Changes the description, owner or retention of the namespace `name`, and
    /// returns its new description.
    ///
    /// # Errors
    /// [`Error::NamespaceNotFound`]; [`Error::Service`].
    pub async fn update_namespace(
        &self,
        name: &str,
        update: UpdateNamespace,
    ) -> Result<NamespaceDescription> {
        // UpdateNamespaceInfo replaces description and owner together: keep the
        // current value of the one not changed.
        let update_info = if update.description.is_some() || update.owner_email.is_some() {
            let current = self.describe_namespace(name).await?;
            Some(UpdateNamespaceInfo {
                description: update.description.unwrap_or(current.description),
                owner_email: update.owner_email.unwrap_or(current.owner_email),
                ..Default::default()
            })
        } else {
            None
        };
        let request = wf::UpdateNamespaceRequest {
            namespace: name.to_owned(),
            update_info,
            config: update.retention.map(|r| NamespaceConfig {
                workflow_execution_retention_ttl: Some(to_proto(r)),
                ..Default::default()
            }),
            ..Default::default()
        };
        let response = self
            .client()
            .inner()
            .rpc()
            .update_namespace(request.into())
            .await
            .map_err(|e| Error::for_namespace(e, name))?;
        Ok(wf::DescribeNamespaceResponse {
            namespace_info: response.namespace_info,
            config: response.config,
            replication_config: response.replication_config,
            failover_version: response.failover_version,
            is_global_namespace: response.is_global_namespace,
            ..Default::default()
        }
        .into())
    }
}
