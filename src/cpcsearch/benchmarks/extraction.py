"""Score cpcsearch's main-text extractor against trafilatura and readability-lxml.

Run as ``python -m cpcsearch.benchmarks.extraction [--dataset DIR] [--splits N]``. The metric
is the shared ``extract_eval.py`` tool's "aeb" score (word 4-gram overlap), imported by path so
that every extractor is scored by the very code the rest of the team uses.

A cross-validation follows the table: the thresholds of readability's second opinion are
tuned on a random half of the pages and scored on the other half, for several splits. Held-out
F1 close to the all-pages F1 says the rules are not fitted to these pages; held-out F1 above
"without readability" says the second opinion earns its place.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import trafilatura
from readability import Document

from cpcsearch.benchmarks import SHARED_DIR, load_shared_tool
from cpcsearch.scrape import generic
from cpcsearch.scrape.generic import Thresholds, extract_main_text, fragment_text

DEFAULT_DATASET = SHARED_DIR / "data" / "extraction"
GRID = {
    "paragraph_match": (0.3, 0.4, 0.5, 0.6, 0.7),
    "contained_share": (0.8, 0.85, 0.9, 0.95, 1.01),  # 1.01: never take readability's text
    "truncated_share": (0.4, 0.5, 0.6, 0.7, 0.8),
    "agreement_share": (0.6, 0.7, 0.8, 0.9, 1.01),  # 1.01: never trim trafilatura's edges
}

Extractor = Callable[[str, str | None], str]


def trafilatura_text(html: str, url: str | None = None) -> str:
    """Return trafilatura's text with its default settings."""
    return trafilatura.extract(html) or ""


def readability_text(html: str, url: str | None = None) -> str:
    """Return the text of readability's article summary, one paragraph per block element."""
    return fragment_text(Document(html).summary(html_partial=True))


def without_readability(html: str, url: str | None = None) -> str:
    """Return cpcsearch's text with no second opinion: trafilatura's, cleaned."""
    return generic.combine(generic.trafilatura_paragraphs(html, url), [])


EXTRACTORS: dict[str, Extractor] = {
    "cpcsearch": extract_main_text,
    "cpcsearch without readability": without_readability,
    "trafilatura": trafilatura_text,
    "readability": readability_text,
}


def load_pages(dataset: Path, tool: ModuleType) -> tuple[list[str], dict, dict[str, str]]:
    """Return the page ids, the ground truth and each page's HTML."""
    _, truth, files = tool.load_dataset(dataset)
    ids = sorted(truth)
    pages = {i: tool.read_html_bytes(files[i]).decode("utf8", "replace") for i in ids}
    return ids, truth, pages


def score_extractor(extract: Extractor, dataset: Path, tool: ModuleType) -> tuple[dict, float]:
    """Return the aeb scores of extract on dataset and the seconds spent extracting."""
    ids, truth, pages = load_pages(dataset, tool)
    predictions: dict[str, str] = {}
    seconds = 0.0
    for page_id in ids:
        start = time.perf_counter()
        # A failing extractor scores the page as empty, as the shared tool does.
        try:
            predictions[page_id] = extract(pages[page_id], truth[page_id].get("url"))
        except Exception:
            predictions[page_id] = ""
        seconds += time.perf_counter() - start
    summary, _ = tool.score(ids, truth, predictions, n_bootstrap=0)
    return summary["aeb"], seconds


class ThresholdScores:
    """Every page's aeb counts under every threshold setting of the grid, computed once."""

    def __init__(self, ids: list[str], truth: dict, pages: dict[str, str],
                 tool: ModuleType) -> None:
        self.tool = tool
        self.settings = [Thresholds(**dict(zip(GRID, values, strict=True)))
                         for values in itertools.product(*GRID.values())]
        self.counts: dict[tuple[Thresholds, str], tuple[float, float, float]] = {}
        self.alone: dict[str, tuple[float, float, float]] = {}
        for page_id in ids:
            url = truth[page_id].get("url")
            base = generic.trafilatura_paragraphs(pages[page_id], url)
            other = generic.readability_paragraphs(pages[page_id], url)
            comparison = generic.compare(base, other) if base and other else None
            true = truth[page_id].get("articleBody", "") or ""
            scored: dict[str, tuple[float, float, float]] = {}
            for setting in self.settings:
                text = generic.combine(base, other, setting, comparison)
                if text not in scored:
                    scored[text] = tool.aeb_page_counts(true, text)
                self.counts[setting, page_id] = scored[text]
            self.alone[page_id] = tool.aeb_page_counts(true, generic.combine(base, []))

    def f1(self, setting: Thresholds, ids: list[str]) -> float:
        """Return the aeb F1 of `setting` on the pages `ids`."""
        return self.tool.aeb_aggregate([self.counts[setting, i] for i in ids])["f1"]

    def f1_alone(self, ids: list[str]) -> float:
        """Return the aeb F1 without readability's second opinion on the pages `ids`."""
        return self.tool.aeb_aggregate([self.alone[i] for i in ids])["f1"]

    def tune(self, ids: list[str]) -> Thresholds:
        """Return the best setting on `ids` (the shipped one among equals)."""
        return max(self.settings,
                   key=lambda s: (round(self.f1(s, ids), 6), s == generic.SHIPPED))


def cross_validate(scores: ThresholdScores, ids: list[str], splits: int) -> list[dict]:
    """Tune on one half, score on the other, both ways, for `splits` random halvings."""
    rows = []
    for seed in range(splits):
        shuffled = random.Random(seed).sample(ids, len(ids))
        halves = (sorted(shuffled[: len(ids) // 2]), sorted(shuffled[len(ids) // 2:]))
        for tuned_on, held_out in (halves, halves[::-1]):
            setting = scores.tune(tuned_on)
            rows.append({
                "split": seed + 1, "pages": len(held_out), "setting": setting,
                "tuned": scores.f1(setting, tuned_on), "held_out": scores.f1(setting, held_out),
                "shipped": scores.f1(generic.SHIPPED, held_out),
                "alone": scores.f1_alone(held_out),
            })
    return rows


def print_cross_validation(scores: ThresholdScores, ids: list[str], splits: int) -> None:
    """Print the cross-validation table and its verdicts."""
    everything = scores.f1(generic.SHIPPED, ids)
    rows = cross_validate(scores, ids, splits)
    print(f"\ncross-validation: thresholds tuned on half the pages, scored on the other half"
          f" ({splits} random splits, both ways); all {len(ids)} pages, shipped thresholds:"
          f" F1 {everything:.3f}")
    print(f"{'split':>5} {'pages':>5} {'tuned-on F1':>11} {'held-out F1':>11}"
          f" {'shipped F1':>10} {'no readability':>14}  thresholds (match contained"
          " truncated agreement)")
    for row in rows:
        s = row["setting"]
        print(f"{row['split']:>5} {row['pages']:>5} {row['tuned']:>11.3f} {row['held_out']:>11.3f}"
              f" {row['shipped']:>10.3f} {row['alone']:>14.3f}  {s.paragraph_match:g}"
              f" {s.contained_share:g} {s.truncated_share:g} {s.agreement_share:g}")
    spread = sorted({round(scores.f1(s, ids), 3) for s in scores.settings})
    print(f"the grid's {len(scores.settings)} settings give {len(spread)} distinct F1s on all"
          f" pages, {spread[0]:.3f} to {spread[-1]:.3f}")
    gap = max(abs(row["held_out"] - everything) for row in rows)
    gain = [row["held_out"] - row["alone"] for row in rows]
    print(f"largest gap between a held-out half and all pages: {gap:.3f}"
          f" ({'within' if gap <= 0.01 else 'NOT within'} 0.01)")
    print(f"readability's second opinion on held-out halves: {sum(gain) / len(gain):+.3f} F1 on"
          f" average, better on {sum(g > 0 for g in gain)} of {len(gain)}, worse on"
          f" {sum(g < 0 for g in gain)}")


def main(argv: list[str] | None = None) -> int:
    """Score every extractor on the dataset and print a table, then the cross-validation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET,
                        help=f"dataset folder (default {DEFAULT_DATASET})")
    parser.add_argument("--splits", type=int, default=5,
                        help="random halvings for the cross-validation (default 5; 0: none)")
    args = parser.parse_args(argv)
    if not (args.dataset / "ground-truth.json").is_file():
        sys.exit(f"extraction dataset not found: {args.dataset} (expected html/ and "
                 "ground-truth.json; pass --dataset DIR)")
    try:
        tool = load_shared_tool("extract_eval")
    except FileNotFoundError as exc:
        sys.exit(str(exc))
    print(f"{'extractor':<30} {'precision':>9} {'recall':>7} {'F1':>6} {'seconds':>8}")
    for name, extract in EXTRACTORS.items():
        scores, seconds = score_extractor(extract, args.dataset, tool)
        print(f"{name:<30} {scores['precision']:>9.3f} {scores['recall']:>7.3f}"
              f" {scores['f1']:>6.3f} {seconds:>8.1f}")
    if args.splits > 0:
        ids, truth, pages = load_pages(args.dataset, tool)
        print_cross_validation(ThresholdScores(ids, truth, pages, tool), ids, args.splits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
