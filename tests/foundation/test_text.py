"""Outside text (posts, authors, petition titles) shown safely: no control codes, no markup, no formulas."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from bot.text import linkable, markdown_literal, printable, spreadsheet_literal

HOSTILE = (
    "ANSI \x1b[31mred\x1b[0m \x1b[2J\x1b[H cleared \x1b]8;;https://evil.example\x1b\\here\x1b]8;;\x1b\\ "
    "bell\x07 nul\x00 c1\x9b31m del\x7f cr\rover \u202etxt.exe\u202c \u2067isolate\u2069"
)


def test_printable_drops_every_control_and_bidi_override_and_keeps_the_words() -> None:
    shown = printable(HOSTILE)
    assert shown == (
        "ANSI [31mred[0m [2J[H cleared ]8;;https://evil.example\\here]8;;\\ "
        "bell nul c131m del crover txt.exe isolate"
    )
    assert all(ch.isprintable() or ch == " " for ch in shown)


def test_printable_keeps_lines_tabs_emoji_accents_and_cjk() -> None:
    text = "line one\n\tline two 👩‍👩‍👧‍👦 e\u0301 保留4o مرحبا"
    assert printable(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Click [here](https://evil.example/phish) `code` **bold** _em_ ~~gone~~",
        '<script>alert(1)</script> "><img src=x onerror=alert(1)>',
        "a | pipe, a back\\slash, ^super^ and >!spoiler!<",
        "![image](https://evil.example/x.png) <https://evil.example>",
    ],
)
def test_markdown_literal_renders_as_the_same_plain_text(text: str) -> None:
    (paragraph,) = [t for t in MarkdownIt("commonmark").parse(markdown_literal(text)) if t.type == "inline"]
    assert {child.type for child in paragraph.children or ()} <= {"text", "text_special"}
    assert "".join(child.content for child in paragraph.children or ()) == text


def test_markdown_literal_is_one_line() -> None:
    assert markdown_literal("two\nlines  and\tspaces") == "two lines and spaces"


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1+1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_starts_with_an_apostrophe(text: str) -> None:
    assert spreadsheet_literal(text) == "'" + text


def test_other_cells_are_left_as_they_are() -> None:
    assert spreadsheet_literal("keep 4o = love") == "keep 4o = love"
    assert spreadsheet_literal("") == ""


def test_only_http_addresses_are_links() -> None:
    assert linkable("https://www.reddit.com/r/x/") == "https://www.reddit.com/r/x/"
    assert linkable("http://example.org") == "http://example.org"
    assert linkable("javascript:alert(1)") is None
    assert linkable("data:text/html,x") is None
    assert linkable(None) is None
