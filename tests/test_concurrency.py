"""One commit's searcher is shared by every request of a process, and Whoosh reads its files with
a seek and then a read: requests in many threads at once must answer as each would alone."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cpcsearch.config import Config
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.request import SearchRequest

REQUESTS = 450
THREADS = 8


def test_searches_completions_and_related_articles_at_once_answer_as_alone(
        demo_config: Config, demo_docs: dict) -> None:
    words = sorted({w.lower() for d in demo_docs.values()
                    for w in re.findall(r"[A-Za-z]{5,}", f"{d.title} {d.summary}")})
    ids = sorted(demo_docs)

    def answer(engine: SearchEngine, i: int) -> Any:
        word = words[i * 7 % len(words)]
        if i % 3 == 0:
            results = engine.search(SearchRequest(q=word, per_page=20))
            return results.total, [(hit.id, str(hit.snippet)) for hit in results.hits]
        if i % 3 == 1:
            return engine.suggest(word[:3])
        return engine.related(ids[i % len(ids)])

    alone = SearchEngine(demo_config.INDEX_DIR)
    expected = [answer(alone, i) for i in range(REQUESTS)]
    shared = SearchEngine(demo_config.INDEX_DIR)  # its own searcher, every cache cold
    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(lambda i: answer(shared, i), range(REQUESTS)))
    assert answers == expected
