"""The Flask app: pages for readers, a JSON API for researchers, admin commands behind a token."""

from __future__ import annotations

from typing import Any

from flask import Flask

from cpcsearch.config import Config
from cpcsearch.search.engine import SearchEngine
from cpcsearch.web import admin, api, errors, feeds, pages, security
from cpcsearch.web.context import IdConverter, close_store
from cpcsearch.web.json_provider import OrjsonProvider


def create_app(config: Config | None = None, **overrides: Any) -> Flask:
    """Build the app from `config` (default: the environment), with `overrides` applied."""
    config = (config or Config.load()).with_overrides(**overrides)
    app = Flask(__name__)
    app.config["CPCSEARCH"] = config
    app.url_map.converters["id"] = IdConverter
    app.json = OrjsonProvider(app)
    app.extensions["cpcsearch.engine"] = SearchEngine.from_config(config)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(feeds.bp)
    errors.register(app)
    security.register(app)
    app.teardown_appcontext(close_store)
    return app
