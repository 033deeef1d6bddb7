#!/usr/bin/env bash
# Builds the default math data: GSM-Symbolic train and test files in GSM8K's JSONL format, exported
# from reasoning-gym by scripts/export-gsm-symbolic.py (train seed 1, 500 problems; test seed 1000000,
# 200 problems; see shared/MODELS.md). Idempotent: when both files are present nothing is done.
# Installs reasoning-gym through pip when it is missing.
#
#   scripts/fetch-data.sh [extra export flags, e.g. --train-size 1000]
#   DATA_DIR overrides the destination (default: <repo>/data/gsm-symbolic, git-ignored).
#   Delete the files (or pass other flags with FORCE=1) to export again.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
data_dir=${DATA_DIR:-$repo/data/gsm-symbolic}

if [[ -f $data_dir/train.jsonl && -f $data_dir/test.jsonl && -z ${FORCE:-} ]]; then
  echo "gsm-symbolic: present in $data_dir ($(wc -l <"$data_dir/train.jsonl") train, $(wc -l <"$data_dir/test.jsonl") test)"
  exit 0
fi
if ! python3 -c 'import reasoning_gym' 2>/dev/null; then
  echo "gsm-symbolic: installing reasoning-gym"
  python3 -m pip install --quiet reasoning-gym
fi
python3 "$repo/scripts/export-gsm-symbolic.py" --out "$data_dir" "$@"
