//! [`FakeServerBuilder`]: namespaces, seed, start time, search attributes and the data
//! converter a [`FakeServer`] starts with.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use temporal_client_core::payload::DataConverter;
use temporal_proto::temporal::api::enums::v1::IndexedValueType;
use tokio::sync::watch;

use crate::fake::clock::{DEFAULT_START_TIME_UNIX_SECS, TimerQueue};
use crate::fake::engine::{Inner, State};
use crate::fake::ids::IdGenerator;
use crate::fake::server::FakeServer;
use crate::fake::store::Namespace;
use crate::fake::worker_codec::WorkerCodec;

/// Configures a [`FakeServer`].
#[derive(Debug, Clone)]
pub struct FakeServerBuilder {
    namespaces: Vec<String>,
    seed: u64,
    start_time: SystemTime,
    search_attributes: BTreeMap<String, IndexedValueType>,
    data_converter: DataConverter,
}

impl Default for FakeServerBuilder {
    fn default() -> Self {
        Self {
            namespaces: vec!["default".to_owned()],
            seed: 0,
            start_time: UNIX_EPOCH + Duration::from_secs(DEFAULT_START_TIME_UNIX_SECS),
            search_attributes: default_search_attributes(),
            data_converter: DataConverter::default(),
        }
    }
}

/// The custom search attributes a Temporal dev server registers by default.
fn default_search_attributes() -> BTreeMap<String, IndexedValueType> {
    use IndexedValueType as T;
    [
        ("CustomKeywordField", T::Keyword),
        ("CustomStringField", T::Text),
        ("CustomTextField", T::Text),
        ("CustomIntField", T::Int),
        ("CustomDatetimeField", T::Datetime),
        ("CustomDoubleField", T::Double),
        ("CustomBoolField", T::Bool),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_owned(), t))
    .collect()
}

impl FakeServerBuilder {
    /// Registers another namespace (`default` always exists).
    pub fn namespace(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if !self.namespaces.contains(&name) {
            self.namespaces.push(name);
        }
        self
    }

    /// Seeds the id generator: the same seed gives the same run ids.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the virtual time the clock starts at (default 2024-01-01T00:00:00Z).
    pub fn start_time(mut self, start: SystemTime) -> Self {
        self.start_time = start;
        self
    }

    /// Registers a custom search attribute, as `temporal operator search-attribute
    /// create` would.
    pub fn search_attribute(mut self, name: impl Into<String>, kind: IndexedValueType) -> Self {
        self.search_attributes.insert(name.into(), kind);
        self
    }

    /// Registers the search attributes the conformance suite uses
    /// (`ConformanceStage`, `ConformanceCount`, ...).
    pub fn conformance_search_attributes(mut self) -> Self {
        use IndexedValueType as T;
        for (n, t) in [
            ("ConformanceStage", T::Keyword),
            ("ConformanceCount", T::Int),
            ("ConformanceText", T::Text),
            ("ConformanceScore", T::Double),
            ("ConformanceFlag", T::Bool),
            ("ConformanceWhen", T::Datetime),
            ("ConformanceTags", T::KeywordList),
        ] {
            self.search_attributes.insert(n.to_owned(), t);
        }
        self
    }

    /// The data converter the fake's workflows run with, as a worker would be configured
    /// (default: [`DataConverter::default`], no codec).
    ///
    /// Its codecs decode what reaches fake workflows (start input, signal, query and
    /// update arguments, activity results) and encode what they produce (results,
    /// failures, query answers, update outcomes, memo, continue-as-new and activity
    /// inputs); its failure converter encodes their failures (e.g. into
    /// `encoded_attributes`). So a client with the same converter talks to the fake as
    /// to a server with a worker that has it, and what the fake stores (histories,
    /// describe, memo) is the codec's output, as on a real server. Values inside fake
    /// workflows are still converted with the default payload converter.
    ///
    /// Codecs run in place under the fake's lock: a codec's future must finish when
    /// first polled (compression and local encryption do). One that waits for another
    /// service fails with [`PayloadError::Codec`](crate::fake::PayloadError::Codec).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use temporal_client_core::payload::{CodecError, DataConverter, PayloadCodec};
    /// # use temporal_client_core::proto::temporal::api::common::v1::Payload;
    /// # use temporal_testkit::{FakeServer, WorkflowContext, WorkflowResult};
    /// /// Reverses the data bytes (a toy; use compression or encryption).
    /// #[derive(Debug)]
    /// struct Reverse;
    ///
    /// #[async_trait::async_trait]
    /// impl PayloadCodec for Reverse {
    ///     async fn encode(&self, mut ps: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
    ///         ps.iter_mut().for_each(|p| p.data.reverse());
    ///         Ok(ps)
    ///     }
    ///     async fn decode(&self, ps: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
    ///         self.encode(ps).await
    ///     }
    /// }
    ///
    /// let converter = DataConverter::default().with_codec(Arc::new(Reverse));
    /// let fake = FakeServer::builder()
    ///     .data_converter(converter.clone())
    ///     .build();
    /// fake.register_workflow("greet", |ctx: WorkflowContext| async move {
    ///     let (name,): (String,) = ctx.args()?;
    ///     Ok(WorkflowResult::completed(format!("Hello, {name}!")))
    /// });
    /// // A client made with `.data_converter(converter)` now reads "Hello, ...!".
    /// ```
    pub fn data_converter(mut self, converter: DataConverter) -> Self {
        self.data_converter = converter;
        self
    }

    /// Builds the server.
    pub fn build(self) -> FakeServer {
        let mut ids = IdGenerator::new(self.seed);
        let mut namespaces = BTreeMap::new();
        for name in self.namespaces {
            let id = ids.uuid();
            namespaces.insert(
                name.clone(),
                Namespace {
                    name,
                    id,
                    ..Namespace::default()
                },
            );
        }
        let (version, _) = watch::channel(0);
        FakeServer {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    now: self.start_time,
                    ids,
                    namespaces,
                    timers: TimerQueue::default(),
                    next_seq: 0,
                    search_attributes: self.search_attributes,
                    registry: HashMap::new(),
                    to_drive: Vec::new(),
                    garbage: Vec::new(),
                    activities: Default::default(),
                    schedules: crate::fake::schedules::Schedules::new(self.seed),
                    codec: WorkerCodec::new(self.data_converter),
                }),
                version,
            }),
        }
    }
}
