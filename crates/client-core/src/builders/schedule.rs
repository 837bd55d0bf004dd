//! Schedule requests: create, describe, update, patch (trigger, pause, unpause),
//! delete and list. They take the protobuf `Schedule` as it is.

use temporal_proto::prelude::workflowservice::{
    CreateScheduleRequest, DeleteScheduleRequest, DescribeScheduleRequest, ListSchedulesRequest,
    PatchScheduleRequest, UpdateScheduleRequest,
};
use temporal_proto::temporal::api::common::v1::Memo;
use temporal_proto::temporal::api::enums::v1::ScheduleOverlapPolicy;
use temporal_proto::temporal::api::schedule::v1::{
    Schedule, SchedulePatch, TriggerImmediatelyRequest,
};

use super::common::new_request_id;
use crate::search_attributes::SearchAttributes;
use crate::validation::{InvalidRequest, require};

const SCHEDULE_ID: InvalidRequest = InvalidRequest::EmptyField {
    field: "schedule_id",
};

/// A CreateScheduleRequest with a fresh UUID v4 request id. `initial_patch` can, for
/// example, trigger the action once at once; `memo` is the converted memo of the
/// schedule itself. Fails if the schedule id is empty or a search attribute could not
/// be encoded.
pub fn create_schedule_request(
    namespace: &str,
    identity: &str,
    schedule_id: &str,
    schedule: Schedule,
    initial_patch: Option<SchedulePatch>,
    memo: Option<Memo>,
    search_attributes: &SearchAttributes,
) -> Result<CreateScheduleRequest, InvalidRequest> {
    require(schedule_id, SCHEDULE_ID)?;
    search_attributes.check()?;
    Ok(CreateScheduleRequest {
        namespace: namespace.to_owned(),
        schedule_id: schedule_id.to_owned(),
        schedule: Some(schedule),
        initial_patch,
        identity: identity.to_owned(),
        request_id: new_request_id(),
        memo,
        search_attributes: (!search_attributes.is_empty()).then(|| search_attributes.to_proto()),
    })
}

/// A DescribeScheduleRequest. Fails if the schedule id is empty.
pub fn describe_schedule_request(
    namespace: &str,
    schedule_id: &str,
) -> Result<DescribeScheduleRequest, InvalidRequest> {
    require(schedule_id, SCHEDULE_ID)?;
    Ok(DescribeScheduleRequest {
        namespace: namespace.to_owned(),
        schedule_id: schedule_id.to_owned(),
    })
}

/// An UpdateScheduleRequest that replaces the schedule's spec, action, policies and
/// state, with a fresh UUID v4 request id.
///
/// `conflict_token` is the one from the describe response the new schedule is based on
/// (empty: update unconditionally). `search_attributes` and `memo`, when given, replace
/// the schedule's own; `None` leaves them alone. Fails if the schedule id is empty or a
/// search attribute could not be encoded.
#[allow(clippy::too_many_arguments)]
pub fn update_schedule_request(
    namespace: &str,
    identity: &str,
    schedule_id: &str,
    schedule: Schedule,
    conflict_token: Vec<u8>,
    search_attributes: Option<&SearchAttributes>,
    memo: Option<Memo>,
) -> Result<UpdateScheduleRequest, InvalidRequest> {
    require(schedule_id, SCHEDULE_ID)?;
    if let Some(attributes) = search_attributes {
        attributes.check()?;
    }
    Ok(UpdateScheduleRequest {
        namespace: namespace.to_owned(),
        schedule_id: schedule_id.to_owned(),
        schedule: Some(schedule),
        conflict_token,
        identity: identity.to_owned(),
        request_id: new_request_id(),
        search_attributes: search_attributes.map(SearchAttributes::to_proto),
        memo,
    })
}

/// A PatchScheduleRequest with a fresh UUID v4 request id; see
/// [`trigger_schedule_patch`], [`pause_schedule_patch`] and [`unpause_schedule_patch`].
/// Fails if the schedule id is empty.
pub fn patch_schedule_request(
    namespace: &str,
    identity: &str,
    schedule_id: &str,
    patch: SchedulePatch,
) -> Result<PatchScheduleRequest, InvalidRequest> {
    require(schedule_id, SCHEDULE_ID)?;
    Ok(PatchScheduleRequest {
        namespace: namespace.to_owned(),
        schedule_id: schedule_id.to_owned(),
        patch: Some(patch),
        identity: identity.to_owned(),
        request_id: new_request_id(),
    })
}

/// A patch that runs the schedule's action once now, with the schedule's overlap
/// policy unless `overlap_policy` overrides it.
pub fn trigger_schedule_patch(overlap_policy: Option<ScheduleOverlapPolicy>) -> SchedulePatch {
    SchedulePatch {
        trigger_immediately: Some(TriggerImmediatelyRequest {
            overlap_policy: overlap_policy.map_or(0, |p| p as i32),
            scheduled_time: None,
        }),
        ..Default::default()
    }
}

const DEFAULT_PAUSE_NOTE: &str = "Paused via the Rust client";
const DEFAULT_UNPAUSE_NOTE: &str = "Unpaused via the Rust client";

/// A patch that pauses the schedule, recording `note` (a default note if empty: the
/// server needs a non-empty one).
pub fn pause_schedule_patch(note: &str) -> SchedulePatch {
    SchedulePatch {
        pause: if note.is_empty() {
            DEFAULT_PAUSE_NOTE
        } else {
            note
        }
        .to_owned(),
        ..Default::default()
    }
}

/// A patch that unpauses the schedule, recording `note` (a default note if empty).
pub fn unpause_schedule_patch(note: &str) -> SchedulePatch {
    SchedulePatch {
        unpause: if note.is_empty() {
            DEFAULT_UNPAUSE_NOTE
        } else {
            note
        }
        .to_owned(),
        ..Default::default()
    }
}

/// A DeleteScheduleRequest (the workflows it started keep running). Fails if the
/// schedule id is empty.
pub fn delete_schedule_request(
    namespace: &str,
    identity: &str,
    schedule_id: &str,
) -> Result<DeleteScheduleRequest, InvalidRequest> {
    require(schedule_id, SCHEDULE_ID)?;
    Ok(DeleteScheduleRequest {
        namespace: namespace.to_owned(),
        schedule_id: schedule_id.to_owned(),
        identity: identity.to_owned(),
    })
}

/// One page of schedules matching a visibility `query` (empty: all). `page_size` 0
/// means the server's default; start with an empty `next_page_token`.
pub fn list_schedules_request(
    namespace: &str,
    query: &str,
    page_size: i32,
    next_page_token: Vec<u8>,
) -> ListSchedulesRequest {
    ListSchedulesRequest {
        namespace: namespace.to_owned(),
        maximum_page_size: page_size.max(0),
        next_page_token,
        query: query.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::collections::HashMap;

    use temporal_proto::temporal::api::schedule::v1::ScheduleState;

    use super::*;
    use crate::builders::common::tests::{assert_uuid_v4, json_payload};
    use crate::search_attributes::{Keyword, SearchAttributeKey};

    const STAGE: SearchAttributeKey<Keyword> = SearchAttributeKey::new("Stage");

    fn schedule() -> Schedule {
        Schedule {
            state: Some(ScheduleState {
                notes: "n".into(),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn builds_create() {
        let memo = Memo {
            fields: HashMap::from([("m".to_owned(), json_payload("1"))]),
        };
        let attributes = SearchAttributes::new().with(&STAGE, "x");
        let request = create_schedule_request(
            "ns",
            "me",
            "sid",
            schedule(),
            Some(trigger_schedule_patch(None)),
            Some(memo.clone()),
            &attributes,
        )
        .unwrap();
        assert_eq!(request.namespace, "ns");
        assert_eq!(request.schedule_id, "sid");
        assert_eq!(request.schedule, Some(schedule()));
        assert!(request.initial_patch.unwrap().trigger_immediately.is_some());
        assert_eq!(request.identity, "me");
        assert_uuid_v4(&request.request_id);
        assert_eq!(request.memo, Some(memo));
        assert_eq!(request.search_attributes, Some(attributes.to_proto()));
        let bare = create_schedule_request(
            "ns",
            "me",
            "sid",
            schedule(),
            None,
            None,
            &SearchAttributes::new(),
        )
        .unwrap();
        assert_eq!(bare.search_attributes, None);
        assert_ne!(bare.request_id, request.request_id);
    }

    #[test]
    fn builds_update() {
        let attributes = SearchAttributes::new().with(&STAGE, "y");
        let request = update_schedule_request(
            "ns",
            "me",
            "sid",
            schedule(),
            b"token".to_vec(),
            Some(&attributes),
            None,
        )
        .unwrap();
        assert_eq!(request.schedule_id, "sid");
        assert_eq!(request.conflict_token, b"token");
        assert_eq!(request.search_attributes, Some(attributes.to_proto()));
        assert_eq!(request.memo, None);
        assert_uuid_v4(&request.request_id);
        let untouched =
            update_schedule_request("ns", "me", "sid", schedule(), vec![], None, None).unwrap();
        assert_eq!(untouched.search_attributes, None);
    }

    #[test]
    fn builds_patches() {
        let request = patch_schedule_request(
            "ns",
            "me",
            "sid",
            trigger_schedule_patch(Some(ScheduleOverlapPolicy::AllowAll)),
        )
        .unwrap();
        assert_eq!(request.schedule_id, "sid");
        assert_uuid_v4(&request.request_id);
        let trigger = request.patch.unwrap().trigger_immediately.unwrap();
        assert_eq!(
            trigger.overlap_policy,
            ScheduleOverlapPolicy::AllowAll as i32
        );
        assert_eq!(
            trigger_schedule_patch(None)
                .trigger_immediately
                .unwrap()
                .overlap_policy,
            0
        );

        assert_eq!(pause_schedule_patch("maintenance").pause, "maintenance");
        assert_eq!(pause_schedule_patch("").pause, DEFAULT_PAUSE_NOTE);
        assert_eq!(pause_schedule_patch("").unpause, "");
        assert_eq!(unpause_schedule_patch("back").unpause, "back");
        assert_eq!(unpause_schedule_patch("").unpause, DEFAULT_UNPAUSE_NOTE);
        assert!(unpause_schedule_patch("").trigger_immediately.is_none());
    }

    #[test]
    fn builds_describe_delete_and_list() {
        let describe = describe_schedule_request("ns", "sid").unwrap();
        assert_eq!(
            (describe.namespace.as_str(), describe.schedule_id.as_str()),
            ("ns", "sid")
        );
        let delete = delete_schedule_request("ns", "me", "sid").unwrap();
        assert_eq!(delete.schedule_id, "sid");
        assert_eq!(delete.identity, "me");
        let list = list_schedules_request("ns", "TemporalSchedulePaused = true", 10, b"t".to_vec());
        assert_eq!(list.namespace, "ns");
        assert_eq!(list.query, "TemporalSchedulePaused = true");
        assert_eq!(list.maximum_page_size, 10);
        assert_eq!(list.next_page_token, b"t");
    }

    #[test]
    fn rejects_empty_schedule_id_and_bad_attributes() {
        let empty = InvalidRequest::EmptyField {
            field: "schedule_id",
        };
        assert_eq!(describe_schedule_request("ns", ""), Err(empty.clone()));
        assert_eq!(delete_schedule_request("ns", "me", ""), Err(empty.clone()));
        assert_eq!(
            patch_schedule_request("ns", "me", "", pause_schedule_patch("")),
            Err(empty.clone())
        );
        assert_eq!(
            update_schedule_request("ns", "me", "", schedule(), vec![], None, None),
            Err(empty.clone())
        );
        assert_eq!(
            create_schedule_request(
                "ns",
                "me",
                "",
                schedule(),
                None,
                None,
                &SearchAttributes::new()
            ),
            Err(empty)
        );
        let empty_name: SearchAttributeKey<Keyword> = SearchAttributeKey::from_name("");
        let bad = SearchAttributes::new().with(&empty_name, "x");
        assert_eq!(
            create_schedule_request("ns", "me", "sid", schedule(), None, None, &bad),
            Err(InvalidRequest::EmptySearchAttributeName)
        );
        assert_eq!(
            update_schedule_request("ns", "me", "sid", schedule(), vec![], Some(&bad), None),
            Err(InvalidRequest::EmptySearchAttributeName)
        );
    }
}
