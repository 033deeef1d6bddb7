#!/usr/bin/env bash
# The test suite: installs OpenBLAS if missing, fetches the 0.5B model (the token-exactness
# tests run on it against stored llama.cpp and transformers fixtures) and SmolLM2-135M (the
# Llama-architecture check), builds in release mode
# (the real-model tests would take minutes in a debug build) and runs every test.
# SPECGRPO_TEST_TARGET=1 also runs the 1.5B checks (fetch it first: scripts/fetch-models.sh all).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
source scripts/setup.sh
scripts/fetch-models.sh draft
scripts/fetch-models.sh smollm
swift build -c release -Xswiftc -enable-testing --build-tests
swift test -c release -Xswiftc -enable-testing --skip-build "$@"
