#!/usr/bin/env bash
# The main job: installs OpenBLAS if missing, fetches the target and draft models, builds in
# release mode and runs `specgrpo` with the given arguments. With no arguments it generates an
# answer to a sample math question with the 1.5B target model.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
source scripts/setup.sh
scripts/fetch-models.sh all
swift build -c release --product specgrpo
if [[ $# -eq 0 ]]; then
  set -- generate --model models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf --max-tokens 200 \
    --prompt "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?"
fi
exec .build/release/specgrpo "$@"
