//! Mocking the service with mockall (`features = ["mock"]`): expectations on the request
//! a builder made, and a canned response or error.

use temporal_client_core::builders::{ExecutionTarget, RequestContext, SignalSpec, StartSpec};
use temporal_client_core::options::WorkflowOptions;
use temporal_client_core::proto::temporal::api::errordetails::v1::WorkflowExecutionAlreadyStartedFailure;
use temporal_client_core::proto::temporal::api::workflowservice::v1::StartWorkflowExecutionResponse;
use temporal_client_core::{
    Code, ErrorDetails, MockWorkflowService, ServiceError, ServiceRequest, WorkflowService,
};

#[tokio::test]
async fn a_mock_checks_the_request_and_answers() {
    let mut mock = MockWorkflowService::new();
    mock.expect_start_workflow_execution()
        .withf(|req| {
            let m = &req.message;
            m.workflow_id == "order-1"
                && m.task_queue.as_ref().map(|t| t.name.as_str()) == Some("orders")
                && m.workflow_type.as_ref().map(|t| t.name.as_str()) == Some("process_order")
                && !m.request_id.is_empty()
        })
        .times(1)
        .returning(|_| {
            Ok(StartWorkflowExecutionResponse {
                run_id: "run-1".into(),
                started: true,
                ..Default::default()
            })
        });
    mock.expect_signal_workflow_execution()
        .times(1)
        .returning(|_| {
            Err(ServiceError::new(
                "SignalWorkflowExecution",
                Code::NotFound,
                "workflow execution already completed",
            ))
        });

    let options = WorkflowOptions::new("order-1", "orders");
    let start = RequestContext::new("default", "me@host")
        .start_workflow(StartSpec {
            workflow_type: "process_order",
            options: &options,
            input: Vec::new(),
            memo: None,
            header: None,
        })
        .unwrap();
    let response = mock
        .start_workflow_execution(ServiceRequest::new(start))
        .await
        .unwrap();
    assert_eq!(response.run_id, "run-1");

    let signal = RequestContext::new("default", "me@host")
        .signal(SignalSpec {
            target: ExecutionTarget::latest("order-1"),
            signal_name: "cancel_order",
            ..Default::default()
        })
        .unwrap();
    let err = mock
        .signal_workflow_execution(signal.into())
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_mock_can_return_typed_error_details() {
    let mut mock = MockWorkflowService::new();
    mock.expect_start_workflow_execution().returning(|_| {
        Err(ServiceError::new(
            "StartWorkflowExecution",
            Code::AlreadyExists,
            "Workflow execution is already running",
        )
        .with_details(ErrorDetails::WorkflowExecutionAlreadyStarted(
            WorkflowExecutionAlreadyStartedFailure {
                run_id: "existing-run".into(),
                ..Default::default()
            },
        )))
    });
    let options = WorkflowOptions::new("order-1", "orders");
    let start = RequestContext::new("default", "me@host")
        .start_workflow(StartSpec {
            workflow_type: "process_order",
            options: &options,
            input: Vec::new(),
            memo: None,
            header: None,
        })
        .unwrap();
    let err = mock
        .start_workflow_execution(start.into())
        .await
        .unwrap_err();
    assert!(err.is_already_exists());
    assert_eq!(err.already_started_run_id(), Some("existing-run"));
}
