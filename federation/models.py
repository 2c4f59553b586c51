"""The blog's fediverse accounts, the servers that follow them, and what goes between them.

One `Actor` per site language (an edition). Remote accounts are `RemoteActor` rows, fetched
once and refreshed when their key stops verifying. What we send is an `Activity`; each
(activity, inbox) pair is one `Delivery` row under a unique constraint, so an inbox gets an
activity once however often the fan-out runs.
"""

import functools
import hashlib
import uuid
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sitewide.changes import changed


def site_host():
    """The actors' host: SITE_URL's, with its port when it has one (acct:blog@127.0.0.1:8000)."""
    return urlsplit(settings.SITE_URL).netloc


def absolute(path):
    """An address on this site from SITE_URL, never from a request's Host header."""
    return settings.SITE_URL + path


def domain_of(uri):
    return (urlsplit(uri).hostname or "").lower()


ACCOUNTS_KEY = "federation:accounts"
FRAGMENTS_KEY = "federation:fragments"


def reactions_key(article_id):
    """The key of what an article's page shows from the fediverse (sitewide/pagestore.py)."""
    return f"fediverse:{article_id}"


class _Once:
    def __init__(self, function):
        self.function = function
        self.done = False

    def __call__(self):
        if not self.done:
            self.done = True
            self.function()


def _on_commit_once(function):
    """`function` after the current transaction commits, once however often it is asked for
    (at once outside a transaction). After, not at once: a page rendered in between would
    cache what the transaction is replacing."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        isinstance(callback, _Once) and callback.function is function and not callback.done
        for _savepoints, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Once(function), robust=True)


def _read_fragments_again():
    try:
        cache.incr(FRAGMENTS_KEY)
    except ValueError:
        cache.add(FRAGMENTS_KEY, 1, None)


def fragments_changed(article_ids=()):
    """Replies or reactions changed: what article pages show of them is read again, and the
    pages of `article_ids` (those whose shown replies changed) are invalidated, in every cache.
    A like or a boost names none: its count follows when the page's copy expires, or a
    popular article would be rendered again for every reader who likes it."""
    _on_commit_once(_read_fragments_again)
    changed(*(reactions_key(pk) for pk in set(article_ids)))


def _forget_accounts():
    cache.delete(ACCOUNTS_KEY)


def accounts_changed():
    """An edition's account was made, renamed or removed: every article page names it."""
    _on_commit_once(_forget_accounts)
    changed(ACCOUNTS_KEY)


class ActorQuerySet(models.QuerySet):
    def accounts(self):
        """{language: {"uri", "handle"}} of the editions, for pages; kept in the cache.

        Pages only read: the accounts (and their keys) are made by the first fediverse
        request or the first visit to the admin.
        """
        accounts = cache.get(ACCOUNTS_KEY)
        if accounts is None:
            accounts = {
                actor.language: {"uri": actor.uri, "handle": actor.handle} for actor in self
            }
            cache.set(ACCOUNTS_KEY, accounts, None)
        return accounts

    def ensure(self):
        """One actor per site language, created with its keys on first use."""
        existing = {actor.language: actor for actor in self.all()}
        default = settings.LANGUAGE_CODE
        for code, _name in settings.LANGUAGES:
            if code not in existing:
                username = "blog" if code == default else f"blog_{code}"
                existing[code], _created = self.get_or_create(
                    language=code, defaults={"username": username}
                )
        return [existing[code] for code, _name in settings.LANGUAGES]


class Actor(models.Model):
    """One edition of the blog as a fediverse account (@blog@host, @blog_ru@host)."""

    class Type(models.TextChoices):
        SERVICE = "Service", _("Service (shown as a bot)")
        PERSON = "Person", _("Person")

    class ObjectType(models.TextChoices):
        ARTICLE = "Article", _("Article: Mastodon shows the title, summary and a link")
        NOTE = "Note", _("Note: Mastodon shows the whole text")

    language = models.CharField(_("language"), max_length=10, unique=True)
    username = models.SlugField(
        _("user name"),
        max_length=60,
        unique=True,
        help_text=_("The handle's first part: @name@host. Changing it breaks existing follows."),
    )
    actor_type = models.CharField(
        _("account type"), max_length=10, choices=Type.choices, default=Type.SERVICE
    )
    object_type = models.CharField(
        _("articles are sent as"),
        max_length=10,
        choices=ObjectType.choices,
        default=ObjectType.NOTE,
    )
    summary = models.TextField(_("profile text"), blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="federation/", blank=True)
    header = models.ImageField(_("header image"), upload_to="federation/", blank=True)
    # Generated once; the public half is published, the private half signs every request.
    private_key_pem = models.TextField(editable=False)
    public_key_pem = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("fediverse account")
        verbose_name_plural = _("fediverse accounts")

    def __str__(self):
        return self.handle

    def save(self, *args, **kwargs):
        if not self.private_key_pem:
            self.private_key_pem, self.public_key_pem = generate_key_pair()
        # Pages show the handle and address (made from the username), not the profile.
        shown_changed = (
            self._state.adding
            or Actor.objects.filter(pk=self.pk).exclude(username=self.username).exists()
        )
        super().save(*args, **kwargs)
        if shown_changed:
            accounts_changed()

    @property
    def handle(self):
        return f"@{self.username}@{site_host()}"

    @property
    def uri(self):
        return absolute(reverse("federation:actor", kwargs={"username": self.username}))

    @property
    def key_id(self):
        return f"{self.uri}#main-key"

    @property
    def inbox_uri(self):
        return absolute(reverse("federation:inbox", kwargs={"username": self.username}))

    @property
    def outbox_uri(self):
        return absolute(reverse("federation:outbox", kwargs={"username": self.username}))

    @property
    def followers_uri(self):
        return absolute(reverse("federation:followers", kwargs={"username": self.username}))

    def private_key(self):
        return load_private_key(self.private_key_pem)


@functools.lru_cache(maxsize=8)
def load_private_key(pem):
    # Reading (and checking) a 2048-bit key costs a quarter of a second on a busy machine:
    # once per process, not once per delivery.
    return serialization.load_pem_private_key(pem.encode(), password=None)


def generate_key_pair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class RemoteActor(models.Model):
    """An account on another server, as its actor document said when last fetched."""

    uri = models.URLField(_("address"), max_length=500, unique=True)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    url = models.URLField(_("profile"), max_length=500, blank=True)
    domain = models.CharField(_("server"), max_length=255, db_index=True)
    inbox = models.URLField(max_length=500)
    shared_inbox = models.URLField(max_length=500, blank=True)
    key_id = models.CharField(max_length=500, db_index=True)
    public_key_pem = models.TextField()
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("remote account")
        verbose_name_plural = _("remote accounts")

    def __str__(self):
        return self.handle

    @property
    def handle(self):
        return f"@{self.username or '?'}@{self.domain}"

    @property
    def delivery_inbox(self):
        return self.shared_inbox or self.inbox


class Follower(models.Model):
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="followers")
    remote = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="follows")
    follow_id = models.URLField(_("follow activity"), max_length=500)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["actor", "remote"], name="one_follow_per_account")
        ]

    def __str__(self):
        return f"{self.remote} → {self.actor}"


class Block(models.Model):
    """A remote account, or a whole server, that may neither follow nor reply."""

    domain = models.CharField(
        _("server"), max_length=255, blank=True, help_text=_("e.g. spam.example")
    )
    actor_uri = models.URLField(
        _("account address"),
        max_length=500,
        blank=True,
        help_text=_("The account's address (https://server/users/name), to block one account."),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("blocked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(domain="", actor_uri=""), name="block_names_something"
            )
        ]

    def __str__(self):
        return self.domain or self.actor_uri

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower()
        super().save(*args, **kwargs)
        self.remove_traces()

    def remove_traces(self):
        """Follows, replies and reactions of what is blocked go with the block, from the
        pages that showed them too."""
        shown_on = set()
        for model, field in ((RemoteActor, "uri"), (Reply, "author_uri"), (Reaction, "actor_uri")):
            if self.domain:
                found = model.objects.filter(domain=self.domain)
            else:
                found = model.objects.filter(**{field: self.actor_uri})
            if model is not RemoteActor:
                shown_on.update(found.values_list("article_id", flat=True))
            found.delete()  # a remote account takes its follows along
        fragments_changed(shown_on)

    @classmethod
    def is_blocked(cls, uri):
        return cls.objects.filter(
            models.Q(domain=domain_of(uri)) | models.Q(actor_uri=uri)
        ).exists()


class ArticleState(models.Model):
    """What followers of one edition last got of one article: how it looked, or that it went.

    No foreign key: a deleted article must still be withdrawn from timelines.
    """

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE)
    article_pk = models.PositiveBigIntegerField(db_index=True)
    object_uri = models.URLField(max_length=500)
    # The hash of the object sent last; "" while it is on nobody's timeline.
    content_hash = models.CharField(max_length=64, blank=True)
    # Raised by each Delete: Mastodon never takes back a deleted id, so a republished
    # article gets a new one.
    generation = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "article_pk"], name="one_state_per_edition")
        ]

    def __str__(self):
        return self.object_uri


class Activity(models.Model):
    """Something one of our actors sent (Create, Update, Delete, Accept), kept as sent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("type"), max_length=20)
    article_pk = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    payload = models.JSONField()
    # Never delivered before this (the article's publication time).
    not_before = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sent activity")
        verbose_name_plural = _("sent activities")

    def __str__(self):
        target = self.payload.get("object")
        return f"{self.kind} {target.get('id', '') if isinstance(target, dict) else target}"

    @property
    def uri(self):
        return absolute(reverse("federation:activity", kwargs={"pk": self.pk}))


class Delivery(models.Model):
    """One activity to one inbox, exactly once, retried with backoff until it goes or fails."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To go")
        SENDING = "sending", _("Being sent")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        DROPPED = "dropped", _("Inbox gone")

    OPEN = [Status.PENDING, Status.SENDING, Status.RETRYING]

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="deliveries")
    inbox = models.URLField(max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next try"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    error = models.CharField(_("reason"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["activity", "inbox"], name="one_delivery_per_inbox")
        ]

    def __str__(self):
        return f"{self.activity.kind} → {self.inbox}"


class InboxHealth(models.Model):
    """How a remote inbox has answered lately: since when it fails, whether it is gone."""

    inbox = models.URLField(max_length=500, unique=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    # Which signature the server accepted last ("cavage" or "rfc9421"): asked first next time.
    signature_style = models.CharField(max_length=10, blank=True)

    def __str__(self):
        return self.inbox


class ReceivedActivity(models.Model):
    """Every activity id we acted on: a redelivery of the same id changes nothing."""

    activity_id = models.CharField(max_length=500, unique=True)
    kind = models.CharField(max_length=40)
    actor_uri = models.CharField(max_length=500)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.kind} {self.activity_id}"


class ReplyQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Reply.Status.APPROVED)


class Reply(models.Model):
    """A fediverse reply to an article, held until an editor approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="fediverse_replies"
    )
    object_uri = models.URLField(_("original"), max_length=500, unique=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    author_uri = models.URLField(max_length=500)
    domain = models.CharField(_("server"), max_length=255, db_index=True)
    author_handle = models.CharField(_("author"), max_length=300)
    author_name = models.CharField(_("author's name"), max_length=200, blank=True)
    content = models.TextField(_("text"), help_text=_("Sanitized HTML."))
    language = models.CharField(max_length=10, blank=True)
    published_at = models.DateTimeField(_("written"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        ordering = ["published_at", "pk"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self):
        return f"{self.author_handle}: {self.article}"

    @property
    def link(self):
        return self.url or self.object_uri


class Reaction(models.Model):
    """A like or a boost of an article, counted on the article."""

    class Kind(models.TextChoices):
        LIKE = "like", _("Like")
        BOOST = "boost", _("Boost")

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="fediverse_reactions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    activity_id = models.CharField(max_length=500, unique=True)
    actor_uri = models.URLField(max_length=500)
    domain = models.CharField(max_length=255, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("like or boost")
        verbose_name_plural = _("likes and boosts")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "kind", "actor_uri"], name="one_reaction_per_account"
            )
        ]

    def __str__(self):
        return f"{self.kind}: {self.actor_uri}"


def content_hash(document):
    import json

    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
