"""Measurements that need a process of their own, so that its peak RSS is theirs alone.

`performance.py` runs this script once per measurement and reads the one JSON line it prints:

    python isolated.py build cpcsearch STORE INDEX_DIR    # run_reindex(full=True)
    python isolated.py build whoosh DOCS_JSONL FOLDER
    python isolated.py build fts5 DOCS_JSONL SQLITE_FILE
    python isolated.py serve STORE INDEX_DIR QUERIES_TXT REPEAT

Each engine's modules are imported only in its own branch, so that one build does not carry
another's libraries in its RSS.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def status_mb(key: str) -> float:
    """Return a memory figure of /proc/self/status (VmRSS: now, VmHWM: peak), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/self/status has no {key} line")


def rss_mb() -> float:
    """Return this process's resident set size now, in MB."""
    return status_mb("VmRSS")


def peaks() -> dict[str, float]:
    """Return the peak RSS of this process and of its largest child process (workers), in MB.

    The process's own peak is VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the
    parent through fork and exec, so it would report the benchmark's own size.
    """
    return {"peak_mb": status_mb("VmHWM"),
            "workers_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def read_docs(path: str) -> list[dict]:
    """Return the documents of a JSONL file."""
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def cpu_seconds() -> float:
    """Return the CPU time of this process and of its ended children (workers) so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def build(engine: str, source: str, target: str) -> dict[str, float]:
    """Build one engine's index and return its build time (wall and CPU) and peak RSS."""
    if engine == "cpcsearch":
        # The indexing code is loaded before the clock starts, as the references' library is.
        import cpcsearch.index.parallel  # noqa: F401
        import cpcsearch.index.sentences  # noqa: F401
        from cpcsearch.config import Config
        from cpcsearch.pipeline import run_reindex

        config = Config.load(env={}, STORE=source, INDEX_DIR=target)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        run_reindex(config, full=True)
    else:
        import references

        docs = read_docs(source)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        if engine == "whoosh":
            references.build_whoosh(docs, Path(target))
        else:
            references.build_fts5(docs, Path(target))
    return {"seconds": time.perf_counter() - started, "cpu_seconds": cpu_seconds() - cpu_started,
            **peaks()}


def serve(store: str, index_dir: str, queries_file: str, repeat: int) -> dict[str, float]:
    """Start a fresh engine, time its first query, then run the queries `repeat` times."""
    from cpcsearch.config import Config
    from cpcsearch.search.engine import SearchEngine
    from cpcsearch.search.request import SearchRequest

    queries = Path(queries_file).read_text(encoding="utf-8").splitlines()
    figures = {"rss_start_mb": rss_mb()}
    started = time.perf_counter()
    engine = SearchEngine.from_config(Config.load(env={}, STORE=store, INDEX_DIR=index_dir))
    figures["engine_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    engine.search(SearchRequest(q=queries[0]))
    figures["first_ms"] = (time.perf_counter() - started) * 1000
    figures["rss_first_mb"] = rss_mb()
    for _ in range(repeat):
        for text in queries:
            engine.search(SearchRequest(q=text))
    figures["queries"] = repeat * len(queries) + 1
    figures["rss_end_mb"] = rss_mb()
    return figures


def main(argv: list[str]) -> int:
    """Run the measurement named by `argv` and print its figures as one JSON line."""
    if argv[:1] == ["build"] and len(argv) == 4:
        figures = build(*argv[1:])
    elif argv[:1] == ["serve"] and len(argv) == 5:
        figures = serve(*argv[1:4], int(argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
