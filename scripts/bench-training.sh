#!/usr/bin/env bash
# Training throughput of SpecGRPO against PyTorch (transformers + peft, CPU) in one run, same
# shapes and threads (issue 3, acceptance 7): random token ids, one warm-up step, then timed steps
# of forward + backward + global-norm clip + AdamW over the trainable parameters, fp32.
#   tiny:  Tests/TransformerTests/Fixtures/tiny-qwen2, full fine-tuning, 4 × 256 tokens, 50 steps
#   0.5B:  models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf, LoRA rank 16 alpha 32 on
#          q,k,v,o,gate,up,down, 4 × 256 tokens, 2 steps. SpecGRPO keeps the Q4_K/Q5_0/Q6_K base
#          and dequantizes tiles for sgemm; transformers dequantizes the GGUF to fp32 at load.
# Prints the load average, each tool's line and a Markdown table; docs/BENCHMARKS.md records it.
#
#   scripts/fetch-models.sh draft && pip install peft && scripts/bench-training.sh
# DRAFT (the 0.5B GGUF path), THREADS (default 2), TINY_STEPS (50), LORA_STEPS (2), JOBS (swift build jobs, default all cores).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
threads=${THREADS:-2}
tiny_steps=${TINY_STEPS:-50}
lora_steps=${LORA_STEPS:-2}
swift build -c release -j "${JOBS:-$(nproc)}" --product specgrpo >/dev/null
python3 -c "import torch, transformers, peft, gguf" || { echo "needs torch, transformers, gguf and peft (pip install peft)" >&2; exit 1; }
export OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads TOKENIZERS_PARALLELISM=false

tiny=Tests/TransformerTests/Fixtures/tiny-qwen2
draft=${DRAFT:-models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf}
runs=("$tiny|--full|$tiny_steps")
if [[ -f $draft ]]; then runs+=("$draft|--lora-rank 16|$lora_steps"); else echo "skipping $draft (run scripts/fetch-models.sh draft)" >&2; fi

echo "$(date -u '+%F %T UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for run in "${runs[@]}"; do
  IFS='|' read -r model mode steps <<<"$run"
  # shellcheck disable=SC2086
  ours=$(.build/release/specgrpo train-bench --model "$model" $mode --sequences 4 --length 256 --steps "$steps" --threads "$threads")
  echo "SpecGRPO: $ours"
  # shellcheck disable=SC2086
  peer=$(python3 scripts/bench_training_torch.py --model "$model" $mode --sequences 4 --length 256 --steps "$steps" --threads "$threads" 2>"$log" | tail -1) \
    || { echo "PyTorch run failed:" >&2; tail -20 "$log" >&2; exit 1; }
  echo "PyTorch:  $peer"
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
  fwd() { sed -E 's/.*forward ([0-9.]+) s.*/\1/' <<<"$1"; }
  bwd() { sed -E 's/.*backward\+step ([0-9.]+) s.*/\1/' <<<"$1"; }
  tps() { sed -E 's/.* ([0-9.]+) tokens\/s.*/\1/' <<<"$1"; }
  o=$(tps "$ours") p=$(tps "$peer")
  rows+=("| $(basename "$model") | ${mode#--} | $(fwd "$ours") s | $(bwd "$ours") s | $o | $(fwd "$peer") s | $(bwd "$peer") s | $p | $(python3 -c "print(f'{$o / $p:.2f}x')") |")
done
echo
echo "| model | trained | SpecGRPO forward | SpecGRPO backward + AdamW | SpecGRPO tokens/s | PyTorch forward | PyTorch backward + AdamW | PyTorch tokens/s | ratio |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
