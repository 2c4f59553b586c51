"""What remote servers post to our inboxes: checked, verified, then acted on once.

Nothing here changes a row before the request's signature has verified against the key of
the actor the activity names, and an activity id seen before changes nothing again.
"""

import json
import logging
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.models import Article
from federation import documents, signatures
from federation.models import (
    Activity,
    Actor,
    Block,
    Delivery,
    Follower,
    Reaction,
    ReceivedActivity,
    RemoteActor,
    Reply,
    domain_of,
    fragments_changed,
)
from federation.remote import Client, RemoteError
from federation.signatures import SignatureError

logger = logging.getLogger(__name__)


class RefusedError(Exception):
    """An inbox request we answer with `status` and change nothing for."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status


# ----------------------------------------------------------------------------- shape checks


def parse(body):
    """The activity as a dict, or RefusedError: too large, not JSON, too deep, wrong types."""
    if len(body) > settings.FEDERATION_MAX_INBOX_BYTES:
        raise RefusedError(413, "Too large")
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise RefusedError(400, "Not JSON") from error
    if not isinstance(document, dict):
        raise RefusedError(400, "Not a JSON object")
    if depth(document) > settings.FEDERATION_MAX_JSON_DEPTH:
        raise RefusedError(400, "Nested too deeply")
    for field in ("id", "type"):
        if not isinstance(document.get(field), str) or not document[field]:
            raise RefusedError(400, f"No {field}")
    if not isinstance(id_of(document.get("actor")), str):
        raise RefusedError(400, "No actor")
    return document


def depth(value, level=1):
    if isinstance(value, dict):
        return max((depth(item, level + 1) for item in value.values()), default=level)
    if isinstance(value, list):
        return max((depth(item, level + 1) for item in value), default=level)
    return level


def id_of(value):
    """An object's id, whether it came as a string or as an embedded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def rate_limited(domain):
    key = f"federation:inbox-rate:{domain}:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, 120)
    try:
        count = cache.incr(key)
    except ValueError:
        return False
    return count > settings.FEDERATION_INBOX_RATE_PER_MINUTE


# ----------------------------------------------------------------------------- remote keys


def fetcher():
    """Our default edition signs the fetches (servers in authorized-fetch mode ask for it)."""
    return Client(Actor.objects.ensure()[0])


def remote_actor_for_key(key_id, *, refresh=False):
    """The actor owning `key_id`, from our copy or fetched (then kept)."""
    if not refresh:
        known = RemoteActor.objects.filter(key_id=key_id).first()
        if known is not None:
            return known
    return fetch_actor(key_id.split("#")[0], key_id=key_id)


def fetch_actor(uri, *, key_id=None):
    client = fetcher()
    try:
        document = client.get_json(uri)
        if "publicKeyPem" in document and "owner" in document:
            # A key document: the owner is the actor.
            document = client.get_json(document["owner"])
    except RemoteError as error:
        raise SignatureError(f"Cannot fetch the key: {error}") from error
    return store_actor(document, key_id=key_id)


def store_actor(document, *, key_id=None):
    actor_id = id_of(document.get("id"))
    key = document.get("publicKey")
    if isinstance(key, list):
        key = next((item for item in key if isinstance(item, dict)), None)
    if not actor_id or not isinstance(key, dict) or not isinstance(key.get("publicKeyPem"), str):
        raise SignatureError("The actor has no usable key")
    if key_id and key.get("id") != key_id:
        raise SignatureError("The key is not the actor's")
    if key.get("owner") not in (None, actor_id):
        raise SignatureError("The key belongs to someone else")
    if key_id and urlsplit(key_id).netloc != urlsplit(actor_id).netloc:
        raise SignatureError("The key and the actor live on different servers")
    inbox = id_of(document.get("inbox"))
    if not inbox or urlsplit(inbox).netloc != urlsplit(actor_id).netloc:
        raise SignatureError("The actor has no inbox of its own")
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    shared = id_of(endpoints.get("sharedInbox")) or ""
    if shared and urlsplit(shared).netloc != urlsplit(actor_id).netloc:
        shared = ""
    remote, _created = RemoteActor.objects.update_or_create(
        uri=actor_id,
        defaults={
            "username": _text(document.get("preferredUsername"), 200),
            "name": _text(document.get("name"), 200),
            "url": id_of(document.get("url")) or "",
            "domain": domain_of(actor_id),
            "inbox": inbox,
            "shared_inbox": shared,
            "key_id": key.get("id") or key_id or "",
            "public_key_pem": key["publicKeyPem"],
            "fetched_at": timezone.now(),
        },
    )
    return remote


def _text(value, limit):
    return value[:limit] if isinstance(value, str) else ""


def verified_sender(message):
    """The remote actor whose key signed `message`; refetches the key once on failure."""
    key_id = signatures.key_id_of(message)
    if not key_id.startswith(("https://", "http://")):
        raise SignatureError("The key id is not an address")
    remote = remote_actor_for_key(key_id)
    try:
        signatures.verify(message, remote.public_key_pem)
    except SignatureError:
        # The key may have been rotated since we kept it.
        remote = remote_actor_for_key(key_id, refresh=True)
        signatures.verify(message, remote.public_key_pem)
    return remote


# ----------------------------------------------------------------------------- receiving


def receive(message):
    """Check, verify and act on one posted activity; raises RefusedError for what we turn away."""
    document = parse(message.body)
    try:
        key_id = signatures.key_id_of(message)
    except SignatureError as error:
        raise RefusedError(401, str(error)) from error
    domain = domain_of(key_id)
    if Block.is_blocked(key_id) or Block.is_blocked(id_of(document["actor"])):
        raise RefusedError(403, "Blocked")
    if rate_limited(domain):
        raise RefusedError(429, "Too many requests")
    try:
        sender = verified_sender(message)
    except SignatureError as error:
        raise RefusedError(401, str(error)) from error
    if id_of(document["actor"]) != sender.uri:
        raise RefusedError(401, "Signed by someone else than the actor")
    if domain_of(document["id"]) != sender.domain:
        raise RefusedError(400, "The activity is not from the actor's server")
    try:
        with transaction.atomic():
            ReceivedActivity.objects.create(
                activity_id=document["id"][:500],
                kind=document["type"][:40],
                actor_uri=sender.uri,
            )
            handle(document, sender)
    except IntegrityError:
        return "duplicate"  # a redelivery: already done
    return "accepted"


def handle(document, sender):
    kind = document["type"]
    handler = HANDLERS.get(kind)
    if handler is not None:
        handler(document, sender)


def actor_at(uri):
    return next((actor for actor in Actor.objects.ensure() if actor.uri == uri), None)


def on_follow(document, sender):
    actor = actor_at(id_of(document.get("object")))
    if actor is None:
        return
    Follower.objects.update_or_create(
        actor=actor, remote=sender, defaults={"follow_id": document["id"]}
    )
    accept = Activity(actor=actor, kind="Accept")
    follow = {"id": document["id"], "type": "Follow", "actor": sender.uri, "object": actor.uri}
    accept.payload = documents.activity(actor, "Accept", follow, accept.uri, to=[sender.uri])
    accept.save()
    delivery = Delivery.objects.create(activity=accept, inbox=sender.inbox)

    def queue():
        from federation.tasks import Queue  # the tasks module imports this one

        Queue.deliver(delivery.pk)

    transaction.on_commit(queue)


def on_undo(document, sender):
    target = document.get("object")
    target_id = id_of(target)
    target_type = target.get("type") if isinstance(target, dict) else None
    if target_type in (None, "Follow"):
        follows = Follower.objects.filter(remote=sender)
        removed = follows.filter(follow_id=target_id).delete()[0] if target_id else 0
        if not removed and isinstance(target, dict):
            # Some servers send the Follow again with a fresh id: go by whom it followed.
            actor = actor_at(id_of(target.get("object")))
            if actor is not None:
                follows.filter(actor=actor).delete()
    if target_type in (None, "Like", "Announce") and target_id:
        Reaction.objects.filter(activity_id=target_id, actor_uri=sender.uri).delete()
        fragments_changed()


def article_for(uri):
    """The article an address of ours points at: its object id or its page, else None."""
    if not uri or not uri.startswith(settings.SITE_URL + "/"):
        return None
    path = urlsplit(uri).path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name in ("federation:object", "federation:object_again"):
        return Article.objects.live().filter(pk=match.kwargs["pk"]).first()
    if match.view_name == "articles:detail":
        return Article.objects.live().filter(slug=match.kwargs["slug"]).first()
    return None


REPLY_TAGS = {"p", "br", "a", "span", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li"}


def sanitized(html):
    return nh3.clean(
        html if isinstance(html, str) else "",
        tags={
            "p",
            "br",
            "a",
            "span",
            "strong",
            "em",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
        },
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="nofollow noopener ugc",
    )


def on_create(document, sender):
    note = document.get("object")
    if not isinstance(note, dict) or note.get("type") not in ("Note", "Article", "Question"):
        return
    note_id = id_of(note)
    if not note_id or domain_of(note_id) != sender.domain:
        return
    article = article_for(id_of(note.get("inReplyTo")))
    if article is None:
        return
    language = note.get("contentMap") if isinstance(note.get("contentMap"), dict) else {}
    Reply.objects.get_or_create(
        object_uri=note_id,
        defaults={
            "article": article,
            "url": id_of(note.get("url")) or "",
            "author_uri": sender.uri,
            "domain": sender.domain,
            "author_handle": sender.handle,
            "author_name": sender.name,
            "content": sanitized(note.get("content")),
            "language": next(iter(language), "")[:10],
            "published_at": _when(note.get("published")),
        },
    )


def _when(value):
    moment = parse_datetime(value) if isinstance(value, str) else None
    return moment if moment and moment.tzinfo else timezone.now()


def on_update(document, sender):
    note = document.get("object")
    if not isinstance(note, dict):
        return
    if id_of(note) == sender.uri:
        # A profile update: keep the new key and inboxes.
        store_actor(note, key_id=sender.key_id)
        return
    reply = Reply.objects.filter(object_uri=id_of(note), author_uri=sender.uri).first()
    if reply is not None:
        reply.content = sanitized(note.get("content"))
        reply.save(update_fields=["content"])
        if reply.status == Reply.Status.APPROVED:
            fragments_changed([reply.article_id])


def on_delete(document, sender):
    target_id = id_of(document.get("object"))
    if target_id == sender.uri:
        replies = Reply.objects.filter(author_uri=sender.uri)
        reactions = Reaction.objects.filter(actor_uri=sender.uri)
        shown_on = {*replies.values_list("article_id", flat=True)}
        shown_on.update(reactions.values_list("article_id", flat=True))
        replies.delete()
        reactions.delete()
        sender.delete()
        fragments_changed(shown_on)
        return
    replies = Reply.objects.filter(object_uri=target_id, author_uri=sender.uri)
    shown_on = set(replies.values_list("article_id", flat=True))
    if replies.delete()[0]:
        fragments_changed(shown_on)


def on_reaction(document, sender):
    article = article_for(id_of(document.get("object")))
    if article is None:
        return
    kind = Reaction.Kind.LIKE if document["type"] == "Like" else Reaction.Kind.BOOST
    Reaction.objects.get_or_create(
        article=article,
        kind=kind,
        actor_uri=sender.uri,
        defaults={"activity_id": document["id"][:500], "domain": sender.domain},
    )
    # The count on the article's page follows when its cached copy expires.
    fragments_changed()


HANDLERS = {
    "Follow": on_follow,
    "Undo": on_undo,
    "Create": on_create,
    "Update": on_update,
    "Delete": on_delete,
    "Like": on_reaction,
    "Announce": on_reaction,
}
