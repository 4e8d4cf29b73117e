"""``app.bsky.feed.*`` reads: searchPosts, getPosts, getPostThread, getAuthorFeed.

Anonymous reads are served as the public AppView serves them, except search:
production refuses anonymous ``searchPosts`` ("Request forbidden by administrative
rules.", 403), so the sandbox does too. ``tag=`` is accepted and, like production's,
filters nothing; tags are searched with ``#tag`` in ``q``.
"""

from __future__ import annotations

from ._bluesky_search import MAX_OFFSET, matches, paginate, parse_query, parse_when, rank, sort_at
from ._bluesky_state import BlueskyState, StateHandler
from ._bluesky_views import Views
from ._xrpc import Call, JsonObject, XrpcError, invalid

SEARCH = "app.bsky.feed.searchPosts"


def _offset(cursor: str | None) -> int:
    """Production's search cursor: an integer offset, refused past 10,000."""
    if cursor is None or cursor == "":
        return 0
    try:
        offset = int(cursor)
    except ValueError:
        raise invalid(f"invalid value for 'cursor': parsing {cursor!r}: invalid syntax") from None
    if offset > MAX_OFFSET:
        raise invalid("invalid value for 'cursor' (can't paginate so deep)")
    return max(offset, 0)


def _resolve(views: Views, actor: str | None) -> str | None:
    account = views.account(actor) if actor else None
    return account.did if account is not None else None


async def search_posts(state: BlueskyState, call: Call) -> JsonObject:
    viewer = state.viewer(call)
    params = call.params
    q = params.required("q")
    limit = params.integer("limit", 25, 1, 100)
    sort = params.optional("sort") or "latest"
    params.many("tag")  # accepted and ignored, as in production
    if viewer is None:
        raise XrpcError(403, "Forbidden", "Request forbidden by administrative rules.")
    if not q.strip():
        raise invalid("must pass non-empty search query")
    offset = _offset(params.optional("cursor"))
    query = parse_query(q)
    for name in ("since", "until"):
        raw = params.optional(name)
        if raw is not None:
            moment = parse_when(raw)
            if moment is None:
                raise invalid(f"invalid value for '{name}': {raw!r} is not a datetime or YYYY-MM-DD")
            setattr(query, name, moment)
    for name in ("lang", "author", "mentions", "domain", "url"):
        if params.optional(name):
            setattr(query, name, params.optional(name))
    world = state.ctx.world
    with world.lock:
        views = state.views(call, viewer)
        author, mention = _resolve(views, query.author), _resolve(views, query.mentions)
        hits = [
            p for p in world.bluesky_posts.values() if views.shown(p) and matches(p, query, author, mention)
        ]
        page = paginate(rank(hits, sort), offset, limit)
        posts = [views.post(p) for p in page.posts]
    out: JsonObject = {}
    if page.cursor is not None:
        out["cursor"] = page.cursor
    if page.hits_total is not None:
        out["hitsTotal"] = page.hits_total
    out["posts"] = posts
    return out


async def get_posts(state: BlueskyState, call: Call) -> JsonObject:
    viewer = state.viewer(call)
    params = call.params
    uris = params.many("uris", maximum=25)
    if not uris:
        params.required("uris")
    for uri in uris:
        params.at_uri(uri)
    world = state.ctx.world
    with world.lock:
        views = state.views(call, viewer)
        found = [views.find(uri) for uri in dict.fromkeys(uris)]
        return {"posts": [views.post(p) for p in found if p is not None]}


async def get_post_thread(state: BlueskyState, call: Call) -> JsonObject:
    viewer = state.viewer(call)
    params = call.params
    uri = params.at_uri(params.required("uri"))
    depth = params.integer("depth", 6, 0, 1000)
    height = params.integer("parentHeight", 80, 0, 1000)
    world = state.ctx.world
    with world.lock:
        views = state.views(call, viewer)
        post = views.find(uri)
        if post is None:
            raise XrpcError(400, "NotFound", f"Post not found: {uri}")
        return {"thread": views.thread(post, depth, height)}


def _keyset(cursor: str | None) -> tuple[int, str] | None:
    """The AppView's feed cursor ``<sortAt ms>__<cid>``."""
    if not cursor:
        return None
    millis, sep, cid = cursor.partition("__")
    if not sep or not millis.isdigit():
        raise invalid("Malformed cursor")
    return int(millis), cid


async def get_author_feed(state: BlueskyState, call: Call) -> JsonObject:
    viewer = state.viewer(call)
    params = call.params
    actor = params.required("actor")
    limit = params.integer("limit", 50, 1, 100)
    after = _keyset(params.optional("cursor"))
    kind = params.optional("filter") or "posts_with_replies"
    world = state.ctx.world
    with world.lock:
        views = state.views(call, viewer)
        account = views.account(actor)
        if account is None:
            raise invalid("Profile not found")
        posts = [p for p in world.bluesky_posts.values() if p.did == account.did and views.shown(p)]
        if kind == "posts_no_replies":
            posts = [p for p in posts if p.reply_parent is None]
        elif kind == "posts_with_media":
            posts = [p for p in posts if (p.embed or {}).get("$type") == "app.bsky.embed.images"]
        elif kind == "posts_and_author_threads":
            posts = [p for p in posts if p.reply_root is None or p.reply_root[0].startswith(f"at://{p.did}/")]
        keyed = sorted(
            ((int(sort_at(p).timestamp() * 1000), p.cid, p) for p in posts), key=lambda i: i[:2], reverse=True
        )
        page = [item for item in keyed if after is None or (item[0], item[1]) < after][:limit]
        out: JsonObject = {"feed": [views.feed_item(p) for _, _, p in page]}
    if page:
        out["cursor"] = f"{page[-1][0]}__{page[-1][1]}"
    return out


ROUTES: tuple[tuple[str, str, StateHandler], ...] = (
    (SEARCH, "GET", search_posts),
    ("app.bsky.feed.getPosts", "GET", get_posts),
    ("app.bsky.feed.getPostThread", "GET", get_post_thread),
    ("app.bsky.feed.getAuthorFeed", "GET", get_author_feed),
)
