#!/usr/bin/env bash
# Compares Stream clients against one embedded sandbox: dingtalk-stream (ours), a bare tokio-tungstenite client
# that only acks, the official Node SDK and the official Python SDK (see BENCHMARKS.md).
# Installs the peers first, into git-ignored dirs under bench-peers/ (override with BENCH_PEERS_DIR):
#   bench-peers/python  venv with the PyPI package dingtalk-stream (DINGTALK_STREAM_PY_VERSION, default 0.24.3)
#   bench-peers/node    npm package dingtalk-stream (DINGTALK_STREAM_NODE_VERSION, default 2.1.5)
# A peer that cannot be installed is reported as such in the table. Our client is built as its own binary
# (examples/stream_bench_client.rs) and passed to the bench in BENCH_CLIENT_BIN. Extra args go to the bench binary
# (e.g. --only ours,bare  --rss-events 0).
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
peers="${BENCH_PEERS_DIR:-$repo/bench-peers}"
export BENCH_PEERS_DIR="$peers"
mkdir -p "$peers"

py_version="${DINGTALK_STREAM_PY_VERSION:-0.24.3}"
if [ ! -x "$peers/python/bin/python" ] || ! "$peers/python/bin/python" -c "import dingtalk_stream" 2>/dev/null; then
  echo "installing the Python SDK dingtalk-stream==$py_version into $peers/python" >&2
  { python3 -m venv "$peers/python" &&
    "$peers/python/bin/python" -m pip install --quiet --disable-pip-version-check "dingtalk-stream==$py_version"; } ||
    { echo "WARNING: the Python SDK could not be installed; it is reported as not installed" >&2; rm -rf "$peers/python"; }
fi

node_version="${DINGTALK_STREAM_NODE_VERSION:-2.1.5}"
if [ ! -d "$peers/node/node_modules/dingtalk-stream" ]; then
  echo "installing the Node SDK dingtalk-stream@$node_version into $peers/node" >&2
  mkdir -p "$peers/node"
  [ -f "$peers/node/package.json" ] || echo '{"name":"bench-peers","private":true}' > "$peers/node/package.json"
  (cd "$peers/node" && npm install --silent --no-audit --no-fund "dingtalk-stream@$node_version") ||
    echo "WARNING: the Node SDK could not be installed; it is reported as not installed" >&2
fi

cd "$repo"
# Our client runs as its own small binary, so its RSS is the client's and not the bench binary's (which links the
# whole sandbox). Set BENCH_CLIENT_BIN yourself to measure another build; unset it to run the client in-process.
if [ -z "${BENCH_CLIENT_BIN+x}" ]; then
  cargo build --release -p dingtalk-stream --example stream_bench_client || exit 1
  export BENCH_CLIENT_BIN="${CARGO_TARGET_DIR:-$repo/target}/release/examples/stream_bench_client"
fi
echo "machine: $(nproc) cores; load before the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec cargo bench -p dingtalk-stream --bench stream_peers -- "$@"
