"""The app's JSON answers (orjson): the same values as Flask's own encoder, in the given order."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from flask import Flask
from markupsafe import Markup

from cpcsearch.web.json_provider import OrjsonProvider


@dataclasses.dataclass
class Pair:
    left: int
    right: str


VALUES = [
    {"zeta": 1, "alpha": [1.5, None, True], "mid": {"b": 2, "a": 1}},
    {"day": dt.date(2024, 1, 2), "moment": dt.datetime(2024, 1, 2, 3, 4, 5)},
    {"snippet": Markup("<mark>gas</mark> &amp; oil")},
    {"pair": Pair(3, "x")},
    {"text": "T\u00fcrkiye \u2014 Bak\u0131"},
    {"broken": "gas\ud800pipeline"},  # a lone surrogate: orjson refuses it
    {"huge": 2**70},  # past 64 bits: orjson refuses it
]


def _answer(app: Flask, value: object) -> bytes:
    with app.app_context():
        response = app.json.response(value)
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_data()


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_answers_hold_what_flasks_encoder_gives(value: object) -> None:
    ours, flasks = Flask("ours"), Flask("flasks")
    ours.json = OrjsonProvider(ours)
    flasks.json.sort_keys = False  # type: ignore[attr-defined]
    body = _answer(ours, value)
    assert json.loads(body) == json.loads(_answer(flasks, value))
    assert body.endswith(b"\n")


def test_keys_keep_their_order_and_text_is_utf8() -> None:
    app = Flask("ours")
    app.json = OrjsonProvider(app)
    body = _answer(app, VALUES[0] | VALUES[4])
    assert list(json.loads(body)) == ["zeta", "alpha", "mid", "text"]
    assert "T\u00fcrkiye \u2014 Bak\u0131".encode() in body


def test_debug_answers_are_indented() -> None:
    app = Flask("ours")
    app.json = OrjsonProvider(app)
    app.debug = True
    assert b'\n  "zeta": 1' in _answer(app, VALUES[0])


def test_the_api_answers_through_it(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/search?q=t%C3%BCrkiye")
    assert response.status_code == 200
    assert b'"query":"t\xc3\xbcrkiye"' in response.get_data()
