//! `client.schedules().create(id, schedule)`.

use temporal_client_core::builders::{create_schedule_request, trigger_schedule_patch};
use temporal_client_core::options::Memo;
use temporal_client_core::schedule::{Schedule, ScheduleBackfill, backfill_patch};
use temporal_client_core::search_attributes::{
    SearchAttributeKey, SearchAttributeType, SearchAttributes,
};
use temporal_client_core::{CallOptions, ServiceRequest};

use super::{ScheduleClient, ScheduleHandle};
use crate::call::{bounded, call_option_setters, into_future};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::interceptor::{CreateScheduleInput, OperationInput as _};
use crate::spans::{operation_span, traced};

impl ScheduleClient {
    /// Creates a schedule and returns a handle to it. Await the returned
    /// [`CreateSchedule`]; set the schedule's own memo and search attributes, an
    /// immediate trigger or backfills on it first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), temporal_client::Error> {
    /// use std::time::Duration;
    /// use temporal_client::schedule::{Schedule, ScheduleAction, ScheduleSpec};
    /// use temporal_client::{Client, WorkflowOptions};
    ///
    /// let client = Client::from_service(temporal_testkit::FakeServer::new());
    /// let created = client
    ///     .schedules()
    ///     .create(
    ///         "hourly-report",
    ///         Schedule::new(
    ///             ScheduleAction::start_workflow(
    ///                 "report",
    ///                 WorkflowOptions::new("report", "reports").args(("eu",)),
    ///             ),
    ///             ScheduleSpec::new().interval(Duration::from_secs(3600)),
    ///         ),
    ///     )
    ///     .memo("owner", "ada")
    ///     .await;
    /// let handle = created?;
    /// let description = handle.describe().await?;
    /// assert_eq!(description.memo::<String>("owner").transpose()?.as_deref(), Some("ada"));
    /// handle.delete().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::ScheduleAlreadyRunning`] when a schedule with the id exists;
    /// [`Error::InvalidRequest`] naming the field for input the server rejects (empty
    /// id, an interval under one second, an offset not shorter than its interval, the
    /// action's empty workflow id, task queue or type, ...); [`Error::Service`] with
    /// INVALID_ARGUMENT for what only the server checks (a malformed cron string:
    /// "Invalid schedule spec: ..."); [`Error::Payload`], [`Error::Timeout`],
    /// [`Error::NamespaceNotFound`].
    pub fn create(&self, schedule_id: impl Into<String>, schedule: Schedule) -> CreateSchedule<'_> {
        CreateSchedule {
            client: &self.client,
            schedule_id: schedule_id.into(),
            schedule,
            memo: Memo::new(),
            search_attributes: SearchAttributes::new(),
            trigger_immediately: false,
            backfills: Vec::new(),
            call: CallOptions::default(),
        }
    }
}

/// A schedule creation, from [`ScheduleClient::create`]: set options, then `.await` it.
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct CreateSchedule<'a> {
    client: &'a Client,
    schedule_id: String,
    schedule: Schedule,
    memo: Memo,
    search_attributes: SearchAttributes,
    trigger_immediately: bool,
    backfills: Vec<ScheduleBackfill>,
    call: CallOptions,
}

impl CreateSchedule<'_> {
    call_option_setters!();

    /// Adds a value to the schedule's own memo (not its workflows': those are in the
    /// action's options).
    pub fn memo(mut self, key: impl Into<String>, value: impl serde::Serialize) -> Self {
        self.memo.insert(key, value);
        self
    }

    /// Sets a search attribute of the schedule itself.
    pub fn search_attribute<T: SearchAttributeType>(
        mut self,
        key: &SearchAttributeKey<T>,
        value: impl Into<T::Value>,
    ) -> Self {
        self.search_attributes.insert(key, value);
        self
    }

    /// Takes the action once, right after creation.
    pub fn trigger_immediately(mut self, trigger: bool) -> Self {
        self.trigger_immediately = trigger;
        self
    }

    /// Backfills these ranges right after creation.
    pub fn backfill(mut self, backfills: impl IntoIterator<Item = ScheduleBackfill>) -> Self {
        self.backfills.extend(backfills);
        self
    }
}

impl<'a> CreateSchedule<'a> {
    fn run(self) -> impl Future<Output = Result<ScheduleHandle>> {
        let span = operation_span!(
            "temporal.create_schedule",
            self.client.namespace(),
            schedule_id = self.schedule_id.as_str()
        );
        traced(span, self.run_untraced())
    }

    async fn run_untraced(self) -> Result<ScheduleHandle> {
        let client = self.client;
        bounded(
            CreateScheduleInput::OPERATION,
            self.call.timeout,
            async move {
                let mut schedule = self.schedule;
                if let Some(action) = schedule.action.as_start_workflow_mut() {
                    action.args.convert(client.data_converter())?;
                }
                let input = CreateScheduleInput {
                    schedule_id: self.schedule_id,
                    schedule,
                    memo: self.memo,
                    search_attributes: self.search_attributes,
                    trigger_immediately: self.trigger_immediately,
                    backfills: self.backfills,
                    call: self.call,
                };
                let schedule_id = input.schedule_id.clone();
                client
                    .intercept(
                        input,
                        |i, input, next| i.create_schedule(input, next),
                        |input| send(client, input),
                    )
                    .await?;
                Ok(client.schedules().get_handle(schedule_id))
            },
        )
        .await
    }
}

into_future!(impl['a] CreateSchedule<'a> => ScheduleHandle, where []);

async fn send(client: &Client, input: CreateScheduleInput) -> Result<()> {
    let inner = client.inner();
    let schedule = input
        .schedule
        .to_proto(inner.context(), &inner.converter)
        .await?;
    let memo = memo_proto(client, &input.memo).await?;
    let mut patch = backfill_patch(&input.backfills)?;
    if input.trigger_immediately {
        patch.trigger_immediately = trigger_schedule_patch(None).trigger_immediately;
    }
    let initial_patch = (input.trigger_immediately || !input.backfills.is_empty()).then_some(patch);
    let request = create_schedule_request(
        &inner.namespace,
        &inner.identity,
        &input.schedule_id,
        schedule,
        initial_patch,
        memo,
        &input.search_attributes,
    )?;
    inner
        .rpc()
        .create_schedule(ServiceRequest {
            message: request,
            options: input.call,
        })
        .await
        .map_err(|e| Error::for_schedule(e, &inner.namespace, &input.schedule_id))?;
    Ok(())
}

/// Converts and encodes a memo (`None` when empty).
async fn memo_proto(
    client: &Client,
    memo: &Memo,
) -> Result<Option<temporal_client_core::proto::temporal::api::common::v1::Memo>> {
    if memo.is_empty() {
        return Ok(None);
    }
    memo.check()?;
    let converter = client.data_converter();
    let mut keys = Vec::with_capacity(memo.len());
    let mut values = Vec::with_capacity(memo.len());
    for (key, value) in memo.iter() {
        keys.push(key.clone());
        values.push(converter.to_payload(value)?);
    }
    let values = client.encode(values).await?;
    Ok(Some(
        temporal_client_core::proto::temporal::api::common::v1::Memo {
            fields: keys.into_iter().zip(values).collect(),
        },
    ))
}
