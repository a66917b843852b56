"""Documents written in the formats researchers' tools read: CSV, BibTeX, RIS, Atom, citations."""

from __future__ import annotations

from urllib.parse import urlsplit

PUBLISHER = "Caspian Policy Center"


def safe_url(url: str) -> str:
    """Return `url` if it is an absolute http(s) link, else "" (no `javascript:` or `data:`)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def split_name(name: str) -> tuple[str, str]:
    """Split a displayed name into (given names, family name) at its last space."""
    given, _, family = name.strip().rpartition(" ")
    return given, family


def inverted(name: str) -> str:
    """Return "Family, Given" for "Given Family"; a name with a comma or one word as it is."""
    if "," in name:
        return name
    given, family = split_name(name)
    return f"{family}, {given}" if given else family
