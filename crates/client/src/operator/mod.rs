//! The operator service and namespace administration: [`Client::operator`] gives an
//! [`OperatorClient`] on the client's connection, with typed helpers for search
//! attributes (`OperatorService`) and namespaces (`WorkflowService`'s
//! RegisterNamespace, DescribeNamespace, ListNamespaces and UpdateNamespace), as
//! `temporal operator search-attribute ...` and `temporal operator namespace ...` do.
//!
//! ```
//! use temporal_client::{Client, IndexedValueType};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), temporal_client::Error> {
//! let fake = temporal_testkit::FakeServer::new();
//! // A Connection sets the operator service itself (`Client::new(connection)`).
//! let client = Client::builder(fake.clone())
//!     .operator_service(std::sync::Arc::new(fake))
//!     .build();
//! let operator = client.operator();
//! operator
//!     .add_search_attributes([("CustomerId", IndexedValueType::Keyword)])
//!     .await?;
//! let list = operator.list_search_attributes().await?;
//! assert_eq!(list.custom.get("CustomerId"), Some(&IndexedValueType::Keyword));
//! # Ok(())
//! # }
//! ```

mod namespaces;
mod search_attributes;

use std::fmt;
use std::sync::Arc;

use temporal_client_core::{Code, OperatorService, ServiceError};

use crate::Client;

pub use self::namespaces::{NamespaceDescription, RegisterNamespace, UpdateNamespace};
pub use self::search_attributes::SearchAttributeList;

/// Search attribute and namespace administration on a [`Client`]'s connection and
/// namespace. Get one with [`Client::operator`]; cheap to clone.
#[derive(Clone)]
pub struct OperatorClient {
    client: Client,
}

impl fmt::Debug for OperatorClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OperatorClient")
            .field("namespace", &self.client.namespace())
            .field("operator_service", &self.client.inner().operator.is_some())
            .finish()
    }
}

impl Client {
    /// The operator service and namespace administration on this client's connection,
    /// for this client's namespace. Search-attribute calls need an `OperatorService`:
    /// [`Client::new`] uses the connection; for other back ends set one with
    /// [`ClientBuilder::operator_service`](crate::ClientBuilder::operator_service).
    pub fn operator(&self) -> OperatorClient {
        OperatorClient {
            client: self.clone(),
        }
    }

    /// The `OperatorService` of this client, if it has one (for raw RPCs).
    pub fn operator_service(&self) -> Option<&Arc<dyn OperatorService>> {
        self.inner().operator.as_ref()
    }
}

impl OperatorClient {
    /// The namespace search-attribute calls act on (the client's).
    pub fn namespace(&self) -> &str {
        self.client.namespace()
    }

    pub(crate) fn service(&self, rpc: &'static str) -> Result<&dyn OperatorService, ServiceError> {
        match &self.client.inner().operator {
            Some(operator) => Ok(operator.as_ref()),
            None => Err(ServiceError::new(
                rpc,
                Code::Unimplemented,
                "this client has no OperatorService: build it with Client::new(connection), or set one with ClientBuilder::operator_service",
            )),
        }
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }
}
