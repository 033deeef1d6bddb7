#!/usr/bin/env bash
# Single-stream decode speed of SpecGRPO against llama.cpp on the same GGUF files, in one run:
# 128 generated tokens after a one-token prompt, 2 threads, mean ± sd over 3 repetitions
# (llama.cpp: `llama-bench -t 2 -n 128 -p 0 -r 3`; SpecGRPO: `specgrpo bench`, same protocol).
# Prints a Markdown table with the ratio; docs/BENCHMARKS.md records its output.
#
#   scripts/fetch-models.sh all && scripts/build-peers.sh && scripts/bench.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
threads=${THREADS:-2}
tokens=${TOKENS:-128}
swift build -c release --product specgrpo >/dev/null
bench=peers/llama.cpp/bin/llama-bench
[[ -x $bench ]] || { echo "llama-bench missing: run scripts/build-peers.sh" >&2; exit 1; }

echo "| model | llama.cpp tok/s | SpecGRPO tok/s | ratio |"
echo "|---|---:|---:|---:|"
for model in models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf; do
  [[ -f $model ]] || { echo "skipping $model (run scripts/fetch-models.sh all)" >&2; continue; }
  peer=$("$bench" -m "$model" -t "$threads" -n "$tokens" -p 0 -r 3 -o csv 2>/dev/null | tail -1 | awk -F, '{gsub(/"/, ""); print $(NF-1) " ± " $NF}')
  ours=$(.build/release/specgrpo bench --model "$model" --tokens "$tokens" --threads "$threads" --repetitions 3 | awk -F'\t' '{print $4}' | sed 's/ tokens\/s//')
  ratio=$(python3 -c "print(f'{float(\"${ours%% *}\") / float(\"${peer%% *}\"):.2f}x')")
  echo "| $(basename "$model") | $peer | $ours | $ratio |"
done
