#!/usr/bin/env bash
# Sets up the venv used by the dingtalk-sandbox conformance test with the official Python SDK.
# Usage: dingtalk-sandbox/scripts/setup-python-sdk.sh   (idempotent)
# The venv lives at <repo>/.venv-dingtalk-stream (git-ignored); the test skips itself when it is absent.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${DINGTALK_STREAM_VENV:-$repo/.venv-dingtalk-stream}"
version="${DINGTALK_STREAM_VERSION:-0.24.3}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "dingtalk-stream==$version"
"$venv/bin/python" -c "import dingtalk_stream; print('dingtalk-stream ready in $venv')"
