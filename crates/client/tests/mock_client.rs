//! The high-level client on a mockall mock: `Client::from_service(mock)`.

use temporal_client::interceptor::{
    Interceptor, Next, SignalWorkflowInput, StartWorkflowInput, StartWorkflowOutput,
};
use temporal_client::proto::temporal::api::errordetails::v1::WorkflowExecutionAlreadyStartedFailure;
use temporal_client::proto::temporal::api::workflowservice::v1::StartWorkflowExecutionResponse;
use temporal_client::{Client, Code, Error, ServiceError, WorkflowDefinition, WorkflowOptions};
use temporal_client_core::{ErrorDetails, MockWorkflowService};

const GREET: WorkflowDefinition<(String,), String> = WorkflowDefinition::new("greet");

#[tokio::test]
async fn start_sends_one_payload_per_argument_and_returns_a_handle() {
    let mut mock = MockWorkflowService::new();
    mock.expect_start_workflow_execution()
        .withf(|req| {
            let input = req.message.input.as_ref().map(|p| p.payloads.len());
            req.message.namespace == "payments"
                && req.message.identity == "tester"
                && input == Some(1)
        })
        .returning(|_| {
            Ok(StartWorkflowExecutionResponse {
                run_id: "r1".into(),
                started: true,
                ..Default::default()
            })
        });
    let client = Client::builder(mock)
        .namespace("payments")
        .identity("tester")
        .build();
    let handle = client
        .start(
            GREET,
            WorkflowOptions::new("g-1", "q").args(("Ada".to_owned(),)),
        )
        .await
        .unwrap();
    assert_eq!((handle.workflow_id(), handle.run_id()), ("g-1", Some("r1")));
}

#[tokio::test]
async fn already_started_becomes_a_typed_error() {
    let mut mock = MockWorkflowService::new();
    mock.expect_start_workflow_execution().returning(|_| {
        Err(ServiceError::new(
            "StartWorkflowExecution",
            Code::AlreadyExists,
            "Workflow execution is already running",
        )
        .with_details(ErrorDetails::WorkflowExecutionAlreadyStarted(
            WorkflowExecutionAlreadyStartedFailure {
                run_id: "r0".into(),
                ..Default::default()
            },
        )))
    });
    let client = Client::from_service(mock);
    let err = client
        .start(
            GREET,
            WorkflowOptions::new("g-1", "q").args(("Ada".to_owned(),)),
        )
        .await
        .unwrap_err();
    match &err {
        Error::WorkflowExecutionAlreadyStarted {
            workflow_id,
            workflow_type,
            run_id,
            ..
        } => {
            assert_eq!(
                (
                    workflow_id.as_str(),
                    workflow_type.as_str(),
                    run_id.as_str()
                ),
                ("g-1", "greet", "r0")
            );
        }
        other => panic!("expected already started, got {other:?}"),
    }
    assert!(err.is_already_started());
    assert!(err.to_string().contains("existing run r0"), "{err}");
}

#[tokio::test]
async fn validation_fails_before_anything_is_sent() {
    // No expectations: any RPC would panic the mock.
    let client = Client::from_service(MockWorkflowService::new());
    let err = client
        .start(GREET, WorkflowOptions::new("", "q").args(("x".to_owned(),)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(
        err.to_string().to_lowercase().contains("workflow id"),
        "{err}"
    );
}

/// Adds one metadata entry (and optionally a timeout) to every signal.
struct SignalMetadata(&'static str, &'static str, Option<std::time::Duration>);

#[temporal_client::async_trait]
impl Interceptor for SignalMetadata {
    async fn signal_workflow(
        &self,
        mut input: SignalWorkflowInput,
        next: Next<'_, SignalWorkflowInput, ()>,
    ) -> temporal_client::Result<()> {
        input
            .call
            .metadata
            .push((self.0.to_owned(), self.1.to_owned()));
        if let Some(timeout) = self.2 {
            input.call.timeout = Some(timeout);
        }
        next.run(input).await
    }
}

#[tokio::test]
async fn interceptors_see_every_call_in_order() {
    use temporal_client::proto::temporal::api::workflowservice::v1::SignalWorkflowExecutionResponse;
    let mut mock = MockWorkflowService::new();
    mock.expect_signal_workflow_execution()
        .withf(|req| {
            req.options.metadata
                == vec![
                    ("x-tenant".to_owned(), "acme".to_owned()),
                    ("x-trace".to_owned(), "t-1".to_owned()),
                ]
                && req.options.timeout == Some(std::time::Duration::from_secs(3))
        })
        .times(1)
        .returning(|_| Ok(SignalWorkflowExecutionResponse::default()));
    let client = Client::builder(mock)
        .interceptor(SignalMetadata("x-tenant", "acme", None))
        .interceptor(SignalMetadata(
            "x-trace",
            "t-1",
            Some(std::time::Duration::from_secs(3)),
        ))
        .build();
    client.get_handle::<()>("wf").signal("poke").await.unwrap();
}

/// Puts a header entry on every start, records the run ids it saw come back, and
/// refuses starts of the type "forbidden".
#[derive(Default)]
struct StartGate {
    seen: std::sync::Mutex<Vec<String>>,
}

#[temporal_client::async_trait]
impl Interceptor for StartGate {
    async fn start_workflow(
        &self,
        mut input: StartWorkflowInput,
        next: Next<'_, StartWorkflowInput, StartWorkflowOutput>,
    ) -> temporal_client::Result<StartWorkflowOutput> {
        if input.workflow_type == "forbidden" {
            return Err(temporal_client::Error::interceptor(
                "this type may not start",
            ));
        }
        let tenant = temporal_client::payload::DataConverter::default().to_payload("acme")?;
        input.headers.insert("tenant".to_owned(), tenant);
        let output = next.run(input).await?;
        self.seen.lock().unwrap().push(output.run_id.clone());
        Ok(output)
    }
}

#[tokio::test]
async fn an_interceptor_sets_the_header_sees_the_output_and_can_refuse_a_call() {
    use temporal_client::proto::temporal::api::workflowservice::v1::StartWorkflowExecutionResponse;
    let mut mock = MockWorkflowService::new();
    mock.expect_start_workflow_execution()
        .withf(|req| {
            req.message.workflow_type.as_ref().map(|t| t.name.as_str()) == Some("allowed")
                && req
                    .message
                    .header
                    .as_ref()
                    .and_then(|h| h.fields.get("tenant"))
                    .is_some_and(|p| p.data == b"\"acme\"")
        })
        .times(1)
        .returning(|_| {
            Ok(StartWorkflowExecutionResponse {
                run_id: "run-1".into(),
                started: true,
                ..Default::default()
            })
        });
    let gate = std::sync::Arc::new(StartGate::default());
    struct Shared(std::sync::Arc<StartGate>);
    #[temporal_client::async_trait]
    impl Interceptor for Shared {
        async fn start_workflow(
            &self,
            input: StartWorkflowInput,
            next: Next<'_, StartWorkflowInput, StartWorkflowOutput>,
        ) -> temporal_client::Result<StartWorkflowOutput> {
            self.0.start_workflow(input, next).await
        }
    }
    let client = Client::builder(mock)
        .interceptor(Shared(gate.clone()))
        .build();
    let handle = client
        .start("allowed", WorkflowOptions::new("wf-1", "tq"))
        .await
        .unwrap();
    assert_eq!(handle.run_id(), Some("run-1"));
    assert_eq!(*gate.seen.lock().unwrap(), ["run-1"]);
    // Refused before the RPC: the mock expects exactly one start.
    let err = client
        .start("forbidden", WorkflowOptions::new("wf-2", "tq"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, temporal_client::Error::Interceptor(_)),
        "{err:?}"
    );
}

/// A codec that loses the last payload when decoding.
#[derive(Debug)]
struct DropsOnDecode;

#[temporal_client::async_trait]
impl temporal_client::payload::PayloadCodec for DropsOnDecode {
    async fn encode(
        &self,
        payloads: Vec<temporal_client::proto::temporal::api::common::v1::Payload>,
    ) -> Result<
        Vec<temporal_client::proto::temporal::api::common::v1::Payload>,
        temporal_client::payload::CodecError,
    > {
        Ok(payloads)
    }

    async fn decode(
        &self,
        mut payloads: Vec<temporal_client::proto::temporal::api::common::v1::Payload>,
    ) -> Result<
        Vec<temporal_client::proto::temporal::api::common::v1::Payload>,
        temporal_client::payload::CodecError,
    > {
        payloads.pop();
        Ok(payloads)
    }
}

#[tokio::test]
async fn a_codec_that_drops_a_memo_entry_fails_describe_instead_of_losing_the_key() {
    use temporal_client::payload::{DataConverter, PayloadError};
    use temporal_client::proto::temporal::api::common::v1::{Memo, WorkflowExecution};
    use temporal_client::proto::temporal::api::workflow::v1::WorkflowExecutionInfo;
    use temporal_client::proto::temporal::api::workflowservice::v1::DescribeWorkflowExecutionResponse;

    let dc = DataConverter::default();
    let memo = Memo {
        fields: [
            ("a".to_owned(), dc.to_payload(&1).unwrap()),
            ("b".to_owned(), dc.to_payload(&2).unwrap()),
        ]
        .into(),
    };
    let mut mock = MockWorkflowService::new();
    mock.expect_describe_workflow_execution()
        .returning(move |_| {
            Ok(DescribeWorkflowExecutionResponse {
                workflow_execution_info: Some(WorkflowExecutionInfo {
                    execution: Some(WorkflowExecution {
                        workflow_id: "wf".into(),
                        run_id: "r".into(),
                    }),
                    memo: Some(memo.clone()),
                    ..Default::default()
                }),
                ..Default::default()
            })
        });
    let client = Client::builder(mock)
        .data_converter(DataConverter::default().with_codec(std::sync::Arc::new(DropsOnDecode)))
        .build();
    let err = client
        .get_handle::<()>("wf")
        .describe()
        .await
        .expect_err("a memo entry went missing in the codec");
    assert!(
        matches!(
            err,
            Error::Payload(PayloadError::CodecCount {
                expected: 2,
                actual: 1,
                ..
            })
        ),
        "{err:?}"
    );
}
