"""The AppView's JSON views of world accounts and posts (``app.bsky.feed.defs#postView`` and friends).

Shapes follow the reference AppView's responses (``../shared/fixtures/bluesky/``):
``postView`` with ``author`` (profileViewBasic), the raw ``record``, an ``embed``
view, the counts, ``indexedAt`` and ``labels``; ``viewer`` blocks only for a
logged-in caller. Blob images point at this server's ``com.atproto.sync.getBlob``.
Callers hold ``world.lock`` while using a :class:`Views`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._bluesky_records import cid_for_record, iso, record_of
from ._world import BlueskyAccount, BlueskyPost, World
from ._xrpc import JsonObject

PROFILE = "app.bsky.actor.profile"
_EPOCH = "1970-01-01T00:00:00.000Z"  # the AppView's cts for self-labels
_ASSOCIATED = {"chat": {"allowIncoming": "all"}, "activitySubscription": {"allowSubscriptions": "followers"}}
_VERIFICATION = {"verifications": [], "verifiedStatus": "none", "trustedVerifierStatus": "none"}


def profile_record(account: BlueskyAccount, stored: JsonObject | None) -> JsonObject:
    """The account's ``app.bsky.actor.profile/self`` record: the one written, else the app's default."""
    if stored is not None:
        return stored
    record: JsonObject = {"$type": PROFILE, "displayName": account.display_name}
    if account.is_bot:
        record["labels"] = {"$type": "com.atproto.label.defs#selfLabels", "values": [{"val": "bot"}]}
    return record


def not_found(uri: str) -> JsonObject:
    return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri, "notFound": True}


@dataclass
class Views:
    world: World
    profiles: Mapping[str, JsonObject]  # written profile records by did
    base_url: str
    viewer: str | None
    now: datetime
    _children: dict[str, list[BlueskyPost]] | None = field(default=None, init=False)

    # -- posts ----------------------------------------------------------------------------

    def shown(self, post: BlueskyPost) -> bool:
        return not post.deleted and post.indexed_at <= self.now

    def find(self, uri: str) -> BlueskyPost | None:
        post = self.world.bluesky_posts.get(uri)
        return post if post is not None and self.shown(post) else None

    def replies_to(self, uri: str) -> list[BlueskyPost]:
        if self._children is None:
            self._children = defaultdict(list)
            for post in self.world.bluesky_posts.values():
                if post.reply_parent is not None and self.shown(post):
                    self._children[post.reply_parent[0]].append(post)
        return sorted(self._children.get(uri, []), key=lambda p: (p.indexed_at, p.rkey))

    # -- actors ---------------------------------------------------------------------------

    def account(self, actor: str) -> BlueskyAccount | None:
        if actor.startswith("did:"):
            return self.world.bluesky_accounts.get(actor)
        wanted = actor.lower()
        return next((a for a in self.world.bluesky_accounts.values() if a.handle.lower() == wanted), None)

    def labels(self, account: BlueskyAccount) -> list[JsonObject]:
        if not account.is_bot:
            return []
        record = profile_record(account, self.profiles.get(account.did))
        return [
            {
                "src": account.did,
                "uri": f"at://{account.did}/{PROFILE}/self",
                "cid": cid_for_record(record),
                "val": "bot",
                "cts": _EPOCH,
            }
        ]

    def author(self, did: str) -> JsonObject:
        account = self.world.bluesky_accounts.get(did) or BlueskyAccount(did, "handle.invalid", "")
        view: JsonObject = {"did": account.did, "handle": account.handle}
        if account.display_name:
            view["displayName"] = account.display_name
        view["associated"] = _ASSOCIATED
        if self.viewer is not None:
            view["viewer"] = {"muted": False, "blockedBy": False}
        view["labels"] = self.labels(account)
        view["verification"] = _VERIFICATION
        return view

    def profile(self, account: BlueskyAccount) -> JsonObject:
        """``app.bsky.actor.defs#profileViewDetailed``."""
        record = profile_record(account, self.profiles.get(account.did))
        view = self.author(account.did)
        view.pop("verification")
        if record.get("displayName"):
            view["displayName"] = record["displayName"]
        if record.get("description"):
            view["description"] = record["description"]
        posts = sum(1 for p in self.world.bluesky_posts.values() if p.did == account.did and self.shown(p))
        view.update({"followersCount": 0, "followsCount": 0, "postsCount": posts})
        view["verification"] = _VERIFICATION
        return view

    # -- views of posts -------------------------------------------------------------------

    def _blob_url(self, did: str, blob: Any) -> str | None:
        if not isinstance(blob, dict) or not isinstance(blob.get("ref"), dict):
            return None
        return f"{self.base_url}/xrpc/com.atproto.sync.getBlob?did={did}&cid={blob['ref'].get('$link')}"

    def _media_view(self, did: str, embed: JsonObject) -> JsonObject | None:
        kind = embed.get("$type")
        if kind == "app.bsky.embed.external" and isinstance(embed.get("external"), dict):
            ext = embed["external"]
            external = {k: ext.get(k, "") for k in ("uri", "title", "description")}
            thumb = self._blob_url(did, ext.get("thumb"))
            if thumb is not None:
                external["thumb"] = thumb
            return {"$type": "app.bsky.embed.external#view", "external": external}
        if kind == "app.bsky.embed.images" and isinstance(embed.get("images"), list):
            images = []
            for image in embed["images"]:
                url = self._blob_url(did, image.get("image")) or ""
                item = {"thumb": url, "fullsize": url, "alt": image.get("alt", "")}
                if isinstance(image.get("aspectRatio"), dict):
                    item["aspectRatio"] = image["aspectRatio"]
                images.append(item)
            return {"$type": "app.bsky.embed.images#view", "images": images}
        return None

    def _record_view(self, ref: Any) -> JsonObject:
        uri = ref.get("uri", "") if isinstance(ref, dict) else ""
        quoted = self.find(uri)
        if quoted is None:
            inner: JsonObject = {"$type": "app.bsky.embed.record#viewNotFound", "uri": uri, "notFound": True}
        else:
            inner = {
                "$type": "app.bsky.embed.record#viewRecord",
                "uri": quoted.uri,
                "cid": quoted.cid,
                "author": self.author(quoted.did),
                "value": record_of(quoted),
                "labels": [],
                **self._counts(quoted),
                "indexedAt": iso(quoted.indexed_at),
                "embeds": [],
            }
        return {"$type": "app.bsky.embed.record#view", "record": inner}

    def embed(self, post: BlueskyPost) -> JsonObject | None:
        embed = post.embed
        if not isinstance(embed, dict):
            return None
        kind = embed.get("$type")
        if kind == "app.bsky.embed.record":
            return self._record_view(embed.get("record"))
        media, quoted = embed.get("media"), embed.get("record")
        if kind == "app.bsky.embed.recordWithMedia" and isinstance(media, dict) and isinstance(quoted, dict):
            media_view = self._media_view(post.did, media)
            if media_view is None:
                return None
            record = self._record_view(quoted.get("record"))
            return {"$type": "app.bsky.embed.recordWithMedia#view", "record": record, "media": media_view}
        return self._media_view(post.did, embed)

    @staticmethod
    def _counts(post: BlueskyPost) -> JsonObject:
        return {
            "replyCount": post.reply_count,
            "repostCount": post.repost_count,
            "likeCount": post.like_count,
            "quoteCount": post.quote_count,
        }

    def post(self, post: BlueskyPost) -> JsonObject:
        view: JsonObject = {
            "uri": post.uri,
            "cid": post.cid,
            "author": self.author(post.did),
            "record": record_of(post),
        }
        embed = self.embed(post)
        if embed is not None:
            view["embed"] = embed
        view["bookmarkCount"] = 0
        view.update(self._counts(post))
        view["indexedAt"] = iso(post.indexed_at)
        if self.viewer is not None:
            view["viewer"] = {"bookmarked": False, "threadMuted": False, "embeddingDisabled": False}
        view["labels"] = []
        return view

    def thread(self, post: BlueskyPost, depth: int, parent_height: int) -> JsonObject:
        """``threadViewPost``: parents up to ``parent_height``, replies (oldest first) down to ``depth``."""
        node: JsonObject = {"$type": "app.bsky.feed.defs#threadViewPost", "post": self.post(post)}
        if post.reply_parent is not None and parent_height > 0:
            parent = self.find(post.reply_parent[0])
            if parent is None:
                node["parent"] = not_found(post.reply_parent[0])
            else:
                node["parent"] = self.thread(parent, 0, parent_height - 1)
        if depth > 0:
            node["replies"] = [self.thread(reply, depth - 1, 0) for reply in self.replies_to(post.uri)]
        node["threadContext"] = {}
        return node

    def feed_item(self, post: BlueskyPost) -> JsonObject:
        """``feedViewPost``: the post, and for a reply its root and parent."""
        item: JsonObject = {"post": self.post(post)}
        if post.reply_root is not None and post.reply_parent is not None:
            refs = {"root": post.reply_root[0], "parent": post.reply_parent[0]}
            reply: JsonObject = {}
            for key, uri in refs.items():
                found = self.find(uri)
                if found is None:
                    reply[key] = not_found(uri)
                else:
                    reply[key] = {**self.post(found), "$type": "app.bsky.feed.defs#postView"}
            item["reply"] = reply
        return item
