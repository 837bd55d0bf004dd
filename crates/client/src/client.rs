//! `Client`: the entry point. Starts workflows, gets handles to existing ones, lists
//! and counts them.

use std::fmt;
use std::sync::Arc;

use temporal_client_core::options::WorkflowOptions;
use temporal_client_core::payload::{DataConverter, ToPayloads};
use temporal_client_core::proto::temporal::api::common::v1::{Memo, Payload};
use temporal_client_core::{ServiceError, ServiceRequest, WorkflowService, builders, identity};

use crate::definitions::WorkflowDefinition;
use crate::error::{Error, Result};
use crate::handle::WorkflowHandle;
use crate::interceptor::Interceptor;

/// The namespace a client uses unless told otherwise.
pub const DEFAULT_NAMESPACE: &str = "default";

/// A Temporal client bound to one namespace.
///
/// Cheap to clone (an `Arc`), `Send + Sync`. Any [`WorkflowService`] can back it: a
/// [`Connection`](crate::Connection), the testkit's in-memory `FakeServer`, or a
/// `MockWorkflowService` from `temporal-client-core`'s `mock` feature.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) service: Arc<dyn WorkflowService>,
    pub(crate) namespace: String,
    pub(crate) identity: String,
    pub(crate) converter: DataConverter,
    pub(crate) interceptors: Vec<Arc<dyn Interceptor>>,
}

impl ClientInner {
    /// The service as a trait object. Calling through this (rather than through the
    /// `Arc`) avoids the `Arc<T>` blanket impl and its second boxed future per call.
    pub(crate) fn rpc(&self) -> &dyn WorkflowService {
        self.service.as_ref()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("namespace", &self.inner.namespace)
            .field("identity", &self.inner.identity)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`] with a namespace, identity, data converter and interceptors.
pub struct ClientBuilder {
    service: Arc<dyn WorkflowService>,
    namespace: String,
    identity: Option<String>,
    converter: DataConverter,
    interceptors: Vec<Arc<dyn Interceptor>>,
}

impl ClientBuilder {
    /// Sets the namespace (default `"default"`).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Sets the identity recorded with every request (default `pid@hostname`).
    pub fn identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = Some(identity.into());
        self
    }

    /// Sets the data converter (payload converter, codecs, failure converter).
    pub fn data_converter(mut self, converter: DataConverter) -> Self {
        self.converter = converter;
        self
    }

    /// Adds an interceptor; interceptors run in the order they were added.
    pub fn interceptor(mut self, interceptor: impl Interceptor + 'static) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Client {
        Client {
            inner: Arc::new(ClientInner {
                service: self.service,
                namespace: self.namespace,
                identity: self
                    .identity
                    .unwrap_or_else(|| identity::default_identity().to_owned()),
                converter: self.converter,
                interceptors: self.interceptors,
            }),
        }
    }
}

impl Client {
    /// A client on `connection` for the `default` namespace.
    pub fn new(connection: crate::Connection) -> Self {
        Self::from_service(connection)
    }

    /// A client on any [`WorkflowService`] implementation, for the `default` namespace.
    pub fn from_service(service: impl WorkflowService + 'static) -> Self {
        Self::builder(service).build()
    }

    /// A builder on any [`WorkflowService`] implementation.
    pub fn builder(service: impl WorkflowService + 'static) -> ClientBuilder {
        Self::builder_from_arc(Arc::new(service))
    }

    /// A builder on a shared service.
    pub fn builder_from_arc(service: Arc<dyn WorkflowService>) -> ClientBuilder {
        ClientBuilder {
            service,
            namespace: DEFAULT_NAMESPACE.to_owned(),
            identity: None,
            converter: DataConverter::default(),
            interceptors: Vec::new(),
        }
    }

    /// The same client on another namespace (shares the connection).
    pub fn with_namespace(&self, namespace: impl Into<String>) -> Self {
        Self {
            inner: Arc::new(ClientInner {
                service: self.inner.service.clone(),
                namespace: namespace.into(),
                identity: self.inner.identity.clone(),
                converter: self.inner.converter.clone(),
                interceptors: self.inner.interceptors.clone(),
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

    /// Starts a workflow and returns a handle to it.
    ///
    /// `options.args(...)` are the workflow's arguments, one payload per tuple element.
    /// A workflow id that is already running gives
    /// [`Error::WorkflowExecutionAlreadyStarted`] (unless the id conflict policy says
    /// otherwise).
    pub async fn start<A, R>(
        &self,
        workflow: impl Into<WorkflowDefinition<A, R>>,
        options: WorkflowOptions<A>,
    ) -> Result<WorkflowHandle<R>>
    where
        A: ToPayloads,
    {
        let workflow = workflow.into();
        let inner = &self.inner;
        let input = self.encode_args(&options.args).await?;
        let memo = self.encode_memo_for(&options).await?;
        let request = builders::start_workflow_request(
            &inner.namespace,
            &inner.identity,
            workflow.name(),
            &options,
            input,
            memo,
        )?;
        let response = inner
            .rpc()
            .start_workflow_execution(self.request(request))
            .await
            .map_err(|e| self.start_error(e, &options, workflow.name()))?;
        let first_execution_run_id = response.started.then(|| response.run_id.clone());
        Ok(WorkflowHandle::started(
            self.clone(),
            options.workflow_id().to_owned(),
            response.run_id,
            first_execution_run_id,
            options.follow_runs,
        ))
    }

    /// Starts a workflow and waits for its result (`start` then `result`).
    pub async fn execute<A, R>(
        &self,
        workflow: impl Into<WorkflowDefinition<A, R>>,
        options: WorkflowOptions<A>,
    ) -> Result<R>
    where
        A: ToPayloads,
        R: serde::de::DeserializeOwned,
    {
        self.start(workflow, options).await?.result().await
    }

    /// A handle to the latest run of a workflow id. Does no RPC.
    pub fn get_handle<R>(&self, workflow_id: impl Into<String>) -> WorkflowHandle<R> {
        WorkflowHandle::new(self.clone(), workflow_id.into(), None, None, true)
    }

    /// A handle to a specific run, and optionally the chain it belongs to
    /// (`first_execution_run_id`, used by cancel and terminate). Does no RPC.
    pub fn get_handle_for_run<R>(
        &self,
        workflow_id: impl Into<String>,
        run_id: Option<String>,
        first_execution_run_id: Option<String>,
    ) -> WorkflowHandle<R> {
        WorkflowHandle::new(
            self.clone(),
            workflow_id.into(),
            run_id,
            first_execution_run_id,
            true,
        )
    }

    /// Sends a signal, starting the workflow first if it is not running
    /// (SignalWithStart). The id conflict policy defaults to `UseExisting`.
    pub async fn signal_with_start<A, R, S>(
        &self,
        workflow: impl Into<WorkflowDefinition<A, R>>,
        options: WorkflowOptions<A>,
        signal: impl Into<crate::SignalDefinition<S>>,
        signal_args: S,
    ) -> Result<WorkflowHandle<R>>
    where
        A: ToPayloads,
        S: ToPayloads,
    {
        let workflow = workflow.into();
        let signal = signal.into();
        let inner = &self.inner;
        let input = self.encode_args(&options.args).await?;
        let signal_input = self.encode_args(&signal_args).await?;
        let memo = self.encode_memo_for(&options).await?;
        let request = builders::signal_with_start_request(
            &inner.namespace,
            &inner.identity,
            workflow.name(),
            &options,
            input,
            memo,
            signal.name(),
            signal_input,
        )?;
        let response = inner
            .rpc()
            .signal_with_start_workflow_execution(self.request(request))
            .await
            .map_err(|e| self.start_error(e, &options, workflow.name()))?;
        Ok(WorkflowHandle::started(
            self.clone(),
            options.workflow_id().to_owned(),
            response.run_id,
            None,
            options.follow_runs,
        ))
    }

    pub(crate) fn request<T>(&self, message: T) -> ServiceRequest<T> {
        let mut request = ServiceRequest::new(message);
        for interceptor in &self.inner.interceptors {
            interceptor.on_call(&mut request.options);
        }
        request
    }

    /// Decodes one value (a result, a query answer, an update result): runs the codecs,
    /// then converts the first payload. No payload (a workflow or handler that returned
    /// nothing) decodes as JSON null, so `()` and `Option<T>` work.
    pub(crate) async fn decode_value<T: serde::de::DeserializeOwned>(
        &self,
        payloads: Vec<Payload>,
    ) -> Result<T> {
        let converter = &self.inner.converter;
        let payloads = self.decode_payloads(payloads).await?;
        match payloads.first() {
            Some(p) => Ok(converter.from_payload(p)?),
            None => Ok(converter.from_payload(&converter.to_payload(&())?)?),
        }
    }

    /// Runs the codecs over payloads the server returned (no-op without codecs).
    pub(crate) async fn decode_payloads(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>> {
        let converter = &self.inner.converter;
        if converter.has_codecs() && !payloads.is_empty() {
            Ok(converter.decode_payloads(payloads).await?)
        } else {
            Ok(payloads)
        }
    }

    /// Runs the codecs over a failure the server returned, then converts it.
    pub(crate) async fn decode_failure(
        &self,
        mut failure: temporal_client_core::proto::temporal::api::failure::v1::Failure,
    ) -> Result<temporal_client_core::failure::TemporalFailure> {
        let converter = &self.inner.converter;
        if converter.has_codecs() {
            converter.decode_failure(&mut failure).await?;
        }
        Ok(temporal_client_core::failure::TemporalFailure::from_proto(
            failure,
        ))
    }

    /// Converts arguments with the payload converter, then runs the codecs.
    pub(crate) async fn encode_args<A: ToPayloads + ?Sized>(
        &self,
        args: &A,
    ) -> Result<Vec<Payload>> {
        let payloads = self.inner.converter.to_payloads(args)?;
        if self.inner.converter.has_codecs() {
            Ok(self.inner.converter.encode_payloads(payloads).await?)
        } else {
            Ok(payloads)
        }
    }

    pub(crate) async fn encode_memo_for<A>(
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
        if converter.has_codecs() {
            values = converter.encode_payloads(values).await?;
        }
        Ok(Some(Memo {
            fields: keys.into_iter().zip(values).collect(),
        }))
    }

    /// Maps an update-with-start error: the per-operation statuses say which
    /// operation failed and why.
    pub(crate) fn multi_operation_error<A>(
        &self,
        err: ServiceError,
        options: &WorkflowOptions<A>,
        workflow_type: &str,
    ) -> Error {
        use temporal_client_core::{Code, ErrorDetails};
        if let Some(ErrorDetails::MultiOperationExecution(details)) = err.details() {
            let failed = details
                .statuses
                .iter()
                .find(|s| s.code != 0 && s.code != Code::Aborted as i32);
            if let Some(status) = failed {
                let detail = status
                    .details
                    .first()
                    .and_then(|any| ErrorDetails::decode_any(&any.type_url, &any.value));
                let mut op_err = ServiceError::new(
                    "ExecuteMultiOperation",
                    Code::from_i32(status.code),
                    status.message.clone(),
                );
                if let Some(detail) = detail {
                    op_err = op_err.with_details(detail);
                }
                return self.start_error(op_err, options, workflow_type);
            }
        }
        self.start_error(err, options, workflow_type)
    }

    fn start_error<A>(
        &self,
        err: ServiceError,
        options: &WorkflowOptions<A>,
        workflow_type: &str,
    ) -> Error {
        if let Some(run_id) = err.already_started_run_id() {
            return Error::WorkflowExecutionAlreadyStarted {
                workflow_id: options.workflow_id().to_owned(),
                workflow_type: workflow_type.to_owned(),
                run_id: run_id.to_owned(),
                source: err,
            };
        }
        if err.is_namespace_not_found() {
            return Error::NamespaceNotFound {
                namespace: self.inner.namespace.clone(),
                source: err,
            };
        }
        Error::Service(err)
    }
}
