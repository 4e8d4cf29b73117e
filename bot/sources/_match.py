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

Speed: a term's regex can only match a text that holds each of the term's folded words (the
pieces between its flexible separators) as substrings, and ``word in text`` is far cheaper
than a regex scan. So each term sits behind its longest word, and all of them behind a few
hints, words that between them occur inside every term (for #keep4o's terms the one hint
``4o``): most posts that mention no term fail one substring check (0.3 µs, where a regex
alternation of every term took 6 µs: ``re`` tries each alternative at each position that
starts one), and a campaign post runs only the regexes of the terms whose words it holds.
The care lexicon and the exclude words are checked the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
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
# One at a time: with "+" the scan of a text without any is twice as slow.
_ACCENT = re.compile("[\u0300-\u036f]")
# Joins a post's parts: not a word character and not a separator, so no term spans two parts.
_JOIN = "\x00"


def fold(text: str) -> str:
    """The comparison form of ``text``: width-, accent- and case-folded."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    # Most non-ASCII posts have no accent (emoji, quotes, CJK): a search is cheaper than a sub.
    if _ACCENT.search(decomposed):
        decomposed = _ACCENT.sub("", decomposed)
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


# A term: its regex, and the words every match of it holds as substrings of the folded text.
_Term = tuple[str, tuple[str, ...]]


def _phrase_pattern(phrase: str) -> _Term | None:
    """A keyword-style pattern: separators are flexible, edges bounded."""
    folded = _SEPARATOR_RUN.sub(" ", fold(phrase)).strip()
    if not folded:
        return None
    words = tuple(folded.split(" "))
    return _bounded(_FLEXIBLE_GAP.join(map(re.escape, words)), folded), words


def _hashtag_pattern(tag: str) -> _Term | None:
    folded = fold(tag).strip().lstrip("#").strip()
    return (_bounded(re.escape(folded), folded), (folded,)) if folded else None


def _hints(words: Sequence[tuple[str, ...]]) -> list[str]:
    """For each term (given by its words), a hint: a word of any term found inside one of its own.

    A text can only mention a term if it holds the term's hint, so a text holding none of the
    hints mentions none of the terms. As few distinct hints as possible (greedy set cover: first
    the word inside the most terms, the longer on a tie): for #keep4o's terms, the one word "4o".
    """
    candidates = sorted({word for term in words for word in term}, key=lambda w: (-len(w), w))
    inside = {c: {i for i, term in enumerate(words) if any(c in w for w in term)} for c in candidates}
    hints: dict[int, str] = {}
    while len(hints) < len(words):
        best = max(candidates, key=lambda c: len(inside[c] - hints.keys()))
        hints |= dict.fromkeys(inside[best] - hints.keys(), best)
    return [hints[i] for i in range(len(words))]


class _Lexicon:
    """Terms to look for in folded text, each behind substring checks that settle most texts."""

    def __init__(self, terms: Iterable[tuple[str, _Term]]) -> None:
        named = list(terms)
        hints = _hints([words for _, (_, words) in named])
        # (name, hint, longest word, regex) per term; the longest word is the rarest check.
        self._terms = [
            (name, hint, max(words, key=len), re.compile(pattern))
            for (name, (pattern, words)), hint in zip(named, hints, strict=True)
        ]
        self._hints = tuple(dict.fromkeys(hints))
        joined = "|".join(f"(?:{pattern})" for _, (pattern, _) in named)
        self._any = re.compile(joined) if joined else None

    def found(self, haystack: str) -> list[str]:
        """The names of the terms ``haystack`` mentions, in order."""
        hinted = [hint for hint in self._hints if hint in haystack]
        if not hinted:
            return []
        return [
            name
            for name, hint, word, pattern in self._terms
            if hint in hinted and word in haystack and pattern.search(haystack)
        ]

    def mentioned(self, haystack: str) -> bool:
        """Whether ``haystack`` mentions any of the terms."""
        hinted = [hint for hint in self._hints if hint in haystack]
        return bool(hinted) and any(
            hint in hinted and word in haystack and pattern.search(haystack)
            for _, hint, word, pattern in self._terms
        )

    def blank(self, haystack: str) -> str:
        """``haystack`` with every mention of the terms replaced by ``_JOIN``."""
        if self._any is None or not any(hint in haystack for hint in self._hints):
            return haystack
        return self._any.sub(_JOIN, haystack)


class Reading:
    """What one post mentions: the campaign's terms, and distress (looked for only when asked)."""

    __slots__ = ("_distress", "_said", "terms")

    def __init__(self, terms: tuple[str, ...], said: str, distress: _Lexicon) -> None:
        self.terms = terms  # as ``Matcher.terms`` returns them
        self._said = said  # the post's texts, folded
        self._distress = distress

    def sensitive(self) -> bool:
        """Whether the post's texts (not its tags or links) touch on distress, as ``is_sensitive``."""
        return self._distress.mentioned(self._said)


def _named(terms: Iterable[_Term | None]) -> list[tuple[str, _Term]]:
    """Unnamed terms (exclude words, the care lexicon), keyed by their regex."""
    return [(pattern, (pattern, words)) for pattern, words in filter(None, terms)]


class Matcher:
    """Compiled once per configuration; ``terms`` and ``is_sensitive`` are pure and thread-safe."""

    def __init__(self, match: Match, care: Care) -> None:
        terms: dict[str, _Term] = {}
        for tag in match.hashtags:
            term = _hashtag_pattern(tag)
            if term and tag not in terms:
                terms[tag] = term
        for keyword in match.keywords:
            term = _phrase_pattern(keyword)
            if term and keyword not in terms:
                terms[keyword] = term
        self._terms = _Lexicon(terms.items())
        self._exclude = _Lexicon(_named(map(_phrase_pattern, match.exclude)))
        self._distress = _Lexicon(_named(map(_phrase_pattern, care.distress_terms)))

    def terms(
        self, texts: Iterable[str], tags: Iterable[str] = (), urls: Iterable[str] = ()
    ) -> tuple[str, ...]:
        """The configured terms found (as written in the config, in config order, once each)."""
        return self.read(texts, tags, urls).terms

    def read(self, texts: Iterable[str], tags: Iterable[str] = (), urls: Iterable[str] = ()) -> Reading:
        """``terms`` and, on demand, ``is_sensitive`` of the texts, which are folded only once.

        Folding is most of the cost of both (NFKD, NFC and casefold for a post that is not
        ASCII); a post's parts fold one by one to the same text as joined.
        """
        said = fold(_JOIN.join(texts))
        more = [*tags, *(unquote_plus(url).replace("_", " ") for url in urls)]
        haystack = f"{said}{_JOIN}{fold(_JOIN.join(more))}" if more else said
        return Reading(tuple(self._terms.found(self._exclude.blank(haystack))), said, self._distress)

    def is_sensitive(self, *texts: str) -> bool:
        """Whether any text mentions a term of the care (distress) lexicon."""
        return self._distress.mentioned(fold(_JOIN.join(texts)))
