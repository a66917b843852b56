"""Measure cpcsearch's build and search against plain Whoosh and SQLite FTS5, in one run.

Run as ``python tests/benchmarks/performance.py [--sizes 1000,5000,21578] [--corpus DIR]
[--builds 3]``, where DIR holds `docs.jsonl` and `queries.txt` (default: the Reuters corpus in
`../shared/`). For each size, the first N documents are imported into a temporary store and
indexed three ways, each build in a process of its own so that its peak RSS is its own, the
engines taking turns `--builds` times (the medians are reported). The queries then run through the
engines interleaved in this one process (query i on every engine before query i+1), so that a
busy machine slows them alike and the ratios stay meaningful, in four passes (`interleaved`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from references import Fts5Reference, WhooshReference

from cpcsearch.config import Config
from cpcsearch.importer import import_paths
from cpcsearch.pipeline import run_reindex
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.ranking import DEFAULT
from cpcsearch.search.request import SearchRequest
from cpcsearch.store import Store

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parents[1].parent / "shared" / "data" / "news" / "reuters21578"
ENGINES = {"cpcsearch": "cpcsearch", "whoosh": "plain Whoosh", "fts5": "SQLite FTS5"}
PLAIN = replace(DEFAULT, feedback_docs=0, inb2_weight=0.0)  # BM25F alone: the budget is +30%
SERVING_REPEAT = 5  # the serving process's RSS is read after 5 × 200 = 1,000 queries
CHANGED = 100


def isolated(*args: str | Path) -> dict[str, float]:
    """Run one measurement of `isolated.py` in a fresh process and return its figures."""
    done = subprocess.run([sys.executable, str(HERE / "isolated.py"), *map(str, args)],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"isolated.py {' '.join(map(str, args))} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def percentile(values: list[float], p: int) -> float:
    """Return the p-th percentile of `values` (inclusive method, as numpy's default)."""
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def cpcsearch_search(engine: SearchEngine) -> Callable[[str], object]:
    """Return a function that searches like the API: defaults, top 10, snippets and facets."""

    def search(text: str) -> object:
        results = engine.search(SearchRequest(q=text))
        return results.total, [str(hit.snippet) for hit in results.hits], results.facets

    return search


Times = dict[str, list[float]]


def timed_pass(runs: dict[str, Callable[[str], object]],
               queries: list[str]) -> tuple[Times, Times]:
    """Return each engine's wall and CPU times in ms over the queries, interleaved.

    CPU time is there because on a shared machine a long query is preempted more often than a
    short one, which inflates the wall-time ratios; the CPU-time ratio is what the code costs.
    """
    wall: Times = {name: [] for name in runs}
    cpu: Times = {name: [] for name in runs}
    names = list(runs)
    for i, text in enumerate(queries):
        # Every other query in reverse order: the two cpcsearch engines share the process's
        # word caches, which favoured whichever ran second on the same hits.
        for name in names if i % 2 == 0 else names[::-1]:
            started, cpu_started = time.perf_counter(), time.process_time()
            runs[name](text)
            wall[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - cpu_started) * 1000)
    return wall, cpu


def prefixed(text: str) -> str:
    """Return a query with each word of 5 letters or more cut to its first 4 and a `*`."""
    return " ".join(f"{word[:4]}*" if len(word) >= 5 and word.isalpha() else word
                    for word in text.split())


def interleaved(config: Config, folder: Path, queries: list[str]) -> dict[str, tuple[Times, Times]]:
    """Return each engine's times in four passes over halves of the queries (alternate ones).

    "fresh": half B in new engines (every cache cold); "new": half A, queries not asked before
    on engines that have served half B (the targets' figure: cpcsearch's answer cache cannot
    help); "again": half A repeated, which cpcsearch answers from its cache of the commit;
    "prefixes": half A with its longer words cut to prefixes (`prefixed`), cpcsearch and FTS5.
    """
    whoosh = WhooshReference(folder / "whoosh")
    fts5 = Fts5Reference(folder / "fts5.sqlite")
    runs = {"cpcsearch": cpcsearch_search(SearchEngine.from_config(config)),
            "plain ranking": cpcsearch_search(SearchEngine(config.INDEX_DIR, rank=PLAIN)),
            "whoosh": whoosh.search, "fts5": fts5.search}
    passes = {"fresh": timed_pass(runs, queries[1::2]), "new": timed_pass(runs, queries[::2]),
              "again": timed_pass(runs, queries[::2]),
              "prefixes": timed_pass({name: runs[name] for name in ("cpcsearch", "fts5")},
                                     [prefixed(text) for text in queries[::2]])}
    whoosh.close()
    fts5.close()
    return passes


def incremental_seconds(config: Config) -> float:
    """Change the bodies of 100 stored documents spread over the store; time the reindex."""
    with Store(config.STORE) as store:
        ids = [stored.document.id for stored in store.changes_since(0)]
        picked = ids[::max(1, len(ids) // CHANGED)][:CHANGED]
        changed = [store.get(doc_id) for doc_id in picked]
        store.upsert_many((doc.replace(body=f"{doc.body}\n\nRevised figures follow."), None)
                          for doc in changed if doc is not None)
    started = time.perf_counter()
    run_reindex(config, full=False)
    return time.perf_counter() - started


def built(config: Config, docs: Path, folder: Path, rounds: int) -> list[dict]:
    """Build each engine's index `rounds` times, the engines taking turns; return each round's
    figures (a busy spell of the machine slows one round, not one engine)."""
    runs = []
    for _ in range(rounds):
        shutil.rmtree(folder / "whoosh", ignore_errors=True)
        (folder / "fts5.sqlite").unlink(missing_ok=True)
        runs.append({
            "cpcsearch": isolated("build", "cpcsearch", config.STORE, config.INDEX_DIR),
            "whoosh": isolated("build", "whoosh", docs, folder / "whoosh"),
            "fts5": isolated("build", "fts5", docs, folder / "fts5.sqlite"),
        })
    return runs


def measure(size: int, lines: list[str], queries_file: Path, folder: Path, builds: int) -> dict:
    """Return every figure of one corpus size."""
    folder.mkdir(parents=True)
    docs = folder / "docs.jsonl"
    docs.write_text("".join(lines[:size]), encoding="utf-8")
    config = Config.load(env={}, STORE=str(folder / "store.sqlite"),
                         INDEX_DIR=str(folder / "index"))
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with Store(config.STORE) as store:
        imported = import_paths(store, [docs]).added
    figures: dict = {"size": size, "imported": imported,
                     "import_s": time.perf_counter() - started}
    figures["builds"] = built(config, docs, folder, builds)
    figures["build"] = {name: {key: statistics.median(run[name][key] for run in figures["builds"])
                               for key in figures["builds"][0][name]}
                        for name in ENGINES}
    queries = queries_file.read_text(encoding="utf-8").splitlines()
    figures["passes"] = interleaved(config, folder, queries)
    figures["latency"], figures["cpu"] = figures["passes"]["new"]
    figures["serving"] = isolated("serve", config.STORE, config.INDEX_DIR, queries_file,
                                  str(SERVING_REPEAT))
    figures["incremental_s"] = incremental_seconds(config)
    figures["after_incremental"] = isolated("serve", config.STORE, config.INDEX_DIR, queries_file,
                                            "0")
    figures["load"] = (load_before, os.getloadavg()[0])
    return figures


def build_ratios(figures: dict) -> list[float]:
    """Return plain Whoosh's build time over cpcsearch's, in each round of builds."""
    return [run["whoosh"]["seconds"] / run["cpcsearch"]["seconds"] for run in figures["builds"]]


def report(figures: dict) -> None:
    """Print one size's table and its ratios."""
    build, latency, serving = figures["build"], figures["latency"], figures["serving"]
    p50 = {name: percentile(values, 50) for name, values in latency.items()}
    p95 = {name: percentile(values, 95) for name, values in latency.items()}
    cpu50 = {name: percentile(values, 50) for name, values in figures["cpu"].items()}
    print(f"\n## {figures['size']:,} documents ({figures['imported']:,} imported into the store "
          f"in {figures['import_s']:.1f} s; {len(latency['fts5'])} queries; machine load "
          f"average {figures['load'][0]:.1f} before, {figures['load'][1]:.1f} after; latency "
          "of queries not asked before, on engines that have answered the other half)")
    print(f"{'engine':<14} {'build s':>8} {'CPU s':>8} {'peak RSS MB':>12} {'p50 ms':>8} "
          f"{'p95 ms':>8} {'CPU p50 ms':>10}")
    for name, label in ENGINES.items():
        workers = build[name]["workers_peak_mb"]
        note = f"  (+ workers, largest {workers:.0f} MB)" if workers else ""
        print(f"{label:<14} {build[name]['seconds']:>8.2f} {build[name]['cpu_seconds']:>8.2f} "
              f"{build[name]['peak_mb']:>12.0f} {p50[name]:>8.2f} {p95[name]:>8.2f} "
              f"{cpu50[name]:>10.2f}{note}")
    print(f"cpcsearch / FTS5: p50 ×{p50['cpcsearch'] / p50['fts5']:.1f} (target ≤ 2), "
          f"p95 ×{p95['cpcsearch'] / p95['fts5']:.1f} (target ≤ 3); "
          f"CPU p50 ×{cpu50['cpcsearch'] / cpu50['fts5']:.1f}")
    plain_cpu = percentile(figures["cpu"]["plain ranking"], 50)
    print(f"ranking's cost, cpcsearch / its plain BM25F ranking (no InB2, no feedback), both "
          f"with snippets and facets: p50 ×{p50['cpcsearch'] / p50['plain ranking']:.2f}, "
          f"CPU p50 ×{cpu50['cpcsearch'] / plain_cpu:.2f} (budget ≤ 1.3)")
    for name, label in (("fresh", "in fresh engines (every cache cold)"),
                        ("again", "asked again (cpcsearch answers from its cache)")):
        times, _ = figures["passes"][name]
        ours, fts5 = times["cpcsearch"], times["fts5"]
        print(f"{label}: cpcsearch p50 {percentile(ours, 50):.2f} ms, p95 "
              f"{percentile(ours, 95):.2f} ms; FTS5 p50 {percentile(fts5, 50):.2f} ms, p95 "
              f"{percentile(fts5, 95):.2f} ms")
    times, _ = figures["passes"]["prefixes"]
    ours, fts5 = percentile(times["cpcsearch"], 50), percentile(times["fts5"], 50)
    print(f"prefixes (half of the queries, words of 5 letters or more cut to 4 and *): cpcsearch "
          f"p50 {ours:.2f} ms, p95 {percentile(times['cpcsearch'], 95):.2f} ms; FTS5 p50 "
          f"{fts5:.2f} ms, p95 {percentile(times['fts5'], 95):.2f} ms; p50 ×{ours / fts5:.1f}")
    rounds = ", ".join(f"×{ratio:.2f}" for ratio in build_ratios(figures))
    cpu = build["whoosh"]["cpu_seconds"] / build["cpcsearch"]["cpu_seconds"]
    print(f"plain Whoosh build / cpcsearch build, the median of {len(figures['builds'])} "
          f"rounds: ×{statistics.median(build_ratios(figures)):.2f} (target ≥ 3; each round "
          f"{rounds}); CPU ×{cpu:.2f}")
    print(f"fresh SearchEngine: made in {serving['engine_ms']:.1f} ms, first query "
          f"{serving['first_ms']:.1f} ms (target < 300)")
    print(f"serving process RSS: {serving['rss_start_mb']:.0f} MB at start, "
          f"{serving['rss_first_mb']:.0f} MB after the first query, {serving['rss_end_mb']:.0f} MB "
          f"after {serving['queries']:,} queries (target < 250)")
    print(f"incremental reindex of {CHANGED} changed documents: {figures['incremental_s']:.2f} s "
          f"(target < 5); then a fresh engine's first query "
          f"{figures['after_incremental']['first_ms']:.1f} ms", flush=True)


def summary(all_figures: list[dict]) -> None:
    """Print how the ratios grow with the corpus."""
    print("\n## Ratios by size")
    print(f"{'documents':>9} {'p50/FTS5':>9} {'p95/FTS5':>9} {'CPU p50/FTS5':>13} "
          f"{'Whoosh/cpc build':>17}")
    for figures in all_figures:
        latency, cpu = figures["latency"], figures["cpu"]
        ratios = [percentile(times["cpcsearch"], p) / percentile(times["fts5"], p)
                  for times, p in ((latency, 50), (latency, 95), (cpu, 50))]
        print(f"{figures['size']:>9,} {ratios[0]:>9.1f} {ratios[1]:>9.1f} {ratios[2]:>13.1f} "
              f"{statistics.median(build_ratios(figures)):>17.2f}")


def main(argv: list[str] | None = None) -> int:
    """Measure every size and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,21578",
                        help="comma-separated corpus sizes (first N documents)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder with docs.jsonl and queries.txt")
    parser.add_argument("--builds", type=int, default=3,
                        help="builds of each engine per size, taking turns (medians reported)")
    args = parser.parse_args(argv)
    if args.builds < 1:
        parser.error("--builds must be at least 1")
    try:
        sizes = [int(size) for size in args.sizes.split(",")]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        parser.error(f"--sizes {args.sizes!r} is not a comma-separated list of positive numbers")
    docs_file, queries_file = args.corpus / "docs.jsonl", args.corpus / "queries.txt"
    if not docs_file.is_file() or not queries_file.is_file():
        print(f"skipped: {docs_file} or {queries_file} is absent (the Reuters corpus ships in "
              "../shared/, which a user's clone does not have)")
        return 0
    with docs_file.open(encoding="utf-8", newline="\n") as jsonl:  # a line ends at \n only
        lines = [line for line in jsonl if line.strip()]
    print(f"corpus {args.corpus}: {len(lines):,} documents; sizes {sizes}")
    all_figures = []
    with tempfile.TemporaryDirectory(prefix="cpcsearch-perf-") as tmp:
        for size in sizes:
            if size > len(lines):
                print(f"size {size:,} is more than the corpus has: using {len(lines):,}")
            folder = Path(tmp) / str(size)
            all_figures.append(measure(min(size, len(lines)), lines, queries_file, folder,
                                       args.builds))
            report(all_figures[-1])
            shutil.rmtree(folder)
    summary(all_figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
