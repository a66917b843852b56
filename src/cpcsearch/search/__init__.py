"""Searching: query parsing and ranking."""
