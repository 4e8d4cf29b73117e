"""Language detection: accuracy on labelled short posts, cost per post and memory, against py3langid.

``python -m bench._lang`` prints one row per detector and set. The sets are ``bench._lang_samples``
(written for this bench: 112 post-length texts and 56 very short ones in 14 languages) and
``long``: four texts of a language run together, cut by the detector's ``MAX_CHARS``. A label is
right, wrong, or none (the detector abstained: too few letters or unsure). The cost is the
best of several runs in process CPU time, so a busy machine inflates it less; the memory is
what loading the model adds to a fresh interpreter's peak resident size.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from bot.sources import _lang
from bot.sources._lang import detect_language

from ._lang_samples import SAMPLES, SHORT

Detect = Callable[..., str | None]
# The previous detector's settings (bot.sources._lang before fastText).
_PREVIOUS_MAX_CHARS = 200
_PREVIOUS_URL = re.compile(r"https?://\S+|www\.\S+")


@cache
def _py3langid() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def previous_detect_language(*texts: str) -> str | None:
    """py3langid with the rules ``detect_language`` had: the same letters, confidence and codes."""
    text = _PREVIOUS_URL.sub(" ", "\n".join(t for t in texts if t))[:_PREVIOUS_MAX_CHARS]
    letters = len(_lang._NOT_LETTERS.sub("", text)) + 2 * len(_lang._CJK.findall(text))
    if letters < _lang.MIN_LETTERS:
        return None
    code, confidence = _py3langid().classify(text)
    if confidence < _lang.MIN_CONFIDENCE:
        return None
    code = _lang._TO_639_1.get(code, code)
    return code if len(code) == 2 else None


DETECTORS: dict[str, tuple[Detect, str]] = {
    "fasttext-lid176": (detect_language, "from bot.sources._lang import _model; _model()"),
    "py3langid": (previous_detect_language, "from bench._lang import _py3langid; _py3langid()"),
}


def _long() -> list[tuple[str, str]]:
    rng = random.Random(3)
    by_language: dict[str, list[str]] = {}
    for code, text in SAMPLES + SHORT:
        by_language.setdefault(code, []).append(text)
    return [(code, " ".join(rng.sample(texts, 4))) for code, texts in by_language.items() for _ in range(10)]


def _cpu_us(detect: Detect, texts: list[str], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        for text in texts:
            detect(text)
        best = min(best, time.process_time() - started)
    return best / len(texts) * 1e6


def _peak_rss_mb(code: str) -> float:
    """Peak resident MB of a fresh interpreter that runs ``code`` (after importing the project)."""
    probe = f"import resource, bot.sources; {code}; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024


def run_lang() -> list[dict[str, Any]]:
    sets = {"samples": list(SAMPLES), "short": list(SHORT), "long": _long()}
    baseline = _peak_rss_mb("pass")
    rows = []
    for name, (detect, load) in DETECTORS.items():
        memory = round(_peak_rss_mb(load) - baseline, 1)
        detect("warm the model up before the clock starts")
        for set_name, labelled in sets.items():
            answers = [detect(text) for _, text in labelled]
            right = sum(answer == code for (code, _), answer in zip(labelled, answers, strict=True))
            none = answers.count(None)
            rows.append(
                {
                    "section": "lang",
                    "detector": name,
                    "set": set_name,
                    "texts": len(labelled),
                    "right": right,
                    "none": none,
                    "wrong": len(labelled) - right - none,
                    "us_per_text": round(_cpu_us(detect, [text for _, text in labelled]), 1),
                    "model_mb": memory,
                    "mistakes": [
                        f"{code}->{answer}: {text[:40]}"
                        for (code, text), answer in zip(labelled, answers, strict=True)
                        if answer not in (code, None)
                    ],
                }
            )
    return rows


if __name__ == "__main__":
    for row in run_lang():
        print(json.dumps(row, ensure_ascii=False))
