"""Signing up: safe under concurrent requests, and silent about who is already subscribed."""

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from ipware import get_client_ip

from newsletter.models import SIGNUP_WORDING_VERSION, Subscriber, normalise_email

RATE_LIMIT = 10  # signups per client address
RATE_WINDOW = 60 * 60  # seconds


def client_ip(request):
    """The reader's address: REMOTE_ADDR, or what the trusted proxies saw (TRUSTED_PROXIES)."""
    address, _routable = get_client_ip(request)
    return address or ""


def over_rate_limit(request):
    key = f"newsletter:signups:{client_ip(request)}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, RATE_WINDOW)
        attempts = 1
    return attempts > RATE_LIMIT


def sign_up(email, language, page, address=""):
    """The subscriber to send a confirmation to, or None when it is already confirmed."""
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
            return Subscriber.objects.create(email=normalise_email(email), **consent)
    except IntegrityError:
        pass  # the address is known (perhaps created a moment ago by a concurrent request)
    subscriber = Subscriber.objects.with_email(email).get()
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return None
    # Pending again, or unsubscribed and coming back: a fresh consent and a fresh link.
    for field, value in consent.items():
        setattr(subscriber, field, value)
    subscriber.status = Subscriber.Status.PENDING
    subscriber.save()
    return subscriber
