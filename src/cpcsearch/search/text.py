"""Plain-text rendering of results for the terminal."""

from __future__ import annotations

import html
import re

from cpcsearch.search.present import SearchResults

MARK = re.compile(r"</?mark>")


def format_results(results: SearchResults) -> str:
    """Return results as readable text, matches in the snippet shown as [word]."""
    plural = "" if results.total == 1 else "s"
    lines = [f"{results.total:,} result{plural} ({results.took_ms:.0f} ms)"]
    if results.suggestion:
        verb = "showing results for" if results.corrected else "did you mean"
        lines.append(f"{verb}: {results.suggestion}")
    start = (results.request.page - 1) * results.request.per_page
    for n, hit in enumerate(results.hits, start + 1):
        byline = ", ".join(hit.authors) or "unknown author"
        lines += ["", f"{n}. {hit.title}  [{hit.id}]", f"   {byline} · {hit.date or 'undated'}"
                  + (f" · {', '.join(hit.topics[:4])}" if hit.topics else "")]
        snippet = html.unescape(MARK.sub(lambda m: "]" if m.group(0) == "</mark>" else "[",
                                         str(hit.snippet)))
        lines.append(f"   {snippet}")
    return "\n".join(lines)
