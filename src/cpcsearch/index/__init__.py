"""Indexing: the Whoosh schema's text analysis."""
