//! describe, list and count with search attributes, memo, history fetch and JSON export,
//! not-found errors, and payload interop.

use futures_util::TryStreamExt;
use temporal_client::payload::Binary;
use temporal_client::proto::temporal::api::enums::v1::{EventType, WorkflowExecutionStatus};
use temporal_client::{Error, SearchAttributeKey, Text, WorkflowDefinition, WorkflowOptions};

use crate::backend::on_every_backend;
use crate::defs::*;

#[tokio::test]
async fn describe_reports_typed_fields_memo_and_search_attributes() {
    on_every_backend(|b| async move {
        let id = b.id("describe");
        let options = WorkflowOptions::new(&id, &b.task_queue)
            .args((7,))
            .memo("owner", "team-a")
            .memo("limits", serde_json::json!({"max": 3}))
            .search_attribute(&STAGE, "described")
            .search_attribute(&COUNT, 42)
            .static_summary("counts things")
            .static_details("**details** in markdown");
        let handle = b.client.start(COUNTER, options).await.unwrap();
        let d = handle.describe().await.unwrap();
        let e = &d.execution;
        assert_eq!(e.workflow_id, id);
        assert_eq!(Some(e.run_id.as_str()), handle.run_id());
        assert_eq!(d.workflow_type(), "counter");
        assert_eq!(d.task_queue(), b.task_queue);
        assert_eq!(d.status(), WorkflowExecutionStatus::Running, "[{}]", b.kind);
        assert!(e.start_time.is_some() && e.close_time.is_none());
        assert!(
            e.history_length > 0,
            "[{}] history length {}",
            b.kind,
            e.history_length
        );
        assert_eq!(e.memo::<String>("owner").unwrap().unwrap(), "team-a");
        assert_eq!(
            e.memo::<serde_json::Value>("limits").unwrap().unwrap(),
            serde_json::json!({"max": 3})
        );
        assert_eq!(
            e.search_attributes.get(&STAGE).unwrap().unwrap(),
            "described",
            "[{}]",
            b.kind
        );
        assert_eq!(e.search_attributes.get(&COUNT).unwrap().unwrap(), 42);
        assert!(e.parent.is_none());
        assert_eq!(
            d.static_summary().as_deref(),
            Some("counts things"),
            "[{}]",
            b.kind
        );
        assert_eq!(
            d.static_details().as_deref(),
            Some("**details** in markdown")
        );
        handle.signal(FINISH).await.unwrap();
        handle.result().await.unwrap();
        let closed = handle.describe().await.unwrap();
        assert_eq!(closed.status(), WorkflowExecutionStatus::Completed);
        assert!(
            closed.execution.close_time.is_some(),
            "[{}] close time",
            b.kind
        );
    })
    .await;
}

#[tokio::test]
async fn list_and_count_with_a_visibility_query() {
    on_every_backend(|b| async move {
        // A stage value unique to this test isolates it from everything else on the server.
        let stage = b.id("stage");
        let mut handles = Vec::new();
        for n in 0..3 {
            let options = WorkflowOptions::new(b.id("listed"), &b.task_queue).args((n,)).search_attribute(&STAGE, stage.clone());
            handles.push(b.client.start(COUNTER, options).await.unwrap());
        }
        handles[0].signal(FINISH).await.unwrap();
        handles[0].result().await.unwrap();

        let query = format!("ConformanceStage = '{stage}'");
        let listed = b
            .eventually("all three in visibility", || async {
                let all: Vec<_> = b.client.list(query.clone()).try_collect().await.unwrap();
                let closed = all.iter().filter(|e| e.status == WorkflowExecutionStatus::Completed).count();
                (all.len() == 3 && closed == 1).then_some(all)
            })
            .await;
        assert!(listed.iter().all(|e| e.workflow_type == "counter"), "[{}]", b.kind);

        let running = format!("{query} AND ExecutionStatus = 'Running'");
        let count = b.eventually("the running count", || async {
            let c = b.client.count(running.clone()).await.unwrap();
            (c.count == 2).then_some(c)
        }).await;
        assert!(count.groups.is_empty());
        let grouped = b.client.count(format!("{query} GROUP BY ExecutionStatus")).await.unwrap();
        assert_eq!(grouped.count, 3, "[{}]", b.kind);
        let mut groups: Vec<(String, i64)> = grouped
            .groups
            .iter()
            .map(|g| (g.values.first().and_then(|v| v.as_str()).unwrap_or_default().to_owned(), g.count))
            .collect();
        groups.sort();
        assert_eq!(groups, vec![("Completed".to_owned(), 1), ("Running".to_owned(), 2)], "[{}]", b.kind);

        // A query the server cannot parse is an INVALID_ARGUMENT service error.
        let bad = b.client.count("ConformanceStage = ").await;
        assert!(
            matches!(&bad, Err(Error::Service(e)) if e.code() == temporal_client::Code::InvalidArgument),
            "[{}] {bad:?}",
            b.kind
        );
        for h in &handles[1..] {
            h.terminate().reason("cleanup").await.unwrap();
        }
    })
    .await;
}

/// A Text search attribute matches word by word, as the server's full-text index does:
/// `=` holds when the value shares any word of the constant (without case; words split
/// at anything not a letter or digit), `!=` when it shares none; parts of words never
/// match, and `IN`, `STARTS_WITH` and a blank constant are refused.
#[tokio::test]
async fn text_search_attributes_match_word_by_word() {
    const TEXT: SearchAttributeKey<Text> = SearchAttributeKey::new("ConformanceText");
    on_every_backend(|b| async move {
        let stage = b.id("text-stage");
        let mut handles = Vec::new();
        for text in ["hello world", "Hello-There", "goodbye", "helloworld"] {
            let options = WorkflowOptions::new(b.id("text"), &b.task_queue)
                .search_attribute(&STAGE, stage.clone())
                .search_attribute(&TEXT, text);
            handles.push((text, b.client.start(WAIT_CANCEL, options).await.unwrap()));
        }
        let texts = |query: String| {
            let client = b.client.clone();
            async move {
            let all: Vec<_> = client.list(query).try_collect().await.unwrap();
            let mut texts: Vec<String> = all
                .iter()
                .filter_map(|e| e.search_attributes.get(&TEXT).and_then(Result::ok))
                .collect();
            texts.sort();
            texts
            }
        };
        let on_stage = |filter: &str| format!("ConformanceStage = '{stage}' AND {filter}");
        for (filter, expected) in [
            ("ConformanceText = 'hello'", vec!["Hello-There", "hello world"]),
            ("ConformanceText = 'HELLO'", vec!["Hello-There", "hello world"]),
            ("ConformanceText = 'there'", vec!["Hello-There"]),
            ("ConformanceText = 'world goodbye'", vec!["goodbye", "hello world"]),
            ("ConformanceText = 'hel'", vec![]),
            ("ConformanceText = '---'", vec![]),
            ("ConformanceText != 'hello'", vec!["goodbye", "helloworld"]),
        ] {
            let query = on_stage(filter);
            b.eventually(filter, || {
                let listed = texts(query.clone());
                let expected = expected.clone();
                async move { (listed.await == expected).then_some(()) }
            })
            .await;
        }
        for filter in [
            "ConformanceText IN ('hello')",
            "ConformanceText STARTS_WITH 'hel'",
            "ConformanceText = '  '",
        ] {
            let err = b.client.count(on_stage(filter)).await.unwrap_err();
            assert!(
                matches!(&err, Error::Service(e) if e.code() == temporal_client::Code::InvalidArgument),
                "[{}] {filter}: {err:?}",
                b.kind
            );
        }
        for (_, handle) in handles {
            handle.terminate().reason("cleanup").await.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn a_workflow_upserts_search_attributes_and_memo() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                SEARCH_ATTRS,
                WorkflowOptions::new(b.id("upsert"), &b.task_queue),
            )
            .await
            .unwrap();
        let d = b
            .eventually("the upsert", || async {
                let d = handle.describe().await.unwrap();
                d.execution
                    .search_attributes
                    .get(&STAGE)
                    .and_then(Result::ok)
                    .filter(|v| v == "upserted")
                    .map(|_| d)
            })
            .await;
        assert_eq!(
            d.execution.memo::<String>("note").unwrap().unwrap(),
            "from worker",
            "[{}]",
            b.kind
        );
        handle.signal(FINISH).await.unwrap();
        assert_eq!(handle.result().await.unwrap(), "done");
    })
    .await;
}

#[tokio::test]
async fn history_is_fetched_and_exported_as_json() {
    on_every_backend(|b| async move {
        let handle = b
            .client
            .start(
                ECHO,
                WorkflowOptions::new(b.id("history"), &b.task_queue)
                    .args(crate::lifecycle::sample_args()),
            )
            .await
            .unwrap();
        handle.result().await.unwrap();
        let events: Vec<_> = handle.fetch_history().try_collect().await.unwrap();
        assert_eq!(
            events.first().map(|e| e.event_type()),
            Some(EventType::WorkflowExecutionStarted),
            "[{}]",
            b.kind
        );
        assert_eq!(
            events.last().map(|e| e.event_type()),
            Some(EventType::WorkflowExecutionCompleted)
        );
        assert!(
            events
                .windows(2)
                .all(|w| w[1].event_id == w[0].event_id + 1),
            "[{}] event ids are consecutive",
            b.kind
        );

        let json = handle.fetch_history().into_json().await.unwrap();
        let parsed = temporal_client::history_from_json(&json).unwrap();
        assert_eq!(
            parsed.events, events,
            "[{}] JSON export round-trips",
            b.kind
        );

        // What the real CLI exports loads here, and equals what the client fetched.
        if let Some(cli_json) = b.cli_history_json(handle.workflow_id(), handle.run_id().unwrap()) {
            let from_cli = temporal_client::history_from_json(&cli_json).unwrap_or_else(|e| {
                panic!("`temporal workflow show --output json` must load: {e}")
            });
            assert_eq!(
                from_cli.events, events,
                "the CLI's JSON export decodes to the same events"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn missing_workflows_and_namespaces_are_typed_errors() {
    on_every_backend(|b| async move {
        let missing = b.client.get_handle::<String>(b.id("missing"));
        assert!(
            matches!(
                missing.describe().await,
                Err(Error::WorkflowNotFound { .. })
            ),
            "[{}] describe",
            b.kind
        );
        assert!(
            matches!(missing.result().await, Err(Error::WorkflowNotFound { .. })),
            "[{}] result",
            b.kind
        );
        assert!(
            matches!(
                missing.signal(FINISH).await,
                Err(Error::WorkflowNotFound { .. })
            ),
            "[{}] signal",
            b.kind
        );
        let err = missing.cancel().await.unwrap_err();
        assert!(err.is_not_found(), "[{}] cancel: {err:?}", b.kind);

        let elsewhere = b.client.with_namespace("no-such-namespace-for-conformance");
        match elsewhere
            .start(
                WAIT_CANCEL,
                WorkflowOptions::new(b.id("nowhere"), &b.task_queue),
            )
            .await
        {
            Err(Error::NamespaceNotFound { namespace, .. }) => {
                assert_eq!(namespace, "no-such-namespace-for-conformance")
            }
            other => panic!("[{}] expected namespace not found, got {other:?}", b.kind),
        }
        let text = elsewhere
            .get_handle::<()>("x")
            .describe()
            .await
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("namespace 'no-such-namespace-for-conformance' does not exist"),
            "[{}] {text}",
            b.kind
        );
    })
    .await;
}

#[tokio::test]
async fn payloads_round_trip_through_the_other_sdk() {
    on_every_backend(|b| async move {
        // Bytes travel as binary/plain and come back unchanged.
        const ECHO_BYTES: WorkflowDefinition<(Binary,), Binary> =
            WorkflowDefinition::new("echo_bytes");
        let bytes = Binary(vec![0, 1, 2, 254, 255]);
        let got = b
            .client
            .execute(
                ECHO_BYTES,
                WorkflowOptions::new(b.id("bytes"), &b.task_queue).args((bytes.clone(),)),
            )
            .await
            .unwrap();
        assert_eq!(got, bytes, "[{}]", b.kind);
        // Unicode, nulls, nested objects and big integers, untyped: the worker returns
        // what it decoded.
        let values = vec![
            serde_json::json!("unicode ✓ 日本"),
            serde_json::json!(null),
            serde_json::json!({"a": [1, {"b": null}], "c": "d"}),
            serde_json::json!(9007199254740993_i64),
            serde_json::json!(-0.5),
        ];
        let echoed: Vec<serde_json::Value> = b
            .client
            .execute(
                WorkflowDefinition::<Vec<serde_json::Value>, Vec<serde_json::Value>>::new("echo"),
                WorkflowOptions::new(b.id("values"), &b.task_queue).args(values.clone()),
            )
            .await
            .unwrap();
        assert_eq!(echoed, values, "[{}]", b.kind);
    })
    .await;
}
