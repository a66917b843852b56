"""cpcsearch: full-text search over the Caspian Policy Center's articles."""

from cpcsearch.document import Document

__all__ = ["Document"]
