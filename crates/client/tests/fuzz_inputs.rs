//! Fuzzing of the readers that take a whole document or expression: the JSON history
//! loader (`history_from_json`) and the FakeServer's visibility query parser (through
//! `list` and `count`, as a user reaches it).
//!
//! A stable-toolchain harness (`proptest`) with seeds taken from real documents: a
//! history the fake recorded and exported, and queries built from the grammar's tokens.
//! Every input must give a value or a typed error, never a panic or a hang. CI runs the
//! default 256 cases per property; a longer run is `PROPTEST_CASES=50000 cargo test -p
//! temporal-client --features json --test fuzz_inputs --release`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use proptest::prelude::*;
use temporal_client::{
    Client, Error, WorkflowDefinition, WorkflowOptions, history_from_json, history_to_json,
};
use temporal_testkit::FakeServer;

const COUNTER: WorkflowDefinition<(i64,), i64> = WorkflowDefinition::new("counter");

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    })
}

/// A client on a fake with a few workflows in it, and one history exported as JSON.
fn fixture() -> &'static (Client, String) {
    static FIXTURE: OnceLock<(Client, String)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        runtime().block_on(async {
            let fake = FakeServer::new();
            temporal_testkit::conformance_workflows::register_all(&fake);
            let client = Client::from_service(fake);
            for n in 0..3 {
                let options = WorkflowOptions::new(format!("fuzz-{n}"), "fuzz").args((n,));
                client.start(COUNTER, options).await.unwrap();
            }
            let json = client
                .get_handle::<i64>("fuzz-0")
                .fetch_history()
                .into_json()
                .await
                .unwrap();
            (client, json)
        })
    })
}

/// One edit of a document: replace, insert or delete a byte range.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let token = prop_oneof![
        Just(b"\"".to_vec()),
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"[".to_vec()),
        Just(b"null".to_vec()),
        Just(b"-1".to_vec()),
        Just(b"1e999".to_vec()),
        Just(b"\"WorkflowExecutionStarted\"".to_vec()),
        Just(b"\"EVENT_TYPE_UNSPECIFIED\"".to_vec()),
        Just(b"\"NoSuchEnumValue\"".to_vec()),
        Just(b"\"\\ud800\"".to_vec()),
        Just(b"\"2026-02-30T25:61:00Z\"".to_vec()),
        proptest::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Replace(at, b)),
        (any::<usize>(), token).prop_map(|(at, bytes)| Edit::Insert(at, bytes)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Edit::Delete(at, n)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(doc: &str, edits: &[Edit]) -> String {
    let mut bytes = doc.as_bytes().to_vec();
    for edit in edits {
        let len = bytes.len().max(1);
        match edit {
            Edit::Replace(at, b) => {
                if !bytes.is_empty() {
                    bytes[at % len] = *b;
                }
            }
            Edit::Insert(at, new) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            Edit::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    bytes.drain(at..end);
                }
            }
            Edit::Truncate(at) => bytes.truncate(at % len),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn query_token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("WorkflowId"),
        Just("WorkflowType"),
        Just("ExecutionStatus"),
        Just("StartTime"),
        Just("CloseTime"),
        Just("RunId"),
        Just("TaskQueue"),
        Just("ConformanceTags"),
        Just("Unknown_Attr"),
        Just("="),
        Just("!="),
        Just(">"),
        Just("<="),
        Just("IN"),
        Just("NOT"),
        Just("BETWEEN"),
        Just("STARTS_WITH"),
        Just("IS"),
        Just("NULL"),
        Just("AND"),
        Just("OR"),
        Just("ORDER BY"),
        Just("("),
        Just(")"),
        Just(","),
        Just("'fuzz-1'"),
        Just("'Running'"),
        Just("\"counter\""),
        Just("'2026-11-29T00:00:00Z'"),
        Just("'"),
        Just("`"),
        Just("42"),
        Just("-9223372036854775809"),
        Just("1.5e400"),
    ]
    .prop_map(str::to_owned)
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(query_token(), 0..12).prop_map(|t| t.join(" ")),
        "[ -~]{0,40}",
    ]
}

proptest! {
    #[test]
    fn edited_history_json_loads_or_names_the_problem(edits in proptest::collection::vec(edit(), 1..4)) {
        let (_, json) = fixture();
        let doc = apply(json, &edits);
        match history_from_json(&doc) {
            // Whatever loads is a history the client can write back and read again
            // unchanged (the edits may have changed values, never the mapping).
            Ok(history) => {
                let written = history_to_json(&history);
                prop_assert!(written.is_ok(), "{:?}", written.err());
                let again = written.ok().map(|json| history_from_json(&json).map_err(|e| e.to_string()));
                prop_assert!(
                    matches!(&again, Some(Ok(read)) if *read == history),
                    "{:?}",
                    again.map(|r| r.err())
                );
            }
            Err(Error::HistoryJson { source }) => prop_assert!(!source.to_string().is_empty()),
            Err(other) => prop_assert!(false, "not a HistoryJson error: {other:?}"),
        }
    }

    #[test]
    fn arbitrary_text_is_not_a_history(text in "[ -~]{0,64}") {
        let starts_an_object = text.trim_start().starts_with('{');
        prop_assert!(history_from_json(&text).is_err() || starts_an_object, "{:?}", text);
    }

    #[test]
    fn visibility_queries_list_or_are_refused_as_invalid(q in query()) {
        let (client, _) = fixture();
        let (listed, counted) = runtime().block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(5), async {
                (client.list(q.clone()).into_vec().await, client.count(q.clone()).await)
            })
            .await
            .expect("the fake's parser must not hang")
        });
        for error in [listed.err(), counted.err()].into_iter().flatten() {
            match &error {
                Error::Service(service) => prop_assert!(
                    service.code() == temporal_client::Code::InvalidArgument,
                    "{q:?}: {error}"
                ),
                other => prop_assert!(matches!(other, Error::InvalidRequest(_)), "{q:?}: {other:?}"),
            }
        }
    }
}

/// The seed is real: the unedited export loads back to the same events.
#[test]
fn the_seed_history_round_trips() {
    let (_, json) = fixture();
    let history = history_from_json(json).unwrap();
    assert!(history.events.len() >= 3, "{} events", history.events.len());
    let again = history_from_json(&history_to_json(&history).unwrap()).unwrap();
    assert_eq!(again, history);
}
