#!/usr/bin/env bash
# Engine throughput (issue 7, acceptance 6). Build first:
#   swift build -c release -j 1
# Usage: scripts/bench-engine.sh [models dir] [max tokens]
set -euo pipefail
DIR=${1:-${SPECGRPO_MODELS_DIR:-models}}
N=${2:-64}
BIN=.build/release/specgrpo
DRAFT=$DIR/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf
TARGET=$DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
P16=$(mktemp); GSM=$(mktemp)
for i in $(seq 1 16); do echo "Write a short paragraph about the number $i."; done > "$P16"
cat > "$GSM" <<'G'
Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?
Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How much did she earn?
Betty is saving money for a new wallet which costs $100. Betty has only half of the money she needs. Her parents decided to give her $15 for that purpose, and her grandparents twice as much as her parents. How much more money does Betty need to buy the wallet?
James writes a 3-page letter to 2 different friends twice a week. How many pages does he write a year?
Mark has a garden with flowers. He planted plants of three different colors in it. Ten of them are yellow, and there are 80% more of those in purple. There are only 25% as many green flowers as there are yellow and purple flowers. How many flowers does Mark have in his garden?
G
echo "== (a) 0.5B greedy, $N tokens each: 1 stream, then 16 concurrent"
$BIN generate --model "$DRAFT" --prompt "Write a short paragraph about the number 1." --max-tokens "$N" --ignore-eos --temperature 0 2>&1 >/dev/null | tail -1
$BIN generate --model "$DRAFT" --prompts-file "$P16" --max-tokens "$N" --ignore-eos --max-num-seqs 16 2>&1 >/dev/null | tail -1
echo "== (b) 1.5B single stream on 5 GSM8K prompts, greedy, $N tokens: alone, with the 0.5B draft (k=5), with n-gram (k=5)"
$BIN generate --model "$TARGET" --prompts-file "$GSM" --max-tokens "$N" --max-num-seqs 1 --ignore-eos 2>&1 >/dev/null | tail -1
$BIN generate --model "$TARGET" --prompts-file "$GSM" --max-tokens "$N" --max-num-seqs 1 --ignore-eos --draft "$DRAFT" --num-speculative-tokens 5 2>&1 | grep -E "accept_rate|tokens/s" | sed 's/  latency.*//'
$BIN generate --model "$TARGET" --prompts-file "$GSM" --max-tokens "$N" --max-num-seqs 1 --ignore-eos --ngram --num-speculative-tokens 5 2>&1 | grep -E "accept_rate|tokens/s" | sed 's/  latency.*//'
rm -f "$P16" "$GSM"
