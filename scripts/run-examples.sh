#!/usr/bin/env bash
# Runs every example (each `[[example]]` in examples/Cargo.toml but the bench_* tools)
# and fails if any exits non-zero. Each example checks the values it prints.
#
#   scripts/run-examples.sh                 # on the embedded fake server
#   scripts/run-examples.sh --server ADDR   # on the Temporal server at ADDR: starts the
#                                           # example workers (task queues `examples`, and
#                                           # `examples-codec` with the zlib codec) first
#
# Needs .venv (scripts/install-test-deps.sh) for --server. Logs go to $LOG_DIR
# (default target/test-logs).
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
LOG_DIR="${LOG_DIR:-$REPO/target/test-logs}"
mkdir -p "$LOG_DIR"
SERVER=""
if [[ "${1:-}" == "--server" ]]; then
    SERVER="${2:?--server needs an address}"
fi

mapfile -t EXAMPLES < <(grep -A1 '^\[\[example\]\]' examples/Cargo.toml | sed -n 's/^name = "\(.*\)"/\1/p' | grep -v '^bench_')
# The same crate features as the test step (`cargo test --workspace --all-features`), so
# CI reuses its build instead of compiling the client a second time.
cargo build -q --workspace --all-features --examples || exit 1
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"

WORKER_PIDS=()
stop_workers() {
    for pid in "${WORKER_PIDS[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    done
}
trap stop_workers EXIT INT TERM

start_worker() { # start_worker TASK_QUEUE [ARGS...]
    local queue="$1"; shift
    local log="$LOG_DIR/example-worker-$queue.log"
    setsid "$REPO/.venv/bin/python" -u crates/testkit/worker/worker.py --address "$SERVER" \
        --namespace default --task-queue "$queue" "$@" >"$log" 2>&1 &
    WORKER_PIDS+=($!)
    for _ in $(seq 1 300); do grep -q 'WORKER READY' "$log" && return 0; sleep 0.2; done
    echo "the example worker for '$queue' did not start:"; tail -n 20 "$log"
    return 1
}

if [[ -n "$SERVER" ]]; then
    start_worker examples || exit 1
    start_worker examples-codec --codec zlib || exit 1
fi

FAILED=()
for example in "${EXAMPLES[@]}"; do
    echo "--- example $example (${SERVER:-embedded fake})"
    if ! TEMPORAL_ADDRESS="$SERVER" timeout 120 "$TARGET_DIR/debug/examples/$example"; then
        FAILED+=("$example")
    fi
done
if ((${#FAILED[@]})); then
    echo "examples that failed on ${SERVER:-the embedded fake}: ${FAILED[*]}"
    exit 1
fi
echo "all ${#EXAMPLES[@]} examples passed on ${SERVER:-the embedded fake}"
