"""Each word's terms as a rebuild's analyzer made them, saved beside its segment for snippets.

A rebuild analyses every distinct word of the articles once (`wordwise.py`). Snippets need the
terms of the words they show, and a fresh serving process would otherwise analyse each word
again on first sight: most of a snippet's cost in its first thousands of queries. The file holds
two blocks of lines, the words and their terms (space-separated; none for a stop word).
"""

from __future__ import annotations

from pathlib import Path

from cpcsearch.index.wordwise import Words

FIELD = "content"  # the text field whose words snippets show
SUFFIX = ".words"
SEPARATOR = "\0"


def path_for(folder: str | Path, segment_id: str) -> Path:
    """Return the file of a segment's words."""
    return Path(folder) / f"{segment_id}{SUFFIX}"


def save(path: Path, words: Words) -> None:
    """Write the terms of every word the analyzer has seen (lowercase when the text was ASCII)."""
    names, terms = [], []
    for word, found in words.items():
        names.append(word)
        terms.append(found.decode() if isinstance(found, bytes)
                     else " ".join(term.decode() for _, term in found[0]))
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(names) + SEPARATOR + "\n".join(terms), encoding="utf-8")
    tmp.replace(path)


def load(folder: str | Path, segment_id: str) -> dict[str, str]:
    """Return a segment's words and their terms (space-separated), or nothing if it has none."""
    try:
        names, terms = path_for(folder, segment_id).read_text(encoding="utf-8").split(SEPARATOR)
        return dict(zip(names.split("\n"), terms.split("\n"), strict=True)) if names else {}
    except (OSError, ValueError):  # missing, or damaged: snippets analyse the words themselves
        return {}
