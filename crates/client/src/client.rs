//! `Client`: the entry point. Starts workflows, gets handles to existing ones, lists
//! and counts them (those operations live in [`crate::operations`]).

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use temporal_client_core::failure::TemporalFailure;
use temporal_client_core::options::{QueryRejectCondition, WorkflowOptions};
use temporal_client_core::payload::{DataConverter, ToPayloads};
use temporal_client_core::proto::temporal::api::common::v1::{Memo, Payload};
use temporal_client_core::proto::temporal::api::failure::v1::Failure;
use temporal_client_core::{OperatorService, WorkflowService, builders::RequestContext, identity};

use crate::error::Result;
use crate::handle::WorkflowHandle;
use crate::interceptor::Interceptor;

/// The namespace a client uses unless told otherwise.
pub const DEFAULT_NAMESPACE: &str = "default";

/// A Temporal client bound to one namespace.
///
/// Cheap to clone (an `Arc`), `Send + Sync`. Any [`WorkflowService`] can back it: a
/// [`Connection`](crate::Connection), the testkit's in-memory `FakeServer`, or a
/// `MockWorkflowService` from `temporal-client-core`'s `mock` feature.
///
/// Each operation (`start`, `execute`, `signal_with_start`, `list`, `count`, ...)
/// returns a small request value: chain per-call options on it (`.timeout(..)`,
/// `.metadata(..)`, `.retry(..)`), then `.await` it.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) service: Arc<dyn WorkflowService>,
    pub(crate) operator: Option<Arc<dyn OperatorService>>,
    pub(crate) namespace: String,
    pub(crate) identity: String,
    pub(crate) converter: DataConverter,
    pub(crate) interceptors: Vec<Arc<dyn Interceptor>>,
    pub(crate) query_reject_condition: QueryRejectCondition,
}

impl ClientInner {
    /// The service as a trait object. Calling through this (rather than through the
    /// `Arc`) avoids the `Arc<T>` blanket impl and its second boxed future per call.
    pub(crate) fn rpc(&self) -> &dyn WorkflowService {
        self.service.as_ref()
    }

    /// The namespace and identity every request carries.
    pub(crate) fn context(&self) -> RequestContext<'_> {
        RequestContext::new(&self.namespace, &self.identity)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("namespace", &self.inner.namespace)
            .field("identity", &self.inner.identity)
            .field("interceptors", &self.inner.interceptors.len())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]: namespace, identity, data converter, interceptors and
/// client-wide defaults.
pub struct ClientBuilder {
    service: Arc<dyn WorkflowService>,
    operator: Option<Arc<dyn OperatorService>>,
    namespace: String,
    identity: Option<String>,
    converter: DataConverter,
    interceptors: Vec<Arc<dyn Interceptor>>,
    query_reject_condition: QueryRejectCondition,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("namespace", &self.namespace)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Sets the namespace (default `"default"`).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Sets the identity recorded with every request (default `pid@hostname`, as the
    /// other SDKs).
    pub fn identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = Some(identity.into());
        self
    }

    /// Sets the data converter (payload converter, codecs, failure converter).
    pub fn data_converter(mut self, converter: DataConverter) -> Self {
        self.converter = converter;
        self
    }

    /// Adds an interceptor. Interceptors run in the order they were added: the first
    /// one added sees each call first.
    pub fn interceptor(mut self, interceptor: impl Interceptor + 'static) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    /// Sets the query reject condition queries use unless the call sets one (default
    /// [`QueryRejectCondition::None`]: closed workflows are queried too, as the
    /// TypeScript client does).
    pub fn query_reject_condition(mut self, condition: QueryRejectCondition) -> Self {
        self.query_reject_condition = condition;
        self
    }

    /// Sets the `OperatorService` behind [`Client::operator`] (set by
    /// [`Client::new`] to the same connection).
    pub fn operator_service(mut self, operator: Arc<dyn OperatorService>) -> Self {
        self.operator = Some(operator);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Client {
        Client {
            inner: Arc::new(ClientInner {
                service: self.service,
                operator: self.operator,
                namespace: self.namespace,
                identity: self
                    .identity
                    .unwrap_or_else(|| identity::default_identity().to_owned()),
                converter: self.converter,
                interceptors: self.interceptors,
                query_reject_condition: self.query_reject_condition,
            }),
        }
    }
}

impl Client {
    /// Connects to the server at `address` (`host:port`, or `https://host:port` for
    /// TLS) with default [`ConnectionOptions`](crate::ConnectionOptions), and returns a
    /// client for the `default` namespace, as TypeScript's `Connection.connect()` +
    /// `new Client()` and Python's `Client.connect(address)` do. For TLS, API keys,
    /// another namespace or other options use [`Connection::connect`](crate::Connection::connect)
    /// and [`Client::builder`].
    ///
    /// # Errors
    /// [`ConnectError`](crate::ConnectError) when the address is not usable or the
    /// server does not answer within the connect timeout (10 s).
    pub async fn connect(address: impl Into<String>) -> Result<Self, crate::ConnectError> {
        let connection =
            crate::Connection::connect(crate::ConnectionOptions::new(address.into())).await?;
        Ok(Self::new(connection))
    }

    /// A client on `connection` for the `default` namespace; [`Client::operator`]
    /// uses the same connection.
    pub fn new(connection: crate::Connection) -> Self {
        Self::builder(connection).build()
    }

    /// A client on any [`WorkflowService`] implementation, for the `default` namespace.
    pub fn from_service(service: impl WorkflowService + 'static) -> Self {
        Self::builder(service).build()
    }

    /// A builder on any [`WorkflowService`] implementation. On a
    /// [`Connection`](crate::Connection), [`Client::operator`] uses the same connection,
    /// as with [`Client::new`]; on any other service, set one with
    /// [`ClientBuilder::operator_service`].
    pub fn builder(service: impl WorkflowService + 'static) -> ClientBuilder {
        let operator = (&service as &dyn std::any::Any)
            .downcast_ref::<crate::Connection>()
            .map(|connection| Arc::new(connection.clone()) as Arc<dyn OperatorService>);
        let builder = Self::builder_from_arc(Arc::new(service));
        match operator {
            Some(operator) => builder.operator_service(operator),
            None => builder,
        }
    }

    /// A builder on a shared service; set the operator service with
    /// [`ClientBuilder::operator_service`].
    pub fn builder_from_arc(service: Arc<dyn WorkflowService>) -> ClientBuilder {
        ClientBuilder {
            service,
            operator: None,
            namespace: DEFAULT_NAMESPACE.to_owned(),
            identity: None,
            converter: DataConverter::default(),
            interceptors: Vec::new(),
            query_reject_condition: QueryRejectCondition::None,
        }
    }

    /// The same client on another namespace (shares the connection, converter and
    /// interceptors).
    pub fn with_namespace(&self, namespace: impl Into<String>) -> Self {
        let inner = &self.inner;
        Self {
            inner: Arc::new(ClientInner {
                service: inner.service.clone(),
                operator: inner.operator.clone(),
                namespace: namespace.into(),
                identity: inner.identity.clone(),
                converter: inner.converter.clone(),
                interceptors: inner.interceptors.clone(),
                query_reject_condition: inner.query_reject_condition,
            }),
        }
    }

    /// The namespace.
    pub fn namespace(&self) -> &str {
        &self.inner.namespace
    }

    /// The identity sent with requests.
    pub fn identity(&self) -> &str {
        &self.inner.identity
    }

    /// The data converter.
    pub fn data_converter(&self) -> &DataConverter {
        &self.inner.converter
    }

    /// The service under this client, for raw RPCs.
    pub fn service(&self) -> &Arc<dyn WorkflowService> {
        &self.inner.service
    }

    pub(crate) fn inner(&self) -> &ClientInner {
        &self.inner
    }

    /// A handle to the latest run of a workflow id. Does no RPC.
    ///
    /// Narrow it with [`WorkflowHandle::for_run`] (one run) and
    /// [`WorkflowHandle::for_chain`] (one chain of runs), as TypeScript's
    /// `getHandle(workflowId, runId, { firstExecutionRunId })`. `R` is the result type
    /// [`result`](WorkflowHandle::result) decodes into.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), temporal_client::Error> {
    /// use temporal_client::{Client, WorkflowDefinition, WorkflowOptions};
    /// const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");
    /// let fake = temporal_testkit::FakeServer::new();
    /// temporal_testkit::conformance_workflows::register_all(&fake);
    /// let client = Client::from_service(fake);
    /// let started = client.start(COUNTER, WorkflowOptions::new("c-1", "q").args((1,))).await?;
    /// let run_id = started.run_id().unwrap_or_default().to_owned();
    ///
    /// // Later, in another request: by id only (the latest run), or pinned to one run.
    /// let latest = client.get_handle::<i64>("c-1");
    /// let pinned = client.get_handle::<i64>("c-1").for_run(&run_id);
    /// assert_eq!(latest.query::<i64, ()>("get_value").await?, 1);
    /// assert_eq!(pinned.describe().await?.execution.run_id, run_id);
    /// # Ok(()) }
    /// ```
    pub fn get_handle<R>(&self, workflow_id: impl Into<String>) -> WorkflowHandle<R> {
        WorkflowHandle::new(self.clone(), workflow_id.into())
    }

    // ---- payload conversion shared by the operations ----

    /// Converts values with the payload converter (no codecs: interceptors see these).
    pub(crate) fn to_payloads<A: ToPayloads + ?Sized>(&self, args: &A) -> Result<Vec<Payload>> {
        Ok(self.inner.converter.to_payloads(args)?)
    }

    /// Runs the codecs over payloads about to be sent (no-op without codecs).
    pub(crate) async fn encode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>> {
        Ok(self.inner.converter.encode_payloads(payloads).await?)
    }

    /// Runs the codecs over payloads the server returned (no-op without codecs).
    pub(crate) async fn decode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>> {
        Ok(self.inner.converter.decode_payloads(payloads).await?)
    }

    /// Converts one decoded value (a result, a query answer, an update result). No
    /// payload (a workflow or handler that returned nothing) reads as JSON null, so `()`
    /// and `Option<T>` work.
    pub(crate) fn read_value<T: DeserializeOwned>(&self, payloads: &[Payload]) -> Result<T> {
        let converter = &self.inner.converter;
        match payloads {
            [] => Ok(converter.from_payload(&converter.to_payload(&())?)?),
            [first, ..] => Ok(converter.from_payload(first)?),
        }
    }

    /// Decodes a received failure: codecs, then encoded attributes (always, with or
    /// without codecs), with this client's converter attached for its details.
    pub(crate) async fn decode_failure(&self, failure: Failure) -> Result<TemporalFailure> {
        Ok(self.inner.converter.failure_from_proto(failure).await?)
    }

    /// Converts and encodes a workflow's memo (`None` when empty).
    pub(crate) async fn encode_memo<A>(
        &self,
        options: &WorkflowOptions<A>,
    ) -> Result<Option<Memo>> {
        if options.memo.is_empty() {
            return Ok(None);
        }
        let converter = &self.inner.converter;
        let mut keys = Vec::with_capacity(options.memo.len());
        let mut values = Vec::with_capacity(options.memo.len());
        for (key, value) in options.memo.iter() {
            keys.push(key.clone());
            values.push(converter.to_payload(value)?);
        }
        let values = self.encode(values).await?;
        Ok(Some(Memo {
            fields: keys.into_iter().zip(values).collect(),
        }))
    }
}
