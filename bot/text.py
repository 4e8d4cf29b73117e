"""Text from outside (posts, author names, petition pages) made safe to show (pure).

Anyone can write a post, so its text can hold characters that act on whatever shows it:
an ESC starts a terminal escape sequence (clear the screen, a hidden link), and a
right-to-left override mirrors the rest of the line it sits in, our own words included.
They mean nothing to a reader, so every view of outside text goes through ``printable``,
applied where stored rows become what is shown (stored text stays as it was collected).
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls (ESC's 8-bit twin among them), and the
# bidirectional embeddings, overrides and isolates, whose effect runs on past the text.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Characters that make emphasis, links, code, table cells, superscript, spoilers or HTML anywhere
# in a line of Markdown (CommonMark, Reddit's and Discord's dialects, which honour a backslash
# before any punctuation). Line-start markers (#, >, +) are left: our lines never begin with
# outside text.
_MARKDOWN = re.compile(r"([\\`*_\[\]|<>~^])")
# What a spreadsheet reads as the start of a formula (OWASP's CSV injection list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str) -> str:
    """``text`` without control and bidirectional-override characters."""
    return _UNPRINTABLE.sub("", text)


def markdown_literal(text: str) -> str:
    """``text`` on one line, shown literally by Markdown, with no markup of its own."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def spreadsheet_literal(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text rather than runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def linkable(url: str | None) -> str | None:
    """``url`` if it is an http(s) address, the only kind we link to; else ``None``."""
    return url if url and url.startswith(("https://", "http://")) else None
