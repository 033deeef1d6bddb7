#!/usr/bin/env bash
# Engine throughput (issue 7, acceptance 6), SpecGRPO and llama.cpp in one run. First:
#   swift build -c release && scripts/fetch-models.sh all && scripts/build-peers.sh
# Usage: scripts/bench-engine.sh [models dir] [max tokens]
#
# (a) 16 concurrent greedy requests on the 0.5B against one stream: the engine end to end
#     (`specgrpo generate`, prompts included), the model alone in lockstep (`specgrpo bench
#     --batch`), and llama.cpp's `llama-batched-bench` on the same prompt length.
# (b) The 1.5B on five GSM8K prompts, one at a time, greedy: alone, with the 0.5B draft and with
#     n-gram lookup at several k; llama.cpp's `llama-speculative` on the same chat-formatted
#     prompts (k = 5 and 2) and its plain decoding (`llama-batched-bench`, one sequence).
set -euo pipefail
DIR=${1:-${SPECGRPO_MODELS_DIR:-models}}
N=${2:-64}
BIN=.build/release/specgrpo
PEER=peers/llama.cpp/bin
DRAFT=$DIR/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf
TARGET=$DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
P16=$(mktemp); GSM=$(mktemp)
trap 'rm -f "$P16" "$GSM"' EXIT
for i in $(seq 1 16); do echo "Write a short paragraph about the number $i."; done > "$P16"
cat > "$GSM" <<'G'
Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?
Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How much did she earn?
Betty is saving money for a new wallet which costs $100. Betty has only half of the money she needs. Her parents decided to give her $15 for that purpose, and her grandparents twice as much as her parents. How much more money does Betty need to buy the wallet?
James writes a 3-page letter to 2 different friends twice a week. How many pages does he write a year?
Mark has a garden with flowers. He planted plants of three different colors in it. Ten of them are yellow, and there are 80% more of those in purple. There are only 25% as many green flowers as there are yellow and purple flowers. How many flowers does Mark have in his garden?
G
summary() { grep -E "accept_rate|tokens/s" | sed 's/  latency.*//'; }

echo "== (a) 0.5B greedy, $N tokens per request"
echo "-- SpecGRPO engine (39-token chat prompts): 1 stream, then 16 concurrent; three rounds"
echo "   (alternating, because a single stream is bound by memory bandwidth, which other tenants of"
echo "   the host move; compare the two within a round and take medians)"
for round in 1 2 3; do
  $BIN generate --model "$DRAFT" --prompt "Write a short paragraph about the number 1." --max-tokens "$N" --ignore-eos --temperature 0 2>&1 >/dev/null | tail -1
  $BIN generate --model "$DRAFT" --prompts-file "$P16" --max-tokens "$N" --ignore-eos --max-num-seqs 16 2>&1 >/dev/null | tail -1
done
echo "-- SpecGRPO model in lockstep (decoding only): 1 and 16 sequences"
$BIN bench --model "$DRAFT" --tokens "$N" --batch 1 --repetitions 2
$BIN bench --model "$DRAFT" --tokens "$N" --batch 16 --repetitions 2
if [[ -x $PEER/llama-batched-bench ]]; then
  echo "-- llama.cpp llama-batched-bench: 39-token prompts, 1 and 16 sequences"
  $PEER/llama-batched-bench -m "$DRAFT" -c 4096 -b 2048 -ub 512 -npp 39 -ntg "$N" -npl 1,16 -t 2 2>&1 | grep -E "^\|"
fi

echo "== (b) 1.5B, 5 GSM8K prompts one at a time, greedy, $N tokens each"
echo "-- SpecGRPO: alone"
$BIN generate --model "$TARGET" --prompts-file "$GSM" --max-tokens "$N" --max-num-seqs 1 --ignore-eos 2>&1 >/dev/null | tail -1
for k in 1 2 5; do
  echo "-- SpecGRPO: with the 0.5B draft, k = $k"
  $BIN generate --model "$TARGET" --prompts-file "$GSM" --max-tokens "$N" --max-num-seqs 1 --ignore-eos --draft "$DRAFT" --num-speculative-tokens $k 2>&1 | summary
done
for k in 1 5; do
  echo "-- SpecGRPO: with n-gram lookup, k = $k"
  $BIN generate --model "$TARGET" --prompts-file "$GSM" --max-tokens "$N" --max-num-seqs 1 --ignore-eos --ngram --num-speculative-tokens $k 2>&1 | summary
done
if [[ -x $PEER/llama-speculative ]]; then
  echo "-- llama.cpp plain decoding (llama-batched-bench, 60-token prompt, 1 sequence)"
  $PEER/llama-batched-bench -m "$TARGET" -c 2048 -b 2048 -ub 512 -npp 60 -ntg "$N" -npl 1 -t 2 2>&1 | grep -E "^\|"
  for k in 5 2; do
    echo "-- llama.cpp llama-speculative, k = $k: prompt t/s, decoding t/s, accepted"
    while IFS= read -r q; do
      chat=$'<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\n'"$q"$'<|im_end|>\n<|im_start|>assistant\n'
      $PEER/llama-speculative -m "$TARGET" -md "$DRAFT" -p "$chat" -n "$N" --spec-draft-n-max $k --temp 0 -t 2 -td 2 -c 1024 --ignore-eos 2>&1 |
        grep -E "encoded|decoded|accept  " | sed -E 's/.*(encoded|decoded)/\1/; s/^.*accept +=/accept =/' | paste -sd ' '
    done < "$GSM"
  done
fi
