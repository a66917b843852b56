"""The one typed record that crosses every stage: scraper → store → index → search → web."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from cpcsearch.errors import DocumentError


@dataclass(frozen=True)
class Document:
    """A normalized article."""

    id: str
    title: str = ""
    body: str = ""
    url: str = ""
    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    updated: dt.date | None = None
    section: str = ""
    topics: tuple[str, ...] = ()
    summary: str = ""
    language: str = "en"
    fetched_at: str = ""
    content_hash: str = field(default="")

    def __post_init__(self) -> None:
        if not self.id:
            raise DocumentError("a document needs a non-empty id")
        if not self.content_hash:
            object.__setattr__(self, "content_hash", content_hash(self.title, self.body))

    @property
    def paragraphs(self) -> list[str]:
        """Return the body split into its paragraphs."""
        return [p for p in re.split(r"\n\s*\n", self.body) if p.strip()]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict; dates as ISO 8601, lists as lists."""
        data = asdict(self)
        for key in ("date", "updated"):
            data[key] = data[key].isoformat() if data[key] else None
        data["authors"] = list(self.authors)
        data["topics"] = list(self.topics)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        """Build a document from a dict such as `to_dict` or an import line produces.

        Unknown keys are ignored; a date that cannot be read raises `DocumentError`.
        """
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known and v is not None}
        values["id"] = str(values.get("id", "")).strip()
        for key in ("authors", "topics"):
            raw = values.get(key, ())
            values[key] = tuple(s.strip() for s in ([raw] if isinstance(raw, str) else raw) if s)
        for key in ("date", "updated"):
            values[key] = parse_iso_date(values.get(key))
        for key in ("title", "body", "url", "section", "summary", "language", "fetched_at"):
            if key in values:
                values[key] = str(values[key])
        return cls(**values)

    def replace(self, **changes: Any) -> Document:
        """Return a copy with `changes`, recomputing the content hash."""
        return replace(self, content_hash="", **changes)


def parse_iso_date(value: Any) -> dt.date | None:
    """Read an ISO 8601 date or date-time (or a `date`); empty means None."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            raise DocumentError(f"date {text!r} is not ISO 8601 (write it as 2024-04-25)") from None


def content_hash(title: str, body: str) -> str:
    """Return a hash of the visible content, whitespace-insensitive, to spot duplicates."""
    text = " ".join(f"{title}\n{body}".split()).lower()
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
