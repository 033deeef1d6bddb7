#!/usr/bin/env python3
"""PyTorch twin of `specgrpo train-bench`, for scripts/bench-training.sh (issue 3, acceptance 7).

Same protocol: random token ids, one warm-up step, then --steps timed steps of
  forward (logits, log-softmax, mean negative log-likelihood of the given next tokens)
  backward + global-norm gradient clipping at 1 + AdamW (lr 1e-5, no weight decay)
over the trainable parameters (every weight with --full; LoRA A/B via peft otherwise), fp32, on
CPU with --threads intra-op threads. Prints one line in train-bench's format.

Needs torch, transformers (+ gguf for GGUF files) and peft (`pip install peft`).
"""
import argparse
import os
import resource
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="Hugging Face directory or GGUF file (dequantized to fp32)")
    p.add_argument("--full", action="store_true", help="train every weight")
    p.add_argument("--lora-rank", type=int, default=16)
    p.add_argument("--lora-alpha", type=float, default=None, help="default 2·rank, as specgrpo")
    p.add_argument("--sequences", type=int, default=4)
    p.add_argument("--length", type=int, default=256)
    p.add_argument("--steps", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()

    import torch
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    from transformers import AutoModelForCausalLM

    if a.model.endswith(".gguf"):
        model = AutoModelForCausalLM.from_pretrained(os.path.dirname(os.path.abspath(a.model)),
                                                     gguf_file=os.path.basename(a.model), dtype=torch.float32)
    else:
        model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32)
    model.config.use_cache = False
    if a.full:
        mode = "full"
        for q in model.parameters():
            q.requires_grad_(True)
    else:
        from peft import LoraConfig, get_peft_model
        mode = "LoRA"
        model = get_peft_model(model, LoraConfig(
            r=a.lora_rank, lora_alpha=a.lora_alpha if a.lora_alpha is not None else 2 * a.lora_rank, lora_dropout=0.0,
            target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
    model.train()
    params = [q for q in model.parameters() if q.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-5, weight_decay=0.0)

    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, model.config.vocab_size, (a.sequences, a.length), generator=g)
    forward = backward = 0.0
    for step in range(a.steps + 1):
        t0 = time.perf_counter()
        optimizer.zero_grad(set_to_none=False)
        loss = model(input_ids=ids, labels=ids).loss   # shifted cross-entropy = mean -log p(next token)
        t1 = time.perf_counter()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        t2 = time.perf_counter()
        if step > 0:
            forward += t1 - t0
            backward += t2 - t1
    tokens = a.sequences * a.length * a.steps
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1048576   # KiB -> GiB
    print(f"{mode} {os.path.basename(a.model.rstrip('/'))}: {a.sequences} × {a.length} tokens, {torch.get_num_threads()} threads: "
          f"forward {forward / a.steps:.3f} s, backward+step {backward / a.steps:.3f} s per step, "
          f"{tokens / (forward + backward):.1f} tokens/s, peak RSS {rss:.2f} GB")


if __name__ == "__main__":
    sys.exit(main())
