"""Query features on the demo corpus: synonyms, typos, fuzzy words, related articles, snippets."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import DEMO_DIR, build_index, make_config
from cpcsearch.config import Config
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.highlight import WINDOW_CHARS
from cpcsearch.search.request import SearchRequest
from cpcsearch.search.splitting import SentenceSpans, paragraphs


def found(engine: SearchEngine, q: str, **params: Any) -> set[str]:
    return {h.id for h in engine.search(SearchRequest(q=q, per_page=100, **params)).hits}


def mentioning(docs: dict, *variants: str) -> set[str]:
    """Return the ids of documents whose text names any of the variants."""
    patterns = [r"[\s-]+".join(map(re.escape, re.split(r"[\s-]+", v))) for v in variants]
    pattern = re.compile(r"(?<!\w)(" + "|".join(patterns) + r")(?!\w)", re.IGNORECASE)
    return {i for i, d in docs.items() if pattern.search(f"{d.title}\n{d.summary}\n{d.body}")}


@pytest.mark.parametrize(("query", "variants"), [
    ("TITR", ["Middle Corridor", "Trans-Caspian International Transport Route", "TITR"]),
    ("Middle Corridor", ["Middle Corridor", "Trans-Caspian International Transport Route",
                         "TITR"]),
    ("Turkey", ["Türkiye", "Turkey"]),
    ("Türkiye", ["Türkiye", "Turkey"]),
    ("Kyrgyz Republic", ["Kyrgyzstan", "Kyrgyz Republic"]),
    ("Kyrgyzstan", ["Kyrgyzstan", "Kyrgyz Republic"]),
    ("CSTO", ["CSTO", "Collective Security Treaty Organization"]),
    ("Baku-Tbilisi-Ceyhan pipeline", ["BTC pipeline", "Baku-Tbilisi-Ceyhan pipeline"]),
    ("U.S.", ["U.S.", "USA", "United States"]),  # an acronym's dots: one word, as indexed
    ("USA", ["U.S.", "USA", "United States"]),
    ("UN", ["UN", "U.N.", "United Nations"]),
    # a country by its people or language, and back
    ("Uzbek", ["Uzbekistan", "Uzbek", "Uzbeks"]),
    ("Kazakhs", ["Kazakhstan", "Kazakh", "Kazakhs", "Kazakhstani"]),
    ("Azeri", ["Azerbaijan", "Azerbaijani", "Azeri"]),
    ("Chinese", ["China", "Chinese"]),
    ("Turkish", ["Türkiye", "Turkey", "Turkish"]),
    ("Russians", ["Russia", "Russian", "Russians"]),
])
def test_a_variant_finds_every_other_variant(demo_engine: SearchEngine, demo_docs: dict,
                                             query: str, variants: list[str]) -> None:
    expected = mentioning(demo_docs, *variants)
    assert expected - mentioning(demo_docs, query), "the corpus must exercise the expansion"
    assert expected <= found(demo_engine, query)


def test_acronyms_and_odd_tokens(demo_engine: SearchEngine, demo_docs: dict) -> None:
    assert mentioning(demo_docs, "COP29") <= found(demo_engine, "cop29")
    assert mentioning(demo_docs, "C5+1") <= found(demo_engine, "C5+1")
    program = {i for i, d in demo_docs.items() if "(SPP)" in d.section}
    assert program and program <= found(demo_engine, "section:spp")


def test_explicit_fuzzy_words(demo_engine: SearchEngine, demo_docs: dict) -> None:
    assert mentioning(demo_docs, "pipeline") <= found(demo_engine, "pipline~")
    assert not demo_engine.search(SearchRequest(q="pipline~")).corrected
    assert demo_engine.search(SearchRequest(q='"pipline"')).corrected


def test_search_as_you_type_names_authors_and_topics(demo_engine: SearchEngine,
                                                      demo_docs: dict) -> None:
    articles: dict[str, set[str]] = {}
    for i, d in demo_docs.items():
        for author in d.authors:
            articles.setdefault(author, set()).add(i)
    author = max(articles, key=lambda a: len(articles[a]))  # no name outranks it
    typed = author.split()[-1][:4].lower()
    suggested = {s["text"] for s in demo_engine.suggest(typed) if s["kind"] == "author"}
    assert f'author:"{author}"' in suggested
    assert found(demo_engine, f'author:"{author}"') == articles[author]
    topics = {s["text"] for s in demo_engine.suggest("Turk") if s["kind"] == "topic"}
    assert 'topic:"Türkiye"' in topics  # accents folded as the reader may not type them


@pytest.mark.parametrize("typed", ["ca", "caspian pi", "central as", "pipel"])
def test_search_as_you_type_suggests_titles_with_the_words_typed(demo_engine: SearchEngine,
                                                                 demo_docs: dict,
                                                                 typed: str) -> None:
    *done, begun = typed.split()
    analyzer = demo_engine.live.snapshot().searcher.schema["title_words"].analyzer

    def words(title: str) -> list[str]:  # as the title_words field holds them
        return [token.text for token in analyzer(title)]

    holding = {i for i, d in demo_docs.items()
               if set(done) <= set(words(d.title)) and any(w.startswith(begun)
                                                           for w in words(d.title))}
    titles = [s for s in demo_engine.suggest(typed) if s["kind"] == "title"]
    assert holding and titles and len(titles) == min(4, len(holding))
    assert {s["id"] for s in titles} <= holding
    assert [s["text"] for s in titles] == [demo_docs[s["id"]].title for s in titles]


@pytest.mark.parametrize("typed", ["co", "pipel", "caspian re"])
def test_search_as_you_type_completes_with_the_commonest_words(demo_engine: SearchEngine,
                                                               typed: str) -> None:
    begun = typed.split()[-1]
    reader = demo_engine.live.snapshot().searcher.reader()
    counts = {term.decode(): reader.doc_frequency("words", term)
              for term in reader.expand_prefix("words", begun)}
    terms = [s["text"] for s in demo_engine.suggest(typed) if s["kind"] == "term"]
    stem = typed[:len(typed) - len(begun)]
    assert terms and terms == [stem + word for word in sorted(counts, key=lambda w: (-counts[w], w))
                               ][:len(terms)]


def test_prefix_words(demo_engine: SearchEngine, demo_docs: dict) -> None:
    expected = {i for i, d in demo_docs.items() if re.search(r"\bhydro", d.body, re.I)}
    assert expected and expected <= found(demo_engine, "hydro*")


def test_related_articles_leave_out_the_article_and_its_copies(tmp_path: Path) -> None:
    pages = sorted(DEMO_DIR.glob("*.html"))[:12]
    original = pages[0].read_text(encoding="utf-8")
    copy = tmp_path / "copy.html"
    copy.write_text(original.replace("<head>", '<head><link rel="canonical" '
                                     'href="https://mirror.example.org/copy">', 1)
                    if "rel=\"canonical\"" not in original else
                    re.sub(r'rel="canonical" href="[^"]+"',
                           'rel="canonical" href="https://mirror.example.org/copy"', original),
                    encoding="utf-8")
    config = build_index(make_config(tmp_path), *pages, copy)
    engine = SearchEngine(config.INDEX_DIR)
    hits = engine.search(SearchRequest(q=f'"{_title(pages[0])}"', per_page=5)).hits
    ids = {h.id for h in hits if h.title == _title(pages[0])}
    assert len(ids) == 2, "the copy is indexed under its own id"
    for doc_id in ids:
        related = engine.related(doc_id, 5)
        assert related and not ids & {r["id"] for r in related}


def _title(page: Path) -> str:
    from cpcsearch.scrape import extract_document

    return extract_document(page.read_text(encoding="utf-8")).title


def test_snippet_shows_the_best_passage_sentence_aligned(tmp_path: Path) -> None:
    filler = " ".join(f"Sentence number {n} talks about regional weather patterns." for n in
                      range(30))
    page = tmp_path / "long.html"
    page.write_text(
        "<html><head><title>Long | Caspian Policy Center</title></head><body><main>"
        "<h1>Grain and ferries</h1><div class='post-content'>"
        f"<p>Ferries carry grain. {filler}</p><p>{filler}</p>"
        "<p>The U.S. Department of State said ferries now carry grain and fertiliser across the"
        " Caspian every week. Officials welcomed the change.</p></div></main></body></html>",
        encoding="utf-8")
    config = build_index(make_config(tmp_path), page)
    hit = SearchEngine(config.INDEX_DIR).search(SearchRequest(q="fertiliser ferries grain")).hits[0]
    assert hit.snippet.startswith("… The U.S. Department of State said")
    assert "<mark>fertiliser</mark>" in hit.snippet and "<mark>ferries</mark>" in hit.snippet
    assert "<mark>Grain</mark>" in hit.title_html

SNIPPET_QUERIES = ("gas pipeline", "rail freight corridor", "Armenia Azerbaijan peace",
                   "water scarcity Central Asia", "drones", '"energy security"')


def test_a_small_commit_splits_its_paragraphs_once_and_no_snippet_splits_again(
        demo_config: Config, demo_docs: dict) -> None:
    engine = SearchEngine(demo_config.INDEX_DIR)
    spans = engine._splitter(engine.live.snapshot())
    hits = [hit for q in SNIPPET_QUERIES for hit in engine.search(SearchRequest(q=q)).hits]
    assert all(hit.snippet for hit in hits) and sum("<mark>" in hit.snippet for hit in hits) > 30
    texts = [doc.body or doc.summary for doc in demo_docs.values()]
    assert set(spans._paragraphs()) >= {p for text in texts for p in paragraphs(text)}
    assert spans.window.cache_info().misses == 0  # no sentence was split for a snippet


def test_a_large_commits_snippet_window_seen_before_is_not_split_again(
        demo_config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    small = SearchEngine(demo_config.INDEX_DIR)
    monkeypatch.setattr("cpcsearch.search.engine.CACHED_DOCUMENTS", 0)  # a large commit
    engine = SearchEngine(demo_config.INDEX_DIR)
    first = engine.search(SearchRequest(q="gas pipeline"))
    split = engine._splitter(engine.live.snapshot()).window
    seen = split.cache_info()
    assert seen.misses
    again = engine.search(SearchRequest(q="pipeline gas"))  # another query, the same hits
    assert [h.id for h in again.hits] == [h.id for h in first.hits]
    assert [h.snippet for h in again.hits] == [h.snippet for h in first.hits]
    assert split.cache_info().misses == seen.misses
    assert split.cache_info().hits >= seen.hits + len(first.hits) > seen.hits
    for q in SNIPPET_QUERIES:  # paragraphs split whole or by windows: the same snippets here
        assert ([h.snippet for h in engine.search(SearchRequest(q=q)).hits]
                == [h.snippet for h in small.search(SearchRequest(q=q)).hits])


def test_a_paragraph_split_whole_gives_the_sentences_of_a_window_cut_at_its_edges() -> None:
    from cpcsearch.index import sentences

    paragraph = " ".join(f"Sentence number {n} is about gas and oil." for n in range(40))
    short = "Ferries carry grain. Officials welcomed the change."
    whole = SentenceSpans(sentences.Splitter(), lambda: [f"{paragraph}\n\n{short}"])
    windows = SentenceSpans(sentences.Splitter(), None)
    assert whole(short, 0, len(short)) == windows(short, 0, len(short)) == [(0, 20), (21, 51)]
    start = paragraph.index("number", 100) + 2  # both edges inside a word
    end = paragraph.index("number", start + WINDOW_CHARS) + 2
    cut = whole(paragraph, start, end)
    assert cut[0][0] == start and cut[-1][1] == end  # the first and last cut at the edges
    assert whole(paragraph, start - 3, end + 1)[0][0] == start - 2  # no space kept at a cut
    inside = [(a, b) for a, b in windows.split(paragraph) if start < a and b < end]
    assert cut[1:-1] == inside and len(inside) > 5
    assert windows.window.cache_info().misses == 1 and whole.window.cache_info().misses == 0


def test_punkt_on_stdlib_patterns_learns_and_splits_as_nltk_own(demo_docs: dict) -> None:
    """Punkt with its patterns matched by `re` (see `sentences.StdlibPatterns`) learns the same
    parameters and finds the same sentences as NLTK's own setup, also where it decides a
    recurring break from its cache (`sentences.Splitter`)."""
    from nltk.tokenize.punkt import PunktSentenceTokenizer, PunktTrainer

    from cpcsearch.index import sentences

    bodies = [doc.body for doc in demo_docs.values()]
    assert sum(map(len, bodies)) < sentences.TRAINING_CHARS  # all of them are learnt from
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    for body in bodies:
        trainer.train(body, finalize=False)
    trainer.finalize_training()
    nltk_own = PunktSentenceTokenizer(trainer.get_params())
    ours = sentences.train(bodies)
    learnt = ("abbrev_types", "collocations", "sent_starters", "ortho_context")
    assert all(getattr(ours._params, name) == getattr(nltk_own._params, name) for name in learnt)
    assert ours._params.abbrev_types  # something was learnt
    texts = [*bodies, 'He said "No." Then (in 2019) the U.S. left... Why? Rates rose 2.5 pct.']
    spans = [list(ours.span_tokenize(text)) for text in texts * 2]
    assert spans == [list(nltk_own.span_tokenize(text)) for text in texts * 2]
    assert sum(map(len, spans)) > 4 * len(texts)  # real splitting happened
    assert ours.text_contains_sentbreak.cache_info().hits > len(texts)  # the second time, cached


def test_punkt_decides_the_breaks_of_its_training_text_in_advance(
        demo_docs: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A trained splitter keeps its decisions on the sample's candidate breaks, saved beside
    the index: splitting that text again asks Punkt nothing, and splits as Punkt does."""
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    from cpcsearch.index import sentences

    bodies = [doc.body for doc in demo_docs.values()]
    trained = sentences.train(bodies)
    sentences.save(trained, tmp_path)
    loaded = sentences.load(tmp_path)
    assert loaded.decisions == trained.decisions and len(trained.decisions) > 50
    asked: list[str] = []
    punkt = PunktSentenceTokenizer.text_contains_sentbreak
    monkeypatch.setattr(PunktSentenceTokenizer, "text_contains_sentbreak",
                        lambda self, context: asked.append(context) or punkt(self, context))
    spans = [list(loaded.span_tokenize(body)) for body in bodies]
    assert asked == []
    undecided = sentences.Splitter(loaded._params)
    assert [list(undecided.span_tokenize(body)) for body in bodies] == spans
    assert len(set(asked)) == len(trained.decisions)  # each asked once, then from its cache
    # an index saved before decisions were kept holds the parameters alone
    (tmp_path / sentences.MODEL_FILE).write_bytes(pickle.dumps(trained._params))
    older = sentences.load(tmp_path)
    assert older.decisions == {} and older._params.abbrev_types == trained._params.abbrev_types
    assert [list(older.span_tokenize(body)) for body in bodies] == spans


def test_punkt_decides_the_breaks_after_its_sample_as_far_as_a_bound(
        demo_docs: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the training sample, the texts' candidate breaks are decided too, as Punkt decides
    them, until DECIDED_CHARS of text are; the breaks of the texts after that are not."""
    from cpcsearch.index import sentences

    bodies = [doc.body for doc in demo_docs.values()]
    monkeypatch.setattr(sentences, "TRAINING_CHARS", len(bodies[0]))  # a sample of two texts
    monkeypatch.setattr(sentences, "DECIDED_CHARS", sum(map(len, bodies[:10])))
    trained = sentences.train(bodies)

    def contexts(texts: list[str]) -> set[str]:
        return {context for text in texts
                for _, context in trained._match_potential_end_contexts(text)}

    decided, later = contexts(bodies[:11]), contexts(bodies[11:]) - contexts(bodies[:11])
    assert len(contexts(bodies[2:11]) - contexts(bodies[:2])) > 50  # beyond the sample
    assert set(trained.decisions) == decided and later
    undecided = sentences.Splitter(trained._params)
    assert all(undecided.text_contains_sentbreak(context) == known
               for context, known in trained.decisions.items())


def test_a_phrase_is_marked_where_it_stands_and_its_words_nowhere_else(tmp_path: Path) -> None:
    page = tmp_path / "corridors.html"
    page.write_text(
        "<html><head><title>Corridors | Caspian Policy Center</title></head><body><main>"
        "<h1>Middle Corridor or Middle East</h1><div class='post-content'>"
        "<p>The Middle Corridor carries more freight from the Middle East, and the"
        " Trans-Caspian route too. A corridor is only as fast as its slowest border.</p>"
        "</div></main></body></html>", encoding="utf-8")
    other = tmp_path / "borders.html"
    other.write_text(
        "<html><head><title>Borders | Caspian Policy Center</title></head><body><main>"
        "<h1>Slow borders</h1><div class='post-content'><p>A corridor is only as fast as its"
        " slowest border crossing, officials said.</p><p>Rail freight through the crossing"
        " doubled last year.</p></div></main></body></html>", encoding="utf-8")
    config = build_index(make_config(tmp_path), page, other)
    engine = SearchEngine(config.INDEX_DIR)
    rail = {h.title: h for h in engine.search(SearchRequest(q='"middle corridor" rail')).hits}
    assert str(rail["Slow borders"].snippet).startswith("… <mark>Rail</mark> freight")  # not
    # the paragraph with a lone "corridor"
    hit = engine.search(SearchRequest(q='"middle corridor"')).hits[0]
    assert "<mark>Middle</mark> <mark>Corridor</mark> carries" in hit.snippet
    assert "the Middle East" in hit.snippet and "<mark>corridor</mark> is" not in hit.snippet
    assert hit.title_html == "<mark>Middle</mark> <mark>Corridor</mark> or Middle East"
    both = engine.search(SearchRequest(q='"middle corridor" corridor')).hits[0]
    assert "<mark>corridor</mark> is" in both.snippet  # the word alone is marked everywhere
    hyphenated = engine.search(SearchRequest(q='"trans caspian route"')).hits[0]
    assert "<mark>Trans-Caspian</mark> <mark>route</mark>" in hyphenated.snippet


@pytest.mark.parametrize(("asked", "meant"), [
    ("which pipeline carries caspian gas?", "which pipeline carries caspian gas"),
    ("is the corridor busy?? rail freight", "is the corridor busy rail freight"),
    ("?rail? freight", "rail freight"),  # quote marks lost in copying
    ("Azerbaijan?s gas", "Azerbaijan's gas"),  # an apostrophe lost in copying
    ("نفط؟ gas", "نفط gas"),  # an Arabic question mark
])
def test_a_question_mark_is_punctuation_not_a_wildcard(demo_engine: SearchEngine, asked: str,
                                                       meant: str) -> None:
    question = demo_engine.search(SearchRequest(q=asked, per_page=100))
    statement = demo_engine.search(SearchRequest(q=meant, per_page=100))
    assert question.total > 0 and not question.notices
    assert [(h.id, h.score) for h in question.hits] == [(h.id, h.score) for h in statement.hits]


def test_a_people_finds_its_country_after_its_own_name_and_a_possessive_its_owner(
        tmp_path: Path) -> None:
    corpus = tmp_path / "peoples.jsonl"
    corpus.write_text("\n".join(json.dumps({
        "id": doc_id, "title": "Grain exports", "authors": ["A. Writer"], "date": "2024-01-01",
        "body": f"{name} grain exports rose again this year.", "url": f"https://example.org/{doc_id}",
    }) for doc_id, name in [("land", "Kazakhstan"), ("people", "Kazakh"), ("tr", "Türkiye")]))
    engine = SearchEngine(build_index(make_config(tmp_path), corpus).INDEX_DIR)

    def ids(q: str) -> list[str]:
        return [h.id for h in engine.search(SearchRequest(q=q)).hits]

    assert ids("Kazakhs") == ["people", "land"]
    assert ids("Kazakh grain")[:2] == ["people", "land"]
    assert ids("Kazakhstan") == ["land"]  # a country's name searches its own
    plain = engine.search(SearchRequest(q="Turkey grain")).hits
    assert plain[0].id == "tr"
    for possessive in ("Turkey's grain", "Turkey\u2019s grain", "Turkey?s grain"):
        hits = engine.search(SearchRequest(q=possessive)).hits
        assert [(h.id, h.score) for h in hits] == [(h.id, h.score) for h in plain]
