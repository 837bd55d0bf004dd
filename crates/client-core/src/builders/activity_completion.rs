//! Completing an activity from outside its worker (async activity completion): by task
//! token or by workflow id + activity id. Complete, fail, report cancellation, or
//! heartbeat.

use temporal_proto::prelude::workflowservice::{
    RecordActivityTaskHeartbeatByIdRequest, RecordActivityTaskHeartbeatRequest,
    RespondActivityTaskCanceledByIdRequest, RespondActivityTaskCanceledRequest,
    RespondActivityTaskCompletedByIdRequest, RespondActivityTaskCompletedRequest,
    RespondActivityTaskFailedByIdRequest, RespondActivityTaskFailedRequest,
};
use temporal_proto::temporal::api::common::v1::Payload;
use temporal_proto::temporal::api::failure::v1::Failure;

use super::common::payloads;
use crate::validation::{InvalidRequest, require};

/// An activity named by ids instead of by task token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityRef<'a> {
    /// The workflow that scheduled the activity (empty for a standalone activity).
    pub workflow_id: &'a str,
    /// That workflow's run; empty means the latest run.
    pub run_id: &'a str,
    /// The activity id.
    pub activity_id: &'a str,
}

impl<'a> ActivityRef<'a> {
    /// The activity `activity_id` of the latest run of workflow `workflow_id`.
    pub fn new(workflow_id: &'a str, activity_id: &'a str) -> Self {
        Self {
            workflow_id,
            run_id: "",
            activity_id,
        }
    }

    /// The same activity in a specific run.
    pub fn with_run_id(mut self, run_id: &'a str) -> Self {
        self.run_id = run_id;
        self
    }

    fn check(&self) -> Result<(), InvalidRequest> {
        require(
            self.activity_id,
            InvalidRequest::EmptyField {
                field: "activity_id",
            },
        )
    }

    /// The routing id the server documents: `workflow:<id>`, or `activity:<id>` for a
    /// standalone activity.
    fn resource_id(&self) -> String {
        if self.workflow_id.is_empty() {
            format!("activity:{}", self.activity_id)
        } else {
            format!("workflow:{}", self.workflow_id)
        }
    }
}

fn check_token(task_token: &[u8]) -> Result<(), InvalidRequest> {
    if task_token.is_empty() {
        Err(InvalidRequest::EmptyField {
            field: "task_token",
        })
    } else {
        Ok(())
    }
}

/// Completes the activity with `result` (converted payloads; empty for no result).
pub fn complete_activity_request(
    namespace: &str,
    identity: &str,
    task_token: Vec<u8>,
    result: Vec<Payload>,
) -> Result<RespondActivityTaskCompletedRequest, InvalidRequest> {
    check_token(&task_token)?;
    Ok(RespondActivityTaskCompletedRequest {
        task_token,
        result: payloads(result),
        identity: identity.to_owned(),
        namespace: namespace.to_owned(),
        ..Default::default()
    })
}

/// Completes the activity named by `activity` with `result`.
pub fn complete_activity_by_id_request(
    namespace: &str,
    identity: &str,
    activity: ActivityRef<'_>,
    result: Vec<Payload>,
) -> Result<RespondActivityTaskCompletedByIdRequest, InvalidRequest> {
    activity.check()?;
    Ok(RespondActivityTaskCompletedByIdRequest {
        namespace: namespace.to_owned(),
        workflow_id: activity.workflow_id.to_owned(),
        run_id: activity.run_id.to_owned(),
        activity_id: activity.activity_id.to_owned(),
        result: payloads(result),
        identity: identity.to_owned(),
        resource_id: activity.resource_id(),
    })
}

/// Fails the activity with `failure` (already converted, and encoded by any codec).
/// `last_heartbeat_details` are recorded as the last heartbeat (empty: unchanged).
pub fn fail_activity_request(
    namespace: &str,
    identity: &str,
    task_token: Vec<u8>,
    failure: Failure,
    last_heartbeat_details: Vec<Payload>,
) -> Result<RespondActivityTaskFailedRequest, InvalidRequest> {
    check_token(&task_token)?;
    Ok(RespondActivityTaskFailedRequest {
        task_token,
        failure: Some(failure),
        identity: identity.to_owned(),
        namespace: namespace.to_owned(),
        last_heartbeat_details: payloads(last_heartbeat_details),
        ..Default::default()
    })
}

/// Fails the activity named by `activity`.
pub fn fail_activity_by_id_request(
    namespace: &str,
    identity: &str,
    activity: ActivityRef<'_>,
    failure: Failure,
    last_heartbeat_details: Vec<Payload>,
) -> Result<RespondActivityTaskFailedByIdRequest, InvalidRequest> {
    activity.check()?;
    Ok(RespondActivityTaskFailedByIdRequest {
        namespace: namespace.to_owned(),
        workflow_id: activity.workflow_id.to_owned(),
        run_id: activity.run_id.to_owned(),
        activity_id: activity.activity_id.to_owned(),
        failure: Some(failure),
        identity: identity.to_owned(),
        last_heartbeat_details: payloads(last_heartbeat_details),
        resource_id: activity.resource_id(),
        ..Default::default()
    })
}

/// Reports that the activity accepted a cancellation request, with `details`.
pub fn report_activity_canceled_request(
    namespace: &str,
    identity: &str,
    task_token: Vec<u8>,
    details: Vec<Payload>,
) -> Result<RespondActivityTaskCanceledRequest, InvalidRequest> {
    check_token(&task_token)?;
    Ok(RespondActivityTaskCanceledRequest {
        task_token,
        details: payloads(details),
        identity: identity.to_owned(),
        namespace: namespace.to_owned(),
        ..Default::default()
    })
}

/// Reports that the activity named by `activity` accepted a cancellation request.
pub fn report_activity_canceled_by_id_request(
    namespace: &str,
    identity: &str,
    activity: ActivityRef<'_>,
    details: Vec<Payload>,
) -> Result<RespondActivityTaskCanceledByIdRequest, InvalidRequest> {
    activity.check()?;
    Ok(RespondActivityTaskCanceledByIdRequest {
        namespace: namespace.to_owned(),
        workflow_id: activity.workflow_id.to_owned(),
        run_id: activity.run_id.to_owned(),
        activity_id: activity.activity_id.to_owned(),
        details: payloads(details),
        identity: identity.to_owned(),
        resource_id: activity.resource_id(),
        ..Default::default()
    })
}

/// Records a heartbeat with `details`. The response says whether cancellation was
/// requested.
pub fn heartbeat_activity_request(
    namespace: &str,
    identity: &str,
    task_token: Vec<u8>,
    details: Vec<Payload>,
) -> Result<RecordActivityTaskHeartbeatRequest, InvalidRequest> {
    check_token(&task_token)?;
    Ok(RecordActivityTaskHeartbeatRequest {
        task_token,
        details: payloads(details),
        identity: identity.to_owned(),
        namespace: namespace.to_owned(),
        ..Default::default()
    })
}

/// Records a heartbeat for the activity named by `activity`.
pub fn heartbeat_activity_by_id_request(
    namespace: &str,
    identity: &str,
    activity: ActivityRef<'_>,
    details: Vec<Payload>,
) -> Result<RecordActivityTaskHeartbeatByIdRequest, InvalidRequest> {
    activity.check()?;
    Ok(RecordActivityTaskHeartbeatByIdRequest {
        namespace: namespace.to_owned(),
        workflow_id: activity.workflow_id.to_owned(),
        run_id: activity.run_id.to_owned(),
        activity_id: activity.activity_id.to_owned(),
        details: payloads(details),
        identity: identity.to_owned(),
        resource_id: activity.resource_id(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::builders::common::tests::json_payload;

    const TOKEN: &[u8] = b"opaque-token";
    const EMPTY_TOKEN: InvalidRequest = InvalidRequest::EmptyField {
        field: "task_token",
    };
    const EMPTY_ACTIVITY: InvalidRequest = InvalidRequest::EmptyField {
        field: "activity_id",
    };

    fn failure() -> Failure {
        Failure {
            message: "boom".into(),
            ..Default::default()
        }
    }

    #[test]
    fn by_token() {
        let done =
            complete_activity_request("ns", "me", TOKEN.to_vec(), vec![json_payload("1")]).unwrap();
        assert_eq!(
            (done.namespace.as_str(), done.identity.as_str()),
            ("ns", "me")
        );
        assert_eq!(done.task_token, TOKEN);
        assert_eq!(done.result.unwrap().payloads, [json_payload("1")]);
        assert_eq!(done.resource_id, "");

        let failed = fail_activity_request(
            "ns",
            "me",
            TOKEN.to_vec(),
            failure(),
            vec![json_payload("2")],
        )
        .unwrap();
        assert_eq!(failed.task_token, TOKEN);
        assert_eq!(failed.failure.unwrap().message, "boom");
        assert_eq!(
            failed.last_heartbeat_details.unwrap().payloads,
            [json_payload("2")]
        );
        assert_eq!(failed.namespace, "ns");

        let canceled =
            report_activity_canceled_request("ns", "me", TOKEN.to_vec(), vec![]).unwrap();
        assert_eq!(canceled.task_token, TOKEN);
        assert_eq!(canceled.details, None);
        assert_eq!(canceled.identity, "me");

        let beat = heartbeat_activity_request("ns", "me", TOKEN.to_vec(), vec![json_payload("3")])
            .unwrap();
        assert_eq!(beat.task_token, TOKEN);
        assert_eq!(beat.details.unwrap().payloads, [json_payload("3")]);
        assert_eq!(beat.namespace, "ns");
    }

    #[test]
    fn by_id() {
        let activity = ActivityRef::new("wid", "act-1").with_run_id("rid");
        let done = complete_activity_by_id_request("ns", "me", activity, vec![]).unwrap();
        assert_eq!(
            (
                done.workflow_id.as_str(),
                done.run_id.as_str(),
                done.activity_id.as_str()
            ),
            ("wid", "rid", "act-1")
        );
        assert_eq!(done.result, None);
        assert_eq!(done.resource_id, "workflow:wid");
        assert_eq!(done.identity, "me");

        let failed = fail_activity_by_id_request("ns", "me", activity, failure(), vec![]).unwrap();
        assert_eq!(failed.activity_id, "act-1");
        assert_eq!(failed.failure.unwrap().message, "boom");
        assert_eq!(failed.resource_id, "workflow:wid");

        let canceled =
            report_activity_canceled_by_id_request("ns", "me", activity, vec![json_payload("4")])
                .unwrap();
        assert_eq!(canceled.details.unwrap().payloads, [json_payload("4")]);
        assert_eq!(canceled.run_id, "rid");

        let standalone = ActivityRef::new("", "act-2");
        let beat = heartbeat_activity_by_id_request("ns", "me", standalone, vec![]).unwrap();
        assert_eq!(beat.workflow_id, "");
        assert_eq!(beat.run_id, "");
        assert_eq!(beat.resource_id, "activity:act-2");
    }

    #[test]
    fn rejects_missing_targets() {
        assert_eq!(
            complete_activity_request("ns", "me", vec![], vec![]),
            Err(EMPTY_TOKEN)
        );
        assert_eq!(
            fail_activity_request("ns", "me", vec![], failure(), vec![]),
            Err(EMPTY_TOKEN)
        );
        assert_eq!(
            report_activity_canceled_request("ns", "me", vec![], vec![]),
            Err(EMPTY_TOKEN)
        );
        assert_eq!(
            heartbeat_activity_request("ns", "me", vec![], vec![]),
            Err(EMPTY_TOKEN)
        );
        let nameless = ActivityRef::new("wid", "");
        assert_eq!(
            complete_activity_by_id_request("ns", "me", nameless, vec![]),
            Err(EMPTY_ACTIVITY)
        );
        assert_eq!(
            fail_activity_by_id_request("ns", "me", nameless, failure(), vec![]),
            Err(EMPTY_ACTIVITY)
        );
        assert_eq!(
            report_activity_canceled_by_id_request("ns", "me", nameless, vec![]),
            Err(EMPTY_ACTIVITY)
        );
        assert_eq!(
            heartbeat_activity_by_id_request("ns", "me", nameless, vec![]),
            Err(EMPTY_ACTIVITY)
        );
    }
}
