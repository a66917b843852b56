"""Score cpcsearch's ranking on judged test collections, beside SQLite FTS5, and print the tables.

Run as ``python -m cpcsearch.benchmarks.relevance --all`` (every collection in
``../shared/data/ir/``) or ``--collection DIR``. Each collection is imported into a temporary
store and indexed once; its queries run exactly as a user types them, through
`SearchEngine.search()` (the users' path, without snippets or facets), and through an FTS5 table
(porter tokenizer, `bm25()`, the query's words OR-joined as written) in the same process. Scores
come from the shared ``ir_eval.py`` at depth 100. The ablation runs the default with each
component off in turn; `--sweep` adds the parameter grid the defaults were chosen from, and a
two-fold cross-validation of that choice (chosen on half of each collection's queries, scored on
the other half), and of InB2's weight and c alone against BM25F without InB2.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from cpcsearch.benchmarks import SHARED_DIR, load_shared_tool
from cpcsearch.config import Config
from cpcsearch.importer import import_paths
from cpcsearch.pipeline import run_reindex
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.ranking import DEFAULT, Ranking
from cpcsearch.search.request import SearchRequest
from cpcsearch.store import Store

IR_DIR = SHARED_DIR / "data" / "ir"
DEPTH = 100
METRICS = ("MAP", "nDCG@10", "P@10", "R@100")
ALONE = "BM25F alone (no InB2)"
ABLATION = {"default": DEFAULT, "no feedback (RM3)": replace(DEFAULT, feedback_docs=0),
            ALONE: replace(DEFAULT, inb2_weight=0.0),
            "InB2 alone": replace(DEFAULT, inb2_weight=1.0),
            "feedback keeping common words": replace(DEFAULT, feedback_common=1.0),
            "with a title bonus (0.25)": replace(DEFAULT, title_weight=0.25),
            "no query-term frequency": replace(DEFAULT, query_term_k3=None)}
SWEEP = {f"k1={k1} b={b}": replace(DEFAULT, k1=k1, b=b)
         for k1 in (0.9, 1.2, 1.5, 2.0) for b in (0.5, 0.75, 0.9)} | {
    f"title weight {w}": replace(DEFAULT, title_weight=w) for w in (0.0, 0.25, 0.5, 1.0)} | {
    f"query-term k3={k3}": replace(DEFAULT, query_term_k3=k3)
    for k3 in (0.5, 0.75, 1.0, 3.0, 100.0)} | {
    f"feedback {d} docs {t} terms weight {w}": replace(DEFAULT, feedback_docs=d,
                                                       feedback_terms=t, feedback_weight=w)
    for d in (5, 10, 15) for t in (5, 8, 10, 20) for w in (0.2, 0.25, 0.3, 0.4)} | {
    f"feedback leaving out words in over {c:.0%}": replace(DEFAULT, feedback_common=c)
    for c in (0.05, 0.1, 0.25)} | {
    f"InB2 weight {w} c={c}": replace(DEFAULT, inb2_weight=w, inb2_c=c)
    for w in (0.5, 0.6, 0.7, 0.8) for c in (1.0, 1.25, 1.5, 2.0, 3.0)}
WORD = re.compile(r"\w+")

Run = dict[str, list[str]]


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _timed(queries: list[dict], search: Callable[[str], list[str]]) -> tuple[Run, float]:
    """Return the run of `search` over the queries and its median time per query in ms."""
    run, times = {}, []
    for query in queries:
        started = time.perf_counter()
        run[str(query["id"])] = search(query["text"])
        times.append((time.perf_counter() - started) * 1000)
    return run, statistics.median(times)


def _fts5(docs: list[dict]) -> Callable[[str], list[str]]:
    """Return a search function over an in-memory FTS5 table of `docs`."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, text, "
               "tokenize='porter unicode61')")
    db.executemany("INSERT INTO t VALUES (?, ?)",
                   ((str(d["id"]), f"{d.get('title', '')}\n{d.get('body', '')}") for d in docs))

    def search(text: str) -> list[str]:
        words = " OR ".join(f'"{w}"' for w in WORD.findall(text))
        if not words:
            return []
        rows = db.execute("SELECT id FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT ?",
                          (words, DEPTH))
        return [row[0] for row in rows]

    return search


def _cpcsearch(engine: SearchEngine) -> Callable[[str], list[str]]:
    def search(text: str) -> list[str]:
        request = SearchRequest(q=text, per_page=DEPTH, snippets=False, facets=False)
        return [hit.id for hit in engine.search(request).hits]

    return search


def _halves(tool: object, qrels: dict, run: Run, queries: list[dict]) -> dict[str, float]:
    """Return the MAP and nDCG@10 of each half of the queries (alternate ones), as "MAP/0"..."""
    scores = {}
    for half in (0, 1):
        ids = {str(q["id"]) for q in queries[half::2]}
        part = tool.score({q: v for q, v in qrels.items() if q in ids},
                          {q: v for q, v in run.items() if q in ids})
        scores |= {f"{metric}/{half}": part[metric] for metric in ("MAP", "nDCG@10")}
    return scores


def evaluate(collection: Path, variants: dict[str, Ranking]) -> dict[str, dict[str, float]]:
    """Return the scores (and median ms) of FTS5 and of each variant on one collection.

    Each variant's scores on either half of the queries are there too, for cross-validation.
    """
    tool = load_shared_tool("ir_eval")
    qrels = tool.load_qrels(str(collection / "qrels.tsv"))
    queries = _read_jsonl(collection / "queries.jsonl")
    scores: dict[str, dict[str, float]] = {}
    run, median = _timed(queries, _fts5(_read_jsonl(collection / "docs.jsonl")))
    scores["SQLite FTS5"] = tool.score(qrels, run) | {"ms": median}
    with tempfile.TemporaryDirectory() as tmp:
        config = Config.load(env={}, STORE=f"{tmp}/store.sqlite", INDEX_DIR=f"{tmp}/index")
        with Store(config.STORE) as store:
            import_paths(store, [collection / "docs.jsonl"])
        run_reindex(config, full=True)
        for name, rank in variants.items():
            engine = SearchEngine(config.INDEX_DIR, rank=rank)
            run, median = _timed(queries, _cpcsearch(engine))
            scores[name] = (tool.score(qrels, run) | {"ms": median}
                            | _halves(tool, qrels, run, queries))
    return scores


def _row(name: str, values: list[str]) -> str:
    return f"| {name} | " + " | ".join(values) + " |"


def _mean(per: dict[str, dict[str, dict[str, float]]], engine: str, metric: str,
          names: list[str]) -> float:
    return statistics.fmean(per[c][engine][metric] for c in names)


def print_tables(per: dict[str, dict[str, dict[str, float]]], variants: list[str]) -> None:
    """Print the per-collection table, the macro means and the ablation, as Markdown."""
    names = list(per)
    held = [c for c in names if c != "cranfield"]
    print(_row("collection", ["engine", *METRICS, "median ms"]))
    print(_row("---", ["---"] * (len(METRICS) + 2)))
    for c in names:
        for engine in ("SQLite FTS5", variants[0]):
            s = per[c][engine]
            print(_row(c, [engine, *(f"{s[m]:.3f}" for m in METRICS), f"{s['ms']:.1f}"]))
    for label, group in (("mean of all", names), ("mean without Cranfield", held)):
        for engine in ("SQLite FTS5", variants[0]):
            print(_row(f"**{label}**", [engine, *(f"{_mean(per, engine, m, group):.3f}"
                                                   for m in METRICS), ""]))
    print()
    print(_row("variant (macro mean of all)", ["MAP", "nDCG@10", "worst loss vs default",
                                                "best gain vs default", *names]))
    print(_row("---", ["---"] * (4 + len(names))))
    for engine in variants:
        changes = [per[c][engine][m] - per[c][variants[0]][m]
                   for c in names for m in ("MAP", "nDCG@10")]
        cells = [f"{per[c][engine]['MAP']:.3f}/{per[c][engine]['nDCG@10']:.3f}" for c in names]
        print(_row(engine, [f"{_mean(per, engine, 'MAP', names):.4f}",
                            f"{_mean(per, engine, 'nDCG@10', names):.4f}",
                            f"{min(changes):+.3f}", f"{max(changes):+.3f}", *cells]))


def cross_validate(per: dict[str, dict[str, dict[str, float]]], variants: list[str]) -> None:
    """Choose the variant on one half of every collection's queries; score it on the other."""
    names = list(per)

    def mean(engine: str, metric: str, half: int) -> float:
        return statistics.fmean(per[c][engine][f"{metric}/{half}"] for c in names)

    def both(engine: str, half: int) -> str:
        return f"{mean(engine, 'MAP', half):.4f} / {mean(engine, 'nDCG@10', half):.4f}"

    def chosen(among: list[str], half: int) -> str:
        return max(among, key=lambda v: mean(v, "MAP", half) + mean(v, "nDCG@10", half))

    print("\nCross-validation (macro means, MAP / nDCG@10; alternate queries of each collection)")
    fusion = [ALONE] + [v for v in variants if v.startswith("InB2 weight")]
    for tuned in (0, 1):
        other = 1 - tuned
        best = chosen(variants, tuned)
        print(f"- chosen on half {tuned}: {best} ({both(best, tuned)}); on half {other}: "
              f"{both(best, other)}, the default {both(variants[0], other)}, no feedback "
              f"{both('no feedback (RM3)', other)}")
        if len(fusion) > 1:  # InB2's weight and c alone, against BM25F without InB2
            best = chosen(fusion, tuned)
            print(f"  InB2's weight and c chosen on half {tuned}: {best}; on half {other}: "
                  f"{both(best, other)}, BM25F alone {both(ALONE, other)}")


def main(argv: list[str] | None = None) -> int:
    """Score the collections and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help=f"every collection in {IR_DIR}")
    parser.add_argument("--collection", type=Path, action="append", default=[])
    parser.add_argument("--sweep", action="store_true",
                        help="also the grid of k1/b, title, feedback and InB2 parameters")
    args = parser.parse_args(argv)
    collections = args.collection or ([p.parent for p in sorted(IR_DIR.glob("*/qrels.tsv"))]
                                      if args.all else [IR_DIR / "cranfield"])
    missing = [c for c in collections if not (c / "qrels.tsv").is_file()]
    if missing or not collections:
        sys.exit(f"test collection not found: {missing or IR_DIR} (docs.jsonl, queries.jsonl, "
                 "qrels.tsv; pass --collection DIR, or run from the project folder beside "
                 "../shared)")
    variants = ABLATION | (SWEEP if args.sweep else {})
    started = time.perf_counter()
    # Cranfield first, then the others in name order: the README's tables read the same way.
    per = {c.name: evaluate(c, variants)
           for c in sorted(collections, key=lambda c: (c.name != "cranfield", c.name))}
    print_tables(per, list(variants))
    if args.sweep:
        cross_validate(per, list(variants))
    print(f"\n{len(per)} collections, {time.perf_counter() - started:.0f} s end to end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
