"""A digest as a Bluesky thread: numbered posts within the platform's limits, with facets.

Limits (the PDS enforces them, the SDK does not): a post's text is at most 300
graphemes (extended grapheme clusters, ``\\X``: a family emoji or a letter with
combining marks is one) and at most 3000 UTF-8 bytes. Text is split between
blocks first, then at sentence ends, then between words, and only as a last resort
between graphemes. Links and hashtags are segments that are never split; the SDK's
``TextBuilder`` turns them into facets with UTF-8 byte offsets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import regex
from atproto_client import utils as client_utils

from bot.text import linkable

from ._model import AlertContent, DigestContent
from ._words import (
    BOT_NOTE,
    CARE_NOTE,
    HELPLINE_TEXT,
    HELPLINE_URL,
    conversation_details,
    petition_sentence,
    platform_name,
    posts_line,
    where,
)

MAX_GRAPHEMES = 300
MAX_BYTES = 3000
MAX_TAG_GRAPHEMES = 64
LINK_TEXT_GRAPHEMES = 30

_GRAPHEME = regex.compile(r"\X")
# A hashtag as Bluesky's apps detect it: "#" at a word start, at least one non-digit, no punctuation.
_HASHTAG = regex.compile(r"(?<![\w#＃])[#＃]([\p{L}\p{M}\p{N}_]*[\p{L}\p{M}_][\p{L}\p{M}\p{N}_]*)")
_SENTENCE_END = regex.compile(r"(?<=[.!?…])\s+|(?<=[。！？])|\n+")
_SPACE = regex.compile(r"\s+")
_LINE_END = regex.compile(r"\n+")


def graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def fits(text: str, max_graphemes: int = MAX_GRAPHEMES, max_bytes: int = MAX_BYTES) -> bool:
    return len(text.encode()) <= max_bytes and graphemes(text) <= max_graphemes


@dataclass(frozen=True)
class Segment:
    """Plain text, or a link (``link`` = URL) or a hashtag (``tag`` = tag without ``#``)."""

    text: str
    link: str | None = None
    tag: str | None = None

    @property
    def plain(self) -> bool:
        return self.link is None and self.tag is None


Unit = list[Segment]


def _join(segments: Sequence[Segment]) -> str:
    return "".join(s.text for s in segments)


@dataclass(frozen=True)
class ThreadPost:
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return _join(self.segments)

    def builder(self) -> client_utils.TextBuilder:
        built = client_utils.TextBuilder()
        for s in self.segments:
            if s.link is not None:
                built.link(s.text, s.link)
            elif s.tag is not None:
                built.tag(s.text, s.tag)
            else:
                built.text(s.text)
        return built


@dataclass(frozen=True)
class Card:
    """An ``app.bsky.embed.external`` link card."""

    uri: str
    title: str
    description: str


@dataclass(frozen=True)
class BlueskyThread:
    posts: tuple[ThreadPost, ...]
    card: Card | None  # on the first post
    marker: str  # text the first post starts with; how a later run finds this thread again


def tagged(text: str) -> Unit:
    """``text`` with its hashtags as tag segments."""
    out: Unit = []
    at = 0
    for found in _HASHTAG.finditer(text):
        if graphemes(found.group(1)) > MAX_TAG_GRAPHEMES:
            continue
        if found.start() > at:
            out.append(Segment(text[at : found.start()]))
        out.append(Segment(found.group(0), tag=found.group(1)))
        at = found.end()
    if at < len(text):
        out.append(Segment(text[at:]))
    return out


def short_link(url: str) -> Segment:
    """A link shown as host and path, shortened the way Bluesky's apps show links."""
    parts = urlsplit(url)
    shown = (parts.netloc.removeprefix("www.") + parts.path).rstrip("/") or url
    # Only http(s) addresses become links (the others are shown, not followed).
    return Segment(_truncate(shown, LINK_TEXT_GRAPHEMES), link=linkable(url))


def _truncate(text: str, limit: int) -> str:
    clusters = _GRAPHEME.findall(text)
    return text if len(clusters) <= limit else "".join(clusters[: limit - 1]) + "…"


def _cut(unit: Sequence[Segment], boundary: regex.Pattern[str]) -> list[Unit]:
    """Split the plain text of ``unit`` after each boundary match; links and tags stay whole."""
    units: list[Unit] = [[]]
    for seg in unit:
        if not seg.plain:
            units[-1].append(seg)
            continue
        at = 0
        for found in boundary.finditer(seg.text):
            if found.end() > at:  # a boundary at the segment's end cuts too (e.g. a "\n" segment)
                units[-1].append(Segment(seg.text[at : found.end()]))
                units.append([])
                at = found.end()
        if at < len(seg.text):
            units[-1].append(Segment(seg.text[at:]))
    return [u for u in units if _join(u)]


def _units(block: Unit, ok: Callable[[Sequence[Segment]], bool]) -> list[Unit]:
    """Pieces of an oversized block, each fitting a post on its own.

    Whole lines first: a line (a top post with its quote, its place and its link) that fits a
    post is never split, or its number and quote could end up in different posts. Only a line
    too long for any post is cut between sentences, and a sentence between words.
    """
    out: list[Unit] = []
    for line in _cut(block, _LINE_END):
        out += [line] if ok(line) else _pieces(line, ok)
    return out


def _pieces(line: Unit, ok: Callable[[Sequence[Segment]], bool]) -> list[Unit]:
    """A line too long for a post, cut between sentences, words, or else graphemes."""
    out: list[Unit] = []
    for sentence in _cut(line, _SENTENCE_END):
        if ok(sentence):
            out.append(sentence)
            continue
        for word in _cut(sentence, _SPACE):
            if ok(word):
                out.append(word)
                continue
            for seg in word:
                if seg.plain:
                    out += [[Segment(g)] for g in _GRAPHEME.findall(seg.text)]
                else:
                    text = seg.text
                    while not ok([Segment(text)]):
                        text = _truncate(text, graphemes(text) - 1)
                    out.append([Segment(text, seg.link, seg.tag)])
    return out


def _lstrip(unit: Unit) -> Unit:
    """Without whitespace at the start (only plain segments are trimmed)."""
    out = list(unit)
    while out and out[0].plain and not out[0].text.strip():
        out.pop(0)
    if out and out[0].plain:
        out[0] = Segment(out[0].text.lstrip())
    return out


def _strip(unit: Unit) -> Unit:
    """Without whitespace at either end."""
    out = _lstrip(unit)
    while out and out[-1].plain and not out[-1].text.strip():
        out.pop()
    if out and out[-1].plain:
        out[-1] = Segment(out[-1].text.rstrip())
    return out


def pack(blocks: Sequence[Unit], max_graphemes: int, max_bytes: int) -> list[Unit]:
    """Blocks into as few posts as fit, breaking inside a block only when it is too long alone."""

    def ok(segments: Sequence[Segment]) -> bool:
        return fits(_join(segments), max_graphemes, max_bytes)

    posts: list[Unit] = []
    current: Unit = []
    for block in blocks:
        joined = [*current, Segment("\n\n"), *block] if current else list(block)
        if ok(joined):
            current = joined
            continue
        if current:
            posts.append(current)
            current = []
        if ok(block):
            current = list(block)
            continue
        for unit in _units(block, ok):
            if current and not ok([*current, *unit]):
                posts.append(current)
                current = []
            current = [*current, *unit] if current else _lstrip(unit)
    if current:
        posts.append(current)
    return [stripped for post in posts if (stripped := _strip(post))]


def thread(blocks: Sequence[Unit]) -> tuple[ThreadPost, ...]:
    """Blocks packed into posts numbered ``(k/n)``; room for the number is kept in each post."""
    digits = 1
    while True:
        reserve = f" ({'9' * digits}/{'9' * digits})"
        posts = pack(blocks, MAX_GRAPHEMES - graphemes(reserve), MAX_BYTES - len(reserve.encode()))
        if len(str(len(posts))) <= digits:
            break
        digits = len(str(len(posts)))
    n = len(posts)
    if n == 1:
        return (ThreadPost(tuple(posts[0])),)
    return tuple(ThreadPost((*post, Segment(f" ({k}/{n})"))) for k, post in enumerate(posts, 1))


def _digest_blocks(content: DigestContent) -> list[Unit]:
    tz = content.period.timezone
    blocks: list[Unit] = [tagged(content.heading)]
    for p in content.petitions:
        blocks.append([*tagged(f"Petition {petition_sentence(p, tz)} "), short_link(p.url)])
    conversation = content.conversation
    talk = " ".join([posts_line(conversation, content.period.day, tz), *conversation_details(conversation)])
    blocks.append(tagged(talk))
    for activity in conversation.platforms:
        if activity.top:
            # One block: the heading stays with its posts; long blocks still split between lines.
            top: Unit = [Segment(f"Most engaging on {platform_name(activity.platform)}:")]
            for rank, post in enumerate(activity.top, 1):
                line = tagged(f"{rank}. “{post.excerpt}” ({where(post)}) ")
                top += [Segment("\n"), *line, short_link(post.url)]
            blocks.append(top)
    for seed in content.background:
        outlet = f" ({seed.outlet})" if seed.outlet else ""
        link = [Segment(" "), short_link(seed.url)] if seed.url else []
        blocks.append([Segment(f"Background: {seed.title}{outlet}"), *link])
    if conversation.sensitive:
        before, after = CARE_NOTE.split(HELPLINE_TEXT)
        blocks.append([Segment(before), Segment(HELPLINE_TEXT, link=HELPLINE_URL), Segment(after)])
    blocks.append([Segment(BOT_NOTE)])
    return blocks


def render_bluesky(content: DigestContent | AlertContent) -> BlueskyThread:
    if isinstance(content, AlertContent):
        detail: Unit = tagged(content.detail)
        if content.url:
            detail += [Segment(" "), short_link(content.url)]
        card = Card(content.url, content.heading, content.detail) if content.url else None
        return BlueskyThread(thread([tagged(content.heading), detail]), card, content.heading)
    blocks = _digest_blocks(content)
    uri = content.page_url or (content.petitions[0].url if content.petitions else None)
    description = posts_line(content.conversation, content.period.day, content.period.timezone)
    card = Card(uri, content.heading, description) if uri else None
    return BlueskyThread(thread(blocks), card, content.heading)
