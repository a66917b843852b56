"""Numbers others write in text (request parameters, HTTP headers): ASCII digits, bounded.

`str.isdigit` takes '²', which `int` refuses, and `int` refuses 4,301 digits.
"""

from __future__ import annotations


def digits(text: str) -> bool:
    """Tell whether `text` is ASCII digits only (and not empty)."""
    return text.isascii() and text.isdigit()


def whole_number(text: str, most: int) -> int | None:
    """Return the number `text` writes in ASCII digits, if it is at most `most`."""
    if not digits(text) or len(text.lstrip("0")) > len(str(most)):
        return None
    number = int(text)
    return number if number <= most else None
