"""Language of a Reddit post (Bluesky posts declare theirs in ``langs``).

The detector is py3langid, a maintained fork of Lui and Baldwin's langid.py: a naive Bayes
model over byte n-grams that ships inside the wheel (about 4.5 MB installed, numpy only),
loads in well under a second, classifies a post in tens of microseconds, covers ~100 languages
and is deterministic. The alternatives lost on this workload:

* lingua-language-detector is the most accurate on short texts, but its models take about
  100 MB of disk and far more memory once loaded in high-accuracy mode; too heavy for a small
  daemon that only needs a language label for the digest.
* langdetect is a slow pure-Python port whose answers are random unless a global seed is
  fixed, and it still varies on short texts: a trend table would change between runs.

Short or ambiguous texts get ``None`` rather than a guess: below ``MIN_LETTERS`` letters
(after URLs are removed; a Chinese or Japanese character counts as three) or below
``MIN_CONFIDENCE`` of the normalised probability.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

MIN_LETTERS = 12
MIN_CONFIDENCE = 0.5
# Enough to decide (a tweet's worth); the detector's cost grows with the length.
MAX_CHARS = 200
_URL = re.compile(r"https?://\S+|www\.\S+")
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# The model labels a few varieties with ISO 639-3 codes; these have an ISO 639-1 parent.
_TO_639_1 = {"yue": "zh", "wuu": "zh", "arz": "ar", "ary": "ar", "uzs": "uz", "gug": "gn"}


@cache
def _identifier() -> Any:
    # Loaded on first use: importing the model costs ~0.5 s that a CLI without Reddit need not pay.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(*texts: str) -> str | None:
    """The ISO 639-1 code of the texts' language, or ``None`` if too short or unsure."""
    text = _URL.sub(" ", "\n".join(t for t in texts if t))[:MAX_CHARS]
    letters = len(_NOT_LETTERS.sub("", text)) + 2 * len(_CJK.findall(text))
    if letters < MIN_LETTERS:
        return None
    code, confidence = _identifier().classify(text)
    if confidence < MIN_CONFIDENCE:
        return None
    code = _TO_639_1.get(code, code)
    return code if len(code) == 2 else None
