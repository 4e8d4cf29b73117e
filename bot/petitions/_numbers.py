"""Reading a signature count written the way people and pages write numbers.

Pages write the same count as "21,345", "21.345", "21 345" (with a space,
no-break space or narrow no-break space), "21'345", "21.3K", "1,2 M" or in
another script's digits ("٢١٬٣٤٥", "२१,३४५", "２１，３４５"). A count is a whole
number, so a separator is read as a thousands separator only when every group
after the first has three digits (or two, in Indian lakh grouping "1,23,456"),
and as a decimal mark only before a multiplier ("21.3K"). Anything else ("21.5",
"1,234.56", "-3") is refused rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

# The largest count the database's integer columns hold; no petition has come near it (the
# largest ever gathered some tens of millions).
MAX_COUNT = 2**31 - 1

# Group separators seen in the wild; the Arabic ones are U+066C (thousands) and U+066B (decimal).
_SEPARATORS = ",.'’ \u00a0\u202f\u2009\u066c\u066b\uff0c\uff0e"
_MULTIPLIERS = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "mn": 1_000_000, "million": 1_000_000}
_NUMBER = re.compile(
    rf"(?P<sign>[-−])?(?P<number>\d(?:[{_SEPARATORS}]?\d)*)"
    r"(?:\s?(?P<unit>thousand|million|mn|k|m)(?![a-z]))?",
    re.IGNORECASE,
)


class CountError(ValueError):
    """A text that does not hold a plausible whole signature count."""


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of any script replaced by its ASCII digit."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def _grouped(number: str) -> int | None:
    """The value of ``number`` if it is digit groups joined by one thousands separator."""
    groups = re.split(f"[{_SEPARATORS}]", number)
    separators = set(re.findall(f"[{_SEPARATORS}]", number))
    if len(separators) != 1 or not 1 <= len(groups[0]) <= 3 or len(groups[-1]) != 3:
        return None
    if any(len(group) not in (2, 3) for group in groups[1:-1]):
        return None
    # Two-digit groups occur only in Indian grouping, where the first group may be 1-2 digits.
    if any(len(group) == 2 for group in groups[1:-1]) and len(groups[0]) > 2:
        return None
    return int("".join(groups))


def _scaled(number: str, multiplier: int) -> int:
    """``21.3`` x 1000: the one separator is a decimal mark, whichever symbol it is."""
    parts = re.split(f"[{_SEPARATORS}]", number)
    if len(parts) > 2:
        grouped = _grouped(number)
        if grouped is None:
            raise CountError(f"{number!r} is not a number")
        return grouped * multiplier
    fraction = parts[1] if len(parts) == 2 else "0"
    if len(fraction) == 3:
        # "1,234K": a thousands group or a decimal fraction? Pages round such counts, so neither is safe.
        raise CountError(f"{number!r} before a multiplier is ambiguous")
    return int((Decimal(f"{parts[0]}.{fraction}") * multiplier).to_integral_value(ROUND_HALF_UP))


def parse_count(text: str) -> int:
    """The first count in ``text`` (e.g. "21,345 verified signatures" -> 21345).

    Raises :class:`CountError` naming the text when it holds no count, a
    negative or fractional one, or one larger than any petition can have.
    """
    shown = " ".join(text.split())[:80]
    found = _NUMBER.search(ascii_digits(text))
    if found is None:
        raise CountError(f"no number in {shown!r}")
    number, unit = found.group("number"), found.group("unit")
    if found.group("sign"):
        raise CountError(f"negative count in {shown!r}")
    # Before int(), which refuses numbers of thousands of digits with a ValueError of its own.
    if sum(ch.isdigit() for ch in number) > len(str(MAX_COUNT)):
        raise CountError(f"{number[:20]}... in {shown!r} is more signatures than a petition can have")
    if unit:
        value = _scaled(number, _MULTIPLIERS[unit.lower()])
    elif number.isdigit():
        value = int(number)
    else:
        grouped = _grouped(number)
        if grouped is None:
            where = "" if number == shown else f" in {shown!r}"
            raise CountError(f"{number!r}{where} is not a whole count")
        value = grouped
    if value > MAX_COUNT:
        raise CountError(f"{value:,} in {shown!r} is more signatures than a petition can have")
    return value
