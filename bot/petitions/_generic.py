"""Reading any other petition site with a CSS selector or regular expression from config (pure).

With a ``selector``, the first matching element's text (or its ``content``
attribute, for a ``<meta>``) holds the count. With a ``pattern``, the count is
its named group ``count``, else its first group, else the whole match; a named
group ``goal`` gives the goal. With both, the pattern runs on the selected
element's text; with the pattern alone, on the raw page (so it can reach JSON in
scripts). Numbers are read by :func:`parse_count`, whatever their separators or
digits.
"""

from __future__ import annotations

import re

from soupsieve import SelectorSyntaxError

from ._numbers import CountError, parse_count
from ._reading import PageError, Reading, check_goal, page_title, soup_of


def _from_pattern(pattern: str, text: str) -> tuple[str, str | None]:
    found = re.search(pattern, text)
    if found is None:
        raise PageError(f"the pattern {pattern!r} matches nothing on the page")
    groups = found.groupdict()
    if groups.get("count") is not None:
        count = groups["count"]
    elif found.re.groups:
        count = found.group(1)
    else:
        count = found.group(0)
    if count is None:
        raise PageError(f"the pattern {pattern!r} matched without capturing a count")
    return count, groups.get("goal")


def parse_generic(html: str, selector: str | None = None, pattern: str | None = None) -> Reading:
    """The count a configured selector and/or pattern points at.

    Raises :class:`PageError` when the locator finds nothing or finds no count.
    """
    if not (selector or pattern):
        raise PageError("a generic petition needs a selector or a pattern")
    if not html.strip():
        raise PageError("the page is empty")
    soup = soup_of(html)
    text = html
    goal_text = None
    if selector:
        try:
            element = soup.select_one(selector)
        except SelectorSyntaxError as exc:
            raise PageError(f"the selector {selector!r} is not valid CSS: {exc}".splitlines()[0]) from None
        if element is None:
            raise PageError(f"the selector {selector!r} matches nothing on the page")
        content = element.get("content") if element.name == "meta" else None
        text = str(content) if content else element.get_text(" ", strip=True)
    if pattern:
        text, goal_text = _from_pattern(pattern, text)
    try:
        count = parse_count(text)
        goal = check_goal(parse_count(goal_text), "the goal") if goal_text else None
    except CountError as exc:
        raise PageError(str(exc)) from None
    strategy = "css+regex" if selector and pattern else "css" if selector else "regex"
    return Reading(count=count, strategy=strategy, goal=goal, title=page_title(soup))
