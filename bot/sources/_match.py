"""Which campaign terms a post mentions, and whether it touches on distress.

Rules (pure, shared by both platforms):

* Text is folded before comparison: NFKC (full-width ``ｋｅｅｐ４ｏ`` becomes ``keep4o``),
  Latin accents stripped (``é`` → ``e``; Japanese voicing marks are kept), casefolded.
* A term matches on word boundaries: ``keep4o`` matches ``#Keep4o`` and ``KEEP4O``, not
  ``keep4offline``. A boundary is any character that is not a letter or digit of a spaced
  script, so ``keep4o真好`` matches too.
* Chinese and Japanese have no spaces between words, so an edge of a term written in those
  scripts needs no boundary: ``保留4o`` is found inside a longer sentence.
* Hashtags match as ``#tag`` or as the bare word, nothing looser. In keywords (and exclude
  words, and the care lexicon) each space, ``-`` or ``_`` matches any run of spaces, dashes or
  underscores, or nothing: ``keep 4o`` matches ``keep-4o``, ``keep_4o`` and ``keep4o``.
* Exclude words are blanked out of the text before terms are looked for: an occurrence of a
  term inside an excluded phrase does not count, other occurrences still do.
* Bluesky tags are matched like words; link URLs are percent-decoded and split on ``_`` and
  ``+``, so ``https://change.org/p/keep-gpt-4o`` matches ``keep GPT-4o``.

Speed: most posts a collector reads match nothing, so one precompiled alternation of every
term answers that case in a single scan; only a hit pays for per-term regexes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import unquote_plus

from bot.config import Care, Match

# Scripts written without spaces between words: kana and Han ideographs (incl. extensions).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
# A letter or digit of a spaced script: the only thing that breaks a word boundary.
_NOT_BOUNDARY = f"[^\\W{_CJK}]"
_AFTER = f"(?!{_NOT_BOUNDARY})"
_SEPARATORS = "\\s_\\-\u2010-\u2015"
_SEPARATOR_RUN = re.compile(f"[{_SEPARATORS}]+")
_FLEXIBLE_GAP = f"[{_SEPARATORS}]*"
# Combining diacritics used by Latin, Greek and Cyrillic accents; not the kana voicing marks.
_ACCENTS = re.compile("[\u0300-\u036f]+")
# Joins a post's parts: not a word character and not a separator, so no term spans two parts.
_JOIN = "\x00"


def fold(text: str) -> str:
    """The comparison form of ``text``: width-, accent- and case-folded."""
    if text.isascii():
        return text.lower()
    decomposed = _ACCENTS.sub("", unicodedata.normalize("NFKD", text))
    return unicodedata.normalize("NFC", decomposed).casefold()


def _bounded(body: str, folded: str) -> str:
    """``body`` (the pattern of ``folded``) with a word boundary on each edge not written in CJK.

    The leading boundary is checked just *after* the first character, not before it: a pattern
    that starts with a literal lets ``re`` skip ahead to positions holding a possible first
    character, which makes the no-match scan about forty times faster.
    """
    first = re.escape(folded[0])
    if not _CJK_CHAR.match(folded[0]):
        body = f"{first}(?<!{_NOT_BOUNDARY}.){body[len(first) :]}"
    return body if _CJK_CHAR.match(folded[-1]) else f"{body}{_AFTER}"


def _phrase_pattern(phrase: str) -> str | None:
    """A keyword-style pattern: separators are flexible, edges bounded."""
    folded = _SEPARATOR_RUN.sub(" ", fold(phrase)).strip()
    if not folded:
        return None
    body = _FLEXIBLE_GAP.join(re.escape(part) for part in folded.split(" "))
    return _bounded(body, folded)


def _hashtag_pattern(tag: str) -> str | None:
    folded = fold(tag).strip().lstrip("#").strip()
    return _bounded(re.escape(folded), folded) if folded else None


def _any_of(patterns: Iterable[str]) -> re.Pattern[str] | None:
    joined = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(joined) if joined else None


class Matcher:
    """Compiled once per configuration; ``terms`` and ``is_sensitive`` are pure and thread-safe."""

    def __init__(self, match: Match, care: Care) -> None:
        terms: dict[str, re.Pattern[str]] = {}
        for tag in match.hashtags:
            pattern = _hashtag_pattern(tag)
            if pattern and tag not in terms:
                terms[tag] = re.compile(pattern)
        for keyword in match.keywords:
            pattern = _phrase_pattern(keyword)
            if pattern and keyword not in terms:
                terms[keyword] = re.compile(pattern)
        self._terms = terms
        self._any_term = _any_of(p.pattern for p in terms.values())
        self._exclude = _any_of(filter(None, map(_phrase_pattern, match.exclude)))
        self._distress = _any_of(filter(None, map(_phrase_pattern, care.distress_terms)))

    def terms(
        self, texts: Iterable[str], tags: Iterable[str] = (), urls: Iterable[str] = ()
    ) -> tuple[str, ...]:
        """The configured terms found (as written in the config, in config order, once each)."""
        if self._any_term is None:
            return ()
        parts = [*texts, *tags, *(unquote_plus(url).replace("_", " ") for url in urls)]
        haystack = fold(_JOIN.join(part for part in parts if part))
        if not self._any_term.search(haystack):
            return ()
        if self._exclude is not None:
            haystack = self._exclude.sub(_JOIN, haystack)
        return tuple(term for term, pattern in self._terms.items() if pattern.search(haystack))

    def is_sensitive(self, *texts: str) -> bool:
        """Whether any text mentions a term of the care (distress) lexicon."""
        if self._distress is None:
            return False
        return self._distress.search(fold(_JOIN.join(texts))) is not None
