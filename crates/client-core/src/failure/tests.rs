//! Unit tests of the failure mapping, its display, encoded attributes and codecs.

use std::error::Error as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use temporal_proto::protobuf::Duration as ProtoDuration;
use temporal_proto::temporal::api::common::v1::{
    ActivityType, Payload, Payloads, WorkflowExecution, WorkflowType,
};
use temporal_proto::temporal::api::enums::v1::{
    ApplicationErrorCategory, NexusHandlerErrorRetryBehavior, RetryState, TimeoutType,
};
use temporal_proto::temporal::api::failure::v1 as proto;
use temporal_proto::temporal::api::failure::v1::failure::FailureInfo;

use super::*;
use crate::payload::encodings::new_payload;
use crate::payload::tests::XorCodec;
use crate::payload::{CodecError, DataConverter, PayloadCodec, PayloadError};

fn dc() -> DataConverter {
    DataConverter::default()
}

fn json_payload(v: serde_json::Value) -> Payload {
    dc().to_payload(&v).unwrap()
}

fn with_info(message: &str, info: FailureInfo) -> proto::Failure {
    proto::Failure {
        message: message.into(),
        failure_info: Some(info),
        ..Default::default()
    }
}

/// Every kind, as the server or an SDK would send it.
#[allow(deprecated)]
fn every_kind() -> Vec<proto::Failure> {
    let details = Some(Payloads {
        payloads: vec![json_payload(json!({"k": "v"})), json_payload(json!(7))],
    });
    vec![
        with_info(
            "boom",
            FailureInfo::ApplicationFailureInfo(proto::ApplicationFailureInfo {
                r#type: "MyError".into(),
                non_retryable: true,
                details: details.clone(),
                next_retry_delay: Some(ProtoDuration {
                    seconds: 3,
                    nanos: 500_000_000,
                }),
                category: ApplicationErrorCategory::Benign as i32,
            }),
        ),
        with_info(
            "cancelled",
            FailureInfo::CanceledFailureInfo(proto::CanceledFailureInfo {
                details: details.clone(),
                identity: "me".into(),
            }),
        ),
        with_info(
            "terminated",
            FailureInfo::TerminatedFailureInfo(proto::TerminatedFailureInfo {
                identity: "admin".into(),
            }),
        ),
        with_info(
            "timeout",
            FailureInfo::TimeoutFailureInfo(proto::TimeoutFailureInfo {
                timeout_type: TimeoutType::Heartbeat as i32,
                last_heartbeat_details: details.clone(),
            }),
        ),
        with_info(
            "server",
            FailureInfo::ServerFailureInfo(proto::ServerFailureInfo {
                non_retryable: true,
            }),
        ),
        with_info(
            "reset",
            FailureInfo::ResetWorkflowFailureInfo(proto::ResetWorkflowFailureInfo {
                last_heartbeat_details: details,
            }),
        ),
        with_info(
            "activity error",
            FailureInfo::ActivityFailureInfo(proto::ActivityFailureInfo {
                scheduled_event_id: 5,
                started_event_id: 6,
                identity: "worker@host".into(),
                activity_type: Some(ActivityType {
                    name: "greet".into(),
                }),
                activity_id: "1".into(),
                retry_state: RetryState::MaximumAttemptsReached as i32,
            }),
        ),
        with_info(
            "child workflow execution error",
            FailureInfo::ChildWorkflowExecutionFailureInfo(
                proto::ChildWorkflowExecutionFailureInfo {
                    namespace: "default".into(),
                    workflow_execution: Some(WorkflowExecution {
                        workflow_id: "child-1".into(),
                        run_id: "r1".into(),
                    }),
                    workflow_type: Some(WorkflowType {
                        name: "child".into(),
                    }),
                    initiated_event_id: 9,
                    started_event_id: 10,
                    retry_state: RetryState::NonRetryableFailure as i32,
                },
            ),
        ),
        with_info(
            "nexus operation error",
            FailureInfo::NexusOperationExecutionFailureInfo(proto::NexusOperationFailureInfo {
                scheduled_event_id: 3,
                endpoint: "ep".into(),
                service: "svc".into(),
                operation: "op".into(),
                operation_id: "old-id".into(),
                operation_token: "token".into(),
            }),
        ),
        with_info(
            "handler error",
            FailureInfo::NexusHandlerFailureInfo(proto::NexusHandlerFailureInfo {
                r#type: "BAD_REQUEST".into(),
                retry_behavior: NexusHandlerErrorRetryBehavior::NonRetryable as i32,
            }),
        ),
        proto::Failure {
            message: "no info".into(),
            source: "GoSDK".into(),
            stack_trace: "trace".into(),
            ..Default::default()
        },
    ]
}

#[test]
fn every_kind_round_trips_to_the_same_proto() {
    for original in every_kind() {
        let failure = TemporalFailure::from_proto(original.clone());
        assert_eq!(failure.to_proto(), original, "{failure}");
        assert_eq!(proto::Failure::from(failure.clone()), original);
        assert_eq!(TemporalFailure::from(original), failure);
    }
}

#[test]
fn kinds_carry_their_fields() {
    let kinds: Vec<FailureKind> = every_kind()
        .into_iter()
        .map(|f| TemporalFailure::from_proto(f).kind().clone())
        .collect();
    match &kinds[0] {
        FailureKind::Application {
            type_name,
            non_retryable,
            details,
            next_retry_delay,
            category,
        } => {
            assert_eq!(type_name, "MyError");
            assert!(*non_retryable);
            assert_eq!(details.len(), 2);
            assert_eq!(*next_retry_delay, Some(Duration::from_millis(3500)));
            assert_eq!(*category, ApplicationErrorCategory::Benign);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        matches!(&kinds[1], FailureKind::Canceled { details, identity } if details.len() == 2 && identity == "me")
    );
    assert!(matches!(&kinds[2], FailureKind::Terminated { identity, .. } if identity == "admin"));
    assert!(matches!(
        &kinds[3],
        FailureKind::Timeout { timeout_type: TimeoutType::Heartbeat, last_heartbeat_details } if last_heartbeat_details.len() == 2
    ));
    assert!(matches!(
        kinds[4],
        FailureKind::Server {
            non_retryable: true
        }
    ));
    assert!(
        matches!(&kinds[5], FailureKind::ResetWorkflow { last_heartbeat_details } if last_heartbeat_details.len() == 2)
    );
    assert!(matches!(
        &kinds[6],
        FailureKind::Activity { activity_type, activity_id, retry_state: RetryState::MaximumAttemptsReached, scheduled_event_id: 5, started_event_id: 6, identity }
            if activity_type == "greet" && activity_id == "1" && identity == "worker@host"
    ));
    assert!(matches!(
        &kinds[7],
        FailureKind::ChildWorkflow { namespace, workflow_id, run_id, workflow_type, retry_state: RetryState::NonRetryableFailure, initiated_event_id: 9, started_event_id: 10 }
            if namespace == "default" && workflow_id == "child-1" && run_id == "r1" && workflow_type == "child"
    ));
    assert!(matches!(
        &kinds[8],
        FailureKind::NexusOperation { endpoint, service, operation, operation_token, operation_id, scheduled_event_id: 3 }
            if endpoint == "ep" && service == "svc" && operation == "op" && operation_token == "token" && operation_id == "old-id"
    ));
    assert!(matches!(
        &kinds[9],
        FailureKind::NexusHandler { type_name, retry_behavior: NexusHandlerErrorRetryBehavior::NonRetryable } if type_name == "BAD_REQUEST"
    ));
    assert!(matches!(kinds[10], FailureKind::Unknown));
}

#[test]
fn display_is_the_message_and_the_kind_prints_on_its_own() {
    let failures: Vec<TemporalFailure> = every_kind()
        .into_iter()
        .map(TemporalFailure::from_proto)
        .collect();
    let messages: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        failures
            .iter()
            .map(|f| f.message().to_owned())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        failures.iter().map(|f| f.kind().name()).collect::<Vec<_>>(),
        [
            "ApplicationFailure",
            "CanceledFailure",
            "TerminatedFailure",
            "TimeoutFailure",
            "ServerFailure",
            "ResetWorkflowFailure",
            "ActivityFailure",
            "ChildWorkflowExecutionFailure",
            "NexusOperationFailure",
            "NexusHandlerFailure",
            "UnknownFailure",
        ]
    );
    let shown: Vec<String> = failures
        .iter()
        .map(|f| format!("{}: {}", f.kind(), f.message()))
        .collect();
    assert_eq!(
        shown,
        [
            "application error MyError: boom",
            "cancelled: cancelled",
            "terminated: terminated",
            "timed out (HEARTBEAT): timeout",
            "server error: server",
            "workflow reset: reset",
            "activity greet (id 1) failed (retry state: maximum attempts reached): activity error",
            "child workflow child (id child-1) failed (retry state: non retryable failure): child workflow execution error",
            "Nexus operation svc/op failed: nexus operation error",
            "Nexus handler error BAD_REQUEST: handler error",
            "error: no info",
        ]
    );
    let timeout = TemporalFailure::new(
        "",
        FailureKind::Timeout {
            timeout_type: TimeoutType::StartToClose,
            last_heartbeat_details: Vec::new(),
        },
    );
    assert_eq!(timeout.to_string(), "timed out (START_TO_CLOSE)");
    assert_eq!(TemporalFailure::application("x", "").to_string(), "x");
}

#[test]
fn the_cause_chain_is_walkable_as_std_errors() {
    let failure = TemporalFailure::application("outer", "A").with_cause(
        TemporalFailure::cancelled("middle").with_cause(TemporalFailure::application("inner", "C")),
    );
    let messages: Vec<&str> = failure.chain().map(TemporalFailure::message).collect();
    assert_eq!(messages, ["outer", "middle", "inner"]);
    assert_eq!(failure.root_cause().message(), "inner");
    let mut sources = Vec::new();
    let mut current = failure.source();
    while let Some(e) = current {
        sources.push(e.to_string());
        current = e.source();
    }
    assert_eq!(sources, ["middle", "inner"]);
    let mut owned = failure.clone();
    let cause = owned.take_cause().unwrap();
    assert_eq!(cause.message(), "middle");
    assert!(owned.cause().is_none());
}

#[test]
fn deep_chains_convert_without_recursion_limits() {
    let mut proto_failure = proto::Failure {
        message: "0".into(),
        ..Default::default()
    };
    for i in 1..500 {
        proto_failure = proto::Failure {
            message: i.to_string(),
            cause: Some(Box::new(proto_failure)),
            ..Default::default()
        };
    }
    let failure = TemporalFailure::from_proto(proto_failure.clone());
    assert_eq!(failure.chain().count(), 500);
    assert_eq!(failure.root_cause().message(), "0");
    assert_eq!(failure.to_proto(), proto_failure);
}

#[test]
fn details_are_typed_on_request() {
    let dc = dc();
    let failure = TemporalFailure::application("boom", "MyError")
        .with_details(dc.to_payloads(&(json!({"k": "v"}), 7)).unwrap());
    let (map, n): (serde_json::Value, i64) = failure.details().unwrap();
    assert_eq!((map, n), (json!({"k": "v"}), 7));
    let all: Vec<serde_json::Value> = failure.details().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(failure.detail::<i32>(1).unwrap(), Some(7));
    assert_eq!(failure.detail::<i32>(2).unwrap(), None);
    assert!(failure.detail::<i32>(0).is_err());
    assert!(matches!(
        failure.details::<(i32,)>(),
        Err(PayloadError::ArgCount {
            expected: 1,
            actual: 2
        })
    ));
    let plain = TemporalFailure::application("x", "T");
    plain.details::<()>().unwrap();
    assert!(plain.details_payloads().is_empty());
}

#[test]
fn builders_set_retryability_and_ignore_kinds_without_the_field() {
    let f = TemporalFailure::application("x", "T").with_non_retryable(true);
    assert!(f.is_non_retryable());
    assert_eq!(f.application_type(), Some("T"));
    let t = TemporalFailure::new(
        "t",
        FailureKind::Server {
            non_retryable: false,
        },
    )
    .with_details(vec![Payload::default()]);
    assert!(t.details_payloads().is_empty());
    let t = TemporalFailure::new(
        "t",
        FailureKind::Terminated {
            identity: String::new(),
            details: Vec::new(),
        },
    )
    .with_non_retryable(true)
    .with_details(vec![Payload::default()]);
    assert!(!t.is_non_retryable());
    assert_eq!(t.details_payloads().len(), 1, "terminate details are kept");
    assert_eq!(t.application_type(), None);
    let with = TemporalFailure::application("x", "T")
        .with_stack_trace("at main")
        .with_origin("RustSDK");
    assert_eq!((with.stack_trace(), with.origin()), ("at main", "RustSDK"));
    let p = with.to_proto();
    assert_eq!(
        (p.stack_trace.as_str(), p.source.as_str()),
        ("at main", "RustSDK")
    );
}

#[derive(Debug)]
struct Outer(std::io::Error);

impl std::fmt::Display for Outer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("could not load config")
    }
}

impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[derive(Debug)]
struct Wrap(TemporalFailure);

impl std::fmt::Display for Wrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("wrapped")
    }
}

impl std::error::Error for Wrap {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[test]
fn any_error_converts_with_its_sources() {
    let err = Outer(std::io::Error::other("disk gone"));
    let failure = TemporalFailure::from_error(&err);
    let messages: Vec<&str> = failure.chain().map(TemporalFailure::message).collect();
    assert_eq!(messages, ["could not load config", "disk gone"]);
    assert_eq!(failure.application_type(), Some(""));

    let inner =
        TemporalFailure::cancelled("stop").with_cause(TemporalFailure::application("why", "W"));
    let wrapped = Wrap(inner.clone());
    let failure = TemporalFailure::from_error(&wrapped);
    assert_eq!(failure.message(), "wrapped");
    assert_eq!(
        failure.cause(),
        Some(&inner),
        "an inner TemporalFailure is kept whole"
    );
    assert_eq!(TemporalFailure::from_error(&inner), inner);
}

#[tokio::test]
async fn encoded_attributes_hide_and_restore_message_and_stack_trace() {
    let dc = DataConverter::default()
        .with_failure_converter(FailureConverter::new().with_encode_common_attributes(true));
    assert!(dc.failure_converter().encodes_common_attributes());
    let failure = TemporalFailure::application("boom", "MyError")
        .with_stack_trace("at line 1")
        .with_cause(TemporalFailure::application("inner", "I"));
    let mut sent = failure.to_proto();
    dc.encode_failure(&mut sent).await.unwrap();
    for node in [&sent, sent.cause.as_deref().unwrap()] {
        assert_eq!(node.message, ENCODED_FAILURE_MESSAGE);
        assert!(node.stack_trace.is_empty());
    }
    let attrs: serde_json::Value = dc
        .from_payload(sent.encoded_attributes.as_ref().unwrap())
        .unwrap();
    assert_eq!(
        attrs,
        json!({"message": "boom", "stack_trace": "at line 1"})
    );
    assert_eq!(
        sent.encoded_attributes.as_ref().unwrap().data,
        br#"{"message":"boom","stack_trace":"at line 1"}"#
    );
    let back = dc.failure_from_proto(sent).await.unwrap();
    assert_eq!(back, failure);
    assert!(back.encoded_attributes().is_none());
}

#[tokio::test]
async fn python_style_encoded_attributes_are_restored_even_without_the_option() {
    // Python writes the attributes with sorted keys and ASCII escapes.
    let mut failure = proto::Failure {
        message: ENCODED_FAILURE_MESSAGE.into(),
        encoded_attributes: Some(new_payload(
            "json/plain",
            br#"{"message":"r\u00e9al","stack_trace":"File \"wf.py\""}"#.to_vec(),
        )),
        ..Default::default()
    };
    dc().decode_failure(&mut failure).await.unwrap();
    assert_eq!(failure.message, "réal");
    assert_eq!(failure.stack_trace, "File \"wf.py\"");
    assert!(failure.encoded_attributes.is_none());
}

#[tokio::test]
async fn attributes_are_left_alone_when_the_message_is_not_encoded_or_they_do_not_read() {
    let attrs = json_payload(json!({"message": "hidden"}));
    let mut plain = proto::Failure {
        message: "visible".into(),
        encoded_attributes: Some(attrs.clone()),
        ..Default::default()
    };
    dc().decode_failure(&mut plain).await.unwrap();
    assert_eq!(plain.message, "visible");
    assert_eq!(plain.encoded_attributes, Some(attrs));

    let mut unreadable = proto::Failure {
        message: ENCODED_FAILURE_MESSAGE.into(),
        encoded_attributes: Some(json_payload(json!([1, 2]))),
        ..Default::default()
    };
    dc().decode_failure(&mut unreadable).await.unwrap();
    assert_eq!(unreadable.message, ENCODED_FAILURE_MESSAGE);
    assert!(unreadable.encoded_attributes.is_some());
}

#[tokio::test]
async fn codecs_reach_every_payload_of_the_chain() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let dc = DataConverter::default()
        .with_codec(XorCodec::new("a", 0x5a, &log))
        .with_codec(XorCodec::new("b", 0xa5, &log))
        .with_failure_converter(FailureConverter::new().with_encode_common_attributes(true));
    let details = dc.to_payloads(&(json!({"k": "v"}), 7)).unwrap();
    let heartbeat = dc.to_payloads(&("beat",)).unwrap();
    let failure = TemporalFailure::application("boom", "MyError")
        .with_details(details.clone())
        .with_cause(
            TemporalFailure::new(
                "timeout",
                FailureKind::Timeout {
                    timeout_type: TimeoutType::Heartbeat,
                    last_heartbeat_details: heartbeat.clone(),
                },
            )
            .with_cause(TemporalFailure::cancelled("c").with_details(details.clone())),
        );

    let mut sent = failure.to_proto();
    dc.encode_failure(&mut sent).await.unwrap();
    // 3 encoded attributes + 2 + 1 + 2 details, in one call per codec.
    assert_eq!(*log.lock().unwrap(), ["encode a x8", "encode b x8"]);
    let mut count = 0;
    let mut node = Some(&sent);
    while let Some(n) = node {
        let attrs = n.encoded_attributes.as_ref().unwrap();
        assert_eq!(attrs.metadata["encoding"], b"binary/xor-b");
        count += 1;
        let payloads = match &n.failure_info {
            Some(FailureInfo::ApplicationFailureInfo(i)) => &i.details,
            Some(FailureInfo::TimeoutFailureInfo(i)) => &i.last_heartbeat_details,
            Some(FailureInfo::CanceledFailureInfo(i)) => &i.details,
            other => panic!("unexpected {other:?}"),
        };
        for p in &payloads.as_ref().unwrap().payloads {
            assert_eq!(p.metadata["encoding"], b"binary/xor-b");
            count += 1;
        }
        node = n.cause.as_deref();
    }
    assert_eq!(count, 8);

    log.lock().unwrap().clear();
    let back = dc.failure_from_proto(sent).await.unwrap();
    assert_eq!(*log.lock().unwrap(), ["decode b x8", "decode a x8"]);
    assert_eq!(back, failure);
    let (map, n): (serde_json::Value, i32) = back.details().unwrap();
    assert_eq!((map, n), (json!({"k": "v"}), 7));
}

#[tokio::test]
async fn without_codecs_or_attributes_failures_are_untouched() {
    let original = TemporalFailure::application("boom", "E")
        .with_details(dc().to_payloads(&(1,)).unwrap())
        .to_proto();
    let mut f = original.clone();
    dc().encode_failure(&mut f).await.unwrap();
    assert_eq!(f, original);
    dc().decode_failure(&mut f).await.unwrap();
    assert_eq!(f, original);
}

/// A codec that loses a payload.
#[derive(Debug)]
struct Dropper;

#[async_trait::async_trait]
impl PayloadCodec for Dropper {
    async fn encode(&self, mut payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
        payloads.pop();
        Ok(payloads)
    }
    async fn decode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
        Ok(payloads)
    }
}

#[tokio::test]
async fn a_codec_that_changes_the_count_is_an_error_for_failures() {
    let dc = DataConverter::default().with_codec(Arc::new(Dropper));
    let mut f = TemporalFailure::application("boom", "E")
        .with_details(dc.to_payloads(&(1, 2)).unwrap())
        .to_proto();
    let err = dc.encode_failure(&mut f).await.unwrap_err();
    assert!(matches!(
        err,
        PayloadError::CodecCount {
            step: 0,
            expected: 2,
            actual: 1,
            ..
        }
    ));
    assert!(err.to_string().contains("one payload for each"), "{err}");
}
