//! An error keeps the server's meaning and blames the party that failed: a request the
//! server refused (INVALID_ARGUMENT, NOT_FOUND) is never presented as a worker's
//! failure. Runs on the fake, and on the dev server at `TEMPORAL_ADDRESS` when set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use temporal_client::{Client, Code, Error, WorkflowDefinition, WorkflowOptions};
use temporal_testkit::{FakeServer, conformance_workflows};

const IDLE: WorkflowDefinition<(), ()> = WorkflowDefinition::new("error-meaning-idle");

async fn check(client: &Client, backend: &str) {
    let id = format!("error-meaning-{}", uuid::Uuid::new_v4().simple());
    let handle = client
        .start(IDLE, WorkflowOptions::new(&id, "error-meaning-q"))
        .await
        .unwrap();

    // A malformed run id: the server refuses the request; no worker was asked.
    let err = client
        .get_handle::<()>(&id)
        .for_run("not-a-run-id")
        .query::<i64, ()>("anything")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        !matches!(
            err,
            Error::QueryFailed { .. } | Error::QueryNotRegistered { .. }
        ),
        "{backend}: a refused request is not a worker failure: {err:?}"
    );
    assert_eq!(
        err.service_error().map(|e| (e.code(), e.is_from_server())),
        Some((Code::InvalidArgument, true)),
        "{backend}: {err:?}"
    );
    assert!(!text.contains("worker"), "{backend}: {text}");
    assert!(
        text.to_lowercase().contains("runid") || text.to_lowercase().contains("run id"),
        "{backend}: the server's reason is kept: {text}"
    );

    // A workflow that does not exist: not found, naming it, not a worker failure.
    let err = client
        .get_handle::<()>(format!("{id}-missing"))
        .query::<i64, ()>("anything")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{backend}: {err:?}");
    assert!(err.to_string().contains(&format!("{id}-missing")), "{err}");

    handle.terminate().await.unwrap();
}

#[tokio::test]
async fn server_refusals_keep_their_meaning_on_the_fake() {
    let fake = FakeServer::new();
    conformance_workflows::register_all(&fake);
    check(&Client::from_service(fake), "fake").await;
}

#[tokio::test]
async fn server_refusals_keep_their_meaning_on_the_dev_server() {
    let Ok(address) = std::env::var("TEMPORAL_ADDRESS") else {
        assert_ne!(
            std::env::var("TEMPORAL_REQUIRE_SERVER").as_deref(),
            Ok("1"),
            "TEMPORAL_REQUIRE_SERVER=1 but TEMPORAL_ADDRESS is not set"
        );
        eprintln!("SKIPPED: TEMPORAL_ADDRESS is not set");
        return;
    };
    let client = Client::connect(address).await.unwrap();
    check(&client, "dev server").await;
}
