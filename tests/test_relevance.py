"""Ranking quality on every judged collection in ../shared, end to end, against fixed floors.

The floors sit a little below what the default ranking reaches (see the README's relevance
table), for the macro mean and for each collection, so that no collection is traded for another.
"""

from __future__ import annotations

import statistics

import pytest

from cpcsearch.benchmarks.relevance import IR_DIR, evaluate
from cpcsearch.search.ranking import DEFAULT

# collection -> (MAP, nDCG@10) floors
FLOORS = {  # reached: .459/.555 .329/.489 .214/.450 .629/.766 .278/.482 .642/.682 .716/.761
    "cranfield": (0.43, 0.53), "cacm": (0.30, 0.46), "cisi": (0.19, 0.43),
    "med": (0.60, 0.74), "npl": (0.26, 0.47), "scifact": (0.62, 0.66), "time": (0.67, 0.73),
}
MEAN_FLOORS = (0.45, 0.58)  # reached: .467 / .598

pytestmark = pytest.mark.skipif(not (IR_DIR / "cranfield" / "qrels.tsv").is_file(),
                                reason=f"the judged collections are not in {IR_DIR}")


@pytest.fixture(scope="module")
def scores() -> dict[str, dict[str, float]]:
    return {name: evaluate(IR_DIR / name, {"default": DEFAULT})["default"] for name in FLOORS}


@pytest.mark.parametrize("name", FLOORS)
def test_each_collection_keeps_its_floor(scores: dict, name: str) -> None:
    floor_map, floor_ndcg = FLOORS[name]
    assert scores[name]["MAP"] >= floor_map
    assert scores[name]["nDCG@10"] >= floor_ndcg


def test_the_macro_mean_keeps_its_floor(scores: dict) -> None:
    assert statistics.fmean(s["MAP"] for s in scores.values()) >= MEAN_FLOORS[0]
    assert statistics.fmean(s["nDCG@10"] for s in scores.values()) >= MEAN_FLOORS[1]
