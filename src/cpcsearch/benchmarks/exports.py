"""Time the feed and the downloads of searches (Atom, CSV, BibTeX, RIS) over HTTP.

Run as ``python -m cpcsearch.benchmarks.exports [--corpus FILE_OR_DIR] [--repeat N]``: it imports
the corpus (default: the demo pages) into a temporary store, builds the index and times each
format through Flask's test client. Figures are medians in milliseconds, with the rows written
and the size of the answer; the JSON search of one page is the peer measured in the same process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cpcsearch.config import Config
from cpcsearch.importer import import_paths
from cpcsearch.pipeline import run_reindex
from cpcsearch.store import Store
from cpcsearch.web import create_app

SEARCHES = ("", "q=gas", "q=government&sort=newest", "q=oil+prices")
ROUTES = ("/api/search", "/search.atom", "/search.csv", "/search.bib", "/search.ris")

DEFAULT_CORPUS = Path(Config.load().DEMO_DIR)


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
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        config = Config.load(STORE=f"{tmp}/store.sqlite", INDEX_DIR=f"{tmp}/index")
        with Store(config.STORE) as store:
            import_paths(store, [args.corpus])
        run_reindex(config, full=True)
        client = create_app(config).test_client()
        print(f"{'route':<14} {'search':<26} {'ms':>8} {'rows':>6} {'KB':>7}")
        for search in SEARCHES:
            for route in ROUTES:
                url = f"{route}?{search}"
                body = client.get(url).get_data(as_text=True)
                rows = {"/api/search": body.count('"score"'), "/search.atom": body.count("<entry>"),
                        "/search.csv": max(body.count("\r\n") - 1, 0),
                        "/search.bib": body.count("@misc{"), "/search.ris": body.count("TY  - ")}
                ms = median_ms(lambda url=url: client.get(url).get_data(), args.repeat)
                print(f"{route:<14} {search or '(all)':<26} {ms:>8.0f} {rows[route]:>6} "
                      f"{len(body.encode()) / 1024:>7.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
