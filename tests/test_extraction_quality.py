"""Quality of the generic main-text extractor: shared-dataset score and small unit cases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cpcsearch.scrape.generic import extract_main_text

SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"
DATASET = SHARED_DIR / "data" / "extraction"
EVAL_TOOL = SHARED_DIR / "tools" / "extract_eval.py"
# Reached 0.978 when written; the floor leaves room for library updates, not regressions.
F1_FLOOR = 0.968

PARAGRAPH = (
    "The regional council approved the new water agreement on Tuesday after months of talks "
    "between the neighbouring states, officials said in a statement released that evening."
)


def _page(body: str) -> str:
    """Return a small article page with navigation and footer around body."""
    return (
        "<html><head><title>Water deal</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/about'>About</a></nav>"
        f"<article>{body}</article>"
        "<footer><a href='/privacy'>Privacy</a> <a href='/terms'>Terms</a></footer>"
        "</body></html>"
    )


@pytest.mark.skipif(not DATASET.is_dir() or not EVAL_TOOL.is_file(),
                    reason=f"shared extraction dataset or scoring tool absent under {SHARED_DIR}")
def test_f1_on_shared_dataset() -> None:
    from cpcsearch.benchmarks import load_shared_tool
    from cpcsearch.benchmarks.extraction import score_extractor

    scores, _ = score_extractor(extract_main_text, DATASET, load_shared_tool("extract_eval"))
    assert scores["f1"] >= F1_FLOOR, scores


@pytest.mark.skipif(not DATASET.is_dir() or not EVAL_TOOL.is_file(),
                    reason=f"shared extraction dataset or scoring tool absent under {SHARED_DIR}")
def test_benchmark_prints_the_cross_validation(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from cpcsearch.benchmarks.extraction import main

    truth = json.loads((DATASET / "ground-truth.json").read_text(encoding="utf8"))
    few = dict(sorted(truth.items())[:6])
    (tmp_path / "html").mkdir()
    (tmp_path / "ground-truth.json").write_text(json.dumps(few), encoding="utf8")
    for page_id in few:
        shutil.copy(DATASET / "html" / f"{page_id}.html.gz", tmp_path / "html")
    assert main(["--dataset", str(tmp_path), "--splits", "2"]) == 0
    out = capsys.readouterr().out
    assert "cpcsearch without readability" in out
    assert "cross-validation" in out and "all 6 pages" in out
    assert len([line for line in out.splitlines() if line.strip().startswith(("1 ", "2 "))]) == 4
    assert "largest gap between a held-out half and all pages" in out


def test_keeps_headings_and_paragraphs() -> None:
    body = "".join(
        f"<h2>Section {n}</h2><p>{PARAGRAPH} Detail number {n}.</p>" for n in range(1, 4)
    )
    text = extract_main_text(_page(body))
    paragraphs = text.split("\n\n")
    assert "Section 2" in paragraphs
    assert f"{PARAGRAPH} Detail number 2." in paragraphs


def test_drops_boilerplate_lines() -> None:
    body = "".join(f"<p>{PARAGRAPH} Point {n}.</p>" for n in range(4))
    body += "<p>Subscribe to our newsletter</p><p>Follow us on Twitter @example</p>"
    body += "<p>Related: Another story about water</p><ul><li>Yet another story</li></ul>"
    text = extract_main_text(_page(body))
    assert f"{PARAGRAPH} Point 3." in text
    for boilerplate in ("Subscribe", "Follow us", "Related", "Yet another story"):
        assert boilerplate not in text


def test_collapses_whitespace_inside_paragraphs() -> None:
    text = extract_main_text(_page(f"<p>{PARAGRAPH.replace(' ', '   ', 3)}</p>" * 2))
    assert all("  " not in p and "\n" not in p for p in text.split("\n\n"))


@pytest.mark.parametrize("html", ["", "   ", "<html><body></body></html>", "<<<>>", "\x00"])
def test_empty_or_broken_pages_give_empty_text(html: str) -> None:
    assert extract_main_text(html) == ""


def test_unclosed_tags_do_not_raise() -> None:
    text = extract_main_text(f"<html><body><div><p>{PARAGRAPH}<p>{PARAGRAPH} Again.<div><b>")
    assert PARAGRAPH in text


@pytest.mark.parametrize("depth", [300, 1500])
def test_a_page_nested_past_libxml2s_limit_keeps_its_text(depth: int) -> None:
    """Unclosed tags nest a page past the 255 elements libxml2 reads by default."""
    html = (f"<html><head><title>Deep</title></head><body>{'<span>' * depth}"
            f"<p>{PARAGRAPH}</p><p>{PARAGRAPH} Again.</p></body></html>")
    assert extract_main_text(html).split("\n\n") == [PARAGRAPH, f"{PARAGRAPH} Again."]
