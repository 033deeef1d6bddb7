#!/usr/bin/env bash
# Issue G1, acceptance 3: does the inference-aware reward move what it measures? Trains a tiny
# random target with a fixed tiny draft (seed 11, 60 GRPO steps, full fine-tuning, lr 0.02,
# B = 4 prompts × G = 8, 16 new tokens, temperature 1), once with δ = 1.0 and once with the δ = 0
# control, then once with β = 0.001 and the β = 0 control (stop token 0), every other weight 0 and
# a constant task score; then samples 16 completions per prompt with fixed seeds and prints the
# accept rate and the mean length. The same runs are asserted in
# Tests/TrainingTests/InferenceSignalTests.swift.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build -c release -Xswiftc -enable-testing --build-tests >/dev/null
swift test -c release -Xswiftc -enable-testing --skip-build --filter InferenceSignalTests 2>&1 | grep -E "inference signal|✘|passed after"
