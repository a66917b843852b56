"""Time search, search-as-you-type and indexing on the demo corpus (or a JSONL corpus).

Run as ``python -m cpcsearch.benchmarks.speed [--corpus FILE_OR_DIR] [--repeat N]``. Figures are
medians in milliseconds, each beside a peer measured in the same process: a bare Whoosh term
lookup on the same index, so that a slow machine slows both and the ratio stays meaningful. Each
search is timed twice: with the default hybrid ranking and with BM25 alone (SEMANTIC_WEIGHT=0).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from whoosh import query as wq

from cpcsearch.config import Config
from cpcsearch.importer import import_paths
from cpcsearch.pipeline import run_reindex
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.request import SearchRequest
from cpcsearch.store import Store

DEFAULT_CORPUS = Path(Config.load().DEMO_DIR)
SEARCHES = ("gas", "middle corridor", '"natural gas" exports', "author:huseynli",
            "pipeline date:[2020 to 2024]", "security cooperation in central asia",
            "pipleine", "TITR rail freight")
PREFIXES = ("pi", "pipe", "caspian se", "gas ex", "kaz", "secu", "middle c", "tr", "azerbaijan g")


def median_ms(work: Callable[[], object], repeat: int) -> float:
    """Return the median wall time of `work()` over `repeat` runs, after one warm-up."""
    work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Build an index in a temporary folder and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        config = Config.load(STORE=f"{tmp}/store.sqlite", INDEX_DIR=f"{tmp}/index")
        started = time.perf_counter()
        with Store(config.STORE) as store:
            report = import_paths(store, [args.corpus])
        imported = time.perf_counter() - started
        started = time.perf_counter()
        run_reindex(config, full=True)
        indexed = time.perf_counter() - started
        engine = SearchEngine.from_config(config)
        lexical = SearchEngine.from_config(config.with_overrides(SEMANTIC_WEIGHT=0.0))

        def peer() -> None:
            with engine.searcher() as searcher:
                list(searcher.search(wq.Term("body", "gas"), limit=10))

        peer_ms = median_ms(peer, args.repeat)
        print(f"corpus {args.corpus}: {report.added} documents; import {imported:.1f} s, "
              f"full index {indexed:.1f} s")
        print(f"peer: bare Whoosh term search, median {peer_ms:.2f} ms")
        print(f"{'operation':<44} {'median ms':>9} {'× peer':>7}")
        rows = [(f"search {q!r}", lambda q=q: engine.search(SearchRequest(q=q))) for q in SEARCHES]
        rows += [(f"BM25-only {q!r}", lambda q=q: lexical.search(SearchRequest(q=q)))
                 for q in SEARCHES]
        rows += [(f"suggest {p!r}", lambda p=p: engine.suggest(p)) for p in PREFIXES]
        medians = {}
        for name, work in rows:
            medians[name] = median_ms(work, args.repeat)
            print(f"{name:<44} {medians[name]:>9.2f} {medians[name] / peer_ms:>7.1f}")
        suggest = [v for k, v in medians.items() if k.startswith("suggest")]
        search = [v for k, v in medians.items() if k.startswith("search")]
        bm25_only = [v for k, v in medians.items() if k.startswith("BM25-only")]
        print(f"median of medians: search {statistics.median(search):.2f} ms "
              f"(BM25 only {statistics.median(bm25_only):.2f} ms, the hybrid ranking "
              f"×{statistics.median(search) / statistics.median(bm25_only):.2f}), "
              f"suggest {statistics.median(suggest):.2f} ms (target < 20 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
