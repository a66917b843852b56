"""The one typed record that crosses every stage: scraper → store → index → search → web."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlsplit

from cpcsearch.errors import DocumentError

TEXT_FIELDS = ("title", "body", "url", "section", "summary", "language", "fetched_at",
               "content_hash")
LIST_FIELDS = ("authors", "topics")
DATE_FIELDS = ("date", "updated")
URL_SCHEMES = ("http", "https")
SUBHEADING_CHARS = 90


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
            raise DocumentError("id: a document needs a non-empty id")
        if self.url and not is_web_url(self.url):
            raise DocumentError(f"url: {self.url[:80]!r} is not an http(s) URL")
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

        Unknown keys are ignored; a field of the wrong type, or a date that cannot be read,
        raises `DocumentError` naming the field.
        """
        problems = field_problems(data)
        if problems:
            raise DocumentError(problems[0])
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known and v is not None}
        values["id"] = str(values.get("id", "")).strip()
        for key in ("authors", "topics"):
            raw = values.get(key, ())
            values[key] = tuple(s.strip() for s in ([raw] if isinstance(raw, str) else raw) if s)
        for key in ("date", "updated"):
            values[key] = parse_iso_date(values.get(key))
        return cls(**values)

    def replace(self, **changes: Any) -> Document:
        """Return a copy with `changes`, recomputing the content hash."""
        return replace(self, content_hash="", **changes)


def field_problems(data: Mapping[str, Any]) -> list[str]:
    """Return one `field: problem` message per field of `data` that a document cannot take."""
    problems = []
    doc_id = data.get("id")
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int) or not str(doc_id).strip():
        problems.append("id: a document needs a non-empty id (a string)")
    for key in TEXT_FIELDS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(f"{key}: {_json_type(value)} where a string is expected")
    url = data.get("url")
    if isinstance(url, str) and url and not is_web_url(url):
        problems.append(f"url: {url[:80]!r} is not an http(s) URL")
    for key in LIST_FIELDS:
        value = data.get(key)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, list | tuple):
            problems.append(f"{key}: {_json_type(value)} where a list of strings is expected")
        elif not all(isinstance(item, str) for item in value):
            bad = next(item for item in value if not isinstance(item, str))
            problems.append(f"{key}: {_json_type(bad)} {bad!r} in a list of strings")
    for key in DATE_FIELDS:
        try:
            parse_iso_date(data.get(key))
        except DocumentError as exc:
            problems.append(f"{key}: {exc}")
    return problems


def _json_type(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", list: "a list",
             tuple: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def is_web_url(url: str) -> bool:
    """Tell whether `url` is an absolute http(s) URL, the only kind a document may link to."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in URL_SCHEMES and bool(parts.netloc)


def parse_iso_date(value: Any) -> dt.date | None:
    """Read an ISO 8601 date or date-time (or a `date`); empty means None."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise DocumentError(f"{str(value)[:80]!r} is not an ISO 8601 date (write it as "
                            "2024-04-25)")
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            raise DocumentError(
                f"{text[:80]!r} is not an ISO 8601 date (write it as 2024-04-25)") from None


def content_hash(title: str, body: str) -> str:
    """Return a hash of the visible content, whitespace-insensitive, to spot duplicates."""
    text = " ".join(f"{title}\n{body}".split()).lower()
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def is_subheading(paragraph: str) -> bool:
    """Tell whether a body paragraph reads as a subheading: short, one line, no final stop."""
    return len(paragraph) <= SUBHEADING_CHARS and not paragraph.rstrip().endswith(
        (".", "!", "?", ":", ";", ",", "\u201d", '"'))
