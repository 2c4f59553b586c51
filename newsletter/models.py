import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from sitewide.changes import changed

# Bump when the signup block's promise changes: each consent records the wording it saw.
SIGNUP_WORDING_VERSION = "2026-11"


CONFIRMED_COUNT_KEY = "newsletter:confirmed-count"


def confirmed_count():
    """The number of confirmed readers, from the cache; counted once after a cache flush.

    Every change to a subscriber stores the new number, so pages never count themselves.
    """
    count = cache.get(CONFIRMED_COUNT_KEY)
    return refresh_confirmed_count() if count is None else count


def friendly_floor(count):
    """5,678 → 5,000; 87 → 80; below ten there is nothing to boast about (None)."""
    if count is None or count < 10:
        return None
    step = 10 if count < 100 else 100 if count < 1000 else 1000
    return count - count % step


def signup_context():
    """What the signup block (newsletter/_signup.html) reads: the confirmed readers, rounded
    down, from the cache; the views that include the block add it to their context."""
    return {"subscriber_count": friendly_floor(confirmed_count())}


def refresh_confirmed_count():
    count = Subscriber.objects.confirmed().count()
    shown = cache.get(CONFIRMED_COUNT_KEY)
    cache.set(CONFIRMED_COUNT_KEY, count, None)
    if shown is not None and friendly_floor(shown) != friendly_floor(count):
        # Every page shows the rounded count in its signup block: only a new figure counts.
        changed("subscribers")
    return count


def normalise_email(address):
    """Trimmed, domain lower-cased; the local part is the mailbox owner's business."""
    local, _at, domain = address.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else address.strip()


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def with_email(self, address):
        # Matches the case-insensitive unique index, so the lookup uses it.
        return self.alias(email_lower=Lower("email")).filter(
            email_lower=normalise_email(address).lower()
        )


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        # A hard bounce or a spam complaint: no more mail until a new double opt-in.
        SUPPRESSED = "suppressed", _("Suppressed")

    email = models.EmailField(_("email"), max_length=254)
    # Signed into every link; a random key, so links never expose the address or the row id.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    consent_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    consent_page = models.CharField(_("signed up on page"), max_length=300, blank=True)
    consent_language = models.CharField(
        _("language of the signup page"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    consent_wording = models.CharField(_("signup wording version"), max_length=20, blank=True)
    consent_ip = models.GenericIPAddressField(_("signed up from address"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    suppressed_at = models.DateTimeField(_("suppressed at"), null=True, blank=True)
    suppressed_reason = models.CharField(_("why suppressed"), max_length=300, blank=True)
    soft_bounces = models.PositiveSmallIntegerField(
        _("soft bounces in a row"), default=0, help_text=_("Reset by a delivered message.")
    )
    # Counted here, not in the cache: the cap must hold for every process and every client.
    confirmation_sent_at = models.DateTimeField(
        _("confirmation email sent at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        permissions = [("import_subscribers", _("Can import subscribers from another service"))]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci_unique")
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)
        refresh_confirmed_count()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        refresh_confirmed_count()
        return deleted

    def personal_data(self):
        """Everything stored about this reader, for the reader: the row and every sending."""
        held = {
            field.name: getattr(self, field.attname)
            for field in self._meta.concrete_fields
            # The id is ours; the key is the secret in the reader's own links.
            if field.name not in {"id", "key"}
        }
        held["deliveries"] = [
            {
                "issue": delivery.issue.subject,
                "status": delivery.status,
                "sent_at": delivery.sent_at,
                "attempts": delivery.attempts,
                "error": delivery.error,
            }
            for delivery in self.deliveries.select_related("issue").order_by("pk")
        ]
        return held


class IssueQuerySet(models.QuerySet):
    def last_sent(self):
        return self.filter(status=Issue.Status.SENT).order_by("-sent_at").first()


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    subject = models.CharField(_("subject"), max_length=200)
    intro = models.TextField(
        _("intro"), blank=True, help_text=_("A few sentences above the articles; plain text.")
    )
    articles = models.ManyToManyField(
        Article, blank=True, related_name="newsletter_issues", verbose_name=_("featured articles")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    scheduled_at = models.DateTimeField(
        _("send at"), null=True, blank=True, help_text=_("Set a time, then press «Schedule».")
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The one queued task allowed to go on with the sending; any other task for the issue
    # finds its turn taken and stops (see sending.take_turn).
    turn = models.CharField(max_length=32, blank=True, editable=False)
    # When the mail server could not be reached: since when, why, and when to try again.
    outage_since = models.DateTimeField(_("mail server unreachable since"), null=True, blank=True)
    outage_error = models.CharField(_("mail server error"), max_length=300, blank=True)
    outage_retry_at = models.DateTimeField(_("next connection attempt"), null=True, blank=True)
    # Kept on the issue so the history survives subscribers deleted for good.
    sent_count = models.PositiveIntegerField(_("sent"), default=0, editable=False)
    failed_count = models.PositiveIntegerField(_("failed"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        permissions = [("send_issue", _("Can schedule and send issues"))]

    def __str__(self):
        return self.subject

    @property
    def is_editable(self):
        return self.status in {self.Status.DRAFT, self.Status.SCHEDULED}

    # The sending's state changes. Each returns whether it changed anything; an issue that
    # has started sending is past all of them.

    def schedule(self, at=None):
        """Queue the sending for `at` (default: the send time already set), a future time."""
        at = at or self.scheduled_at
        if not self.is_editable or at is None or at <= timezone.now():
            return False
        self._queue_sending(at)
        return True

    def send_now(self):
        if not self.is_editable:
            return False
        self._queue_sending(timezone.now())
        return True

    def cancel(self):
        """A scheduled issue back to draft; the task queued for it finds its turn gone."""
        if self.status != self.Status.SCHEDULED:
            return False
        self.status = self.Status.DRAFT
        self.turn = ""
        self.save(update_fields=["status", "turn", "updated_at"])
        return True

    def _queue_sending(self, at):
        # The tasks module imports this one.
        from newsletter.sending import new_turn
        from newsletter.tasks import queue_turn

        self.scheduled_at = at
        self.status = self.Status.SCHEDULED
        # A new turn: a task queued for an earlier time finds it taken and does nothing.
        self.turn = new_turn()
        self.save(update_fields=["scheduled_at", "status", "turn", "updated_at"])
        queue_turn(self.pk, self.turn, at)

    def featured(self):
        """The featured articles that are live now: an unpublished one drops out of the email."""
        return self.articles.live().select_related("author").order_by("-published_at")

    def progress(self):
        counts = self.deliveries.aggregate(
            **{
                status: models.Count("pk", filter=models.Q(status=status))
                for status in Delivery.Status.values
            }
        )
        return counts


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("To go")
        # In its SMTP conversation before the message's final dot; only one per worker.
        SENDING = "sending", _("Being sent")
        # The final dot is going or went; the server's answer has not been recorded yet.
        AWAITING_REPLY = "awaiting_reply", _("Awaiting the mail server's answer")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (unsubscribed)")
        SUPPRESSED = "suppressed", _("Suppressed")
        # The final dot went and no answer came (the worker died, the line broke): the
        # message may or may not have arrived, so it is not sent again.
        UNKNOWN = "unknown", _("Unknown (interrupted)")

    # Not finished: the sending goes on while any delivery is in one of these.
    OPEN = [Status.PENDING, Status.SENDING, Status.AWAITING_REPLY, Status.RETRYING]
    # A worker is talking to the mail server about these.
    IN_CONVERSATION = [Status.SENDING, Status.AWAITING_REPLY]

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    # Deleting a subscriber for good takes its delivery log with it.
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    first_failed_at = models.DateTimeField(_("first temporary failure"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next try"), null=True, blank=True)
    # A worker's claim on the row; another worker may take it once `claimed_until` passed.
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletter_delivery_once_per_subscriber"
            )
        ]
        indexes = [models.Index(fields=["issue", "status"])]

    def __str__(self):
        return f"{self.issue} → {self.subscriber}"
