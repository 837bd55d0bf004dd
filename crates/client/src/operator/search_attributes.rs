//! Add, list and remove custom search attributes (`OperatorService`).

use std::collections::BTreeMap;

use temporal_client_core::proto::temporal::api::enums::v1::IndexedValueType;
use temporal_client_core::proto::temporal::api::operatorservice::v1 as op;

use super::OperatorClient;
use crate::error::{Error, Result};

/// The search attributes a namespace knows, with their types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchAttributeList {
    /// Custom attributes (added by an operator).
    pub custom: BTreeMap<String, IndexedValueType>,
    /// System attributes (`WorkflowId`, `ExecutionStatus`, ...).
    pub system: BTreeMap<String, IndexedValueType>,
}

fn typed(map: std::collections::HashMap<String, i32>) -> BTreeMap<String, IndexedValueType> {
    map.into_iter()
        .map(|(name, kind)| {
            let kind = IndexedValueType::try_from(kind).unwrap_or(IndexedValueType::Unspecified);
            (name, kind)
        })
        .collect()
}

impl OperatorClient {
    /// Adds custom search attributes to the namespace, as `temporal operator
    /// search-attribute create --name N --type T`. Adding one that exists with the same
    /// type does nothing.
    ///
    /// # Errors
    /// [`Error::Service`]: `ALREADY_EXISTS` / `INVALID_ARGUMENT` for a name that exists
    /// with another type or is reserved, `UNIMPLEMENTED` when the client has no
    /// `OperatorService`; [`Error::NamespaceNotFound`].
    pub async fn add_search_attributes<I, K>(&self, attributes: I) -> Result<()>
    where
        I: IntoIterator<Item = (K, IndexedValueType)>,
        K: Into<String>,
    {
        let request = op::AddSearchAttributesRequest {
            search_attributes: attributes
                .into_iter()
                .map(|(name, kind)| (name.into(), kind as i32))
                .collect(),
            namespace: self.namespace().to_owned(),
        };
        let service = self.service("AddSearchAttributes")?;
        service
            .add_search_attributes(request.into())
            .await
            .map_err(|e| Error::for_namespace(e, self.namespace()))?;
        Ok(())
    }

    /// The namespace's search attributes and their types.
    ///
    /// # Errors
    /// [`Error::NamespaceNotFound`]; [`Error::Service`] (`UNIMPLEMENTED` when the
    /// client has no `OperatorService`).
    pub async fn list_search_attributes(&self) -> Result<SearchAttributeList> {
        let request = op::ListSearchAttributesRequest {
            namespace: self.namespace().to_owned(),
        };
        let service = self.service("ListSearchAttributes")?;
        let response = service
            .list_search_attributes(request.into())
            .await
            .map_err(|e| Error::for_namespace(e, self.namespace()))?;
        Ok(SearchAttributeList {
            custom: typed(response.custom_attributes),
            system: typed(response.system_attributes),
        })
    }

    /// Removes custom search attributes from the namespace.
    ///
    /// # Errors
    /// [`Error::Service`]: `NOT_FOUND` / `INVALID_ARGUMENT` for a name that is not a
    /// custom attribute; [`Error::NamespaceNotFound`].
    pub async fn remove_search_attributes<I, K>(&self, names: I) -> Result<()>
    where
        I: IntoIterator<Item = K>,
        K: Into<String>,
    {
        let request = op::RemoveSearchAttributesRequest {
            search_attributes: names.into_iter().map(Into::into).collect(),
            namespace: self.namespace().to_owned(),
        };
        let service = self.service("RemoveSearchAttributes")?;
        service
            .remove_search_attributes(request.into())
            .await
            .map_err(|e| Error::for_namespace(e, self.namespace()))?;
        Ok(())
    }
}
