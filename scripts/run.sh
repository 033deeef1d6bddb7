#!/usr/bin/env bash
# The main job: installs OpenBLAS if missing, fetches the models and the GSM-Symbolic data, builds
# in release mode and runs `specgrpo` with the given arguments. With no arguments it runs the GRPO
# math pipeline at a size that finishes in about a quarter of an hour on a 2-core machine: the
# 0.5B model as the policy with n-gram speculation of one token (the 1.5B is about three times
# slower on CPU, where a drafted position costs a good part of a target pass),
# a baseline evaluation on 16 fixed test problems, two epochs of GRPO with the curriculum on 4
# training problems, cluster reports, the final evaluation and the checkpoints in runs/main.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
source scripts/setup.sh
scripts/fetch-models.sh all
scripts/fetch-data.sh
swift build -c release --product specgrpo
if [[ $# -eq 0 ]]; then
  rm -rf runs/main
  set -- train-math --model models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf --ngram --num-speculative-tokens 1 \
    --max-train-samples 4 --batch-size 2 --num-epochs 2 --eval-every 2 --eval-samples 16 \
    --max-new-tokens 128 --eval-max-new-tokens 128 --uniform-rollouts 4 --rollout-alpha 0.5 \
    --seed 0 --out runs/main
fi
exec .build/release/specgrpo "$@"
