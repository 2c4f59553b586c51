"""Signing up: safe under concurrent requests, and silent about who is already subscribed."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from ipware import get_client_ip

from newsletter.models import SIGNUP_WORDING_VERSION, Subscriber, normalise_email

RATE_LIMIT = 10  # signups per client address
RATE_WINDOW = 60 * 60  # seconds


def client_ip(request):
    """The reader's address: REMOTE_ADDR, or what the trusted proxies saw (TRUSTED_PROXIES)."""
    address, _routable = get_client_ip(request)
    return address or ""


class Refusal:
    OVER_LIMIT = "over-limit"
    # The count lives in the cache; while the cache is away nothing would bound the
    # confirmation mails one client can cause, so signups wait instead.
    UNCOUNTED = "uncounted"


def refusal(request):
    """Why this client may not sign up now, or None.

    Not django-ratelimit: when the cache cannot count, it takes the failed count for a first
    attempt (or, with RATELIMIT_FAIL_OPEN, for no limit), while here signups wait with their
    own answer until it can (Refusal.UNCOUNTED); the rest is the same add-and-incr window.
    """
    key = f"newsletter:signups:{client_ip(request)}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add() and incr(), or the cache is unreachable
        cache.set(key, 1, RATE_WINDOW)
        if cache.get(key) is None:
            return Refusal.UNCOUNTED
        attempts = 1
    return Refusal.OVER_LIMIT if attempts > RATE_LIMIT else None


def sign_up(email, language, page, address=""):
    """The subscriber to send a confirmation to now, or None.

    None when the address is already confirmed, or when it was sent a confirmation within
    NEWSLETTER_CONFIRMATION_WINDOW: the count lives in the database, so no number of
    clients or concurrent requests can flood a mailbox.
    """
    consent = {
        "language": language,
        "consent_at": timezone.now(),
        "consent_page": page,
        "consent_language": language,
        "consent_wording": SIGNUP_WORDING_VERSION,
        "consent_ip": address or None,
    }
    try:
        with transaction.atomic():
            subscriber = Subscriber.objects.create(email=normalise_email(email), **consent)
    except IntegrityError:
        # The address is known (perhaps created a moment ago by a concurrent request).
        subscriber = Subscriber.objects.with_email(email).get()
        # Pending again, unsubscribed or suppressed and coming back: a fresh consent and a
        # fresh double opt-in. One UPDATE, so a concurrent confirmation or send is not undone.
        renewed = (
            Subscriber.objects.filter(pk=subscriber.pk)
            .exclude(status=Subscriber.Status.CONFIRMED)
            .update(
                status=Subscriber.Status.PENDING,
                soft_bounces=0,
                updated_at=timezone.now(),
                **consent,
            )
        )
        if not renewed:
            return None
    return subscriber if _claim_confirmation(subscriber) else None


def _claim_confirmation(subscriber):
    """Record a confirmation email as sent now, unless one went within the window."""
    now = timezone.now()
    window_start = now - timedelta(seconds=settings.NEWSLETTER_CONFIRMATION_WINDOW)
    claimed = (
        Subscriber.objects.filter(pk=subscriber.pk)
        .filter(Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lte=window_start))
        .update(confirmation_sent_at=now)
    )
    return claimed == 1
