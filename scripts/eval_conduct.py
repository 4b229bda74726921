"""Evaluate courseline.law.conduct.suggest on the labelled behaviour sets.

Prints, for the tuning set (tests/data/behaviour_labels.jsonl) and the held-out set
(tests/data/behaviour_labels_holdout.jsonl): per-behaviour precision, recall and F1, the macro F1
over the behaviours present in that set (the 12 specific ones plus ``other``), exact-match
accuracy, and the lexicon load time and throughput (descriptions per second, one core).

    .venv/bin/python scripts/eval_conduct.py [--errors] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DATA = ROOT / "tests" / "data"
SETS = {
    "tuning": DATA / "behaviour_labels.jsonl",
    "holdout": DATA / "behaviour_labels_holdout.jsonl",
}


@dataclass(frozen=True)
class Example:
    text: str
    labels: frozenset[str]


@dataclass(frozen=True)
class Scores:
    per_label: dict[str, tuple[float, float, float, int]]  # precision, recall, f1, support
    macro_f1: float
    exact: float


def load(path: Path) -> list[Example]:
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append(Example(row["text"], frozenset(row["behaviours"])))
    return rows


def evaluate(examples: list[Example], predictions: list[frozenset[str]]) -> Scores:
    from courseline.law.model import Behaviour

    per_label: dict[str, tuple[float, float, float, int]] = {}
    for behaviour in Behaviour:
        key = behaviour.value
        tp = sum(key in p and key in e.labels for e, p in zip(examples, predictions, strict=True))
        fp = sum(
            key in p and key not in e.labels for e, p in zip(examples, predictions, strict=True)
        )
        fn = sum(
            key not in p and key in e.labels for e, p in zip(examples, predictions, strict=True)
        )
        support = tp + fn
        if support == 0:  # absent from this split: not part of the macro average
            continue
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / support
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[key] = (precision, recall, f1, support)
    macro = sum(v[2] for v in per_label.values()) / len(per_label)
    exact = sum(e.labels == p for e, p in zip(examples, predictions, strict=True)) / len(examples)
    return Scores(per_label, macro, exact)


def predict(texts: list[str]) -> list[frozenset[str]]:
    from courseline.law.conduct import suggest

    return [frozenset(s.behaviour.value for s in suggest(t)) for t in texts]


def table(name: str, examples: list[Example], scores: Scores) -> str:
    lines = [
        f"{name}: {len(examples)} descriptions",
        f"  {'behaviour':<24}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}",
    ]
    for key, (p, r, f, n) in scores.per_label.items():
        lines.append(f"  {key:<24}{p:>10.2f}{r:>8.2f}{f:>7.2f}{n:>9}")
    lines.append(f"  {'macro F1':<24}{'':>10}{'':>8}{scores.macro_f1:>7.3f}")
    lines.append(f"  {'exact match':<24}{'':>10}{'':>8}{scores.exact:>7.3f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the misclassified texts")
    parser.add_argument("--repeat", type=int, default=20, help="passes for the throughput")
    args = parser.parse_args()

    started = time.perf_counter()
    from courseline.law.conduct import suggest

    suggest("he followed me home")  # loads and compiles the lexicon
    load_seconds = time.perf_counter() - started

    all_texts: list[str] = []
    for name, path in SETS.items():
        examples = load(path)
        predictions = predict([e.text for e in examples])
        print(table(name, examples, evaluate(examples, predictions)))
        print()
        if args.errors:
            for e, p in zip(examples, predictions, strict=True):
                if e.labels != p:
                    missing = ",".join(sorted(e.labels - p)) or "-"
                    extra = ",".join(sorted(p - e.labels)) or "-"
                    print(f"  missed {missing:<40} extra {extra:<30} | {e.text}")
            print()
        all_texts.extend(e.text for e in examples)

    started = time.perf_counter()
    for _ in range(args.repeat):
        for text in all_texts:
            suggest(text)
    elapsed = time.perf_counter() - started
    count = args.repeat * len(all_texts)
    mean_chars = sum(map(len, all_texts)) / len(all_texts)
    print(f"import + lexicon load + first call: {load_seconds * 1000:.0f} ms")
    print(
        f"throughput: {count / elapsed:,.0f} descriptions/s on one core "
        f"({count} calls, mean {mean_chars:.0f} characters)"
    )

    big = " ".join(all_texts)
    big = (big * (100_000 // len(big) + 1))[:100_000]
    started = time.perf_counter()
    suggest(big)
    print(f"one 100 KB text: {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
