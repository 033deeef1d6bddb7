#!/usr/bin/env python3
"""Exports GSM-Symbolic problems from reasoning-gym as GSM8K-format JSON Lines.

Each output line is {"question": q, "answer": worked solution + "\\n#### " + number}, the format
of GSM8K's own train.jsonl and test.jsonl, so that Swift's MathDataset loads these files and the
real GSM8K files through the same path. See shared/MODELS.md ("Grade-school math data").

Train and test come from different seeds. reasoning-gym draws item i of seed s from Random(s + i),
so nearby seeds share number streams and produce the very same problem when their templates
coincide; the test seed therefore defaults to 1,000,000, far from the train items' 1 ... 1 + size.
As a second guard, a question repeated within a split,
or a test question that also occurs in train, is therefore dropped, and more items of the same seed
are drawn until each split has its full size: no evaluation problem was seen in training. The
splits do share templates (GSM-Symbolic instantiates about a hundred of them), as GSM-Symbolic's
own splits do. Items whose worked solution disagrees with their answer are dropped as well.

A development tool: the files it writes are git-ignored and rebuilt by scripts/fetch-data.sh.

    python3 scripts/export-gsm-symbolic.py [--out data/gsm-symbolic] [--train-size 500]
        [--train-seed 1] [--test-size 200] [--test-seed 1000000]

Needs `pip install reasoning-gym`.
"""
import argparse
import decimal
import json
import os
import re
import sys

# A trailing "#### N" line that some worked solutions already carry.
FINAL_LINE = re.compile(r"\n?\s*####\s*(\S.*?)\s*$")


def same_number(a, b):
    """Numeric equality of two decimal strings ("36.0" and "36" are the same answer)."""
    try:
        return decimal.Decimal(a.replace(",", "")) == decimal.Decimal(b.replace(",", ""))
    except decimal.InvalidOperation:
        return False


def to_gsm8k(item):
    """One reasoning-gym item as a GSM8K record; raises ValueError when it is inconsistent."""
    question = item["question"].strip()
    number = str(item["answer"]).strip()
    cot = str(item.get("metadata", {}).get("answer_cot", "")).strip()
    match = FINAL_LINE.search(cot)
    if match:
        if not same_number(match.group(1), number):
            raise ValueError(f"worked solution ends in #### {match.group(1)} but the answer is {number}")
        cot = cot[: match.start()].rstrip()
    if not question or not number:
        raise ValueError("empty question or answer")
    answer = (cot + "\n#### " + number) if cot else ("#### " + number)
    return {"question": question, "answer": answer}


def generate(size, seed, exclude):
    """`size` records of `seed` whose questions are unique and not in `exclude`.

    Items are drawn lazily in index order; item i does not depend on the dataset's size (its
    template comes from a prefix of one random sequence), so the first records are the same
    whatever the size asked for.
    """
    import reasoning_gym

    limit = 4 * size + 100
    dataset = reasoning_gym.create_dataset("gsm_symbolic", size=limit, seed=seed)
    records, seen = [], set(exclude)
    counts = {"drawn": 0, "inconsistent": 0, "repeated": 0, "excluded": 0}
    for index in range(limit):
        if len(records) == size:
            break
        counts["drawn"] += 1
        try:
            record = to_gsm8k(dataset[index])
        except ValueError as e:
            counts["inconsistent"] += 1
            print(f"seed {seed} item {index}: dropped, {e}", file=sys.stderr)
            continue
        if record["question"] in seen:
            counts["excluded" if record["question"] in exclude else "repeated"] += 1
            continue
        seen.add(record["question"])
        records.append(record)
    if len(records) < size:
        sys.exit(f"seed {seed}: only {len(records)} usable problems in {limit} items, {size} asked for")
    return records, counts


def write_jsonl(path, records):
    tmp = path + ".partial"
    with open(tmp, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="data/gsm-symbolic", help="output directory")
    parser.add_argument("--train-size", type=int, default=500)
    parser.add_argument("--train-seed", type=int, default=1)
    parser.add_argument("--test-size", type=int, default=200)
    parser.add_argument("--test-seed", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.train_seed == args.test_seed:
        parser.error("train and test need different seeds, or the test set repeats the training set")

    train, train_counts = generate(args.train_size, args.train_seed, exclude=set())
    test, test_counts = generate(args.test_size, args.test_seed, exclude={r["question"] for r in train})

    os.makedirs(args.out, exist_ok=True)
    write_jsonl(os.path.join(args.out, "train.jsonl"), train)
    write_jsonl(os.path.join(args.out, "test.jsonl"), test)
    for name, seed, records, c in [("train", args.train_seed, train, train_counts),
                                   ("test", args.test_seed, test, test_counts)]:
        print(f"{name}: {len(records)} problems from seed {seed} ({c['drawn']} items drawn; dropped "
              f"{c['inconsistent']} inconsistent, {c['repeated']} repeated, {c['excluded']} also in train)")
    print(f"wrote {args.out}/train.jsonl and {args.out}/test.jsonl")


if __name__ == "__main__":
    main()
