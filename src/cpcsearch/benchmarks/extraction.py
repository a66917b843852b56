"""Score cpcsearch's main-text extractor against trafilatura and readability-lxml.

Run as ``python -m cpcsearch.benchmarks.extraction [--dataset DIR]``. The metric is the
shared ``extract_eval.py`` tool's "aeb" score (word 4-gram overlap), imported by path so
that every extractor is scored by the very code the rest of the team uses.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import trafilatura
from readability import Document

from cpcsearch.benchmarks import SHARED_DIR, load_shared_tool
from cpcsearch.scrape.generic import extract_main_text, fragment_text

DEFAULT_DATASET = SHARED_DIR / "data" / "extraction"

Extractor = Callable[[str, str | None], str]


def trafilatura_text(html: str, url: str | None = None) -> str:
    """Return trafilatura's text with its default settings."""
    return trafilatura.extract(html) or ""


def readability_text(html: str, url: str | None = None) -> str:
    """Return the text of readability's article summary, one paragraph per block element."""
    return fragment_text(Document(html).summary(html_partial=True))


EXTRACTORS: dict[str, Extractor] = {
    "cpcsearch": extract_main_text,
    "trafilatura": trafilatura_text,
    "readability": readability_text,
}


def score_extractor(extract: Extractor, dataset: Path, tool: ModuleType) -> tuple[dict, float]:
    """Return the aeb scores of extract on dataset and the seconds spent extracting."""
    _, truth, files = tool.load_dataset(dataset)
    ids = sorted(truth)
    predictions: dict[str, str] = {}
    seconds = 0.0
    for page_id in ids:
        html = tool.read_html_bytes(files[page_id]).decode("utf8", "replace")
        start = time.perf_counter()
        # A failing extractor scores the page as empty, as the shared tool does.
        try:
            predictions[page_id] = extract(html, truth[page_id].get("url"))
        except Exception:
            predictions[page_id] = ""
        seconds += time.perf_counter() - start
    summary, _ = tool.score(ids, truth, predictions, n_bootstrap=0)
    return summary["aeb"], seconds


def main(argv: list[str] | None = None) -> int:
    """Score every extractor on the dataset and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET,
                        help=f"dataset folder (default {DEFAULT_DATASET})")
    args = parser.parse_args(argv)
    if not (args.dataset / "ground-truth.json").is_file():
        sys.exit(f"extraction dataset not found: {args.dataset} (expected html/ and "
                 "ground-truth.json; pass --dataset DIR)")
    try:
        tool = load_shared_tool("extract_eval")
    except FileNotFoundError as exc:
        sys.exit(str(exc))
    print(f"{'extractor':<12} {'precision':>9} {'recall':>7} {'F1':>6} {'seconds':>8}")
    for name, extract in EXTRACTORS.items():
        scores, seconds = score_extractor(extract, args.dataset, tool)
        print(f"{name:<12} {scores['precision']:>9.3f} {scores['recall']:>7.3f}"
              f" {scores['f1']:>6.3f} {seconds:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
