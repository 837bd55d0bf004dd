//! The high-level client on a mockall mock: `Client::from_service(mock)`.

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
    assert!(
        err.to_string().contains("already running (run id r0)"),
        "{err}"
    );
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
        .interceptor(|o: &mut temporal_client::CallOptions| {
            o.metadata.push(("x-tenant".into(), "acme".into()))
        })
        .interceptor(|o: &mut temporal_client::CallOptions| {
            o.metadata.push(("x-trace".into(), "t-1".into()));
            o.timeout = Some(std::time::Duration::from_secs(3));
        })
        .build();
    client
        .get_handle::<()>("wf")
        .signal("poke", ())
        .await
        .unwrap();
}
