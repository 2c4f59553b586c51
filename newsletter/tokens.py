"""Signed links: a confirmation expires, an unsubscribe link works for ever."""

from datetime import timedelta

from django.core import signing

CONFIRM_MAX_AGE = timedelta(days=3)

_confirm = signing.TimestampSigner(salt="newsletter.confirm")
# A different salt, so a confirmation link can never unsubscribe, nor the other way round.
_unsubscribe = signing.Signer(salt="newsletter.unsubscribe")


def confirm_token(subscriber):
    return _confirm.sign(str(subscriber.key))


def unsubscribe_token(subscriber):
    return _unsubscribe.sign(str(subscriber.key))


def key_from_confirm_token(token):
    """The subscriber key, or None when the token is tampered with or expired."""
    try:
        return _confirm.unsign(token, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None


def key_from_unsubscribe_token(token):
    try:
        return _unsubscribe.unsign(token)
    except signing.BadSignature:
        return None
