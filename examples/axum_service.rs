//! An HTTP service that starts workflows and reports on them: what most Rust services
//! built on Temporal look like. One `Client` is created at start-up and shared by every
//! request (it is cheap to clone; clones share the connection).
//!
//! - `POST /greetings` with `{"name": "Ada"}` starts a `hello` workflow and answers
//!   `202 {"workflow_id": .., "run_id": ..}`;
//! - `GET /greetings/{workflow_id}` answers `{"status": "Running"}`, or
//!   `{"status": "Completed", "result": ..}`, or 404 when there is no such workflow.
//!
//! ```sh
//! cargo run --example axum_service            # serves, sends itself real HTTP requests, checks the answers, exits
//! cargo run --example axum_service -- --serve 127.0.0.1:3000   # keeps serving
//! ```
//!
//! Runs on the embedded fake by default; set `TEMPORAL_ADDRESS` (with the example worker
//! polling `examples`) for a real server. See `hello_world.rs`.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use temporal_client::{Client, WorkflowExecutionStatus, WorkflowOptions};
use temporal_examples::workflows::HELLO;
use temporal_examples::{TASK_QUEUE, check, connect, unique_id};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Deserialize)]
struct GreetingRequest {
    name: String,
}

/// `POST /greetings`: start a workflow, answer with its ids.
async fn start_greeting(
    State(client): State<Client>,
    Json(req): Json<GreetingRequest>,
) -> Response {
    let options = WorkflowOptions::new(unique_id("greeting"), TASK_QUEUE).args((req.name,));
    match client.start(HELLO, options).await {
        Ok(handle) => (
            StatusCode::ACCEPTED,
            Json(json!({"workflow_id": handle.workflow_id(), "run_id": handle.run_id()})),
        )
            .into_response(),
        Err(e) => error_response(&e),
    }
}

/// `GET /greetings/{id}`: the workflow's status, and its result once it completed.
async fn greeting_status(State(client): State<Client>, Path(id): Path<String>) -> Response {
    let handle = client.get_handle::<String>(id);
    let description = match handle.describe().await {
        Ok(d) => d,
        Err(e) => return error_response(&e),
    };
    let status = description.status();
    let mut body = json!({"status": status_name(status)});
    if status == WorkflowExecutionStatus::Completed {
        // Completed: the result is there, so this does not wait.
        match handle.result().timeout(Duration::from_secs(5)).await {
            Ok(result) => body["result"] = Value::String(result),
            Err(e) => return error_response(&e),
        }
    }
    Json(body).into_response()
}

fn status_name(status: WorkflowExecutionStatus) -> &'static str {
    match status {
        WorkflowExecutionStatus::Running => "Running",
        WorkflowExecutionStatus::Completed => "Completed",
        WorkflowExecutionStatus::Failed => "Failed",
        WorkflowExecutionStatus::Canceled => "Canceled",
        WorkflowExecutionStatus::Terminated => "Terminated",
        WorkflowExecutionStatus::ContinuedAsNew => "ContinuedAsNew",
        WorkflowExecutionStatus::TimedOut => "TimedOut",
        _ => "Unspecified",
    }
}

/// Typed errors map to HTTP statuses through the predicates.
fn error_response(error: &temporal_client::Error) -> Response {
    let status = if error.is_not_found() {
        StatusCode::NOT_FOUND
    } else if error.is_already_started() {
        StatusCode::CONFLICT
    } else if error.is_timeout() {
        StatusCode::GATEWAY_TIMEOUT
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    (status, Json(json!({"error": error.to_string()}))).into_response()
}

fn app(client: Client) -> Router {
    Router::new()
        .route("/greetings", post(start_greeting))
        .route("/greetings/{id}", get(greeting_status))
        .with_state(client)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _backend) = connect().await?;
    let args: Vec<String> = std::env::args().collect();
    if let Some(addr) = args
        .iter()
        .position(|a| a == "--serve")
        .and_then(|i| args.get(i + 1))
    {
        let listener = TcpListener::bind(addr).await?;
        println!("serving on http://{}", listener.local_addr()?);
        axum::serve(listener, app(client)).await?;
        return Ok(());
    }

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    println!("serving on http://{addr}; sending it requests");
    tokio::spawn(async move { axum::serve(listener, app(client)).await });

    let (status, body) = http(&addr, "POST", "/greetings", Some(r#"{"name": "Ada"}"#)).await?;
    println!("POST /greetings -> {status} {body}");
    check(status == 202, "202 Accepted")?;
    let id = body["workflow_id"]
        .as_str()
        .ok_or("a workflow id")?
        .to_owned();

    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let done = loop {
        let (status, body) = http(&addr, "GET", &format!("/greetings/{id}"), None).await?;
        println!("GET /greetings/{id} -> {status} {body}");
        check(status == 200, "200 OK")?;
        if body["status"] == "Completed" {
            break body;
        }
        check(
            std::time::Instant::now() < deadline,
            "the workflow completes",
        )?;
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    check(done["result"] == "Hello, Ada!", "the result")?;

    let (status, body) = http(&addr, "GET", "/greetings/no-such-greeting", None).await?;
    println!("GET /greetings/no-such-greeting -> {status} {body}");
    check(status == 404, "404 for an unknown workflow")?;
    Ok(())
}

/// One HTTP/1.1 request over a new TCP connection; returns the status and JSON body.
async fn http(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Result<(u16, Value), Box<dyn std::error::Error>> {
    let mut stream = TcpStream::connect(addr).await?;
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let (head, payload) = response.split_once("\r\n\r\n").ok_or("an HTTP response")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("a status line")?;
    Ok((status, serde_json::from_str(payload)?))
}
