//! How to unit-test your own code that uses the client, without a Temporal server:
//!
//! 1. with the testkit's `FakeServer`: your code runs unchanged against an in-memory
//!    Temporal whose workflows are Rust closures and whose clock is virtual, so a
//!    workflow that sleeps a day finishes at once when the test moves the clock;
//! 2. with `MockWorkflowService` (mockall, `temporal-client-core`'s `mock` feature):
//!    assert on the exact request your code sends and script any answer or error.
//!
//! The "service" under test is `OrderService` below. The same checks run as unit tests
//! (`cargo test -p temporal-examples --example testing_your_service`) and as a program:
//!
//! ```sh
//! cargo run --example testing_your_service
//! ```

use std::time::Duration;

use temporal_client::{Client, Error, IdReusePolicy, WorkflowDefinition, WorkflowOptions};
use temporal_client_core::MockWorkflowService;
use temporal_client_core::proto::temporal::api::workflowservice::v1::StartWorkflowExecutionResponse;
use temporal_testkit::{FakeServer, WorkflowContext, WorkflowResult};

/// The workflow your service starts: `fulfil(order_id)`, returns a tracking number.
const FULFIL: WorkflowDefinition<(String,), String> = WorkflowDefinition::new("fulfil");

/// Your code: it only knows a `Client`, so tests hand it one on a fake or a mock.
#[derive(Clone)]
struct OrderService {
    client: Client,
}

#[derive(Debug, PartialEq)]
enum PlaceOrder {
    Placed { run_id: String },
    AlreadyPlaced,
}

impl OrderService {
    /// Starts fulfilment once per order: the workflow id is the order id, and a closed
    /// order's id is never reused.
    async fn place(&self, order_id: &str) -> Result<PlaceOrder, Error> {
        let options = WorkflowOptions::new(format!("order-{order_id}"), "orders")
            .args((order_id.to_owned(),))
            .id_reuse_policy(IdReusePolicy::RejectDuplicate);
        match self.client.start(FULFIL, options).await {
            Ok(handle) => Ok(PlaceOrder::Placed {
                run_id: handle.run_id().unwrap_or_default().to_owned(),
            }),
            Err(e) if e.is_already_started() => Ok(PlaceOrder::AlreadyPlaced),
            Err(e) => Err(e),
        }
    }

    /// The tracking number, once fulfilment finished.
    async fn tracking_number(&self, order_id: &str) -> Result<String, Error> {
        self.client
            .get_handle::<String>(format!("order-{order_id}"))
            .result()
            .await
    }
}

/// On the fake: the workflow takes a (virtual) day; the test moves the clock.
async fn fake_server_scenario() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeServer::new();
    fake.register_workflow("fulfil", |ctx: WorkflowContext| async move {
        let (order_id,): (String,) = ctx.args()?;
        ctx.sleep(Duration::from_secs(24 * 3600)).await; // shipping takes a day
        Ok(WorkflowResult::completed(format!("TRACK-{order_id}")))
    });
    let service = OrderService {
        client: Client::from_service(fake.clone()),
    };

    let placed = service.place("42").await?;
    assert!(matches!(placed, PlaceOrder::Placed { .. }), "{placed:?}");
    assert_eq!(service.place("42").await?, PlaceOrder::AlreadyPlaced);

    let started = fake.now();
    let waiter = tokio::spawn({
        let service = service.clone();
        async move { service.tracking_number("42").await }
    });
    fake.advance(Duration::from_secs(24 * 3600));
    assert_eq!(waiter.await??, "TRACK-42");
    println!(
        "fake: order placed once, tracking number after {} virtual hours",
        fake.now().duration_since(started)?.as_secs() / 3600
    );
    // After it closed, the id is still not reusable (RejectDuplicate).
    assert_eq!(service.place("42").await?, PlaceOrder::AlreadyPlaced);
    Ok(())
}

/// With the mock: the exact request, and the service's own error mapping.
async fn mock_scenario() -> Result<(), Box<dyn std::error::Error>> {
    let mut mock = MockWorkflowService::new();
    mock.expect_start_workflow_execution()
        .withf(|req| {
            let m = &req.message;
            m.workflow_id == "order-7"
                && m.task_queue.as_ref().map(|q| q.name.as_str()) == Some("orders")
                && m.workflow_type.as_ref().map(|t| t.name.as_str()) == Some("fulfil")
                && m.workflow_id_reuse_policy == 3 // REJECT_DUPLICATE
        })
        .times(1)
        .returning(|_| {
            Ok(StartWorkflowExecutionResponse {
                run_id: "run-1".into(),
                started: true,
                ..Default::default()
            })
        });
    let service = OrderService {
        client: Client::from_service(mock),
    };
    assert_eq!(
        service.place("7").await?,
        PlaceOrder::Placed {
            run_id: "run-1".into()
        }
    );
    println!("mock: the start request had the order's id, queue, type and reuse policy");
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    fake_server_scenario().await?;
    mock_scenario().await?;
    println!("both scenarios passed");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn fulfilment_on_the_fake_server() {
        super::fake_server_scenario().await.unwrap();
    }

    #[tokio::test]
    async fn the_start_request_on_the_mock() {
        super::mock_scenario().await.unwrap();
    }
}
