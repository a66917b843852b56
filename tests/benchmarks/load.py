"""Load `/api/search` over loopback for a bounded time and print req/s, p50, p99 and errors.

Run as ``python tests/benchmarks/load.py [--server gunicorn|builtin] [--seconds 20]
[--concurrency 8] [--hostile] [--store FILE --index-dir DIR] [--queries FILE] [--rounds 3]``.
Without a store, the demo pages are imported and indexed into a temporary folder first. The server
is started on 127.0.0.1 (`gunicorn -w 2 wsgi:app`, or `cpcsearch serve`); the client is `wrk` with
`mix.lua` when it is installed (`apt-get install wrk`), else one Python process per connection
with keep-alive.
With `--hostile`, a quarter of the connections send costly queries instead, and the cheap queries'
p99 is printed alone. Before the load, in each of `--rounds` rounds, every cheap query is sent
once, one at a time from a bare socket, each asked for the first time (the server caches answers:
each half of the queries is timed on a server started afresh), and the same queries are timed on
an SQLite FTS5 table built in this process from the same store, for the ratio `/api/search` p50 ÷
FTS5 p50 (the median of the rounds').
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from references import Fts5Reference, build_fts5

from cpcsearch.store import Store

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[1]
CHEAP = ("gas", "oil", "pipeline", "middle corridor", "azerbaijan", "kazakhstan", "armenia",
         "energy security", "caspian sea", "turkiye", "russia", "china", "rail freight",
         "sanctions", "water", "border", "natural gas exports", "renewable energy", "csto",
         "central asia trade")
SHORT_WORDS = ("gas", "oil", "rail", "port", "trade", "energy", "china", "iran", "sea", "dam")
HOSTILE = ("*a*", "co*", "a" * 300 + "*", "(" * 200 + "gas" + ")" * 200,
           "(" * 300 + "oil OR", " ".join(itertools.islice(itertools.cycle(SHORT_WORDS), 500)))


@dataclass
class Tally:
    """What one class of queries (cheap or hostile) got back from the server."""

    requests: int
    seconds: float
    client_errors: int  # 4xx
    others: int  # 3xx, 5xx, and socket errors
    percentiles_ms: list[float]  # the 0.1st, 0.2nd, ... 100th percentiles


def search_path(text: str) -> str:
    """Return the API path that searches for `text`."""
    return "/api/search?" + urlencode({"q": text})


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(env: dict[str, str], *args: str) -> None:
    """Run a cpcsearch command; stop with its output if it fails."""
    done = subprocess.run([sys.executable, "-m", "cpcsearch", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"cpcsearch {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def start_server(kind: str, workers: int, port: int, env: dict[str, str],
                 log: Path) -> subprocess.Popen:
    """Start the server and wait until /healthz answers 200; stop with its log if it does not."""
    if kind == "gunicorn":
        command = [sys.executable, "-m", "gunicorn", "-w", str(workers),
                   "-b", f"127.0.0.1:{port}", "wsgi:app"]
    else:
        command = [sys.executable, "-m", "cpcsearch", "serve", "--host", "127.0.0.1",
                   "--port", str(port)]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    raise SystemExit(f"{' '.join(command)} did not answer /healthz on port {port}:\n"
                     f"{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    """Stop the server we started (gunicorn's master takes its workers down with it)."""
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def server_rss_mb(pid: int) -> list[float]:
    """Return the RSS in MB of process `pid` and then of each of its children."""
    def rss(p: int) -> float:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    return [rss(pid)] + [rss(child) for child in sorted(children)]


def time_one(connection: http.client.HTTPConnection, path: str) -> tuple[int, float]:
    """Send one GET; return its status (0 for a socket error) and its latency in ms."""
    started = time.perf_counter()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        connection.close()
        status = 0
    return status, (time.perf_counter() - started) * 1000


def drive(port: int, paths: list[str], offset: int, seconds: float, group: str,
          start: Any, answers: Any) -> None:
    """Send `paths` in turn over one keep-alive connection for `seconds`, from when all are ready.

    Put (group, answers, start time, end time) on the `answers` queue.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    got = []
    start.wait()
    started = time.monotonic()
    for path in itertools.islice(itertools.cycle(paths), offset, None):
        if time.monotonic() >= started + seconds:
            break
        got.append(time_one(connection, path))
    connection.close()
    answers.put((group, got, started, time.monotonic()))


def tally(answers: list[tuple[int, float]], seconds: float) -> Tally:
    """Count and summarise the answers of the Python client."""
    statuses = [status for status, _ in answers]
    latencies = [ms for _, ms in answers]
    return Tally(len(answers), seconds, sum(400 <= s < 500 for s in statuses),
                 sum(not 200 <= s < 300 and not 400 <= s < 500 for s in statuses),
                 statistics.quantiles(latencies, n=1000, method="inclusive") + [max(latencies)]
                 if len(latencies) > 1 else latencies * 1000)


def python_load(port: int, groups: dict[str, tuple[list[str], int]],
                seconds: int) -> dict[str, Tally]:
    """Drive the server with one process per connection, all starting together."""
    context = multiprocessing.get_context("spawn")
    connections = sum(count for _, count in groups.values())
    start, queue = context.Barrier(connections), context.Queue()
    clients = [context.Process(target=drive, args=(port, paths, 7 * i, seconds, group, start,
                                                   queue))
               for group, (paths, count) in groups.items() for i in range(count)]
    for client in clients:
        client.start()
    results = [queue.get(timeout=seconds + 300) for _ in clients]
    for client in clients:
        client.join()
    elapsed = max(end for *_, end in results) - min(begun for *_, begun, _ in results)
    return {group: tally([a for name, got, *_ in results if name == group for a in got], elapsed)
            for group in groups}


def wrk_load(port: int, groups: dict[str, tuple[list[str], int]], seconds: int,
             folder: Path) -> dict[str, Tally]:
    """Drive the server with one `wrk` per group, all at once; return a tally per group."""
    runs = {}
    for name, (paths, connections) in groups.items():
        paths_file = folder / f"{name}.paths"
        paths_file.write_text("\n".join(paths) + "\n")
        runs[name] = subprocess.Popen(
            ["wrk", "-c", str(connections), "-t", str(min(2, connections)), "-d", f"{seconds}s",
             "--timeout", "60s", "-s", str(HERE / "mix.lua"), f"http://127.0.0.1:{port}",
             "--", str(paths_file)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tallies = {}
    for name, run in runs.items():
        out, err = run.communicate()
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if run.returncode or not lines:
            raise SystemExit(f"wrk failed for the {name} queries:\n{out}{err}")
        data = json.loads(lines[-1])
        tallies[name] = Tally(data["requests"], data["seconds"], data["client_errors"],
                              data["others"] + data["socket_errors"],
                              [us / 1000 for us in data["percentiles_us"]])
    return tallies


def merged_percentile(tallies: list[Tally], p: float) -> float:
    """Return the p-th percentile over several tallies, each weighted by its request count."""
    points = sorted((ms, t.requests / len(t.percentiles_ms)) for t in tallies
                    for ms in t.percentiles_ms)
    total, reached = sum(weight for _, weight in points), 0.0
    for ms, weight in points:
        reached += weight
        if reached >= total * p / 100:
            return ms
    return points[-1][0]


def fts5_table(store_path: str, folder: Path) -> Fts5Reference:
    """Return an FTS5 table of the store's live documents, built in this process."""
    with Store(store_path) as store:
        docs = [{"id": s.document.id, "title": s.document.title, "body": s.document.body}
                for s in store.changes_since(0) if not s.gone]
    build_fts5(docs, folder / "fts5.sqlite")
    return Fts5Reference(folder / "fts5.sqlite")


def fts5_times(fts5: Fts5Reference, queries: list[str]) -> list[float]:
    """Return the times in ms of `queries` on the FTS5 table, each asked 20 times after once."""
    for text in queries:
        fts5.search(text)
    times = []
    for _ in range(20):
        for text in queries:
            started = time.perf_counter()
            fts5.search(text)
            times.append((time.perf_counter() - started) * 1000)
    return times


def one_at_a_time(port: int, paths: list[str]) -> list[float]:
    """Send `paths` one at a time, each on a new connection, and return each latency in ms.

    The client is a bare socket, as lean as `wrk`: Python's `http.client` parses the answer's
    headers and spends some 0.15 ms a request of its own. An answer other than 200 stops the run.
    """
    times = []
    for path in paths:
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        sent = request.encode()
        started = time.perf_counter()
        with socket.socket() as sock:  # not create_connection: it resolves the address anew
            sock.settimeout(60)
            sock.connect(("127.0.0.1", port))
            sock.sendall(sent)
            answer = b"".join(iter(partial(sock.recv, 1 << 16), b""))
        times.append((time.perf_counter() - started) * 1000)
        if not answer.startswith(b"HTTP/1.1 200 "):
            raise SystemExit(f"GET {path} answered {answer[:80]!r}")
    return times


def first_asked(args: argparse.Namespace, env: dict[str, str], cheap: list[str],
                fts5: Fts5Reference, folder: Path) -> None:
    """Print the p50 of queries asked for the first time, one at a time, against FTS5's.

    A server keeps its answers, so a query asked again would time its cache. Each round times
    every query once: for each half of the queries, a server is started afresh, the other half
    starts its workers, then each query of the half is asked once, and FTS5 is timed on the same
    half just before. A round's ratio is the p50 of all its requests over FTS5's p50 of the same
    queries; the median of the rounds' ratios is the figure, so that a slow spell of the machine
    in one round does not make it. (One half per round gave the half timed in more rounds the
    figure: the halves differ by up to 15% at 1,000 Reuters articles.)
    """
    ratios = []
    for turn in range(args.rounds):
        times, reference = [], []
        for timed, warming in ((cheap[::2], cheap[1::2]), (cheap[1::2], cheap[::2])):
            reference += fts5_times(fts5, timed)
            port = free_port()
            server = start_server(args.server, args.workers, port, env, folder / "server.log")
            try:
                one_at_a_time(port, [search_path(q) for q in warming])
                times += one_at_a_time(port, [search_path(q) for q in timed])
            finally:
                stop(server)
        p50, fts5_p50 = statistics.median(times), statistics.median(reference)
        ratios.append(p50 / fts5_p50)
        print(f"  round {turn + 1}: /api/search p50 {p50:.2f} ms, FTS5 p50 {fts5_p50:.2f} ms, "
              f"×{ratios[-1]:.1f}")
    print(f"one request at a time, each query asked for the first time: median ratio "
          f"×{statistics.median(ratios):.1f} over {args.rounds} rounds (target ≤ 3)")


def report(tallies: dict[str, Tally]) -> None:
    """Print throughput, latency and errors of the load run."""
    everything = list(tallies.values())
    requests = sum(t.requests for t in everything)
    seconds = max(t.seconds for t in everything)
    errors = sum(t.others for t in everything) + tallies["cheap"].client_errors
    print(f"under load: {requests:,} requests in {seconds:.1f} s = {requests / seconds:.0f} req/s "
          f"(target ≥ 300), p50 {merged_percentile(everything, 50):.1f} ms, "
          f"p99 {merged_percentile(everything, 99):.1f} ms (target < 50)")
    print(f"errors: {errors} (non-2xx answers and socket errors; deliberate 4xx excluded)")
    if "hostile" in tallies:
        cheap, hostile = tallies["cheap"], tallies["hostile"]
        print(f"hostile queries: {hostile.requests:,} answered, {hostile.client_errors} of "
              f"them 4xx (deliberate), p50 {merged_percentile([hostile], 50):.1f} ms, "
              f"p99 {merged_percentile([hostile], 99):.1f} ms")
        print(f"cheap queries alone: {cheap.requests:,}, p50 {merged_percentile([cheap], 50):.1f}"
              f" ms, p99 {merged_percentile([cheap], 99):.1f} ms")


def main(argv: list[str] | None = None) -> int:
    """Prepare the index, start the server, load it and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=("gunicorn", "builtin"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--hostile", action="store_true",
                        help="send costly queries on a quarter of the connections")
    parser.add_argument("--store", help="SQLite store to serve (with --index-dir)")
    parser.add_argument("--index-dir", help="index folder built from --store")
    parser.add_argument("--queries", type=Path, help="cheap queries, one a line")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--rounds", type=int, default=3,
                        help="servers started afresh to time queries asked for the first time")
    args = parser.parse_args(argv)
    if bool(args.store) != bool(args.index_dir):
        parser.error("--store and --index-dir go together: give both, or neither for the demo")
    if args.store and not (Path(args.store).is_file() and Path(args.index_dir).is_dir()):
        parser.error(f"--store {args.store} is not a file or --index-dir {args.index_dir} is not "
                     "a folder: build them with `cpcsearch import` and `cpcsearch reindex --full`")
    if min(args.concurrency, args.seconds, args.workers, args.rounds) < 1:
        parser.error("--concurrency, --seconds, --workers and --rounds must be positive")
    if args.hostile and args.concurrency < 2:
        parser.error("--hostile needs --concurrency 2 or more (a cheap and a hostile connection)")
    if args.client == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed: apt-get install wrk, or use --client python")
    cheap = list(CHEAP)
    if args.queries:
        if not args.queries.is_file():
            parser.error(f"--queries {args.queries} is not a file")
        cheap = [line for line in args.queries.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    with tempfile.TemporaryDirectory(prefix="cpcsearch-load-") as tmp:
        folder = Path(tmp)
        store = args.store or str(folder / "store.sqlite")
        index_dir = args.index_dir or str(folder / "index")
        env = {**os.environ, "CPCSEARCH_STORE": store, "CPCSEARCH_INDEX_DIR": index_dir}
        if not args.store:
            cli(env, "import", str(PROJECT_ROOT / "scraper" / "demo"))
            cli(env, "reindex", "--full")
        label = f"gunicorn -w {args.workers}" if args.server == "gunicorn" else "cpcsearch serve"
        print(f"server: {label} on 127.0.0.1 over {store}")
        fts5 = fts5_table(store, folder)
        first_asked(args, env, cheap, fts5, folder)
        reference = statistics.median(fts5_times(fts5, cheap))
        fts5.close()
        port = free_port()
        server = start_server(args.server, args.workers, port, env, folder / "server.log")
        try:
            hostile = max(1, args.concurrency // 4) if args.hostile else 0
            groups = {"cheap": ([search_path(q) for q in cheap], args.concurrency - hostile)}
            if hostile:
                groups["hostile"] = ([search_path(q) for q in HOSTILE], hostile)
            print(f"client: {'wrk' if use_wrk else 'Python, one process per connection'}, "
                  f"{args.concurrency} connections ({hostile} hostile), {args.seconds} s")
            tallies = (wrk_load(port, groups, args.seconds, folder) if use_wrk
                       else python_load(port, groups, args.seconds))
            report(tallies)
            under_load = merged_percentile([tallies["cheap"]], 50)
            print(f"under load: cheap /api/search p50 ÷ FTS5 p50 ×{under_load / reference:.1f} "
                  "(under load the queries repeat: most are answered from the server's cache)")
            sizes = ", ".join(f"{mb:.0f}" for mb in server_rss_mb(server.pid))
            print(f"machine load average: {os.getloadavg()[0]:.1f} (on {os.cpu_count()} cores)")
            print(f"server RSS after the run (MB; process, then its workers): {sizes}")
        finally:
            stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
