"""`cpcsearch import`: saved HTML pages and JSONL documents into the store.

Every line of a `.jsonl` file is checked against the document's types: a bad line is reported
as `file:line: field: problem` and skipped, and the good lines are stored all the same.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cpcsearch.document import DATE_FIELDS, Document, field_problems
from cpcsearch.errors import DocumentError, ScrapeError
from cpcsearch.store import Store

log = logging.getLogger(__name__)
HTML_SUFFIXES = (".html", ".htm")
# What no text holds: control characters (but tabs and line breaks), which XML feeds cannot
# carry, and halves of UTF-16 pairs (JSON's "\ud800"), which UTF-8 cannot store.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATES = re.compile(r"[\ud800-\udfff]")
BATCH = 1000


@dataclass
class ImportReport:
    """What an import did: counts, and one message per problem, naming its source."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, message: str, failed: bool = True) -> None:
        """Record a problem; `failed` when it cost the document."""
        log.info(message)
        self.problems.append(message)
        self.failed += failed

    def summary(self) -> str:
        """Return the one-line outcome."""
        return (f"added {self.added}, changed {self.changed}, unchanged {self.unchanged}, "
                f"failed {self.failed}")


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in HTML_SUFFIXES
                              or p.suffix.lower() == ".jsonl")
        else:
            yield path


def _read_jsonl(path: Path, report: ImportReport) -> Iterator[tuple[Document, None]]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                data = json.loads(line)
            except ValueError as exc:
                report.problem(f"{where}: skipped, not JSON ({exc})")
                continue
            if not isinstance(data, dict):
                report.problem(f"{where}: skipped, a JSON {type(data).__name__} where an "
                               "object of document fields is expected")
                continue
            data = {key: _printable(value) for key, value in data.items()}
            problems = field_problems(data)
            # An unreadable date, or a link that is not http(s), costs that field, not the
            # document.
            for key in (*DATE_FIELDS, "url"):
                late = [p for p in problems if p.startswith(f"{key}: ")]
                for message in late:
                    report.problem(f"{where}: {message}; stored without {key}", failed=False)
                    problems.remove(message)
                    data[key] = "" if key == "url" else None
            if problems:
                report.problem(f"{where}: skipped, {'; '.join(problems)}")
                continue
            try:
                yield Document.from_dict(data), None
            except DocumentError as exc:
                report.problem(f"{where}: skipped, {exc}")


def _printable(value: object) -> object:
    """Return a JSON value with its text's control characters spaced out and its lone
    surrogates replaced (U+FFFD)."""
    if isinstance(value, str):
        return SURROGATES.sub("\ufffd", CONTROLS.sub(" ", value))
    if isinstance(value, list):
        return [_printable(item) for item in value]
    return value


def _read_html(path: Path, report: ImportReport) -> Iterator[tuple[Document, str]]:
    from cpcsearch.scrape import extract_document

    try:
        html = path.read_text(encoding="utf-8", errors="replace")
        yield extract_document(html), html
    except (OSError, ScrapeError, DocumentError) as exc:
        report.problem(f"{path}: skipped, {exc}")


def import_paths(store: Store, paths: list[str | Path]) -> ImportReport:
    """Add the documents found in `paths` (HTML files, folders, `.jsonl` files) to `store`."""
    report = ImportReport()
    batch: list[tuple[Document, str | None]] = []

    def flush() -> None:
        counts = store.upsert_many(batch)
        report.added += counts.added
        report.changed += counts.changed
        report.unchanged += counts.unchanged
        batch.clear()

    for path in _files([Path(p) for p in paths]):
        if not path.exists():
            report.problem(f"{path}: no such file or folder")
            continue
        reader = _read_jsonl if path.suffix.lower() == ".jsonl" else _read_html
        for item in reader(path, report):
            batch.append(item)
            if len(batch) >= BATCH:
                flush()
    flush()
    return report
