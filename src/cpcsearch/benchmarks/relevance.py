"""Score cpcsearch's default ranking on a test collection, end to end, and print the table.

Run as ``python -m cpcsearch.benchmarks.relevance [--collection DIR]`` (default: Cranfield in
``../shared/data/ir/cranfield``). The collection is imported into a temporary store, indexed,
searched with each query exactly as a user would type it, and scored by the shared
``ir_eval.py`` (MAP, nDCG@10, P@10, Recall@100).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from cpcsearch.benchmarks import SHARED_DIR, load_shared_tool
from cpcsearch.config import Config
from cpcsearch.importer import import_paths
from cpcsearch.pipeline import run_reindex
from cpcsearch.search.engine import SearchEngine
from cpcsearch.store import Store

DEFAULT_COLLECTION = SHARED_DIR / "data" / "ir" / "cranfield"
BASELINES = {  # measured by the maintainers on this machine (../shared/data/ir/README.md)
    "Whoosh, StemmingAnalyzer, OrGroup.factory(0.9)": (0.423, 0.532),
    "SQLite FTS5, porter, bm25()": (0.414, 0.540),
}


def evaluate(collection: Path, limit: int = 100,
             semantic_weights: Sequence[float | None] = (None,)) -> list[dict[str, float]]:
    """Import, index and search a collection in a temporary folder; return its scores.

    The collection is indexed once and searched with each semantic weight in turn (None: the
    configured default), one set of scores per weight.
    """
    tool = load_shared_tool("ir_eval")
    qrels = tool.load_qrels(str(collection / "qrels.tsv"))
    lines = (collection / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    queries = [json.loads(line) for line in lines if line.strip()]
    scores = []
    with tempfile.TemporaryDirectory() as tmp:
        config = Config.load(STORE=f"{tmp}/store.sqlite", INDEX_DIR=f"{tmp}/index")
        with Store(config.STORE) as store:
            import_paths(store, [collection / "docs.jsonl"])
        run_reindex(config, full=True)
        for weight in semantic_weights:
            engine = SearchEngine.from_config(
                config if weight is None else config.with_overrides(SEMANTIC_WEIGHT=weight))
            ranked = engine.rank([q["text"] for q in queries], limit)
            run = {str(q["id"]): [doc_id for doc_id, _ in hits]
                   for q, hits in zip(queries, ranked, strict=True)}
            scores.append(tool.score(qrels, run))
    return scores


def main(argv: list[str] | None = None) -> int:
    """Print cpcsearch's scores beside the baselines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collection", type=Path, default=DEFAULT_COLLECTION)
    args = parser.parse_args(argv)
    if not (args.collection / "qrels.tsv").is_file():
        sys.exit(f"test collection not found: {args.collection} (docs.jsonl, queries.jsonl, "
                 "qrels.tsv; pass --collection DIR)")
    started = time.perf_counter()
    lexical, default = evaluate(args.collection, semantic_weights=(0.0, None))
    print(f"{'engine':<48} {'MAP':>6} {'nDCG@10':>8} {'P@10':>6} {'R@100':>6}")
    for name, (map_, ndcg) in BASELINES.items():
        print(f"{name:<48} {map_:>6.3f} {ndcg:>8.3f} {'':>6} {'':>6}")
    for name, scores in (("cpcsearch, BM25 only (SEMANTIC_WEIGHT=0)", lexical),
                         ("cpcsearch (defaults)", default)):
        print(f"{name:<48} {scores['MAP']:>6.3f} {scores['nDCG@10']:>8.3f} "
              f"{scores['P@10']:>6.3f} {scores['R@100']:>6.3f}")
    print(f"{int(default['queries'])} queries, {time.perf_counter() - started:.1f} s end to end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
