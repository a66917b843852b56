"""WSGI entry point: `gunicorn wsgi:app` serves the app configured by CPCSEARCH_* variables."""

from cpcsearch.web import create_app

app = create_app()
