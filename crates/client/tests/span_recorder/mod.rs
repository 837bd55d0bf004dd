//! A `tracing` layer that keeps every span (name, fields, parent) in memory, for
//! tests that check what the client traces.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Dispatch, Subscriber};
use tracing_subscriber::Registry;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

/// One recorded span.
#[derive(Debug, Clone)]
pub(crate) struct RecordedSpan {
    pub(crate) id: u64,
    pub(crate) name: &'static str,
    pub(crate) parent: Option<u64>,
    pub(crate) fields: BTreeMap<String, String>,
}

impl RecordedSpan {
    /// The field's value as text (`None` when never recorded).
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// The spans recorded so far, in creation order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Spans(Arc<Mutex<Vec<RecordedSpan>>>);

impl Spans {
    /// A dispatcher that records into a new `Spans`.
    pub(crate) fn dispatch() -> (Self, Dispatch) {
        let spans = Self::default();
        let subscriber = Registry::default().with(Recorder(spans.clone()));
        (spans, Dispatch::new(subscriber))
    }

    pub(crate) fn all(&self) -> Vec<RecordedSpan> {
        self.0.lock().unwrap().clone()
    }

    /// The spans named `name`.
    pub(crate) fn named(&self, name: &str) -> Vec<RecordedSpan> {
        self.all().into_iter().filter(|s| s.name == name).collect()
    }

    /// The children of `parent`.
    pub(crate) fn children(&self, parent: &RecordedSpan) -> Vec<RecordedSpan> {
        self.all()
            .into_iter()
            .filter(|s| s.parent == Some(parent.id))
            .collect()
    }

    /// Every field value of every span, for secrecy checks.
    // Shared module: not every test binary that includes it checks secrecy.
    #[allow(dead_code)]
    pub(crate) fn all_values(&self) -> Vec<String> {
        self.all()
            .into_iter()
            .flat_map(|s| s.fields.into_values())
            .collect()
    }
}

struct Recorder(Spans);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

/// A span's own number in the recording (the registry reuses ids of closed spans).
struct Seq(u64);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let Some(span) = ctx.span(id) else { return };
        let parent = span
            .parent()
            .and_then(|p| p.extensions().get::<Seq>().map(|s| s.0));
        let mut spans = self.0.0.lock().unwrap();
        let seq = spans.len() as u64;
        span.extensions_mut().insert(Seq(seq));
        spans.push(RecordedSpan {
            id: seq,
            name: attrs.metadata().name(),
            parent,
            fields,
        });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(seq) = ctx
            .span(id)
            .and_then(|s| s.extensions().get::<Seq>().map(|s| s.0))
        else {
            return;
        };
        let mut spans = self.0.0.lock().unwrap();
        if let Some(span) = spans.get_mut(seq as usize) {
            values.record(&mut Fields(&mut span.fields));
        }
    }
}
