#!/usr/bin/env bash
# Training throughput of SpecGRPO against PyTorch (transformers + peft, CPU) in one run, same
# shapes and threads (issue 3, acceptance 7): random token ids, one warm-up step, then timed steps
# of forward + backward + global-norm clip + AdamW over the trainable parameters, fp32.
#   tiny:  Tests/TransformerTests/Fixtures/tiny-qwen2, full fine-tuning, 4 × 256 tokens, 50 steps
#   0.5B:  models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf, LoRA rank 16 alpha 32 on
#          q,k,v,o,gate,up,down, 4 × 256 tokens, 2 steps. SpecGRPO keeps the Q4_K/Q5_0/Q6_K base
#          and dequantizes tiles for sgemm; transformers dequantizes the GGUF to fp32 at load.
# Prints the load average, each tool's line and a Markdown table (medians where repeated);
# docs/BENCHMARKS.md records its output.
#
#   scripts/fetch-models.sh draft && pip install peft && scripts/bench-training.sh
# Environment: DRAFT (the 0.5B GGUF), THREADS (2), TINY_STEPS (50), TINY_REPEATS (5),
# LORA_STEPS (2), JOBS (swift build jobs; default all cores).
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
# model|mode|timed steps|repetitions: the tiny runs take a second, so they alternate five times
# (ours, PyTorch, ours, ...) and the table gives each tool's median (its range in brackets), against a shared machine's noise.
runs=("$tiny|--full|$tiny_steps|${TINY_REPEATS:-5}")
if [[ -f $draft ]]; then runs+=("$draft|--lora-rank 16|$lora_steps|1"); else echo "skipping $draft (run scripts/fetch-models.sh draft)" >&2; fi

echo "$(date -u '+%F %T UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
median() { python3 -c "import re, sys; L = sorted(sys.stdin.read().splitlines(), key=lambda l: float(re.search(r'([0-9.]+) tokens/s', l)[1])); print(L[len(L) // 2])"; }
fwd() { sed -E 's/.*forward ([0-9.]+) s.*/\1/' <<<"$1"; }
bwd() { sed -E 's/.*backward\+step ([0-9.]+) s.*/\1/' <<<"$1"; }
# " (min–max)" of the repetitions' tokens/s, empty for one run.
spread() { python3 -c "import re, sys; v = [float(re.search(r'([0-9.]+) tokens/s', l)[1]) for l in sys.stdin.read().splitlines()]; print(f' ({min(v):.0f}–{max(v):.0f})' if len(v) > 1 else '')"; }
tps() { sed -E 's/.* ([0-9.]+) tokens\/s.*/\1/' <<<"$1"; }
for run in "${runs[@]}"; do
  IFS='|' read -r model mode steps repeats <<<"$run"
  ours_all="" peer_all=""
  for ((r = 0; r < repeats; r++)); do
    # shellcheck disable=SC2086
    ours=$(.build/release/specgrpo train-bench --model "$model" $mode --sequences 4 --length 256 --steps "$steps" --threads "$threads")
    echo "SpecGRPO: $ours"
    # shellcheck disable=SC2086
    peer=$(python3 scripts/bench_training_torch.py --model "$model" $mode --sequences 4 --length 256 --steps "$steps" --threads "$threads" 2>"$log" | tail -1) \
      || { echo "PyTorch run failed:" >&2; tail -20 "$log" >&2; exit 1; }
    echo "PyTorch:  $peer"
    echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
    ours_all+="$ours"$'\n' peer_all+="$peer"$'\n'
  done
  ours=$(printf '%s' "$ours_all" | median) peer=$(printf '%s' "$peer_all" | median)
  o=$(tps "$ours") p=$(tps "$peer")
  os=$(printf '%s' "$ours_all" | spread) ps=$(printf '%s' "$peer_all" | spread)
  rows+=("| $(basename "$model") | ${mode#--} | $(fwd "$ours") s | $(bwd "$ours") s | $o$os | $(fwd "$peer") s | $(bwd "$peer") s | $p$ps | $(python3 -c "print(f'{$o / $p:.2f}x')") |")
done
echo
echo "| model | trained | SpecGRPO forward | SpecGRPO backward + AdamW | SpecGRPO tokens/s | PyTorch forward | PyTorch backward + AdamW | PyTorch tokens/s | ratio |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
