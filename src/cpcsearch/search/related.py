"""Related articles: more-like-this from an article's key terms, near duplicates left out."""

from __future__ import annotations

from whoosh.searching import Searcher

KEY_TERMS = 25


def related(searcher: Searcher, doc_id: str, limit: int = 5) -> list[dict[str, str | None]]:
    """Return up to `limit` articles like `doc_id` (never itself, nor a copy of it)."""
    docnum = searcher.document_number(id=doc_id)
    if docnum is None:
        return []
    source = searcher.stored_fields(docnum)
    seen_titles = {source.get("title", "").casefold()}
    found = []
    text = f"{source.get('title', '')}\n\n{source.get('body', '')}"
    for hit in searcher.more_like(docnum, "content", text=text, top=limit * 3,
                                  numterms=KEY_TERMS):
        title = hit.get("title", "")
        if hit.get("content_hash") == source.get("content_hash") or title.casefold() in seen_titles:
            continue
        seen_titles.add(title.casefold())
        date = hit.get("date")
        found.append({"id": hit["id"], "title": title, "url": hit.get("url", ""),
                      "date": date.date().isoformat() if date else None})
        if len(found) == limit:
            break
    return found
