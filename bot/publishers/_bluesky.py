"""The digest as a Bluesky thread from the bot's account, which declares itself a bot.

* Bot label: the profile record (``app.bsky.actor.profile/self``) carries the
  self-label ``bot``; it is added once, keeping the rest of the profile, and only
  when missing (``swapRecord`` guards against a concurrent profile edit).
* Writes are never retried blindly: a ``createRecord`` that timed out may have
  succeeded. Instead, looking first finds the thread's root among the bot's recent
  posts (``getAuthorFeed``; a root post's text starts with the digest's heading),
  walks the thread (``getPostThread``) along the bot's own replies whose text is the
  expected part, and posts only the parts still missing.
* The chart (when enabled and drawable) goes on the second post, as an image with
  alt text: the first post carries the link card, and a post has one embed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from atproto_client import Client, models
from atproto_client.exceptions import BadRequestError, UnauthorizedError

from bot.digest import BlueskyThread, DigestContent, chart_alt, chart_png, render_bluesky
from bot.sources import BlueskyError

from ._delivery import Edition, NotDelivered, Remote

PROFILE = "app.bsky.actor.profile"
FEED_LOOK_BACK = 50
WEB = "https://bsky.app"


class BlueskyAccount:
    """What the publisher needs from a logged-in session: the client and the account's ids."""

    def __init__(self, client: Client, did: str, handle: str) -> None:
        self.client = client
        self.did = did
        self.handle = handle


def web_url(handle: str, uri: str) -> str:
    return f"{WEB}/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def ensure_bot_label(account: BlueskyAccount) -> bool:
    """Add the self-applied ``bot`` label to the profile if missing; True when it was added."""
    client = account.client
    try:
        current = client.com.atproto.repo.get_record(
            models.ComAtprotoRepoGetRecord.Params(repo=account.did, collection=PROFILE, rkey="self")
        )
        record: Any = current.value
        swap: str | None = current.cid
    except BadRequestError:  # RecordNotFound: the account never saved a profile
        record, swap = None, None
    labels = getattr(record, "labels", None) if record is not None else None
    values = list(getattr(labels, "values", None) or [])
    if any(getattr(v, "val", None) == "bot" for v in values):
        return False
    selflabels = models.ComAtprotoLabelDefs.SelfLabels(
        values=[*values, models.ComAtprotoLabelDefs.SelfLabel(val="bot")]
    )
    if isinstance(record, models.AppBskyActorProfile.Record):
        updated = record.model_copy(update={"labels": selflabels})
    else:
        updated = models.AppBskyActorProfile.Record(labels=selflabels)
    client.com.atproto.repo.put_record(
        models.ComAtprotoRepoPutRecord.Data(
            repo=account.did, collection=PROFILE, rkey="self", record=updated, swap_record=swap
        )
    )
    return True


def _ref(uri: str, cid: str) -> models.ComAtprotoRepoStrongRef.Main:
    return models.ComAtprotoRepoStrongRef.Main(uri=uri, cid=cid)


class BlueskyPublisher:
    target = "bluesky"

    def __init__(
        self,
        login: Callable[[], BlueskyAccount],
        *,
        chart: bool = True,
        after_post: Callable[[int], None] | None = None,
    ) -> None:
        self._login = login
        self._account: BlueskyAccount | None = None
        self.chart = chart
        # Called after each post of a thread is created (tests use it to simulate a crash mid-thread).
        self._after_post = after_post

    def account(self) -> BlueskyAccount:
        if self._account is None:
            self._account = self._login()
            ensure_bot_label(self._account)
        return self._account

    def find(self, thread: BlueskyThread) -> list[models.ComAtprotoRepoStrongRef.Main]:
        """The parts of ``thread`` already posted, in order (empty when the root is not found)."""
        account = self.account()
        feed = account.client.get_author_feed(actor=account.did, limit=FEED_LOOK_BACK)
        root = next(
            (
                item.post
                for item in feed.feed
                if item.post.author.did == account.did
                and getattr(item.post.record, "reply", None) is None
                and str(getattr(item.post.record, "text", "")).startswith(thread.marker)
            ),
            None,
        )
        if root is None:
            return []
        found = [_ref(root.uri, root.cid)]
        try:
            node: Any = account.client.get_post_thread(uri=root.uri, depth=len(thread.posts)).thread
        except BadRequestError as exc:
            # The root is in the author feed but the AppView answers NotFound for its thread (it
            # indexes them apart; seen on the reference network). Not knowing which replies exist,
            # post none now: the run is retried.
            raise NotDelivered(f"bluesky: the thread of {root.uri} cannot be read yet: {exc}") from None
        for part in thread.posts[1:]:
            node = next(
                (
                    reply
                    for reply in getattr(node, "replies", None) or []
                    if getattr(reply, "post", None) is not None
                    and reply.post.author.did == account.did
                    and getattr(reply.post.record, "text", None) == part.text
                ),
                None,
            )
            if node is None:
                break
            found.append(_ref(node.post.uri, node.post.cid))
        return found

    def _embed(self, edition: Edition, thread: BlueskyThread, index: int, client: Client) -> Any:
        if index == 0 and thread.card is not None:
            card = thread.card
            external = models.AppBskyEmbedExternal.External(
                uri=card.uri, title=card.title, description=card.description
            )
            return models.AppBskyEmbedExternal.Main(external=external)
        content = edition.content
        if index == 1 and self.chart and isinstance(content, DigestContent):
            for petition in content.petitions:
                png = chart_png(petition)
                if png is not None:
                    blob = client.upload_blob(png).blob
                    image = models.AppBskyEmbedImages.Image(alt=chart_alt(petition), image=blob)
                    return models.AppBskyEmbedImages.Main(images=[image])
        return None

    def publish(self, edition: Edition, *, look_first: bool) -> Remote:
        thread = render_bluesky(edition.content)
        try:
            account = self.account()
            done = self.find(thread) if look_first else []
        except (BadRequestError, UnauthorizedError) as exc:
            raise NotDelivered(f"bluesky: {type(exc).__name__}: {exc}", permanent=True) from None
        except BlueskyError as exc:
            # The login refused, rate-limited or unreachable after its own retries: nothing was posted.
            raise NotDelivered(str(exc), permanent=True) from None
        client = account.client
        already = len(done)
        for index in range(already, len(thread.posts)):
            post = thread.posts[index]
            reply = models.AppBskyFeedPost.ReplyRef(root=done[0], parent=done[-1]) if done else None
            try:
                created = client.send_post(
                    post.builder(),
                    profile_identify=account.did,
                    reply_to=reply,
                    embed=self._embed(edition, thread, index, client),
                    langs=["en"],
                )
            except (BadRequestError, UnauthorizedError) as exc:
                if not done:  # refused, and nothing of the thread exists yet
                    raise NotDelivered(f"bluesky: {type(exc).__name__}: {exc}", permanent=True) from None
                raise
            done.append(_ref(created.uri, created.cid))
            if self._after_post is not None:
                self._after_post(index)
        root = done[0]
        return Remote(root.uri, web_url(account.handle, root.uri), found=already == len(thread.posts))
