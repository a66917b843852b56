"""The SQLite document store: upserts by id, raw HTML kept, history, gone marking."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpcsearch.document import Document
from cpcsearch.errors import DocumentError
from cpcsearch.store import Store


def doc(**fields: object) -> Document:
    return Document.from_dict({"id": "a1", "title": "Gas", "body": "Gas flows west.", **fields})


def test_upsert_keeps_raw_html_and_history(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        assert store.upsert(doc(), "<html>v1</html>")
        assert not store.upsert(doc()), "an identical document is no change"
        assert store.upsert(doc(body="Gas flows east."))
        assert store.get("a1").body == "Gas flows east."
        assert store.raw_html("a1") == "<html>v1</html>", "raw HTML kept when not replaced"
        assert store.history_count("a1") == 1
        assert [s.document.body for s in store.changes_since(0)] == ["Gas flows east."]


def test_gone_documents_leave_search_but_not_the_store(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.upsert(doc())
        seq = store.last_seq()
        assert store.mark_gone("a1")
        assert store.get("a1") is None and store.count() == 0
        assert store.history_count("a1") == 1
        changes = list(store.changes_since(seq))
        assert [(c.document.id, c.gone) for c in changes] == [("a1", True)]
        assert store.upsert(doc()), "a page that comes back is live again"
        assert store.get("a1") is not None


def test_store_survives_reopening(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.upsert(doc(authors=["A B", "C D"], date="2024-04-25"))
    with Store(tmp_path / "s.sqlite") as store:
        again = store.get("a1")
    assert again.authors == ("A B", "C D") and again.date.isoformat() == "2024-04-25"


@pytest.mark.parametrize(("fields", "message"), [
    ({"id": ""}, "non-empty id"),
    ({"date": "25/04/2024"}, "date: .* is not an ISO 8601 date"),
    ({"date": "9" * 5000}, "date: '9{80}' is not an ISO 8601 date"),  # quoted in part
    ({"url": "javascript:alert(1)"}, r"url: .* is not an http\(s\) URL"),
])
def test_invalid_documents_are_refused_with_a_reason(fields: dict, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        doc(**fields)


def test_document_round_trips_through_dict() -> None:
    original = doc(authors=["A"], topics=["Energy"], date="2024-04-25T10:00:00Z")
    assert Document.from_dict(original.to_dict()) == original
    assert original.to_dict()["date"] == "2024-04-25"
