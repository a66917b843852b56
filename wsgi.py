"""WSGI entry point: `gunicorn -w 2 wsgi:app` serves the app configured by CPCSEARCH_* variables."""

import sys

from cpcsearch.errors import CpcSearchError
from cpcsearch.web import create_app

try:
    app = create_app()
except CpcSearchError as exc:  # a bad setting: one line in the server's log, not a traceback
    sys.exit(f"cpcsearch: {exc}")
