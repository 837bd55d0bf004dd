//! `client.operator()`: search attributes and namespaces on the in-memory fake, on the
//! fake over gRPC through a real `Connection` (which `Client::new` wires as the
//! operator service), and on a real dev server. Without the Temporal CLI the dev-server
//! test prints SKIPPED and passes, unless `TEMPORAL_REQUIRE_SERVER=1`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use temporal_client::{
    Client, Connection, ConnectionOptions, IndexedValueType, RegisterNamespace, UpdateNamespace,
};
use temporal_client_core::Code;
use temporal_testkit::grpc::TestServer;
use temporal_testkit::{DevServer, DevServerError, FakeServer};

fn unique(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

/// The scenario every back end runs.
async fn search_attributes_and_namespaces(client: &Client) {
    let operator = client.operator();
    let name = unique("OpTest");
    operator
        .add_search_attributes([
            (name.clone(), IndexedValueType::Keyword),
            (format!("{name}Count"), IndexedValueType::Int),
        ])
        .await
        .expect("add search attributes");
    let list = operator.list_search_attributes().await.unwrap();
    assert_eq!(list.custom.get(&name), Some(&IndexedValueType::Keyword));
    assert_eq!(
        list.custom.get(&format!("{name}Count")),
        Some(&IndexedValueType::Int)
    );
    assert_eq!(
        list.system.get("WorkflowId"),
        Some(&IndexedValueType::Keyword)
    );
    assert_eq!(
        list.system.get("StartTime"),
        Some(&IndexedValueType::Datetime)
    );

    let err = operator
        .add_search_attributes([("WorkflowId", IndexedValueType::Keyword)])
        .await
        .expect_err("a system attribute cannot be added");
    assert_eq!(
        err.service_error().map(|e| e.code()),
        Some(Code::InvalidArgument),
        "{err}"
    );

    operator
        .remove_search_attributes([name.clone()])
        .await
        .expect("remove");
    let list = operator.list_search_attributes().await.unwrap();
    assert!(!list.custom.contains_key(&name), "{:?}", list.custom);
    assert!(list.custom.contains_key(&format!("{name}Count")));

    let err = client
        .with_namespace("no-such-namespace")
        .operator()
        .list_search_attributes()
        .await
        .expect_err("unknown namespace");
    assert!(err.is_not_found(), "{err}");

    // Namespaces.
    let ns = unique("op-ns-");
    operator
        .register_namespace(
            RegisterNamespace::new(ns.clone())
                .description("made by the operator test")
                .owner_email("ops@example.com")
                .retention(Duration::from_secs(2 * 86_400)),
        )
        .await
        .expect("register namespace");
    let err = operator
        .register_namespace(RegisterNamespace::new(ns.clone()))
        .await
        .expect_err("registered twice");
    assert_eq!(
        err.service_error().map(|e| e.code()),
        Some(Code::AlreadyExists),
        "{err}"
    );

    let described = operator.describe_namespace(&ns).await.unwrap();
    assert_eq!(described.name, ns);
    assert!(!described.id.is_empty());
    assert_eq!(described.description, "made by the operator test");
    assert_eq!(described.owner_email, "ops@example.com");
    assert_eq!(described.retention, Some(Duration::from_secs(2 * 86_400)));

    let all = operator.list_namespaces().await.unwrap();
    let names: Vec<_> = all.iter().map(|n| n.name.as_str()).collect();
    assert!(
        names.contains(&ns.as_str()) && names.contains(&"default"),
        "{names:?}"
    );

    let updated = operator
        .update_namespace(&ns, UpdateNamespace::new().description("changed"))
        .await
        .unwrap();
    assert_eq!(updated.description, "changed");
    assert_eq!(updated.owner_email, "ops@example.com", "the owner stays");
    let updated = operator
        .update_namespace(
            &ns,
            UpdateNamespace::new().retention(Duration::from_secs(3 * 86_400)),
        )
        .await
        .unwrap();
    assert_eq!(updated.retention, Some(Duration::from_secs(3 * 86_400)));
    assert_eq!(
        operator.describe_namespace(&ns).await.unwrap().description,
        "changed"
    );

    let err = operator
        .describe_namespace("no-such-namespace")
        .await
        .expect_err("unknown namespace");
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn on_the_fake() {
    let fake = FakeServer::new();
    let client = Client::builder(fake.clone())
        .operator_service(Arc::new(fake))
        .build();
    search_attributes_and_namespaces(&client).await;
}

#[tokio::test]
async fn on_the_fake_over_grpc_through_a_connection() {
    let fake = Arc::new(FakeServer::new());
    let server = TestServer::builder(fake.clone())
        .operator(fake)
        .start()
        .await
        .unwrap();
    let connection = Connection::connect(ConnectionOptions::new(server.url().unwrap()))
        .await
        .unwrap();
    let client = Client::new(connection.clone());
    assert!(client.operator_service().is_some());
    search_attributes_and_namespaces(&client).await;
    // The builder, on a connection, wires it the same way (the README's TLS and
    // namespace snippets take this path).
    let built = Client::builder(connection).namespace("default").build();
    assert!(built.operator_service().is_some());
    search_attributes_and_namespaces(&built).await;
}

#[tokio::test]
async fn without_an_operator_service_the_error_says_how_to_get_one() {
    let client = Client::from_service(FakeServer::new());
    let err = client
        .operator()
        .list_search_attributes()
        .await
        .expect_err("no operator service");
    assert_eq!(
        err.service_error().map(|e| e.code()),
        Some(Code::Unimplemented)
    );
    assert!(err.to_string().contains("operator_service"), "{err}");
    // Namespaces go through the workflow service and still work.
    assert_eq!(
        client
            .operator()
            .describe_namespace("default")
            .await
            .unwrap()
            .name,
        "default"
    );
}

#[tokio::test]
async fn on_the_dev_server() {
    let server = match DevServer::builder().start().await {
        Ok(server) => server,
        Err(e @ DevServerError::CliNotFound { .. })
            if std::env::var("TEMPORAL_REQUIRE_SERVER").as_deref() != Ok("1") =>
        {
            eprintln!("SKIPPED: {e}");
            return;
        }
        Err(e) => panic!("the dev server did not start: {e}"),
    };
    let client = Client::connect(server.address()).await.unwrap();
    search_attributes_and_namespaces(&client).await;
}
