//! The schedule RPCs of the fake: validation and error shapes as the dev server answers
//! them (`ALREADY_EXISTS` `schedule "x" is already registered`; `NOT_FOUND`
//! `workflow not found for ID: temporal-sys-scheduler:x`; `INVALID_ARGUMENT`
//! `Invalid schedule spec: ...`), then the engine.
//!
//! An update whose conflict token does not match is accepted and ignored, as the dev
//! server does (the scheduler drops it); the schedule and its token stay as they were.
// `ServiceError` is large by nature; boxing it here would only add allocations.
#![allow(clippy::result_large_err)]

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use temporal_client_core::{Code, ServiceError};
use temporal_proto::protobuf;
use temporal_proto::temporal::api::enums::v1::ScheduleOverlapPolicy as Overlap;
use temporal_proto::temporal::api::schedule::v1::{
    Schedule as ProtoSchedule, ScheduleInfo, SchedulePatch, SchedulePolicies, ScheduleState,
};
use temporal_proto::temporal::api::workflowservice::v1 as wf;

use super::super::clock::{to_proto_duration, to_timestamp};
use super::Schedule;
use super::describe::{describe, list_entry, token};
use super::engine::{DEFAULT_CATCHUP, Pending};
use super::spec::{Spec, from_nanos, normalize};
use super::visibility::{matching, schedule_query};
use crate::fake::engine::State;
use crate::fake::rpc::invalid;
use crate::fake::server::FakeServer;

fn not_found(rpc: &'static str, id: &str) -> ServiceError {
    ServiceError::new(
        rpc,
        Code::NotFound,
        format!("workflow not found for ID: temporal-sys-scheduler:{id}"),
    )
}

fn ts(t: &protobuf::Timestamp) -> SystemTime {
    from_nanos(i128::from(t.seconds) * 1_000_000_000 + i128::from(t.nanos))
}

/// Normalises a schedule as the server stores it: spec compiled, policies defaulted.
fn prepare(
    rpc: &'static str,
    mut s: ProtoSchedule,
    seed: u64,
) -> Result<(ProtoSchedule, Spec), ServiceError> {
    let spec = normalize(s.spec.take().unwrap_or_default())
        .map_err(|e| invalid(rpc, format!("Invalid schedule spec: {e}")))?;
    let compiled =
        Spec::new(&spec, seed).map_err(|e| invalid(rpc, format!("Invalid schedule spec: {e}")))?;
    s.spec = Some(spec);
    let start = s.action.as_ref().and_then(|a| a.action.as_ref());
    let Some(temporal_proto::temporal::api::schedule::v1::schedule_action::Action::StartWorkflow(
        w,
    )) = start
    else {
        return Err(invalid(rpc, "Action is required"));
    };
    if w.workflow_id.is_empty() {
        return Err(invalid(rpc, "WorkflowId is not set on request."));
    }
    if w.workflow_type.as_ref().is_none_or(|t| t.name.is_empty()) {
        return Err(invalid(rpc, "WorkflowType is not set on request."));
    }
    if w.task_queue.as_ref().is_none_or(|q| q.name.is_empty()) {
        return Err(invalid(rpc, "TaskQueue is not set on request."));
    }
    let mut policies: SchedulePolicies = s.policies.take().unwrap_or_default();
    if policies.overlap_policy == Overlap::Unspecified as i32 {
        policies.overlap_policy = Overlap::Skip as i32;
    }
    if policies
        .catchup_window
        .as_ref()
        .is_none_or(|d| d.seconds == 0 && d.nanos == 0)
    {
        policies.catchup_window = Some(to_proto_duration(DEFAULT_CATCHUP));
    }
    s.policies = Some(policies);
    s.state.get_or_insert_with(ScheduleState::default);
    Ok((s, compiled))
}

impl State {
    fn apply_patch(&mut self, ns: &str, id: &str, patch: SchedulePatch) {
        let now = self.now;
        let Some(s) = self.schedules.get_mut(ns, id) else {
            return;
        };
        let state = s.schedule.state.get_or_insert_with(ScheduleState::default);
        if !patch.pause.is_empty() {
            state.paused = true;
            state.notes = patch.pause;
        }
        if !patch.unpause.is_empty() {
            state.paused = false;
            state.notes = patch.unpause;
            s.last = s.last.max(now);
        }
        if let Some(t) = patch.trigger_immediately {
            s.buffer.push_back(Pending {
                nominal: now,
                overlap: t.overlap_policy,
                manual: true,
            });
        }
        for b in patch.backfill_request {
            let (Some(start), Some(end)) = (b.start_time.as_ref(), b.end_time.as_ref()) else {
                continue;
            };
            let from = ts(start)
                .checked_sub(Duration::from_nanos(1))
                .unwrap_or(SystemTime::UNIX_EPOCH);
            for f in s.spec.between(from, ts(end), 100_000) {
                s.buffer.push_back(Pending {
                    nominal: f.nominal,
                    overlap: b.overlap_policy,
                    manual: true,
                });
            }
        }
        s.conflict_token += 1;
        self.process_schedule(ns, id);
    }
}

impl FakeServer {
    pub(crate) fn create_schedule_of(
        &self,
        r: wf::CreateScheduleRequest,
    ) -> Result<wf::CreateScheduleResponse, ServiceError> {
        const RPC: &str = "CreateSchedule";
        {
            let mut st = self.inner.lock();
            st.namespace(RPC, &r.namespace)?;
            if r.schedule_id.is_empty() {
                return Err(invalid(RPC, "ScheduleId is not set on request."));
            }
            if let Some(existing) = st.schedules.get(&r.namespace, &r.schedule_id) {
                if !r.request_id.is_empty() && existing.request_id == r.request_id {
                    return Ok(wf::CreateScheduleResponse {
                        conflict_token: token(existing.conflict_token),
                    });
                }
                return Err(ServiceError::new(
                    RPC,
                    Code::AlreadyExists,
                    format!("schedule {:?} is already registered", r.schedule_id),
                ));
            }
            let seed = st.schedules.seed;
            let (schedule, spec) = prepare(RPC, r.schedule.unwrap_or_default(), seed)?;
            let now = st.now;
            st.schedules.insert(
                &r.namespace,
                &r.schedule_id,
                Schedule {
                    schedule,
                    spec,
                    memo: r.memo,
                    search_attributes: r.search_attributes,
                    info: ScheduleInfo {
                        create_time: Some(to_timestamp(now)),
                        ..Default::default()
                    },
                    buffer: VecDeque::new(),
                    last: now,
                    conflict_token: 1,
                    request_id: r.request_id,
                },
            );
            match r.initial_patch {
                Some(patch) => {
                    st.apply_patch(&r.namespace, &r.schedule_id, patch);
                    if let Some(s) = st.schedules.get_mut(&r.namespace, &r.schedule_id) {
                        s.conflict_token = 1;
                    }
                }
                None => st.process_schedule(&r.namespace, &r.schedule_id),
            }
        }
        self.inner.settle();
        Ok(wf::CreateScheduleResponse {
            conflict_token: token(1),
        })
    }

    pub(crate) fn describe_schedule_of(
        &self,
        r: wf::DescribeScheduleRequest,
    ) -> Result<wf::DescribeScheduleResponse, ServiceError> {
        const RPC: &str = "DescribeSchedule";
        let mut st = self.inner.lock();
        st.namespace(RPC, &r.namespace)?;
        st.process_schedule(&r.namespace, &r.schedule_id);
        st.schedules
            .get(&r.namespace, &r.schedule_id)
            .map(describe)
            .ok_or_else(|| not_found(RPC, &r.schedule_id))
    }

    pub(crate) fn update_schedule_of(
        &self,
        r: wf::UpdateScheduleRequest,
    ) -> Result<wf::UpdateScheduleResponse, ServiceError> {
        const RPC: &str = "UpdateSchedule";
        {
            let mut st = self.inner.lock();
            st.namespace(RPC, &r.namespace)?;
            let now = st.now;
            let seed = st.schedules.seed;
            let Some(current) = st.schedules.get(&r.namespace, &r.schedule_id) else {
                return Err(not_found(RPC, &r.schedule_id));
            };
            let (schedule, spec) = prepare(RPC, r.schedule.unwrap_or_default(), seed)?;
            if !r.conflict_token.is_empty() && r.conflict_token != token(current.conflict_token) {
                return Ok(wf::UpdateScheduleResponse::default());
            }
            let Some(s) = st.schedules.get_mut(&r.namespace, &r.schedule_id) else {
                return Err(not_found(RPC, &r.schedule_id));
            };
            s.schedule = schedule;
            s.spec = spec;
            s.last = s.last.max(now);
            s.info.update_time = Some(to_timestamp(now));
            s.conflict_token += 1;
            if r.search_attributes.is_some() {
                s.search_attributes = r.search_attributes;
            }
            if r.memo.is_some() {
                s.memo = r.memo;
            }
            st.process_schedule(&r.namespace, &r.schedule_id);
        }
        self.inner.settle();
        Ok(wf::UpdateScheduleResponse::default())
    }

    pub(crate) fn patch_schedule_of(
        &self,
        r: wf::PatchScheduleRequest,
    ) -> Result<wf::PatchScheduleResponse, ServiceError> {
        const RPC: &str = "PatchSchedule";
        {
            let mut st = self.inner.lock();
            st.namespace(RPC, &r.namespace)?;
            if st.schedules.get(&r.namespace, &r.schedule_id).is_none() {
                return Err(not_found(RPC, &r.schedule_id));
            }
            st.apply_patch(&r.namespace, &r.schedule_id, r.patch.unwrap_or_default());
        }
        self.inner.settle();
        Ok(wf::PatchScheduleResponse::default())
    }

    pub(crate) fn delete_schedule_of(
        &self,
        r: wf::DeleteScheduleRequest,
    ) -> Result<wf::DeleteScheduleResponse, ServiceError> {
        const RPC: &str = "DeleteSchedule";
        let mut st = self.inner.lock();
        st.namespace(RPC, &r.namespace)?;
        if st.schedules.remove(&r.namespace, &r.schedule_id).is_none() {
            return Err(not_found(RPC, &r.schedule_id));
        }
        st.arm_schedule_timer(&r.namespace, &r.schedule_id);
        Ok(wf::DeleteScheduleResponse::default())
    }

    pub(crate) fn list_schedules_of(
        &self,
        r: wf::ListSchedulesRequest,
    ) -> Result<wf::ListSchedulesResponse, ServiceError> {
        const RPC: &str = "ListSchedules";
        let mut st = self.inner.lock();
        st.namespace(RPC, &r.namespace)?;
        let query = schedule_query(RPC, &r.query, &st.search_attributes)?;
        let ids: Vec<String> = st
            .schedules
            .in_namespace(&r.namespace)
            .map(|(id, _)| id.clone())
            .collect();
        for id in &ids {
            st.process_schedule(&r.namespace, id);
        }
        let offset: usize = std::str::from_utf8(&r.next_page_token)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let size = if r.maximum_page_size > 0 {
            r.maximum_page_size as usize
        } else {
            1000
        };
        let all: Vec<_> =
            matching(&st.schedules, &r.namespace, &query, &st.search_attributes).collect();
        let page: Vec<_> = all
            .iter()
            .skip(offset)
            .take(size)
            .map(|(id, s)| list_entry(id, s))
            .collect();
        let next = offset + page.len();
        Ok(wf::ListSchedulesResponse {
            schedules: page,
            next_page_token: if next < all.len() {
                next.to_string().into_bytes()
            } else {
                Vec::new()
            },
        })
    }

    pub(crate) fn count_schedules_of(
        &self,
        r: wf::CountSchedulesRequest,
    ) -> Result<wf::CountSchedulesResponse, ServiceError> {
        const RPC: &str = "CountSchedules";
        let st = self.inner.lock();
        st.namespace(RPC, &r.namespace)?;
        let query = schedule_query(RPC, &r.query, &st.search_attributes)?;
        let count = matching(&st.schedules, &r.namespace, &query, &st.search_attributes).count();
        Ok(wf::CountSchedulesResponse {
            count: i64::try_from(count).unwrap_or(i64::MAX),
            groups: Vec::new(),
        })
    }

    pub(crate) fn list_schedule_matching_times_of(
        &self,
        r: wf::ListScheduleMatchingTimesRequest,
    ) -> Result<wf::ListScheduleMatchingTimesResponse, ServiceError> {
        const RPC: &str = "ListScheduleMatchingTimes";
        let st = self.inner.lock();
        st.namespace(RPC, &r.namespace)?;
        let s = st
            .schedules
            .get(&r.namespace, &r.schedule_id)
            .ok_or_else(|| not_found(RPC, &r.schedule_id))?;
        let (Some(start), Some(end)) = (r.start_time.as_ref(), r.end_time.as_ref()) else {
            return Err(invalid(RPC, "missing or invalid query"));
        };
        let from = ts(start)
            .checked_sub(Duration::from_nanos(1))
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let times = s
            .spec
            .between(from, ts(end), 1000)
            .into_iter()
            .map(|f| to_timestamp(f.actual))
            .collect();
        Ok(wf::ListScheduleMatchingTimesResponse { start_time: times })
    }
}
